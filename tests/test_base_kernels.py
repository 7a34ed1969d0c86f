"""Which kernels a model runs (neuroclust.base, "Which kernels run"): the kernel module of the
backend that fit and every query choose by one rule, ``resolve_backend(model.backend, X)``;
a nested estimator gets its parent's backend.

The spy: every kernel of ``neuroclust.backend.cython`` is replaced by one that fails, so a
model on ``backend="numpy"`` that reached a compiled kernel anyway (an import of the wrong
module, a query that ignores the backend, a nested model on "auto") fails the test.
"""
import numpy as np
import pytest
from sklearn.cluster import DBSCAN

import neuroclust.backend
from neuroclust import (ART1, SOM, Autoencoder, CompetitiveLearning, FuzzyART, GrowingNeuralGas,
                        KMeans, LatentClustering)
from neuroclust.backend import available_backends, get_kernels, reference

cython_built = pytest.mark.skipif("cython" not in available_backends(),
                                  reason="the compiled kernels (neuroclust._kernels) are not built")

#: The kernel names every backend module offers.
KERNELS = ("bmu", "undefined_bmu", "accumulate", "bmu_accumulate", "wta_online",
           "squared_distances", "two_nearest", "som_online", "som_batch_weights", "gng_online",
           "fuzzy_art_online", "fuzzy_art_choice", "fuzzy_art_predict", "art1_online",
           "art1_bottom_up")


@pytest.fixture(autouse=True)
def _backend_not_forced(monkeypatch):
    """These tests choose their backends; NEUROCLUST_BACKEND would override the choice."""
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


@pytest.fixture
def no_compiled_kernel(monkeypatch):
    """Every kernel of the Cython backend fails when called (where it is built)."""
    if "cython" not in available_backends():
        return
    compiled = get_kernels("cython")

    def refuse(name):
        def kernel(*args, **kwargs):
            raise AssertionError(f"the compiled kernel {name} ran")
        return kernel

    for name in KERNELS:
        monkeypatch.setattr(compiled, name, refuse(name))


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0, 0.0], [4.0, 4.0, 0.0], [0.0, 4.0, 4.0]])
    return np.concatenate([rng.normal(c, 0.5, size=(40, 3)) for c in centres])


def unit_interval(X):
    return (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))


def test_every_backend_module_offers_the_same_kernel_names():
    for backend in available_backends():
        kernels = get_kernels(backend)
        missing = [name for name in KERNELS if not callable(getattr(kernels, name, None))]
        assert missing == [], (backend, missing)


# --- backend="numpy" runs no compiled kernel, in fit and in every query -----------------------

def test_prototype_models_on_numpy_run_no_compiled_kernel(no_compiled_kernel, data):
    for model in (KMeans(3, random_state=0, backend="numpy"),
                  CompetitiveLearning(3, epochs=3, random_state=0, backend="numpy"),
                  CompetitiveLearning(3, epochs=3, mode="batch", random_state=0,
                                      backend="numpy"),
                  GrowingNeuralGas(max_nodes=8, epochs=2, random_state=0, backend="numpy")):
        model.fit(data)
        assert model.backend_ == "numpy"
        model.predict(data)
        model.transform(data)
    model.partial_fit(data)


@pytest.mark.parametrize("mode", ["online", "batch"])
def test_the_som_on_numpy_runs_no_compiled_kernel(no_compiled_kernel, data, mode):
    som = SOM((4, 4), epochs=3, mode=mode, n_clusters=3, random_state=0,
              backend="numpy").fit(data)
    assert som.backend_ == "numpy"
    som.predict(data)
    som.transform(data)
    som.quantization_error(data)
    som.topographic_error(data)


def test_art_on_numpy_runs_no_compiled_kernel(no_compiled_kernel, data):
    fuzzy = FuzzyART(rho=0.7, epochs=3, backend="numpy").fit(unit_interval(data))
    fuzzy.partial_fit(unit_interval(data))
    fuzzy.predict(unit_interval(data), vigilance=True)
    fuzzy.transform(unit_interval(data))
    binary = (data > 1).astype(np.float64)
    binary[:, 0] = 1.0
    art1 = ART1(rho=0.5, epochs=3, backend="numpy").fit(binary)
    art1.predict(binary)
    art1.transform(binary)
    assert art1.bottom_up_weights_.shape == art1.weights_.shape
    assert {fuzzy.backend_, art1.backend_} == {"numpy"}


# --- predict and the other queries choose the backend as fit does -----------------------------

@cython_built
def test_a_query_follows_the_backend_parameter_not_the_fit(monkeypatch, data):
    model = KMeans(3, random_state=0, backend="cython").fit(data)
    expected = model.predict(data)
    model.backend = "numpy"
    compiled = get_kernels("cython")
    monkeypatch.setattr(compiled, "bmu", lambda *args, **kwargs: pytest.fail("compiled bmu"))
    np.testing.assert_array_equal(model.predict(data), expected)


def test_a_backend_this_machine_cannot_run_is_the_same_error_at_predict_as_at_fit(monkeypatch,
                                                                               data):
    model = KMeans(3, random_state=0, backend="numpy").fit(data)
    monkeypatch.setattr(neuroclust.backend, "_cython_available", lambda: False)
    model.backend = "cython"   # e.g. saved with the kernels, loaded where they are not built
    message = r"backend='cython' was asked for, but the compiled kernels"
    with pytest.raises(ValueError, match=message):
        model.predict(data)
    with pytest.raises(ValueError, match=message):
        KMeans(3, random_state=0, backend="cython").fit(data)


def test_a_query_uses_the_kernels_of_its_backend(monkeypatch, data):
    model = KMeans(3, random_state=0, backend="numpy").fit(data)
    calls, squared_distances = [], reference.squared_distances

    def spy(X, W):
        calls.append(X.shape)
        return squared_distances(X, W)

    monkeypatch.setattr(reference, "squared_distances", spy)
    model.transform(data[:5])
    assert calls == [(5, 3)]


# --- a nested estimator gets its parent's backend -------------------------------------------

@pytest.fixture
def fitted_kmeans(monkeypatch):
    """Every KMeans fitted while the test runs, in order."""
    fitted, fit = [], KMeans.fit

    def recording_fit(self, X, y=None):
        fitted.append(self)
        return fit(self, X, y)

    monkeypatch.setattr(KMeans, "fit", recording_fit)
    return fitted


@pytest.mark.parametrize("backend", ["numpy", pytest.param("cython", marks=cython_built)])
def test_the_two_level_soms_kmeans_runs_on_the_soms_backend(fitted_kmeans, data, backend):
    som = SOM((4, 4), epochs=2, n_clusters=3, random_state=0, backend=backend).fit(data)
    assert [kmeans.backend_ for kmeans in fitted_kmeans] == [backend]
    assert type(som.unit_labels_) is np.ndarray


def small_autoencoder():
    return Autoencoder(hidden=(8,), latent_dim=2, epochs=2, random_state=0)


def test_latent_clusterings_default_kmeans_runs_on_its_backend(no_compiled_kernel, data):
    model = LatentClustering(small_autoencoder(), n_clusters=3, random_state=0,
                             backend="numpy").fit(data)
    assert model.clusterer_.backend_ == "numpy"
    model.predict(data)


def test_latent_clustering_gives_its_backend_to_a_passed_in_clusterer(no_compiled_kernel, data):
    model = LatentClustering(small_autoencoder(), clusterer=KMeans(3, random_state=0),
                             backend="numpy").fit(data)
    assert model.clusterer_.backend_ == "numpy"
    assert model.clusterer.backend == "auto"          # the parameter is left unchanged


def test_latent_clustering_on_auto_leaves_the_clusterers_own_backend(data):
    model = LatentClustering(small_autoencoder(),
                             clusterer=KMeans(3, random_state=0, backend="numpy")).fit(data)
    assert model.clusterer_.backend_ == "numpy"


def test_latent_clustering_finds_the_nearest_code_with_its_backends_kernels(no_compiled_kernel,
                                                                           data):
    model = LatentClustering(small_autoencoder(), clusterer=DBSCAN(eps=5.0),
                             backend="numpy").fit(data)
    np.testing.assert_array_equal(model.predict(data), model.labels_)


def test_latent_clustering_refuses_an_unknown_backend_before_training(data):
    with pytest.raises(ValueError, match="backend"):
        LatentClustering(small_autoencoder(), backend="torch").fit(data)
