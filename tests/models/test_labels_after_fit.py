"""``labels_`` after ``fit`` come from the last pass that training made anyway (issue 12).

The SOM's per-epoch history pass (``two_nearest``) and GNG's (``bmu``) run on the prototypes
an epoch ends with; k-means' last assignment runs on its final centres when they stopped
moving; competitive learning's per-epoch pass runs on its prototypes after the epoch. So no
extra pass is needed, and these labels must be exactly ``predict`` of the training data:
both modes, both dtypes, history on and off, every backend here. When training stops early,
or a callback changes the prototypes after the last pass, the labels take a pass of their own.
"""
import warnings

import numpy as np
import pytest

from neuroclust import (SOM, CompetitiveLearning, GrowingNeuralGas, KMeans,
                        TrainingInterruptedWarning, datasets)
from neuroclust.backend import available_backends, get_kernels

BACKENDS = available_backends()


@pytest.fixture(autouse=True)
def _backend_not_forced(monkeypatch):
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


def blobs(dtype, n=600, seed=0):
    X = datasets.make_five_centroids(n_samples=n, random_state=seed)[0]
    return X.astype(dtype)


def uniform(dtype, n=3000, d=40, seed=0):
    """Uncentred data in [0, 1): float32 ties between units are likeliest here."""
    return np.random.default_rng(seed).random((n, d)).astype(dtype)


def on_device(X, backend):
    if backend == "cupy":
        import cupy

        return cupy.asarray(X)
    return X


def host(a):
    return a.get() if hasattr(a, "get") else np.asarray(a)


@pytest.fixture
def bmu_calls(monkeypatch):
    """Count the ``bmu`` calls of every backend's kernel module."""
    calls = []
    for backend in BACKENDS:
        kernels = get_kernels(backend)
        original = kernels.bmu

        def counted(*args, _original=original, **kwargs):
            calls.append(1)
            return _original(*args, **kwargs)

        monkeypatch.setattr(kernels, "bmu", counted)
    return calls


# ------------------------------------------------------------------ the SOM
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", ["online", "batch"])
@pytest.mark.parametrize("record_history", [True, False])
@pytest.mark.parametrize("data", [blobs, uniform])
def test_som_labels_are_predict_of_the_training_data(backend, dtype, mode, record_history,
                                                     data):
    X = on_device(data(dtype), backend)
    som = SOM(shape=(5, 6), mode=mode, epochs=3, record_history=record_history,
              random_state=0, backend=backend).fit(X)
    np.testing.assert_array_equal(host(som.labels_), host(som.predict(X)))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", [{"metric": "cosine", "mode": "batch"},
                                     {"metric": "cosine"}, {"n_clusters": 3},
                                     {"n_iterations": 1000}])
def test_som_labels_are_predict_with_other_options(backend, dtype, options):
    X = on_device(uniform(dtype), backend)
    som = SOM(shape=(5, 6), epochs=2, random_state=0, backend=backend, **options).fit(X)
    np.testing.assert_array_equal(host(som.labels_), host(som.predict(X)))


@pytest.mark.parametrize("mode", ["online", "batch"])
def test_som_with_history_makes_no_extra_pass(bmu_calls, mode):
    """(The Euclidean epochs themselves call ``som_online`` or ``bmu_accumulate``, not ``bmu``.)"""
    X = blobs(np.float64)
    SOM(shape=(4, 4), mode=mode, epochs=3, init="random_samples", random_state=0).fit(X)
    assert len(bmu_calls) == 0
    SOM(shape=(4, 4), mode=mode, epochs=3, init="random_samples", record_history=False,
        random_state=0).fit(X)
    assert len(bmu_calls) == 1                 # without the history: one pass for the labels


def test_som_labels_after_a_callback_changed_the_weights_take_their_own_pass():
    X = blobs(np.float64)

    def shift(model, epoch):
        model.cluster_centers_[0] += 5.0     # the last pass no longer describes the weights

    som = SOM(shape=(4, 4), epochs=3, random_state=0, callbacks=[shift]).fit(X)
    np.testing.assert_array_equal(som.labels_, som.predict(X))


def test_som_labels_after_an_interrupt_are_those_of_the_weights_kept():
    X = blobs(np.float64)

    def interrupt(model, epoch):
        if epoch == 1:
            model.cluster_centers_[...] += 1.0
            raise KeyboardInterrupt

    with pytest.warns(TrainingInterruptedWarning):
        som = SOM(shape=(4, 4), epochs=5, random_state=0, callbacks=[interrupt]).fit(X)
    # epoch 2 completed before its callback; the change the callback made is undone
    assert len(som.history_["quantization_error"]) == 2
    np.testing.assert_array_equal(som.labels_, som.predict(X))


def test_som_labels_after_divergence_are_those_of_the_weights_kept():
    X = blobs(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        som = SOM(shape=(4, 4), neighbourhood="mexican_hat", sigma=2.0, learning_rate=5.0,
                  epochs=20, random_state=0).fit(X)
    assert np.isfinite(som.cluster_centers_).all()
    np.testing.assert_array_equal(som.labels_, som.predict(X))


# ------------------------------------------------------------------ the other models
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("data", [blobs, uniform])
def test_kmeans_labels_are_predict(backend, dtype, data):
    X = on_device(data(dtype), backend)
    for params in ({}, {"max_iter": 2}, {"tol": 0.5}):
        model = KMeans(5, random_state=0, backend=backend, **params).fit(X)
        np.testing.assert_array_equal(host(model.labels_), host(model.predict(X)))
        assert model.inertia_ == pytest.approx(-model.score(X), rel=1e-5)


def test_kmeans_at_strict_convergence_makes_no_extra_pass(bmu_calls):
    X = blobs(np.float64)
    model = KMeans(5, tol=0, random_state=0).fit(X)
    assert model.n_iter_ < model.max_iter      # converged: its centres stopped moving
    assert len(bmu_calls) == 0
    np.testing.assert_array_equal(model.labels_, model.predict(X))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", ["online", "batch"])
def test_competitive_labels_are_predict(backend, dtype, mode, bmu_calls):
    X = on_device(uniform(dtype), backend)
    model = CompetitiveLearning(5, epochs=3, mode=mode, init="random_samples",
                                random_state=0, backend=backend).fit(X)
    assert len(bmu_calls) == 3                 # one per epoch, none before or after
    np.testing.assert_array_equal(host(model.labels_), host(model.predict(X)))


def test_competitive_interrupted_in_its_first_epoch_still_has_labels():
    X = blobs(np.float64)
    calls = []

    def interrupt(model, epoch):
        calls.append(epoch)
        raise KeyboardInterrupt

    with pytest.warns(TrainingInterruptedWarning):
        model = CompetitiveLearning(5, epochs=3, random_state=0, callbacks=[interrupt]).fit(X)
    np.testing.assert_array_equal(model.labels_, model.predict(X))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gng_labels_are_predict_without_an_extra_pass(backend, dtype, bmu_calls):
    X = on_device(blobs(dtype), backend)
    model = GrowingNeuralGas(max_nodes=20, epochs=3, random_state=0, backend=backend).fit(X)
    assert len(bmu_calls) == 3                 # one per epoch, none after
    np.testing.assert_array_equal(host(model.labels_), host(model.predict(X)))

