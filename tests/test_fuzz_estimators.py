"""Fuzz every estimator's fit / predict / save / load with random data, in a subprocess.

Hypothesis draws batches of cases: an estimator with small settings, training data of a random
shape, dtype, memory layout and scale (sometimes with NaN or inf), query data of the same or
another width. A fresh interpreter runs a batch and reports each case's outcome as one JSON
line, printing the case before it runs it: if the process dies (a segfault, an abort) the test
names the case that killed it. A case passes when every call either works or raises ValueError
or MemoryError with a message; any other exception is a bug in the library's checks.
"""
import json
import os
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ESTIMATORS = {
    "KMeans": "KMeans(n_clusters={k}, n_init=1, max_iter=5, random_state=0)",
    "CompetitiveLearning": "CompetitiveLearning(n_clusters={k}, epochs=2, random_state=0)",
    "SOM": "SOM(shape=(2, {k}), epochs=2, random_state=0)",
    "SOM-batch-hex": "SOM(shape=(2, {k}), mode='batch', topology='hexagonal', epochs=2, "
                     "init='random', random_state=0)",
    "GrowingNeuralGas": "GrowingNeuralGas(max_nodes={k} + 2, insert_every=5, epochs=2, random_state=0)",
    "FuzzyART": "FuzzyART(rho=0.7, epochs=2, scale=True)",
    "ART1": "ART1(rho=0.5, epochs=2)",
    "Autoencoder": "Autoencoder(hidden=(4,), latent_dim=2, epochs=2, batch_size=8, "
                   "random_state=0)",
    "LatentClustering": "LatentClustering(Autoencoder(hidden=(4,), latent_dim=2, epochs=1, "
                        "random_state=0), n_clusters={k}, random_state=0)",
    "VariationalAutoencoder": "VariationalAutoencoder(hidden=(4,), latent_dim=2, epochs=2, "
                              "batch_size=8, random_state=0)",
    "SoftmaxAutoencoder": "SoftmaxAutoencoder(n_clusters={k}, hidden=(4,), epochs=2, "
                          "batch_size=8, random_state=0)",
    "ContrastiveClustering": "ContrastiveClustering(n_clusters={k}, hidden=(4,), latent_dim=2, "
                             "projection_dim=2, epochs=2, batch_size=8, n_init=1, "
                             "random_state=0)",
    "CNNI": "CNNI(n_clusters={k}, hidden=(4,), index='mmj_silhouette', epochs=2, "
            "batch_size=8, random_state=0)",
    "DBSCAN": "DBSCAN(eps=0.5, min_samples=3)",
    "OPTICS": "OPTICS(min_samples=2)",
}
DTYPES = ["float64", "float32", "float16", "int64", "int8", "bool", "complex64", "object",
          ">f8"]
LAYOUTS = ["C", "F", "strided", "reversed"]

RUNNER = textwrap.dedent(r'''
    import json, sys, tempfile, os, warnings
    import numpy as np
    warnings.simplefilter("ignore")
    from neuroclust import *
    import neuroclust
    import neuroclust.backend

    def make(spec, rng):
        n, d, dtype, layout, exponent, poison = spec
        X = rng.normal(size=(n * 2 if layout == "strided" else n, d)) * 10.0 ** exponent
        if dtype == "bool":    # binary rows with at least one 1 (rows of zeros: see int8)
            X = X > 0
            if X.shape[1]:
                X[:, 0] |= ~X.any(axis=1)
        if poison and X.size and X.dtype.kind == "f":
            X.flat[rng.integers(X.size)] = rng.choice([np.nan, np.inf, -np.inf])
        with np.errstate(all="ignore"):
            X = X.astype(dtype) if dtype != "object" else X.astype(object)
        if layout == "F":
            X = np.asfortranarray(X)
        elif layout == "strided":
            X = X[::2]
        elif layout == "reversed":
            X = X[::-1, ::-1]
        return X

    def outcome(call):
        try:
            value = call()
            return "ok", value
        except (ValueError, MemoryError) as error:
            if not str(error).strip():
                return "empty message: " + type(error).__name__, None
            return "refused", None
        except Exception as error:
            return f"BUG {type(error).__name__}: {error}", None

    if os.environ.get("EXPECT_COMPILED") == "1":   # the installed package, kernels and all
        assert "cython" in neuroclust.backend.available_backends(), neuroclust.__file__
    folder = tempfile.mkdtemp()
    for line in sys.stdin:
        case = json.loads(line)
        print("START", line.strip(), flush=True)
        rng = np.random.default_rng(case["seed"])
        model = eval(case["estimator"])
        X, Q = make(case["train"], rng), make(case["query"], rng)
        results = {}
        results["fit"], _ = outcome(lambda: model.fit(X))
        # (DBSCAN and OPTICS label only what they are fitted on: their query is fit_predict)
        query = (getattr(model, "predict", None) or getattr(model, "transform", None)
                 or model.fit_predict)
        results["query"], before = outcome(lambda: query(Q))
        path = os.path.join(folder, "model.npz")
        results["save"], _ = outcome(lambda: model.save(path))
        if results["save"] == "ok":
            results["load"], loaded = outcome(lambda: neuroclust.load(path))
            if results["load"] == "ok" and results["query"] == "ok":
                again_query = (getattr(loaded, "predict", None)
                               or getattr(loaded, "transform", None) or loaded.fit_predict)
                results["query after load"], after = outcome(lambda: again_query(Q))
                if results["query after load"] == "ok" and not np.array_equal(
                        np.asarray(before), np.asarray(after), equal_nan=True):
                    results["query after load"] = "BUG: loaded model answers differently"
        print("DONE", json.dumps(results), flush=True)
''')

data = st.tuples(st.integers(0, 30), st.integers(0, 5), st.sampled_from(DTYPES),
                 st.sampled_from(LAYOUTS), st.sampled_from([-300, -20, 0, 0, 0, 2, 20, 200]),
                 st.sampled_from([False, False, False, True]))    # NaN or inf in one entry


@st.composite
def cases(draw):
    name = draw(st.sampled_from(sorted(ESTIMATORS)))
    train = draw(data)
    same_width = draw(st.booleans())
    query = draw(data)
    if same_width:
        query = (query[0], train[1]) + query[2:]
    return {"name": name, "estimator": ESTIMATORS[name].format(k=draw(st.integers(1, 4))),
            "train": list(train), "query": list(query), "seed": draw(st.integers(0, 2**16))}


def run_batch(batch, expect_fit=False):
    from neuroclust.backend import available_backends

    env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS="2",
               EXPECT_COMPILED="1" if "cython" in available_backends() else "0")
    result = subprocess.run([sys.executable, "-c", RUNNER], input="".join(
        json.dumps(case) + "\n" for case in batch), capture_output=True, text=True,
        timeout=600, env=env)
    started = [line[6:] for line in result.stdout.splitlines() if line.startswith("START ")]
    done = [json.loads(line[5:]) for line in result.stdout.splitlines()
            if line.startswith("DONE ")]
    assert result.returncode == 0, (
        f"the process died (return code {result.returncode}) running "
        f"{started[-1] if started else 'nothing'}\n{result.stderr[-2000:]}")
    for case, outcomes in zip(batch, done):
        bugs = {step: what for step, what in outcomes.items() if what.startswith(("BUG", "empty"))}
        assert not bugs, f"{case}: {bugs}"
        if expect_fit:
            assert set(outcomes.values()) == {"ok"}, f"{case}: {outcomes}"
    assert len(done) == len(batch)


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(cases(), min_size=25, max_size=25))
def test_every_estimator_survives_random_data(batch):
    run_batch(batch)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_every_estimator_on_awkward_but_valid_data(name):
    """Fortran order, reversed strides, float16 and big-endian data are accepted, not refused."""
    kinds = ([("bool", "F"), ("bool", "reversed"), ("bool", "strided")]
             if name == "ART1" else
             [("float64", "F"), ("float32", "reversed"), (">f8", "strided"), ("int64", "C"),
              ("float16", "C")])
    query = "bool" if name == "ART1" else "float64"
    batch = [{"name": name, "estimator": ESTIMATORS[name].format(k=2),
              "train": [20, 3, dtype, layout, 0, False], "query": [7, 3, query, "C", 0, False],
              "seed": seed}
             for seed, (dtype, layout) in enumerate(kinds)]
    run_batch(batch, expect_fit=True)
