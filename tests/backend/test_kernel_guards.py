"""No input can crash the process through a kernel (DESIGN.md, "Kernels" and "Bad input").

The compiled kernels read and write through raw pointers, so their wrappers check every shape,
count, index and range first, and every allocation is checked. The inputs that used to crash
(a segfault, heap corruption, labels read out of bounds) run here in a subprocess: the test
asserts its exit status and the one sentence it printed, never a signal. The NumPy reference,
the CuPy module (on host arrays, as far as it goes without a GPU) and the Cython wrappers must
refuse the same inputs with the same sentence. A hypothesis fuzz drives every wrapper, and the
compiled functions themselves, with random shapes, dtypes, layouts and indices.
"""
import os
import re
import resource
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from neuroclust.backend import available_backends, reference
from neuroclust.backend import cupy as cupy_module

if "cython" not in available_backends():
    pytest.skip("the compiled kernels (neuroclust._kernels) are not built",
                allow_module_level=True)

from neuroclust import _kernels  # noqa: E402  (needs the compiled kernels)
from neuroclust.backend import cython as cy  # noqa: E402

PRELUDE = """\
import numpy as np
from neuroclust import _kernels
from neuroclust.backend import cython as cy, reference
rng = np.random.default_rng(0)
X = rng.random((300, 4))
"""


def run_python(code, address_space=None, timeout=120):
    """Run ``code`` after PRELUDE in a fresh interpreter, optionally under an address-space
    limit; the process must end by itself, not by a signal."""
    def limit():
        if address_space is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    result = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
                            capture_output=True, text=True, timeout=timeout,
                            preexec_fn=limit, env={**os.environ, "OMP_NUM_THREADS": "2"})
    assert result.returncode >= 0, (f"killed by signal {-result.returncode}:\n"
                                    f"{result.stderr[-2000:]}")
    # an IndexError of the bounds-checked build inside a noexcept function is only printed
    assert "Exception ignored" not in result.stderr, result.stderr[-2000:]
    return result


def assert_refused(result, error, message):
    """The subprocess ended with one uncaught ``error`` whose sentence matches ``message``."""
    last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr[-2000:])
    assert last.startswith(f"{error}: "), result.stderr[-2000:]
    assert re.search(message, last), last


def test_the_imported_build_is_the_one_asked_for():
    """CI runs this directory once more against the bounds-checked build (.ci/run) and says
    so in NEUROCLUST_EXPECT_BOUNDSCHECK: make sure that build is the one imported."""
    expected = os.environ.get("NEUROCLUST_EXPECT_BOUNDSCHECK")
    if expected is None:
        pytest.skip("no build asked for (NEUROCLUST_EXPECT_BOUNDSCHECK is not set)")
    assert _kernels.BOUNDSCHECK == (expected == "1"), _kernels.__file__
    assert "BOUNDSCHECK = {}".format(expected == "1") in run_python(
        "print('BOUNDSCHECK =', _kernels.BOUNDSCHECK)").stdout


# ------------------------------------------------------------------ what used to crash
CRASHED = {
    # case: (code, error, message); each of these killed the process or returned garbage
    "bmu, W narrower than X": (
        "cy.bmu(X, rng.random((3, 2)))",
        "ValueError", r"W must have as many features \(columns\) as X \(4\), got shape \(3, 2\)"),
    "bmu, W wider than X": (
        "cy.bmu(X, rng.random((3, 6)))",
        "ValueError", r"W must have as many features \(columns\) as X \(4\), got shape \(3, 6\)"),
    "bmu, W of 0 rows": (
        "cy.bmu(X, np.empty((0, 4)))",
        "ValueError", r"W must hold at least 1 row\(s\) \(prototypes\), got shape \(0, 4\)"),
    "bmu_accumulate, W narrower": (
        "cy.bmu_accumulate(X, rng.random((3, 2)))",
        "ValueError", r"W must have as many features \(columns\) as X \(4\)"),
    "bmu_accumulate, W wider": (
        "cy.bmu_accumulate(X, rng.random((3, 9)))",
        "ValueError", r"W must have as many features \(columns\) as X \(4\)"),
    "bmu_accumulate, W of 0 rows": (
        "cy.bmu_accumulate(X, np.empty((0, 4)))",
        "ValueError", r"W must hold at least 1 row\(s\)"),
    "two_nearest, W narrower": (
        "cy.two_nearest(X, rng.random((3, 2)))",
        "ValueError", r"W must have as many features \(columns\) as X \(4\), got shape \(3, 2\)"),
    "two_nearest, W wider": (
        "cy.two_nearest(X, rng.random((3, 6)))",
        "ValueError", r"W must have as many features \(columns\) as X \(4\)"),
    "two_nearest, W of 0 rows": (
        "cy.two_nearest(X, np.empty((0, 4)))",
        "ValueError", r"W must hold at least 1 row\(s\) \(prototypes\), got shape \(0, 4\)"),
    "fuzzy_art_predict, W narrower": (
        "cy.fuzzy_art_predict(X, rng.random((3, 2)), 0.1)",
        "ValueError", r"W must have as many features \(columns\) as X \(4\)"),
    "fuzzy_art_predict, W wider": (
        "cy.fuzzy_art_predict(X, rng.random((3, 40)), 0.1)",
        "ValueError", r"W must have as many features \(columns\) as X \(4\)"),
    "wta_online, W of 0 rows": (
        "cy.wta_online(X, np.empty((0, 4)), np.arange(300), 0.1)",
        "ValueError", r"W must hold at least 1 row\(s\)"),
    "accumulate, fractional labels": (
        "cy.accumulate(X[:3], np.array([0.5, 1.7, 2.2]), 3)",
        "ValueError", r"labels must hold whole numbers \(unit indices\), got 0.5"),
    "accumulate, fractional n_units": (
        "cy.accumulate(X[:3], np.array([0, 1, 2]), 2.5)",
        "ValueError", r"n_units must be a whole number, got 2.5"),
    "gng_online, max_age < 0": (
        "W = rng.random((5, 4)); error = np.zeros(5); age = np.full((5, 5), -1)\n"
        "cy.gng_online(X, W, error, age, 2, 0, np.arange(300), .2, .006, -1, 100, .5, .005)",
        "ValueError", r"max_age must be >= 0, got -1"),
}


@pytest.mark.parametrize("case", sorted(CRASHED))
def test_what_used_to_crash_is_one_sentence(case):
    code, error, message = CRASHED[case]
    assert_refused(run_python(code), error, message)


def test_direct_calls_of_the_compiled_kernels_check_shapes_and_indices():
    """The compiled functions check what they can in O(1) (and their indices) themselves."""
    result = run_python("""
        def refused(call):
            try:
                call()
            except ValueError as error:
                print(error)
            else:
                print("accepted")
        Xf = np.ascontiguousarray(X)
        refused(lambda: _kernels.distances.bmu(Xf, np.zeros((3, 2)), 1))
        refused(lambda: _kernels.distances.bmu_accumulate(Xf, np.zeros((0, 4)), 1))
        refused(lambda: _kernels.art.fuzzy_art_predict(Xf, np.zeros((3, 9)), 0.1, 0.0, 1))
        refused(lambda: _kernels.competitive.wta_online(Xf, np.zeros((0, 4)), np.arange(3), 0.1))
        refused(lambda: _kernels.distances.accumulate(Xf[:3], np.array([0, 1, 7]), 3, 1))
        refused(lambda: _kernels.competitive.wta_online(Xf, np.zeros((2, 4)), np.array([0, 300]), 0.1))
        refused(lambda: _kernels.gng.gng_online(Xf, np.zeros((5, 4)), np.zeros(5),
                                                np.full((5, 5), -1), 2, 0, np.arange(3), .2,
                                                .006, -1, 10, .5, .005))
        refused(lambda: _kernels.som.som_online(Xf, np.zeros((6, 4)), 2, 2, False, False,
                                                np.arange(3), np.ones(3), np.ones(3)))
        refused(lambda: _kernels.distances.two_nearest(Xf, np.zeros((0, 4)), 1))
    """)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(lines) == 9 and "accepted" not in lines, lines
    assert lines[0] == ("bmu: W must have as many features (columns) as X (4), got 2.")
    assert lines[4].startswith("accumulate: labels must hold indices in [0, 3)")
    assert lines[7] == "som_online: a grid of 2 x 2 units does not fit the 6 rows of W."
    assert lines[8] == "two_nearest: W must hold at least 1 row(s), got 0."


# ------------------------------------------------------------------ memory
def test_prototypes_that_cannot_fit_raise_memory_error_before_allocating():
    """10**7 prototypes need ~10 GB of per-thread buffers: refused with a sentence under a
    2 GB address space (this used to segfault on an unchecked malloc)."""
    result = run_python("cy.bmu(X.astype(np.float32), np.zeros((10**7, 4), np.float32))",
                        address_space=2 << 30)
    assert_refused(result, "MemoryError",
                   r"bmu needs about .* GiB for 10000000 prototypes of 4 features, more than "
                   r"the .* this process can still allocate\.")


def test_two_nearest_under_a_memory_limit():
    result = run_python("cy.two_nearest(X.astype(np.float32), "
                        "np.zeros((10**7, 4), np.float32))", address_space=2 << 30)
    assert_refused(result, "MemoryError",
                   r"two_nearest needs about .* GiB for 10000000 prototypes of 4 features")


def test_bmu_accumulate_under_a_memory_limit():
    result = run_python("cy.bmu_accumulate(X.astype(np.float32), "
                        "np.zeros((2 * 10**6, 4), np.float32))", address_space=3 << 29)
    assert_refused(result, "MemoryError", r"bmu_accumulate needs about .* for 2000000 prototypes")


def test_a_failed_malloc_in_the_kernel_raises_memory_error():
    """Calling the compiled function directly skips the wrapper's estimate: the allocation
    itself fails, and is checked. (The prototypes are centred on the origin, so the rows are
    not centred: each thread's buffer holds only a chunk's scores.)"""
    result = run_python("_kernels.distances.bmu(X.astype(np.float32), "
                        "np.zeros((10**7, 4), np.float32), 1)", address_space=2 << 30)
    assert_refused(result, "MemoryError",
                   r"bmu could not allocate 10240000000 bytes \(9.54 GiB\) for the per-thread "
                   r"buffers of 1 thread\(s\) for 10000000 prototypes\.")


def test_threads_are_reduced_to_what_memory_holds(monkeypatch):
    per_thread, shared = 100 << 20, 10 << 20
    monkeypatch.setattr(cy, "available_memory", lambda: shared + 2 * per_thread + 1)
    assert cy._threads_that_fit("bmu", 8, per_thread, shared, "test") == 2
    monkeypatch.setattr(cy, "available_memory", lambda: None)   # no /proc/meminfo: no estimate
    assert cy._threads_that_fit("bmu", 8, per_thread, shared, "test") == 8
    monkeypatch.setattr(cy, "available_memory", lambda: shared)
    with pytest.raises(MemoryError, match="bmu needs about 110 MiB for test, more than"):
        cy._threads_that_fit("bmu", 8, per_thread, shared, "test")


def test_available_memory_reads_the_system():
    available = cy.available_memory()
    if os.path.exists("/proc/meminfo"):
        assert available is not None and available > 0
    else:
        assert available is None


# ------------------------------------------------------------------ every backend, one answer
rng = np.random.default_rng(1)
X4 = rng.random((20, 4))
W3 = rng.random((3, 4))
GRID = ((2, 2), "rectangular", False)
STEPS = np.arange(5)
RATES, SIGMAS = np.full(5, 0.1), np.ones(5)


def _gng_state(max_nodes=5, width=4):
    return (rng.random((max_nodes, width)), np.zeros(max_nodes),
            np.full((max_nodes, max_nodes), -1, dtype=np.int64))


def _gng(k, X=X4, state=None, n_nodes=2, n_steps=0, order=STEPS, eb=0.2, en=0.006,
         max_age=50, insert_every=10, alpha=0.5, beta=0.005):
    W, error, age = state if state is not None else _gng_state()
    return k.gng_online(X, W, error, age, n_nodes, n_steps, order, eb, en, max_age, insert_every,
                        alpha, beta)


def _som(k, W=None, shape=GRID[0], topology=GRID[1], toroidal=GRID[2], order=STEPS, rates=RATES,
         sigmas=SIGMAS, neighbourhood="gaussian", metric="euclidean", X=X4):
    W = rng.random((4, 4)) if W is None else W
    return k.som_online(X, W, shape, topology, toroidal, order, rates, sigmas, neighbourhood,
                        metric)


def _art(k, W=None, n=0, order=STEPS, rho=0.5, alpha=0.1, beta=1.0, X=X4):
    W = np.zeros((10, 4)) if W is None else W
    return k.fuzzy_art_online(X, W, n, order, rho, alpha, beta)


REFUSED = {
    # case: (call on a kernel module, message)
    "bmu X 1-D": (lambda k: k.bmu(X4[0], W3), r"X must be a 2-D array"),
    "bmu X 3-D": (lambda k: k.bmu(X4[None], W3), r"X must be a 2-D array"),
    "bmu W 1-D": (lambda k: k.bmu(X4, W3[0]), r"W must be a 2-D array"),
    "bmu X list": (lambda k: k.bmu([[1.0, 2.0]], W3), r"X must be an array"),
    "bmu X complex": (lambda k: k.bmu(X4.astype(complex), W3), r"X must hold real numbers"),
    "bmu W of strings": (lambda k: k.bmu(X4, W3.astype(str)), r"W must hold real numbers"),
    "bmu X object": (lambda k: k.bmu(X4.astype(object), W3), r"X must hold real numbers"),
    "bmu X 0 features": (lambda k: k.bmu(np.empty((5, 0)), np.empty((3, 0))),
                         r"X must have at least one feature \(column\), got 0"),
    "bmu W narrower": (lambda k: k.bmu(X4, W3[:, :2]), r"W must have as many features"),
    "bmu W 0 rows": (lambda k: k.bmu(X4, W3[:0]), r"W must hold at least 1 row"),
    "bmu_accumulate W wider": (lambda k: k.bmu_accumulate(X4, rng.random((3, 5))),
                               r"W must have as many features"),
    "two_nearest X 1-D": (lambda k: k.two_nearest(X4[0], W3), r"X must be a 2-D array"),
    "two_nearest X list": (lambda k: k.two_nearest([[1.0, 2.0]], W3), r"X must be an array"),
    "two_nearest W of strings": (lambda k: k.two_nearest(X4, W3.astype(str)),
                                 r"W must hold real numbers"),
    "two_nearest X 0 features": (lambda k: k.two_nearest(np.empty((5, 0)), np.empty((3, 0))),
                                 r"X must have at least one feature \(column\), got 0"),
    "two_nearest W narrower": (lambda k: k.two_nearest(X4, W3[:, :2]),
                               r"W must have as many features"),
    "two_nearest W 0 rows": (lambda k: k.two_nearest(X4, W3[:0]), r"W must hold at least 1 row"),
    "accumulate labels 2-D": (lambda k: k.accumulate(X4, np.zeros((20, 1), int), 3),
                              r"labels must be a 1-D array"),
    "accumulate labels too short": (lambda k: k.accumulate(X4, np.zeros(19, int), 3),
                                    r"labels must have one entry per row of X \(20\)"),
    "accumulate labels negative": (lambda k: k.accumulate(X4, np.full(20, -1), 3),
                                   r"labels must hold unit indices in \[0, 3\)"),
    "accumulate labels NaN": (lambda k: k.accumulate(X4, np.full(20, np.nan), 3),
                              r"labels must hold whole numbers"),
    "accumulate labels bool": (lambda k: k.accumulate(X4, np.zeros(20, bool), 3),
                               r"labels must hold real numbers \(integers or floating-point\), "
                               r"got an array of dtype bool"),
    "bmu X bool": (lambda k: k.bmu(X4 > 0.5, W3), r"X must hold real numbers"),
    "accumulate n_units 0": (lambda k: k.accumulate(X4[:0], np.zeros(0, int), 0),
                             r"n_units must be >= 1, got 0"),
    "accumulate n_units str": (lambda k: k.accumulate(X4, np.zeros(20, int), "3"),
                               r"n_units must be a whole number, got '3'"),
    "accumulate n_units huge": (lambda k: k.accumulate(X4, np.zeros(20, int), 2**40),
                                r"n_units must be at most 2147483647"),
    "wta order 2-D": (lambda k: k.wta_online(X4, W3.copy(), np.zeros((2, 2), int), 0.1),
                      r"order must be a 1-D array"),
    "wta order fractional": (lambda k: k.wta_online(X4, W3.copy(), np.array([0.5]), 0.1),
                             r"order must hold whole numbers \(row indices of X\), got 0.5"),
    "wta order past X": (lambda k: k.wta_online(X4, W3.copy(), np.array([20]), 0.1),
                         r"order must hold row indices of X in \[0, 20\)"),
    "wta learning_rate NaN": (lambda k: k.wta_online(X4, W3.copy(), STEPS, np.nan),
                              r"learning_rate must be finite, got nan"),
    "wta learning_rate < 0": (lambda k: k.wta_online(X4, W3.copy(), STEPS, -0.1),
                              r"learning_rate must be >= 0, got -0.1"),
    "wta learning_rate None": (lambda k: k.wta_online(X4, W3.copy(), STEPS, None),
                               r"learning_rate must be a real number, got None"),
    "wta W int": (lambda k: k.wta_online(X4, np.ones((3, 4), int), STEPS, 0.1),
                  r"W must be a floating-point array \(the prototypes\)"),
    "wta W read-only": (lambda k: k.wta_online(X4, np.broadcast_to(W3[:1], (3, 4)), STEPS, 0.1),
                        r"W must be writeable"),
    "wta win_frequency short": (lambda k: k.wta_online(X4, W3.copy(), STEPS, 0.1, np.ones(2)),
                                r"win_frequency must have one entry per unit \(3\)"),
    "wta win_frequency int": (lambda k: k.wta_online(X4, W3.copy(), STEPS, 0.1,
                                                     np.ones(3, int)),
                              r"win_frequency must be a floating-point array"),
    "wta conscience_rate 2": (lambda k: k.wta_online(X4, W3.copy(), STEPS, 0.1, np.ones(3), 2.0),
                              r"conscience_rate must lie in \[0, 1\], got 2.0"),
    "wta conscience_bias inf": (lambda k: k.wta_online(X4, W3.copy(), STEPS, 0.1, np.ones(3),
                                                       0.1, np.inf),
                                r"conscience_bias must be finite"),
    "wta variance < 0": (lambda k: k.wta_online(X4, W3.copy(), STEPS, 0.1, np.ones(3), 0.1, 1.0,
                                                -1.0),
                         r"variance must be >= 0, got -1.0"),
    "wta variance NaN": (lambda k: k.wta_online(X4, W3.copy(), STEPS, 0.1, np.ones(3), 0.1, 1.0,
                                                np.nan),
                         r"variance must be finite, got nan"),
    "wta bias overflows": (lambda k: k.wta_online(X4, W3.copy(), STEPS, 0.1, np.ones(3), 0.1,
                                                  1e200, 1e200),
                           r"conscience_bias \* variance must be finite"),
    "som W 0 rows": (lambda k: _som(k, W=np.empty((0, 4)), shape=(0, 0)),
                     r"W must hold at least 1 row"),
    "som shape of 3": (lambda k: _som(k, shape=(2, 2, 1)), r"shape must be a pair \(rows, cols\)"),
    "som shape not W": (lambda k: _som(k, shape=(1, 3)),
                        r"shape \(1, 3\) has 3 units, but W has 4 rows, one per unit"),
    "som topology": (lambda k: _som(k, topology="round"), r"topology must be one of"),
    "som toroidal": (lambda k: _som(k, toroidal=None), r"toroidal must be True or False"),
    "som sigma 0": (lambda k: _som(k, sigmas=np.zeros(5)), r"sigmas must be > 0 at every step"),
    "som sigma NaN": (lambda k: _som(k, sigmas=np.full(5, np.nan)),
                      r"sigmas must be finite at every step"),
    "som rates negative": (lambda k: _som(k, rates=np.full(5, -1.0)),
                           r"learning_rates must be >= 0 at every step"),
    "som rates short": (lambda k: _som(k, rates=RATES[:4]),
                        r"learning_rates must have one value per step of order \(5\)"),
    "som neighbourhood": (lambda k: _som(k, neighbourhood="foo"), r"neighbourhood must be one of"),
    "som metric": (lambda k: _som(k, metric="manhattan"), r"metric must be 'euclidean' or"),
    "art n_categories past W": (lambda k: _art(k, n=11), r"n_categories must lie in \[0, 10\]"),
    "art n_categories 1.5": (lambda k: _art(k, n=1.5), r"n_categories must be a whole number"),
    "art rho -1": (lambda k: _art(k, rho=-1.0), r"rho must lie in \[0, 1\], got -1.0"),
    "art alpha 0": (lambda k: _art(k, alpha=0.0), r"alpha must be > 0, got 0.0"),
    "art beta 0": (lambda k: _art(k, beta=0.0), r"beta must lie in \(0, 1\], got 0.0"),
    "art W narrower": (lambda k: _art(k, W=np.zeros((10, 3))), r"W must have as many features"),
    "art1 L 1": (lambda k: k.art1_online(X4, np.zeros((5, 4)), 0, STEPS, 0.5, 1.0),
                 r"L must be > 1, got 1.0"),
    "art predict rho 2": (lambda k: k.fuzzy_art_predict(X4, W3, 0.1, 2.0),
                          r"rho must lie in \[0, 1\], got 2.0"),
    "art predict alpha NaN": (lambda k: k.fuzzy_art_predict(X4, W3, np.nan),
                              r"alpha must be finite"),
    "gng W 1 row": (lambda k: _gng(k, state=_gng_state(1)), r"W must hold at least 2 row"),
    "gng n_nodes past W": (lambda k: _gng(k, n_nodes=6), r"n_nodes must lie in \[2, 5\], got 6"),
    "gng n_steps < 0": (lambda k: _gng(k, n_steps=-1), r"n_steps must be >= 0, got -1"),
    "gng error 2-D": (lambda k: _gng(k, state=(rng.random((5, 4)), np.zeros((5, 1)),
                                                np.full((5, 5), -1))),
                      r"error must be a 1-D array"),
    "gng age float": (lambda k: _gng(k, state=(rng.random((5, 4)), np.zeros(5),
                                                np.full((5, 5), -1.0))),
                      r"age must be a signed integer array"),
    "gng age wrong shape": (lambda k: _gng(k, state=(rng.random((5, 4)), np.zeros(5),
                                                      np.full((5, 4), -1))),
                            r"age must have shape \(5, 5\)"),
    "gng insert_every 0": (lambda k: _gng(k, insert_every=0), r"insert_every must be >= 1, got 0"),
    "gng epsilon_b 2": (lambda k: _gng(k, eb=2.0), r"epsilon_b must lie in \[0, 1\], got 2.0"),
    "gng beta NaN": (lambda k: _gng(k, beta=np.nan), r"beta must be finite"),
}

MODULES = {"numpy": reference, "cython": cy, "cupy (host arrays)": cupy_module}


@pytest.mark.parametrize("module", sorted(MODULES))
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_every_backend_refuses_with_the_same_sentence(case, module):
    call, message = REFUSED[case]
    with pytest.raises(ValueError, match=message):
        call(MODULES[module])


@pytest.mark.parametrize("module", [cy, cupy_module])
@pytest.mark.parametrize("n_threads", [0, -3, 1.5, "2"])
def test_thread_counts_are_checked(module, n_threads):
    with pytest.raises(ValueError, match="n_threads must be"):
        module.bmu(X4, W3, n_threads=n_threads)
    with pytest.raises(ValueError, match="n_threads must be"):
        module.two_nearest(X4, W3, n_threads=n_threads)


def test_many_threads_are_capped_by_the_work():
    np.testing.assert_array_equal(cy.bmu(X4, W3, n_threads=10**6)[0], reference.bmu(X4, W3)[0])


@pytest.mark.parametrize("dtype", [np.float16, np.int32, np.uint8])
def test_other_real_dtypes_are_computed_in_float(dtype):
    X = (X4 * 3).astype(dtype)
    index = cy.bmu(X, W3)[0]
    expected = reference.bmu(X.astype(np.float64), W3)[0]
    if dtype == np.float16:   # computed in float32: near-ties may part
        assert (index == expected).mean() > 0.9
    else:
        np.testing.assert_array_equal(index, expected)


def test_whole_numbers_as_floats_are_indices():
    sums, counts = cy.accumulate(X4[:3], np.array([0.0, 2.0, 2.0]), 3.0)
    np.testing.assert_array_equal(counts, [1, 0, 2])
    ref_sums, ref_counts = reference.accumulate(X4[:3], np.array([0.0, 2.0, 2.0]), 3.0)
    np.testing.assert_allclose(sums, ref_sums)
    np.testing.assert_array_equal(counts, ref_counts)


def test_empty_X_and_non_finite_W_are_answered():
    index, distance = cy.bmu(X4[:0], W3)
    assert index.shape == distance.shape == (0,)
    W = W3.copy()
    W[1, 2] = np.nan
    index, distance = cy.bmu(X4, W)
    assert (index == 0).all() and np.isnan(distance).all()
    for module in (cy, reference):
        first, second, first_distance, second_distance = module.two_nearest(X4, W)
        assert (first == 0).all() and (second == 0).all()
        assert np.isnan(first_distance).all() and np.isnan(second_distance).all()
        assert all(a.shape == (0,) for a in module.two_nearest(X4[:0], W3))
    assert cy.fuzzy_art_predict(X4, W3[:0], 0.1).tolist() == [-1] * 20


def test_state_of_another_layout_and_dtype_is_written_back():
    W, error, age = _gng_state()
    W_odd, error_odd, age_odd = np.asfortranarray(W), error.astype(np.float32), age.astype(np.int32)
    expected = (W.copy(), error.copy(), age.copy())
    result = _gng(cy, state=(W_odd, error_odd, age_odd), order=np.arange(20))
    assert result == _gng(cy, state=expected, order=np.arange(20))
    np.testing.assert_array_equal(W_odd, expected[0])
    np.testing.assert_allclose(error_odd, expected[1], rtol=1e-6)
    np.testing.assert_array_equal(age_odd, expected[2])


# ------------------------------------------------------------------ fuzz
FUZZ = r'''
import sys, warnings
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st
from neuroclust import _kernels
from neuroclust.backend import cython as cy, reference

warnings.simplefilter("ignore")
np.seterr(all="ignore")
ALLOWED = (ValueError, TypeError, MemoryError)
DTYPES = [np.float16, np.float32, np.float64, np.int64, np.uint8, bool, np.complex128]
counts = {"accepted": 0, "refused": 0, "disagreed": []}


@st.composite
def arrays(draw, rows, cols, dtype=None):
    dtype = dtype or draw(st.sampled_from(DTYPES))
    seed = draw(st.integers(0, 2**16))
    values = np.random.default_rng(seed).random((rows, 2 * cols + 1)) * 2
    layout = draw(st.sampled_from(["C", "F", "strided", "reversed"]))
    if layout == "strided":
        A = values[:, :2 * cols:2]
    elif layout == "reversed":
        A = values[::-1, :cols]
    else:
        A = np.array(values[:, :cols], order=layout)
    return A.astype(dtype, copy=False) if dtype is not bool else A > 1


def sizes():
    return st.sampled_from([0, 1, 2, 3, 7])


def indices(draw, n, upper):
    kind = draw(st.sampled_from(["good", "good", "wild", "float", "2-D"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if kind == "good":
        return rng.integers(0, max(upper, 1), size=n)
    if kind == "wild":
        return rng.integers(-2, upper + 2, size=n)
    if kind == "float":
        return rng.integers(0, max(upper, 1), size=n) + draw(st.sampled_from([0.0, 0.5]))
    return rng.integers(0, max(upper, 1), size=(n, 1))


def scalar(draw, good):
    return draw(st.sampled_from([good, good, 0.0, -1.0, 1.5, float("nan"), float("inf"), 7]))


def outcome(call):
    try:
        call()
        return "accepted"
    except ALLOWED as error:
        assert str(error), f"{type(error).__name__} without a sentence"
        return type(error).__name__


def compare(name, call_cython, call_reference):
    got = outcome(call_cython)
    counts["accepted" if got == "accepted" else "refused"] += 1
    expected = outcome(call_reference)
    if (got == "accepted") != (expected == "accepted"):
        counts["disagreed"].append((name, got, expected))


def copies(*arrays):
    return [a.copy() if isinstance(a, np.ndarray) else a for a in arrays]


@settings(max_examples=int(sys.argv[1]), deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.data())
def fuzz(data):
    draw = data.draw
    n, f, k = draw(sizes()), draw(sizes()), draw(sizes())
    fw = draw(st.sampled_from([f, f, f + 1, max(f - 1, 0)]))
    X = draw(arrays(n, f))
    W = draw(arrays(k, fw))
    threads = draw(st.sampled_from([None, 1, 2, 64]))
    kernel = draw(st.sampled_from(["bmu", "bmu_accumulate", "two_nearest", "accumulate", "wta",
                                   "som", "art", "art1", "predict", "gng", "direct"]))
    if kernel == "bmu":
        compare(kernel, lambda: cy.bmu(X, W, threads), lambda: reference.bmu(X, W))
    elif kernel == "two_nearest":
        compare(kernel, lambda: cy.two_nearest(X, W, threads),
                lambda: reference.two_nearest(X, W))
    elif kernel == "bmu_accumulate":
        compare(kernel, lambda: cy.bmu_accumulate(X, W, threads),
                lambda: reference.bmu_accumulate(X, W))
    elif kernel == "accumulate":
        labels = indices(draw, n, k)
        compare(kernel, lambda: cy.accumulate(X, labels, k, threads),
                lambda: reference.accumulate(X, labels, k))
    elif kernel == "wta":
        order = indices(draw, draw(sizes()), n)
        frequency = draw(st.sampled_from([None, np.full(k, 1.0 / max(k, 1)), np.ones(k + 1)]))
        rate = scalar(draw, 0.1)
        W1, F1, W2, F2 = copies(W, frequency, W, frequency)
        compare(kernel, lambda: cy.wta_online(X, W1, order, rate, F1, 0.1, 1.0),
                lambda: reference.wta_online(X, W2, order, rate, F2, 0.1, 1.0))
    elif kernel == "som":
        rows, cols = draw(st.sampled_from([(1, 1), (1, 3), (2, 2), (3, 1)]))
        topology = draw(st.sampled_from(["rectangular", "hexagonal"]))
        toroidal = draw(st.booleans())
        W = draw(arrays(rows * cols, fw, draw(st.sampled_from([np.float32, np.float64, int]))))
        shape = draw(st.sampled_from([(rows, cols), (rows, cols), (rows + 1, cols), (rows,)]))
        order = indices(draw, draw(sizes()), n)
        steps = len(order)
        rates = np.full(draw(st.sampled_from([steps, steps + 1])), scalar(draw, 0.2))
        sigmas = np.full(steps, scalar(draw, 1.0))
        metric = draw(st.sampled_from(["euclidean", "cosine"]))
        neighbourhood = draw(st.sampled_from(["gaussian", "bubble", "mexican_hat", "triangle"]))
        W1, W2 = copies(W, W)
        compare(kernel, lambda: cy.som_online(X, W1, shape, topology, toroidal, order, rates,
                                              sigmas, neighbourhood, metric),
                lambda: reference.som_online(X, W2, shape, topology, toroidal, order, rates,
                                             sigmas, neighbourhood, metric))
    elif kernel in ("art", "art1"):
        order = indices(draw, draw(sizes()), n)
        n_categories = draw(st.sampled_from([0, 1, k, k + 1]))
        rho = scalar(draw, 0.5)
        W1, W2 = copies(W, W)
        if kernel == "art":
            alpha, beta = scalar(draw, 0.1), scalar(draw, 1.0)
            compare(kernel, lambda: cy.fuzzy_art_online(X, W1, n_categories, order, rho, alpha,
                                                        beta),
                    lambda: reference.fuzzy_art_online(X, W2, n_categories, order, rho, alpha,
                                                       beta))
        else:
            L = scalar(draw, 2.0)
            compare(kernel, lambda: cy.art1_online(X, W1, n_categories, order, rho, L),
                    lambda: reference.art1_online(X, W2, n_categories, order, rho, L))
    elif kernel == "predict":
        alpha, rho = scalar(draw, 0.1), scalar(draw, 0.5)
        compare(kernel, lambda: cy.fuzzy_art_predict(X, W, alpha, rho, threads),
                lambda: reference.fuzzy_art_predict(X, W, alpha, rho))
    elif kernel == "gng":
        m = draw(st.sampled_from([k, 2, 5]))
        W = draw(arrays(m, fw, draw(st.sampled_from([np.float32, np.float64]))))
        error = np.zeros(draw(st.sampled_from([m, m + 1])))
        age = np.full((m, m), -1, dtype=draw(st.sampled_from([np.int64, np.int32, np.float64])))
        n_nodes = draw(st.sampled_from([2, m, m + 1, 1]))
        order = indices(draw, draw(sizes()), n)
        max_age, insert_every = draw(st.sampled_from([-1, 0, 5])), draw(st.sampled_from([0, 1, 3]))
        eb = scalar(draw, 0.2)
        args = lambda state: (X, *state, n_nodes, 0, order, eb, 0.006, max_age, insert_every, 0.5,
                              0.005)
        first, second = copies(W, error, age), copies(W, error, age)
        compare(kernel, lambda: cy.gng_online(*args(first)),
                lambda: reference.gng_online(*args(second)))
    else:  # the compiled functions themselves, on arrays of their own dtypes
        Xc = np.ascontiguousarray(X, dtype=np.float64)
        Wc = np.ascontiguousarray(W, dtype=np.float64)
        order = np.ascontiguousarray(indices(draw, draw(sizes()), n).reshape(-1), dtype=np.int64)
        for call in (lambda: _kernels.distances.bmu(Xc, Wc, 2),
                     lambda: _kernels.distances.bmu_accumulate(Xc, Wc, 2),
                     lambda: _kernels.distances.two_nearest(Xc, Wc, 2),
                     lambda: _kernels.distances.accumulate(Xc, order, k, 2),
                     lambda: _kernels.competitive.wta_online(Xc, Wc.copy(), order, 0.1),
                     lambda: _kernels.art.fuzzy_art_online(Xc, Wc.copy(), min(k, 1), order, 0.5,
                                                       0.1, 1.0),
                     lambda: _kernels.art.fuzzy_art_predict(Xc, Wc, 0.1, 0.5, 2),
                     lambda: _kernels.som.som_online(Xc, Wc.copy(), 1, k, False, False, order,
                                                     np.ones(len(order)), np.ones(len(order)))):
            counts["accepted" if outcome(call) == "accepted" else "refused"] += 1


fuzz()
print("accepted", counts["accepted"], "refused", counts["refused"])
for case in counts["disagreed"]:
    print("DISAGREED", *case)
'''


def test_fuzz_every_kernel_in_a_subprocess():
    """Random shapes (0 and 1 included), dtypes, layouts, widths, indices and parameters:
    each call returns or raises ValueError, TypeError or MemoryError with a sentence, the
    process never dies, and the Cython wrappers accept exactly what the reference accepts."""
    result = subprocess.run([sys.executable, "-c", FUZZ, "1200"], capture_output=True,
                            text=True, timeout=300, env={**os.environ, "OMP_NUM_THREADS": "2"})
    assert result.returncode == 0, (result.returncode, result.stdout[-3000:],
                                    result.stderr[-3000:])
    assert "DISAGREED" not in result.stdout, result.stdout[-3000:]
    assert "Exception ignored" not in result.stderr, result.stderr[-3000:]
    accepted, refused = map(int, re.findall(r"accepted (\d+) refused (\d+)", result.stdout)[0])
    assert accepted > 50 and refused > 50, result.stdout


@pytest.mark.parametrize("shape", [(1, 1), (1, 4)])
def test_a_one_row_hexagonal_torus_runs_as_the_reference(shape):
    """Found by the fuzz (when the grid was decoded from positions): one row of a hexagonal
    torus, whose rows show no shift."""
    W, order = rng.random((shape[0] * shape[1], 4)), np.arange(20) % 20
    W_ref = W.copy()
    winners = cy.som_online(X4, W, shape, "hexagonal", True, order, np.full(20, 0.3),
                            np.ones(20))
    expected = reference.som_online(X4, W_ref, shape, "hexagonal", True, order,
                                    np.full(20, 0.3), np.ones(20))
    np.testing.assert_array_equal(winners, expected)
    np.testing.assert_allclose(W, W_ref, rtol=1e-12)
