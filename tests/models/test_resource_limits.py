"""Requests that cannot fit in memory are refused at once, in one sentence, before anything
is allocated; and every estimator, given wild parameters, either works or says what is wrong.

The risky cases run in a fresh interpreter (``python this_file.py huge|fuzz``) that limits
its own address space (``RLIMIT_AS``) to its size after the imports plus a little: a request
that slipped past the memory checks would then fail to allocate (or crash) there, not take
down the test run. The parent asserts a clean exit (never a negative return code, which is a
signal such as a segfault) and reads one JSON line per case.
"""
import json
import math
import os
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

#: What the subprocess may allocate beyond its size after the imports.
HEADROOM = 1 << 30

# ------------------------------------------------------------- huge requests, by name
#: name -> (the call, as source run in the subprocess; the data it uses)
HUGE_REQUESTS = {
    "SOM(shape=(300, 300))": ("SOM(shape=(300, 300), epochs=1).fit(small)",
                              r"^SOM\(shape=\(300, 300\)\) needs about \d+ GiB for its grid "
                              r"distances \(90,000 x 90,000 float64\) and prototypes"),
    "SOM(shape=(5000, 5000))": ("SOM(shape=(5000, 5000)).fit(small)",
                                r"^SOM\(shape=\(5000, 5000\)\) needs about \d+ PiB .*25,000,000 "
                                r"x 25,000,000 float64.*; use a smaller map\.$"),
    "SOM batch (300, 300)": ("SOM(shape=(300, 300), mode='batch').fit(small)", r"^SOM\(shape"),
    "GrowingNeuralGas(max_nodes=100000)": (
        "GrowingNeuralGas(max_nodes=100_000).fit(small)",
        r"^GrowingNeuralGas\(max_nodes=100,000\) needs about \d+ GiB for its edge ages "
        r"\(100,000 x 100,000 int64\) and nodes.*; use a smaller max_nodes\.$"),
    "GrowingNeuralGas.partial_fit": ("GrowingNeuralGas(max_nodes=100_000).partial_fit(small)",
                                     r"^GrowingNeuralGas\(max_nodes=100,000\) needs about"),
    "CompetitiveLearning(2_000_000)": (
        "CompetitiveLearning(2_000_000, epochs=1).fit(large)",
        r"^CompetitiveLearning\(n_clusters=2,000,000\) needs about [\d.]+ GiB for .*; use "
        r"fewer clusters\.$"),
    "KMeans(2_000_000, init='random_samples')": (
        "KMeans(2_000_000, init='random_samples', n_init=1).fit(large)",
        r"^KMeans\(n_clusters=2,000,000\) needs about [\d.]+ GiB"),
    "FuzzyART(max_categories=10**12)": (
        "FuzzyART(max_categories=10**12).fit(small)",
        r"^FuzzyART\(max_categories=1,000,000,000,000\) needs about \d+ TiB for room for "
        r"1,000,000,000,000 category templates of 4 values"),
    "ART1(max_categories=10**12)": ("ART1(max_categories=10**12).fit(binary)",
                                    r"^ART1\(max_categories=1,000,000,000,000\) needs about"),
    "FuzzyART.partial_fit": ("FuzzyART(max_categories=10**12).partial_fit(small)",
                             r"^FuzzyART\(max_categories=.*\) needs about"),
    "Autoencoder(hidden=(10**9,))": (
        "Autoencoder(hidden=(10**9,)).fit(small)",
        r"^Autoencoder\(hidden=\(1000000000,\), latent_dim=10\) needs about [\d.]+ TiB for its "
        r"[\d,]+ parameters .*; use narrower layers or a smaller batch_size\.$"),
    "Autoencoder conv1d": ("Autoencoder(kind='conv1d', channels=(10**5, 10**5)).fit(signals)",
                           r"^Autoencoder\(channels=\(100000, 100000\), latent_dim=10\) needs"),
    "Autoencoder batch": ("Autoencoder(hidden=(2**20,), batch_size=10**6).fit(large[:300_000])",
                          r"^Autoencoder\(hidden=\(1048576,\).* needs about"),
    "LatentClustering": ("LatentClustering(Autoencoder(hidden=(10**9,))).fit(small)",
                         r"^Autoencoder\(hidden=\(1000000000,\)"),
    "elbow": ("elbow(large, k_max=2_000_000)", r"^KMeans\(n_clusters=2,000,000\) needs about"),
}

#: Long but small requests: allowed, and lazily scheduled (no list of an entry per epoch).
LONG_REQUESTS = {
    "SOM(epochs=10**9)": "SOM(shape=(3, 3), epochs=10**9, callbacks=[stop]).fit(small)",
    "SOM(n_iterations=10**12)": "SOM(shape=(3, 3), n_iterations=10**12, callbacks=[stop])"
                                ".fit(small)",
    "SOM(mode='batch', epochs=10**15)": "SOM(shape=(3, 3), mode='batch', epochs=10**15, "
                                        "callbacks=[stop]).fit(small)",
    "CompetitiveLearning(epochs=10**15)": "CompetitiveLearning(2, epochs=10**15, "
                                          "callbacks=[stop]).fit(small)",
    "GrowingNeuralGas(epochs=10**15)": "GrowingNeuralGas(epochs=10**15, callbacks=[stop])"
                                       ".fit(small)",
    "Autoencoder(epochs=10**15)": "Autoencoder(hidden=(4,), epochs=10**15, callbacks=[stop])"
                                  ".fit(small)",
}


def run_child(mode, names, timeout=120):
    """Run this file in a fresh interpreter; return its JSON lines and the process."""
    env = dict(os.environ, OMP_NUM_THREADS="2", NEUROCLUST_NUM_THREADS="2")
    process = subprocess.run([sys.executable, __file__, mode, json.dumps(names)],
                             capture_output=True, text=True, timeout=timeout, env=env)
    assert process.returncode >= 0, (f"the subprocess was killed by signal "
                                     f"{-process.returncode}\n{process.stdout[-3000:]}"
                                     f"{process.stderr[-3000:]}")
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    lines = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]
    return {line["name"]: line for line in lines}


@pytest.fixture(scope="module")
def huge_outcomes():
    return run_child("huge", sorted(HUGE_REQUESTS))


@pytest.mark.parametrize("name", sorted(HUGE_REQUESTS))
def test_huge_requests_are_refused_at_once_in_one_sentence(huge_outcomes, name):
    outcome = huge_outcomes[name]
    assert outcome["error"] == "InsufficientMemoryError", outcome
    assert outcome["is_value_error"] and outcome["is_memory_error"]
    message = outcome["message"]
    import re

    assert re.search(HUGE_REQUESTS[name][1], message), message
    assert message.endswith(".") and "\n" not in message
    assert outcome["seconds"] < 0.5, outcome                 # well under a second
    assert outcome["grew_by"] < 200 << 20, outcome            # nothing big was allocated


@pytest.fixture(scope="module")
def long_outcomes():
    return run_child("long", sorted(LONG_REQUESTS))


@pytest.mark.parametrize("name", sorted(LONG_REQUESTS))
def test_long_requests_are_allowed_and_cost_no_memory(long_outcomes, name):
    outcome = long_outcomes[name]
    assert outcome["error"] is None, outcome
    assert outcome["seconds"] < 5, outcome
    assert outcome["grew_by"] < 200 << 20, outcome


# ------------------------------------------------- refusals that need no subprocess
@pytest.mark.parametrize("make, message", [
    (lambda: __import__("neuroclust").SOM(epochs=10 ** 20),
     r"^epochs must be at most 1,000,000,000,000,000, got 100000000000000000000\.$"),
    (lambda: __import__("neuroclust").SOM(n_iterations=10 ** 40),
     r"^n_iterations must be at most"),
    (lambda: __import__("neuroclust").KMeans(max_iter=2 ** 64), r"^max_iter must be at most"),
    (lambda: __import__("neuroclust").GrowingNeuralGas(insert_every=10 ** 20),
     r"^insert_every must be at most"),
    (lambda: __import__("neuroclust").KMeans(n_clusters=10 ** 20),
     r"^X has 20 samples but at least 100000000000000000000 are needed"),
    (lambda: __import__("neuroclust").SOM(shape=(10 ** 20, 10 ** 20)),
     r"^SOM\(shape=\(100000000000000000000, 100000000000000000000\)\) needs about 10\^\d+ "
     r"bytes"),
    (lambda: __import__("neuroclust").GrowingNeuralGas(max_nodes=10 ** 400),
     r"^GrowingNeuralGas\(max_nodes=.*\) needs about 10\^\d+ bytes"),
], ids=["SOM-epochs", "SOM-n_iterations", "KMeans-max_iter", "GNG-insert_every", "KMeans-n_clusters",
        "SOM-astronomic", "GNG-astronomic"])
def test_counts_beyond_any_run_are_refused(make, message):
    """Too large for ``range`` or astronomically large: refused before any allocation."""
    model = make()
    started = time.process_time()
    with pytest.raises(ValueError, match=message):
        model.fit(np.random.default_rng(0).random((20, 3)))
    assert time.process_time() - started < 0.5


def test_latent_clustering_checks_n_clusters_before_training():
    from neuroclust import Autoencoder, LatentClustering

    trained = []
    model = LatentClustering(Autoencoder(hidden=(4,), latent_dim=2, epochs=50,
                                         callbacks=[lambda m, e: trained.append(e)]),
                             n_clusters=50)
    with pytest.raises(ValueError, match=r"^X has 30 samples but at least 50 are needed "
                                         r"\(one per cluster, n_clusters=50\)\.$"):
        model.fit(np.random.default_rng(0).random((30, 4)))
    assert trained == []


@pytest.mark.parametrize("params, message", [
    (dict(clusterer=__import__("neuroclust").KMeans(n_clusters=0)), r"^n_clusters must be >= 1"),
    (dict(autoencoder=__import__("neuroclust").Autoencoder(hidden=(0,))),
     r"^each width in hidden must be >= 1"),
    (dict(autoencoder=__import__("neuroclust").Autoencoder(validation_split=0.01)),
     r"^validation_split=0.01 leaves 0 validation"),
    (dict(clusterer=type("Clusterer", (), {"fit_predict": lambda self, X: X})()),
     r"^clusterer must have a get_params\(\) method"),
])
def test_latent_clustering_checks_its_parts_before_training(params, message):
    from neuroclust import LatentClustering

    with pytest.raises(ValueError, match=message):
        LatentClustering(**params).fit(np.random.default_rng(0).random((30, 4)))


def test_elbow_checks_every_argument_before_any_run():
    from neuroclust.models.elbow import elbow

    X = np.random.default_rng(0).random((20, 2))
    with pytest.raises(ValueError, match=r"^'foo' is not an argument of elbow; besides X, "
                                         r"k_max, n_init, random_state and autoencoder it "
                                         r"takes the KMeans parameters backend, init, "
                                         r"max_iter, tol, verbose\.$"):
        elbow(X, 3, foo=1)
    for kwargs, message in [(dict(n_clusters=2), r"^n_clusters cannot be passed to elbow"),
                            (dict(max_iter=0), r"^max_iter must be >= 1"),
                            (dict(n_init=0), r"^n_init must be >= 1"),
                            (dict(random_state=-1), r"^random_state must be a non-negative"),
                            (dict(verbose="x"), r"^verbose must be"),
                            (dict(k_max=21), r"^k_max must be at most the number of samples"),
                            (dict(backend="gpu"), r"^backend must be one of")]:
        with pytest.raises(ValueError, match=message):
            elbow(X, **{"k_max": 3, **kwargs})


def test_float32_autoencoder_refuses_values_beyond_float32():
    from neuroclust import Autoencoder

    X = np.random.default_rng(0).random((30, 4))
    X[:21, 1] = 1e39
    with pytest.raises(ValueError) as info:
        Autoencoder(hidden=(4,), latent_dim=2, epochs=1, dtype="float32").fit(X)
    assert str(info.value) == ("X holds values up to 1e+39, beyond the float32 range (3.4e+38) "
                               "of this model; scale the data or use dtype='float64'.")
    model = Autoencoder(hidden=(4,), latent_dim=2, epochs=1,
                        dtype="float32").fit(X[:, [0, 2, 3, 0]])
    with pytest.raises(ValueError, match=r"^X holds values up to 1e\+39, beyond the float32"):
        model.transform(X)
    with warnings.catch_warnings():   # float64 takes it (training on 1e39 may diverge)
        warnings.simplefilter("ignore")
        Autoencoder(hidden=(4,), latent_dim=2, epochs=1, dtype="float64").fit(X)


@pytest.mark.parametrize("Estimator", ["KMeans", "CompetitiveLearning", "SOM"])
def test_an_init_beyond_float32_is_refused_for_float32_data(Estimator):
    import neuroclust

    init = np.ones((4, 2))
    init[0, 0] = -1e39
    shape = {"SOM": dict(shape=(2, 2))}.get(Estimator, dict(n_clusters=4))
    model = getattr(neuroclust, Estimator)(init=init, **shape)
    with pytest.raises(ValueError, match=r"^init holds values up to 1e\+39, beyond the float32 "
                                         r"range \(3.4e\+38\) of X \(float32\); scale it, or "
                                         r"pass X as float64\.$"):
        model.fit(np.random.default_rng(0).random((20, 2)).astype(np.float32))


def test_nn_train_refuses_data_beyond_its_float32_parameters():
    from neuroclust import nn

    network = nn.Sequential([nn.Dense(2, 2, dtype=np.float32)])
    X = np.ones((10, 2))
    X[3, 1] = 1e39
    with pytest.raises(ValueError, match=r"^X holds values up to 1e\+39, beyond the float32 "
                                         r"range \(3.4e\+38\) of the model's float32 "
                                         r"parameters; scale the data or build the layers with "
                                         r"dtype=np.float64\.$"):
        nn.train(network, nn.MeanSquaredError(), nn.Adam(), X, epochs=1)
    for bad, message in [(dict(verbose="x"), "^verbose must be"),
                         (dict(callbacks=5), "^callbacks must be a list"),
                         (dict(epochs=10 ** 20), "^epochs must be at most")]:
        with pytest.raises(ValueError, match=message):
            nn.train(network, nn.MeanSquaredError(), nn.Adam(), X[:3], **bad)


@pytest.mark.parametrize("Estimator", ["CompetitiveLearning", "SOM", "GrowingNeuralGas",
                                       "FuzzyART", "Autoencoder"])
@pytest.mark.parametrize("params, message", [
    (dict(callbacks=5), r"^callbacks must be a list of functions callback\(model, epoch\), "
                        r"got 5\.$"),
    (dict(callbacks=print), r"got a single builtin_function_or_method; wrap it in a list\.$"),
    (dict(callbacks=[print, "x"]), r"but it holds 'x'\.$"),
    (dict(verbose="yes"),
     r"^verbose must be \"auto\", True, False or an integer >= 0, got 'yes'\.$"),
    (dict(verbose=-1), r"^verbose must be"),
    (dict(verbose=0.5), r"^verbose must be"),
    (dict(random_state="0"), r"^random_state must be None, an int or a numpy.random.Generator"),
])
def test_callbacks_and_verbose_are_checked_before_the_first_epoch(Estimator, params, message):
    """``_check_params``, the first line of fit, refuses them: no epoch runs."""
    import neuroclust

    model = getattr(neuroclust, Estimator)(epochs=2, **params)
    with pytest.raises(ValueError, match=message):
        model._check_params()
    with pytest.raises(ValueError, match=message):
        model.fit(np.random.default_rng(0).random((20, 3)))
    assert not hasattr(model, "history_")


# -------------------------------------------------------------------- parameter fuzz
@pytest.mark.parametrize("group", ["prototypes", "maps", "art", "networks"])
def test_wild_parameters_give_a_sentence_or_work(group):
    """Hypothesis draws each estimator's parameters from wild values; fit on tiny data must
    work or raise ValueError / MemoryError with a message, in a subprocess that must not die."""
    outcomes = run_child("fuzz", FUZZ_GROUPS[group], timeout=300)
    for name in FUZZ_GROUPS[group]:
        assert outcomes[name]["bugs"] == [], outcomes[name]
        assert outcomes[name]["examples"] >= 10, outcomes[name]
        assert outcomes[name]["fitted"] >= MIN_SHARE_FITTED * outcomes[name]["examples"]


FUZZ_GROUPS = {"prototypes": ["KMeans", "CompetitiveLearning", "elbow"],
               "maps": ["SOM", "GrowingNeuralGas"],
               "art": ["FuzzyART", "ART1"],
               "networks": ["Autoencoder", "LatentClustering"]}
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 100))


# ================================================================ the subprocess side
def _limit_address_space():
    """Let this process allocate at most HEADROOM more than it holds now."""
    import resource

    size = _vm_size()
    resource.setrlimit(resource.RLIMIT_AS, (size + HEADROOM, size + HEADROOM))


def _vm_size():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize"))


def _rss():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS"))


def _data():
    rng = np.random.default_rng(0)
    return {"small": rng.random((20, 2)), "binary": (rng.random((20, 2)) > 0.5) | [[1, 0]],
            "large": rng.random((2_000_000, 2)).astype(np.float32),
            "signals": rng.random((20, 64))}


def _run_requests(requests):
    """Run each call and print what happened, as one JSON line."""
    from neuroclust import (ART1, SOM, Autoencoder, CompetitiveLearning, FuzzyART,   # noqa
                            GrowingNeuralGas, KMeans, LatentClustering)
    from neuroclust.models.elbow import elbow                                         # noqa

    namespace = dict(locals(), **_data(), stop=lambda model, epoch: False)
    namespace.pop("requests")
    _limit_address_space()
    for name, source in requests.items():
        # CPU time, not wall time: a refusal costs no work, whatever else loads the machine
        rss, started, error = _rss(), time.process_time(), None
        try:
            with _quiet():
                eval(source, namespace)
        except BaseException as caught:            # noqa: B902 - reported to the parent
            error = caught
        print(json.dumps({
            "name": name, "seconds": time.process_time() - started,
            "grew_by": _rss() - rss, "error": type(error).__name__ if error else None,
            "message": str(error) if error else None,
            "is_value_error": isinstance(error, ValueError),
            "is_memory_error": isinstance(error, MemoryError)}), flush=True)


def _wild_values():
    """Values no parameter should take for granted."""
    inf = math.inf
    return [None, "", "abc", "auto", -1, 0, 1, 2, 3, 10 ** 20, 2 ** 63, -(10 ** 20), 0.5, -0.5,
            1.5, 2.0, math.nan, inf, -inf, 1e308, True, False, [], [1, 2], [[0.0, 1.0]],
            (2, 2), (3,), (10 ** 20, 2), (2, 2 ** 31), {"a": 1}, np.int64(2), np.float32(0.5),
            np.array(3), print, [print], [lambda model, epoch: None], object(), 10 ** 400,
            1e-320, -0.0, np.float64("nan"), "float32", np.float32, [[1, 2], [3]],
            np.random.default_rng(0), np.zeros((0, 2))]


def _strategies():
    from hypothesis import strategies as st

    import neuroclust

    wild = st.sampled_from(_wild_values())

    def params_of(cls, sensible):
        """Up to three parameters wild, some others at a sensible value, the rest at their
        defaults: the drawn cases reach training as well as each check."""
        import inspect

        names = [n for n in inspect.signature(cls.__init__).parameters if n != "self"]

        @st.composite
        def params(draw):
            chosen = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
            drawn = {name: draw(wild) for name in chosen}
            for name in sorted(set(sensible) - set(chosen)):
                if draw(st.booleans()):
                    drawn[name] = draw(st.sampled_from(sensible[name]))
            return drawn

        return params()

    small_ae = neuroclust.Autoencoder(hidden=(4,), latent_dim=2, epochs=1)
    sensible = {
        "KMeans": {"n_clusters": [2, 3], "init": ["random", "k-means++", "random_samples"],
                   "max_iter": [3], "n_init": [1, "auto"]},
        "CompetitiveLearning": {"n_clusters": [2, 3], "epochs": [2], "mode": ["batch"],
                                "conscience": [True], "learning_rate_final": [0.001]},
        "SOM": {"shape": [(3, 3), (2, 4), (40, 40)], "epochs": [2], "n_iterations": [30],
                "mode": ["batch"], "topology": ["hexagonal"], "toroidal": [True],
                "neighbourhood": ["bubble", "mexican_hat"], "init": ["random"],
                "n_clusters": [2]},
        "GrowingNeuralGas": {"max_nodes": [4, 3000], "insert_every": [5], "epochs": [2]},
        "FuzzyART": {"max_categories": [3, 10 ** 9], "epochs": [2], "scale": [True],
                     "complement_coding": [False]},
        "ART1": {"max_categories": [3], "epochs": [2], "shuffle": [True]},
        "Autoencoder": {"hidden": [(4,), ()], "latent_dim": [2], "epochs": [1],
                        "kind": ["conv1d"], "loss": ["bce", "shift_mse"],
                        "output_activation": ["sigmoid"], "patience": [1],
                        "validation_split": [0.2], "channels": [(2,)], "kernel_size": [3],
                        "optimizer": ["sgd"]},
        "LatentClustering": {"autoencoder": [small_ae], "n_clusters": [2, 25],
                             "clusterer": [neuroclust.KMeans(2), neuroclust.FuzzyART()]},
    }
    strategies = {name: params_of(getattr(neuroclust, name), sensible[name])
                  for name in sensible}
    strategies["elbow"] = st.fixed_dictionaries({}, optional={
        "k_max": st.one_of(st.sampled_from([1, 3]), wild), "n_init": wild,
        "random_state": wild, "max_iter": st.one_of(st.just(2), wild), "init": wild,
        "tol": wild, "foo": wild, "autoencoder": st.one_of(st.just(small_ae), wild)})
    return strategies


#: How often the fuzz must reach a fit that works (so it also tests training, not only
#: the checks): a share of the examples, per estimator.
MIN_SHARE_FITTED = 0.05


def _short(params):
    from neuroclust._validation import shown

    return "{" + ", ".join(f"{key}={shown(value, 40)}" for key, value in params.items()) + "}"


def _quiet():
    """Progress bars, per-epoch lines and printing callbacks go nowhere: this process's
    standard output carries the JSON lines for the parent."""
    import contextlib
    import io

    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    return stack


def _fuzz(names):
    """Hypothesis in this process: every drawn case must work or raise ValueError /
    MemoryError with a message; print each estimator's outcome as one JSON line."""
    from hypothesis import HealthCheck, given, settings

    import neuroclust
    from neuroclust.models.elbow import elbow

    strategies = _strategies()
    data = _data()
    _limit_address_space()
    for name in names:
        seen, bugs, fitted = [], [], []

        @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(strategies[name])
        def case(params):
            seen.append(1)
            X = data["binary"] if name == "ART1" else data["small"]
            try:
                with warnings.catch_warnings(), _quiet():
                    warnings.simplefilter("ignore")
                    if name == "elbow":
                        elbow(X, **params)
                    else:
                        getattr(neuroclust, name)(**params).fit(X)
                fitted.append(1)
            except (ValueError, MemoryError) as error:
                if not str(error).strip():
                    bugs.append(f"{_short(params)}: {type(error).__name__} without a message")
            except Exception as error:         # noqa: B902 - any other is a bug
                bugs.append(f"{_short(params)}: {type(error).__name__}: {error}"[:500])

        case()
        print(json.dumps({"name": name, "examples": len(seen), "fitted": len(fitted),
                          "bugs": bugs[:5]}), flush=True)


if __name__ == "__main__":
    mode, chosen = sys.argv[1], json.loads(sys.argv[2])
    if mode == "huge":
        _run_requests({name: HUGE_REQUESTS[name][0] for name in chosen})
    elif mode == "long":
        _run_requests({name: LONG_REQUESTS[name] for name in chosen})
    else:
        _fuzz(chosen)
