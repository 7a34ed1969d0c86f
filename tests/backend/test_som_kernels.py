"""The self-organizing map's kernels: compiled against the NumPy reference, and against MiniSom.

Rules (DESIGN.md, "Kernels: three implementations of one function"):

- float64: ``cython.som_online`` picks the same winner as ``reference.som_online`` at every
  step and leaves ``allclose`` weights (rtol 1e-10);
- float32: the compiled kernel's winner at each step is checked by replaying its winners
  through eq. (2) in float64: each winner's true distance is within float32 rounding of the
  best one at that step, and the final weights match the replay;
- a tie for the winner goes to the lowest unit index;
- 1, 2 and 3 threads give bit-identical maps.

The radius decays exponentially between values that are not grid distances (2.3 -> 0.7); a
test at the end holds sigma exactly at a hexagonal grid distance, where both implementations
must keep the same units (squared grid distances are exact multiples of 1/4 in both).
"""
import types
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import neuroclust
from neuroclust.backend import available_backends, reference
from neuroclust.grid import (NEIGHBOURHOODS, TOPOLOGIES, decay, grid_squared_distances,
                             neighbourhood, standard_grid)
from neuroclust.backend import cupy as cupy_module

if "cython" not in available_backends():
    pytest.skip("the compiled kernels (neuroclust._kernels) are not built; run "
                "`python setup.py build_ext --inplace`", allow_module_level=True)

from neuroclust.backend import cython as cy  # noqa: E402  (needs the compiled kernels)

N_SAMPLES = 40


@pytest.fixture(autouse=True)
def _backend_not_forced(monkeypatch):
    """NEUROCLUST_BACKEND in the environment would override the estimators' backend choice."""
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


def grid_of(shape, topology, toroidal):
    """The grid as the kernels take it: ``(shape, topology, toroidal)``."""
    return tuple(shape), topology, toroidal


def make_problem(seed, n_units, n_features, dtype=np.float64, n_samples=N_SAMPLES,
                 n_steps=80, offset=0.0):
    """Data, prototypes (C-contiguous, of the data's dtype) and an order with repeats."""
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(n_samples, n_features)) + offset).astype(dtype)
    W = (rng.normal(size=(n_units, n_features)) + offset).astype(dtype)
    order = rng.integers(0, n_samples, size=n_steps)
    return X, W, order


def schedules(n_steps, rate=(0.3, 0.01), sigma=(2.3, 0.7), kind="exponential"):
    """Per-step learning rates and radii, as the estimator builds them."""
    fraction = np.arange(n_steps) / max(n_steps, 1)
    return (np.atleast_1d(decay(*rate, fraction, kind)),
            np.atleast_1d(decay(*sigma, fraction, kind)))


def rate_for(kind):
    """The Mexican hat pushes far units away; with a small rate it does not blow up."""
    return (0.05, 0.01) if kind == "mexican_hat" else (0.3, 0.01)


def both(X, W, grid, order, rates, sigmas, kind="gaussian", metric="euclidean"):
    """Run the reference and the compiled kernel on copies of W.

    Returns
    -------
    (winners, W) of the reference, (winners, W) of the compiled kernel
    """
    W_ref, W_cy = W.copy(), W.copy()
    ref = reference.som_online(X, W_ref, *grid, order, rates, sigmas, kind, metric)
    got = cy.som_online(X, W_cy, *grid, order, rates, sigmas, kind, metric)
    return (ref, W_ref), (got, W_cy)


def scores(x, W, metric):
    """What eq. (1) minimises, in float64: the squared distance, or minus the cosine."""
    if metric == "cosine":
        return -(W @ x) / np.sqrt((W * W).sum(axis=1)) / np.linalg.norm(x)
    return ((W - x) ** 2).sum(axis=1)


def replay(X, W, grid, order, rates, sigmas, kind, metric, winners):
    """Eq. (2) in float64 with the given winners; also how far each winner's score was above
    the best score at its step, and the scale of that score's rounding error."""
    grid_d2 = grid_squared_distances(*standard_grid(*grid))
    X, W = X.astype(np.float64), W.astype(np.float64).copy()
    centre = X.mean(axis=0)
    excess, scale = [], []
    for step, (i, c) in enumerate(zip(order.tolist(), winners.tolist())):
        x = X[i]
        s = scores(x, W, metric)
        excess.append(s[c] - s.min())
        if metric == "cosine":
            scale.append(1.0)
        else:
            scale.append(((x - centre) ** 2).sum() + ((W - centre) ** 2).sum(axis=1).max())
        h = neighbourhood(grid_d2[c], sigmas[step], kind)
        W += rates[step] * h[:, None] * (x - W)
    return W, np.array(excess), np.array(scale)


def assert_float32_run_valid(X, W_start, grid, order, rates, sigmas, kind, metric,
                             winners, W_end):
    """Each float32 winner is nearest within rounding; the weights follow eq. (2)."""
    expected, excess, scale = replay(X, W_start, grid, order, rates, sigmas, kind, metric,
                                     winners)
    tolerance = 8 * (X.shape[1] + 2) * np.finfo(np.float32).eps * scale
    assert (excess <= tolerance).all(), (excess - tolerance).max()
    atol = 1e-5 * max(1.0, np.abs(expected).max())
    np.testing.assert_allclose(W_end, expected, rtol=1e-4, atol=atol)


def check_against_reference(X, W, grid, order, rates, sigmas, kind, metric):
    (ref_winners, W_ref), (winners, W_cy) = both(X, W, grid, order, rates, sigmas, kind, metric)
    assert winners.dtype == np.int64 and winners.shape == order.shape
    assert W_cy.dtype == X.dtype
    if X.dtype == np.float64:
        np.testing.assert_array_equal(winners, ref_winners)
        np.testing.assert_allclose(W_cy, W_ref, rtol=1e-10, atol=1e-12)
    else:
        assert_float32_run_valid(X, W, grid, order, rates, sigmas, kind, metric, winners, W_cy)


# --- cython against the reference ----------------------------------------------------------

GRIDS = [("rectangular", False), ("rectangular", True), ("hexagonal", False),
         ("hexagonal", True)]


@pytest.mark.parametrize("topology, toroidal", GRIDS)
@pytest.mark.parametrize("kind", NEIGHBOURHOODS)
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_online_matches_reference_on_every_grid_and_neighbourhood(topology, toroidal, kind,
                                                                  metric, dtype):
    shape = (6, 5)                       # even rows: the hexagonal torus needs them
    X, W, order = make_problem(1, 30, 3, dtype)
    rates, sigmas = schedules(len(order), rate_for(kind))
    grid = grid_of(shape, topology, toroidal)
    check_against_reference(X, W, grid, order, rates, sigmas, kind, metric)


@pytest.mark.parametrize("topology, toroidal", GRIDS)
@pytest.mark.parametrize("kind", NEIGHBOURHOODS)
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("block", [1, 7])
def test_blocked_kernel_matches_reference(monkeypatch, topology, toroidal, kind, metric, dtype,
                                          block):
    """The blocked kernel (long rows) forced onto short rows, with blocks that end mid-order."""
    from neuroclust.backend import cython as cy

    monkeypatch.setattr(cy, "MIN_FEATURES_FOR_BLOCKS", 1)
    monkeypatch.setattr(cy, "som_block_steps", lambda n_features: block)
    calls = []
    original = cy._som.som_online_blocked
    monkeypatch.setattr(cy._som, "som_online_blocked",
                        lambda *args: calls.append(args) or original(*args), raising=True)
    shape = (6, 5)
    X, W, order = make_problem(2, 30, 4, dtype)
    rates, sigmas = schedules(len(order), rate_for(kind))
    grid = grid_of(shape, topology, toroidal)
    check_against_reference(X, W, grid, order, rates, sigmas, kind, metric)
    assert calls, "the blocked kernel was not used"


@pytest.mark.parametrize("n_features", [1, 2, 3, 47, 48, 53, 64, 130])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_online_matches_reference_for_odd_feature_counts(n_features, metric, dtype):
    """From 48 features the kernel's wide-row loops run; 150 steps is not a whole number of
    64-step blocks, should long rows be processed in blocks."""
    if metric == "cosine" and n_features == 1:
        pytest.skip("in 1-D every prototype of the same sign has cosine 1: all tie, and the "
                    "winner among them is decided by rounding noise")
    X, W, order = make_problem(2, 12, n_features, dtype, n_steps=150)
    rates, sigmas = schedules(len(order))
    grid = grid_of((3, 4), "hexagonal", False)
    check_against_reference(X, W, grid, order, rates, sigmas, "gaussian", metric)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_online_on_uncentred_data(dtype):
    """Data around 1000: the wrapper centres float32 before the kernel's expansion."""
    X, W, order = make_problem(3, 20, 5, dtype, offset=1000.0)
    rates, sigmas = schedules(len(order))
    grid = grid_of((4, 5), "rectangular", False)
    check_against_reference(X, W, grid, order, rates, sigmas, "gaussian", "euclidean")


@pytest.mark.parametrize("shape", [(1, 7), (7, 1), (2, 2)])
def test_online_on_thin_and_tiny_maps(shape):
    X, W, order = make_problem(4, shape[0] * shape[1], 3)
    rates, sigmas = schedules(len(order))
    for topology in TOPOLOGIES:
        grid = grid_of(shape, topology, False)
        check_against_reference(X, W, grid, order, rates, sigmas, "gaussian", "euclidean")


@pytest.mark.parametrize("layout", ["fortran", "strided"])
def test_online_takes_non_contiguous_data(layout):
    X, W, order = make_problem(5, 12, 4)
    if layout == "fortran":
        X_in = np.asfortranarray(X)
    else:
        X_in = np.repeat(X, 2, axis=1)[:, ::2]
    assert not X_in.flags.c_contiguous
    rates, sigmas = schedules(len(order))
    grid = grid_of((3, 4), "rectangular", False)
    (ref_winners, W_ref), (winners, W_cy) = both(X, W, grid, order, rates, sigmas)
    W_strided = W.copy()
    winners_strided = cy.som_online(X_in, W_strided, *grid, order, rates, sigmas)
    np.testing.assert_array_equal(winners_strided, ref_winners)
    np.testing.assert_array_equal(W_strided, W_cy)


def test_online_updates_W_in_place_and_returns_int64_winners_for_an_order_with_repeats():
    X, W, _ = make_problem(6, 12, 3)
    order = np.array([3, 3, 3, 0, 3, 7, 7], dtype=np.int32)   # also: int32 is accepted
    rates, sigmas = schedules(len(order))
    grid = grid_of((3, 4), "rectangular", False)
    W_cy, W_before = W.copy(), W.copy()
    winners = cy.som_online(X, W_cy, *grid, order, rates, sigmas)
    assert winners.dtype == np.int64 and winners.shape == (7,)
    assert not np.array_equal(W_cy, W_before)
    W_ref = W.copy()
    np.testing.assert_array_equal(
        winners, reference.som_online(X, W_ref, *grid, order.astype(np.int64), rates, sigmas))
    np.testing.assert_allclose(W_cy, W_ref, rtol=1e-10, atol=1e-12)


def test_online_with_no_steps_changes_nothing():
    X, W, _ = make_problem(7, 6, 3)
    empty = np.zeros(0)
    grid = grid_of((2, 3), "rectangular", False)
    for som_online in (reference.som_online, cy.som_online):
        W_run = W.copy()
        winners = som_online(X, W_run, *grid, np.zeros(0, dtype=np.int64), empty, empty)
        assert winners.shape == (0,) and winners.dtype == np.int64
        np.testing.assert_array_equal(W_run, W)


# --- threads -------------------------------------------------------------------------------

def spy_on_thread_count(monkeypatch):
    """Route the wrapper to the step-by-step kernel (the threaded one; the blocked kernel of
    long rows threads only through BLAS) and record its thread count (the argument before
    ``with_errors``)."""
    calls = []
    kernel = cy._som.som_online

    def run(*args):
        calls.append(args[-2])
        return kernel(*args)

    monkeypatch.setattr(cy, "MIN_FEATURES_FOR_BLOCKS", 1 << 30)
    monkeypatch.setattr(cy, "_som", types.SimpleNamespace(som_online=run))
    return calls


def run_with_threads(monkeypatch, n_threads, X, W, grid, order, rates, sigmas, kind, metric):
    """The wrapper on a copy of W, with the work threshold lowered so n_threads are used."""
    with monkeypatch.context() as patch:
        patch.setattr(cy, "MIN_SOM_WORK_PER_THREAD", 1)
        patch.setattr(cy, "default_n_threads", lambda: n_threads)
        calls = spy_on_thread_count(patch)
        W_run = W.copy()
        winners = cy.som_online(X, W_run, *grid, order, rates, sigmas, kind, metric)
    assert calls == [n_threads]
    return winners, W_run


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind, metric", [("gaussian", "euclidean"), ("bubble", "cosine"),
                                          ("mexican_hat", "euclidean"),
                                          ("triangle", "euclidean")])
@pytest.mark.parametrize("topology, toroidal", [("rectangular", False), ("hexagonal", True)])
@pytest.mark.parametrize("n_features", [20, 80])   # 80: the wide-row (AVX2) loops
def test_one_and_two_threads_give_bit_identical_maps(monkeypatch, dtype, kind, metric,
                                                     topology, toroidal, n_features):
    X, W, order = make_problem(8, 30, n_features, dtype, n_steps=100)
    rates, sigmas = schedules(len(order), rate_for(kind))
    grid = grid_of((6, 5), topology, toroidal)
    winners_1, W_1 = run_with_threads(monkeypatch, 1, X, W, grid, order, rates, sigmas, kind,
                                      metric)
    for n_threads in (2, 3):
        winners_n, W_n = run_with_threads(monkeypatch, n_threads, X, W, grid, order, rates,
                                          sigmas, kind, metric)
        np.testing.assert_array_equal(winners_n, winners_1)
        np.testing.assert_array_equal(W_n, W_1)
    if dtype == np.float64:
        (ref_winners, W_ref), _ = both(X, W, grid, order, rates, sigmas, kind, metric)
        np.testing.assert_array_equal(winners_1, ref_winners)
        np.testing.assert_allclose(W_1, W_ref, rtol=1e-10, atol=1e-12)


def test_a_big_map_takes_the_threaded_path_by_itself(monkeypatch):
    """256 units x 256 features = 2 x MIN_SOM_WORK_PER_THREAD: two threads, unpatched."""
    monkeypatch.setenv("NEUROCLUST_NUM_THREADS", "2")
    assert 256 * 256 == 2 * cy.MIN_SOM_WORK_PER_THREAD
    X, W, order = make_problem(9, 256, 256, n_steps=40)
    rates, sigmas = schedules(len(order), sigma=(5.3, 1.1))
    grid = grid_of((16, 16), "rectangular", False)
    calls = spy_on_thread_count(monkeypatch)
    (ref_winners, W_ref), (winners, W_cy) = both(X, W, grid, order, rates, sigmas)
    assert calls == [2]
    np.testing.assert_array_equal(winners, ref_winners)
    np.testing.assert_allclose(W_cy, W_ref, rtol=1e-10, atol=1e-12)
    winners_1, W_1 = run_with_threads(monkeypatch, 1, X, W, grid, order, rates, sigmas,
                                      "gaussian", "euclidean")
    np.testing.assert_array_equal(winners_1, winners)
    np.testing.assert_array_equal(W_1, W_cy)


# --- ties ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_euclidean_tie_goes_to_the_lowest_unit(monkeypatch, dtype, n_threads):
    """Units 1 and 4 are copies of a, units 0 and 2 copies of b; rate 0 keeps them so."""
    a, b = [1.0, 2.0, -1.0], [-3.0, 0.5, 2.0]
    W = np.array([b, a, b, [9.0, 9.0, 9.0], a, [-9.0, 9.0, 0.0]], dtype=dtype)
    X = np.array([a, b, [1.1, 2.0, -1.0], [-3.0, 0.4, 2.0]], dtype=dtype)
    order = np.array([0, 1, 2, 3, 0])
    zeros, sigmas = np.zeros(5), np.full(5, 0.7)
    grid = grid_of((2, 3), "rectangular", False)
    expected = [1, 0, 1, 0, 1]
    assert reference.som_online(X, W.copy(), *grid, order, zeros, sigmas).tolist() == expected
    winners, _ = run_with_threads(monkeypatch, n_threads, X, W, grid, order, zeros, sigmas,
                                  "gaussian", "euclidean")
    assert winners.tolist() == expected


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), n_features=st.integers(1, 5),
       dtype=st.sampled_from([np.float64, np.float32]), n_threads=st.sampled_from([1, 2]))
def test_euclidean_ties_among_many_units_go_to_the_lowest(monkeypatch, seed, n_features,
                                                          dtype, n_threads):
    """A 10x10 map of small integer prototypes, each pool row copied several times: the
    compiled search takes the units in blocks of 16 (csrc/argmin.h), and the copies fall
    inside one block, across blocks and after the last whole block. The samples come in
    pairs x, -x, so the data's mean (the float32 kernel's shift) is exactly zero and every
    distance exact; rate 0 keeps the prototypes, so each step's winner is the first nearest."""
    rng = np.random.default_rng(seed)
    pool = rng.integers(-3, 4, size=(rng.integers(5, 40), n_features))
    W = pool[rng.integers(0, len(pool), size=100)].astype(dtype)
    half = np.vstack([pool, rng.integers(-3, 4, size=(10, n_features))])
    X = np.vstack([half, -half]).astype(dtype)
    order = rng.permutation(len(X))
    zeros, sigmas = np.zeros(len(order)), np.full(len(order), 0.7)
    grid = grid_of((10, 10), "rectangular", False)
    truth = ((X[order, None, :].astype(np.float64) - W[None]) ** 2).sum(axis=-1)
    expected = truth.argmin(axis=1)   # the first of equal minima
    assert reference.som_online(X, W.copy(), *grid, order, zeros, sigmas).tolist() == \
        expected.tolist()
    winners, _ = run_with_threads(monkeypatch, n_threads, X, W, grid, order, zeros, sigmas,
                                  "gaussian", "euclidean")
    np.testing.assert_array_equal(winners, expected)


def test_equidistant_distinct_units_tie_to_the_lowest():
    """x = 0 is at distance 1 from units 1, 2 and 3, all exactly representable."""
    W = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, -1.0]])
    X = np.zeros((1, 2))
    grid = grid_of((2, 2), "rectangular", False)
    for som_online in (reference.som_online, cy.som_online):
        winners = som_online(X, W.copy(), *grid, np.array([0]), np.zeros(1), np.ones(1))
        assert winners.tolist() == [1]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cosine_tie_goes_to_the_lowest_unit(dtype):
    """Unit 3 is twice unit 1: the same direction, so the same cosine with every sample."""
    rng = np.random.default_rng(10)
    W = rng.normal(size=(4, 5)).astype(dtype)
    W[3] = 2 * W[1]
    X = W[[1, 1, 1]] + np.array([[0.0], [0.01], [-0.01]], dtype=dtype) * W[[0, 2, 0]]
    X = X.astype(dtype)
    order = np.array([0, 1, 2])
    zeros, sigmas = np.zeros(3), np.ones(3)
    grid = grid_of((2, 2), "rectangular", False)
    for som_online in (reference.som_online, cy.som_online):
        W_run = W.copy()
        winners = som_online(X, W_run, *grid, order, zeros, sigmas, "gaussian", "cosine")
        assert winners.tolist() == [1, 1, 1]


# --- batch ---------------------------------------------------------------------------------

def test_batch_weights_by_hand():
    """Three units on a line; unit 0 won samples (1, 0) and (3, 0), unit 2 won (0, 6)."""
    sums = np.array([[4.0, 0.0], [0.0, 0.0], [0.0, 6.0]])
    counts = np.array([2, 0, 1])
    H = np.array([[1.0, 0.5, 0.0],
                  [0.5, 1.0, 0.5],
                  [0.0, 0.5, 1.0]])
    previous = np.full((3, 2), 7.0)
    got = reference.som_batch_weights(sums, counts, H, previous)
    # unit 0: (1 * (4, 0)) / (1 * 2) = (2, 0)
    # unit 1: (0.5 * (4, 0) + 0.5 * (0, 6)) / (0.5 * 2 + 0.5 * 1) = (2, 3) / 1.5
    # unit 2: (1 * (0, 6)) / (1 * 1) = (0, 6)
    np.testing.assert_allclose(got, [[2.0, 0.0], [4 / 3, 2.0], [0.0, 6.0]], rtol=1e-15)
    np.testing.assert_array_equal(previous, 7.0)    # a new array; previous is untouched


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batch_units_without_weight_keep_their_prototype(dtype):
    """With a bubble of radius 0.5 a unit learns only from its own wins; unit 1 has none."""
    positions, periods = standard_grid((1, 3), "rectangular", False)
    H = neighbourhood(grid_squared_distances(positions, periods), 0.5, "bubble")
    sums = np.array([[2.0, 2.0], [0.0, 0.0], [9.0, 3.0]], dtype=dtype)
    counts = np.array([2, 0, 3])
    previous = np.array([[0.0, 0.0], [5.0, -5.0], [0.0, 0.0]], dtype=dtype)
    got = reference.som_batch_weights(sums, counts, H.astype(dtype), previous)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, [[1.0, 1.0], [5.0, -5.0], [3.0, 1.0]], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batch_epoch_same_on_both_backends(dtype):
    X, W, _ = make_problem(11, 20, 6, dtype, n_samples=500, offset=50.0)
    grid = standard_grid((4, 5), "hexagonal", True)
    H = neighbourhood(grid_squared_distances(*grid), 1.3, "gaussian").astype(dtype)
    results = []
    for kernels in (reference, cy):
        index, _, sums, counts = kernels.bmu_accumulate(X, W)
        results.append((index, counts, reference.som_batch_weights(sums, counts, H, W)))
    (ref_index, ref_counts, ref_W), (index, counts, got_W) = results
    if dtype == np.float64:
        np.testing.assert_array_equal(index, ref_index)
        np.testing.assert_array_equal(counts, ref_counts)
        np.testing.assert_allclose(got_W, ref_W, rtol=1e-12)
    else:
        np.testing.assert_allclose(got_W, ref_W, rtol=1e-5)


# --- MiniSom -------------------------------------------------------------------------------

def minisom_map(rows, cols, W, sigma, learning_rate):
    """A MiniSom of ``rows`` x ``cols`` starting from neuroclust's prototypes ``W``.

    MiniSom's weights are (x, y, features) and its Gaussian is exp(-(i - i_c)^2 / 2s^2)
    exp(-(j - j_c)^2 / 2s^2) on the index pair (i, j), so its (i, j) is neuroclust's
    (row, col), and its flattened weights are neuroclust's unit order.
    """
    minisom = pytest.importorskip("minisom")
    som = minisom.MiniSom(rows, cols, W.shape[1], sigma=sigma, learning_rate=learning_rate,
                          neighborhood_function="gaussian", topology="rectangular",
                          random_seed=0)
    som._weights = W.reshape(rows, cols, -1).copy()
    return som


def minisom_schedules(n_steps, learning_rate, sigma):
    """MiniSom's asymptotic decay: v(t) = v0 / (1 + t / (T / 2))."""
    t = np.arange(n_steps)
    return learning_rate / (1 + t / (n_steps / 2)), sigma / (1 + t / (n_steps / 2))


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 2)])
def test_online_step_by_step_equals_minisom(shape):
    rows, cols = shape
    X, W, order = make_problem(12, rows * cols, 4, n_samples=30, n_steps=90)
    learning_rate, sigma = 0.5, 1.7
    som = minisom_map(rows, cols, W, sigma, learning_rate)
    minisom_winners = []
    for t, i in enumerate(order.tolist()):
        win = som.winner(X[i])
        minisom_winners.append(win[0] * cols + win[1])
        som.update(X[i], win, t, len(order))
    rates, sigmas = minisom_schedules(len(order), learning_rate, sigma)
    grid = grid_of(shape, "rectangular", False)
    (ref_winners, W_ref), (winners, W_cy) = both(X, W, grid, order, rates, sigmas)
    expected = som.get_weights().reshape(rows * cols, -1)
    for got_winners, got_W in ((ref_winners, W_ref), (winners, W_cy)):
        np.testing.assert_array_equal(got_winners, minisom_winners)
        np.testing.assert_allclose(got_W, expected, rtol=0, atol=1e-6)


def test_online_equals_minisom_train_in_sequential_order():
    """MiniSom's ``train`` without random order presents samples 0, 1, ..., n - 1, 0, ..."""
    rows, cols, n_steps = 3, 5, 75
    X, W, _ = make_problem(13, rows * cols, 3, n_samples=30)
    learning_rate, sigma = 0.4, 2.1
    som = minisom_map(rows, cols, W, sigma, learning_rate)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # MiniSom's advice about sigma, if any
        som.train(X, n_steps)
    order = np.arange(n_steps) % len(X)
    rates, sigmas = minisom_schedules(n_steps, learning_rate, sigma)
    grid = grid_of((rows, cols), "rectangular", False)
    (_, W_ref), (_, W_cy) = both(X, W, grid, order, rates, sigmas)
    expected = som.get_weights().reshape(rows * cols, -1)
    np.testing.assert_allclose(W_ref, expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(W_cy, expected, rtol=0, atol=1e-6)


# --- the estimator -------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["online", "batch"])
@pytest.mark.parametrize("topology, toroidal", [("rectangular", False), ("hexagonal", True)])
def test_same_seed_same_map_on_numpy_and_cython(mode, topology, toroidal):
    X = np.random.default_rng(14).normal(size=(120, 3))
    maps = [neuroclust.SOM(shape=(6, 4), topology=topology, toroidal=toroidal, epochs=3,
                           mode=mode, random_state=0, backend=backend).fit(X)
            for backend in ("numpy", "cython")]
    np.testing.assert_allclose(maps[1].weights_, maps[0].weights_, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(maps[1].labels_, maps[0].labels_)


def test_same_seed_same_map_for_the_briefs_shape():
    X = np.random.default_rng(15).normal(size=(100, 4))
    numpy_map = neuroclust.SOM(shape=(5, 4), epochs=3, random_state=0, backend="numpy").fit(X)
    cython_map = neuroclust.SOM(shape=(5, 4), epochs=3, random_state=0, backend="cython").fit(X)
    np.testing.assert_allclose(cython_map.weights_, numpy_map.weights_, rtol=1e-10, atol=1e-12)


# --- wrapper errors ------------------------------------------------------------------------

def wrapper_arguments(shape=(3, 4), topology="rectangular", toroidal=False):
    X, W, order = make_problem(16, shape[0] * shape[1], 3, n_steps=10)
    rates, sigmas = schedules(len(order))
    return X, W, grid_of(shape, topology, toroidal), order, rates, sigmas


BAD_GRIDS = {
    "too few units": (((3, 3), "rectangular", False),
                      r"shape \(3, 3\) has 9 units, but W has 12 rows, one per unit"),
    "not a pair": (((12,), "rectangular", False), r"shape must be a pair \(rows, cols\)"),
    "a string": (("3x4", "rectangular", False), r"shape must be a pair \(rows, cols\)"),
    "zero rows": (((0, 12), "rectangular", False), r"shape\[0\] \(the grid's rows\) must be >= 1"),
    "fractional": (((3, 4.5), "rectangular", False), r"shape\[1\] .* must be a whole number"),
    "topology": (((3, 4), "triangular", False), r"topology must be one of \['rectangular', "),
    "toroidal": (((3, 4), "rectangular", "yes"), r"toroidal must be True or False"),
}


@pytest.mark.parametrize("module", [reference, cy, cupy_module], ids=["numpy", "cython", "cupy"])
@pytest.mark.parametrize("case", sorted(BAD_GRIDS))
def test_a_grid_that_does_not_describe_W_is_refused_by_every_backend(module, case):
    X, W, _, order, rates, sigmas = wrapper_arguments()
    grid, message = BAD_GRIDS[case]
    W_before = W.copy()
    with pytest.raises(ValueError, match=message):
        module.som_online(X, W, *grid, order, rates, sigmas)
    np.testing.assert_array_equal(W, W_before)


def test_numpy_bools_and_whole_floats_describe_a_grid():
    X, W, grid, order, rates, sigmas = wrapper_arguments()
    W_ref, W_cy = W.copy(), W.copy()
    expected = reference.som_online(X, W_ref, *grid, order, rates, sigmas)
    got = cy.som_online(X, W_cy, np.array([3.0, 4.0]), "rectangular", np.bool_(False), order,
                        rates, sigmas)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_allclose(W_cy, W_ref, rtol=1e-10, atol=1e-12)


def test_a_grid_too_big_for_the_compiled_tables_is_refused(monkeypatch):
    monkeypatch.setattr(cy, "MAX_GRID_SIDE", 3)
    X, W, grid, order, rates, sigmas = wrapper_arguments()
    with pytest.raises(ValueError, match=r"at most 3 rows and columns, got 3 x 4; use "
                                         r"backend='numpy'"):
        cy.som_online(X, W, *grid, order, rates, sigmas)


@pytest.mark.parametrize("bad", [[0, 40], [-1, 3]])
def test_order_out_of_range_is_refused(bad):
    X, W, grid, _, rates, sigmas = wrapper_arguments()
    with pytest.raises(ValueError, match=r"order must hold row indices of X in \[0, 40\)"):
        cy.som_online(X, W, *grid, np.array(bad), rates[:2], sigmas[:2])


@pytest.mark.parametrize("which", ["learning_rates", "sigmas"])
def test_schedules_of_the_wrong_length_are_refused(which):
    X, W, grid, order, rates, sigmas = wrapper_arguments()
    if which == "learning_rates":
        rates = rates[:-1]
    else:
        sigmas = np.append(sigmas, 0.5)
    with pytest.raises(ValueError, match="one value per step of order"):
        cy.som_online(X, W, *grid, order, rates, sigmas)


@pytest.mark.parametrize("problem", ["dtype", "layout"])
def test_prototypes_of_another_dtype_or_layout_are_updated_through_a_copy(problem):
    X, W, grid, order, rates, sigmas = wrapper_arguments()
    odd = W.astype(np.float32) if problem == "dtype" else np.asfortranarray(W)
    expected = np.array(odd, order="C")
    winners = cy.som_online(X, odd, *grid, order, rates, sigmas)
    expected_winners = cy.som_online(X, expected, *grid, order, rates, sigmas)
    np.testing.assert_array_equal(winners, expected_winners)
    np.testing.assert_array_equal(odd, expected)   # written back into the caller's array


def test_prototypes_of_another_width_are_refused():
    X, W, grid, order, rates, sigmas = wrapper_arguments()
    with pytest.raises(ValueError, match=r"W must have as many features \(columns\) as X"):
        cy.som_online(X, np.ascontiguousarray(W[:, :2]), *grid, order, rates, sigmas)


# --- radius equal to a grid distance ---------------------------------------------------------

# Both implementations compute hexagonal squared distances exactly (multiples of 1/4), so a
# strict bubble at sigma = 1 keeps the same units in both.
def test_hexagonal_bubble_at_a_grid_distance_matches_reference():
    X, W, order = make_problem(17, 48, 3, n_steps=100)
    rates, sigmas = np.full(100, 0.2), np.full(100, 1.0)
    grid = grid_of((8, 6), "hexagonal", False)
    (ref_winners, W_ref), (winners, W_cy) = both(X, W, grid, order, rates, sigmas, "bubble")
    np.testing.assert_array_equal(winners, ref_winners)
    np.testing.assert_allclose(W_cy, W_ref, rtol=1e-10)


@pytest.mark.parametrize("blas_work", [1, 1 << 40])
def test_blocked_kernel_with_and_without_blas_threads_matches_reference(monkeypatch, blas_work):
    """Long rows take the blocked kernel; its products on several BLAS threads or on one."""
    monkeypatch.setattr(cy, "MIN_SOM_WORK_FOR_BLAS_THREADS", blas_work)
    monkeypatch.setattr(cy, "default_n_threads", lambda: 2)
    X, W, order = make_problem(12, 48, 96, n_steps=150)
    rates, sigmas = schedules(len(order))
    grid = grid_of((8, 6), "hexagonal", False)
    check_against_reference(X, W, grid, order, rates, sigmas, "gaussian", "euclidean")


# --- what each step met: with_errors -------------------------------------------------------

@pytest.mark.parametrize("path, n_features", [("narrow", 3), ("steps", 12),
                                              ("two threads", 12), ("blocked", 40)])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_with_errors_gives_the_reference_runner_up_and_distance(monkeypatch, path, n_features,
                                                                 metric, dtype):
    """Each compiled path (one thread on short rows, the step kernel on one and two threads,
    the blocked kernel) returns the reference's runner-up and the squared distance of the
    sample to its winner before the update, and trains the same map as without them."""
    if path == "two threads":
        monkeypatch.setattr(cy, "MIN_SOM_WORK_PER_THREAD", 1)
        monkeypatch.setattr(cy, "default_n_threads", lambda: 2)
    X, W, order = make_problem(4, 30, n_features, dtype, n_steps=90, offset=0.5)
    rates, sigmas = schedules(len(order))
    grid = grid_of((6, 5), "rectangular", False)
    W_ref, W_cy, W_plain = W.copy(), W.copy(), W.copy()
    winners, runners_up, met = reference.som_online(X, W_ref, *grid, order, rates, sigmas,
                                                    "gaussian", metric, with_errors=True)
    got = cy.som_online(X, W_cy, *grid, order, rates, sigmas, "gaussian", metric,
                        with_errors=True)
    plain = cy.som_online(X, W_plain, *grid, order, rates, sigmas, "gaussian", metric)
    np.testing.assert_array_equal(got[0], plain)
    np.testing.assert_array_equal(W_cy, W_plain)
    assert got[1].dtype == np.int64 and got[2].dtype == np.float64
    assert got[1].shape == got[2].shape == order.shape
    assert (got[1] != got[0]).all() and (got[2] >= 0).all()
    if dtype == np.float64:
        np.testing.assert_array_equal(got[0], winners)
        np.testing.assert_array_equal(got[1], runners_up)
        np.testing.assert_allclose(got[2], met, rtol=1e-9, atol=1e-12)
    else:  # near ties may go either way in float32: where the winners agree, so do distances
        same = got[0] == winners
        assert same.mean() > 0.9
        np.testing.assert_allclose(got[2][same], met[same], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("backend", ["reference", "cython"])
def test_with_errors_of_one_unit_and_of_no_steps(backend):
    """A single unit has no runner-up (0, as two_nearest gives); no steps, empty arrays."""
    kernel = reference if backend == "reference" else cy
    X, W, order = make_problem(5, 1, 3, n_steps=10)
    rates, sigmas = schedules(10)
    winners, runners_up, met = kernel.som_online(X, W.copy(), (1, 1), "rectangular", False,
                                                 order, rates, sigmas, with_errors=True)
    assert (winners == 0).all() and (runners_up == 0).all()
    np.testing.assert_allclose(met[0], ((X[order[0]] - W[0]) ** 2).sum(), rtol=1e-12)
    empty = np.zeros(0)
    result = kernel.som_online(X, W.copy(), (1, 1), "rectangular", False,
                               np.zeros(0, dtype=np.int64), empty, empty, with_errors=True)
    assert [len(a) for a in result] == [0, 0, 0]
