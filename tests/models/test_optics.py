"""neuroclust.OPTICS (neuroclust/models/optics.py): scikit-learn's ordering, reachability, core
distances, predecessors, labels and cluster hierarchy on blobs, moons, circles, duplicates,
ties, a finite max_eps, one cluster, all noise, 1-D and 10-D data, in both precisions, with
several min_samples and both extractions, on every CPU backend; the cosine metric; its place
in LatentClustering; bad input refused before any work."""
import numpy as np
import pytest

from neuroclust import OPTICS, Autoencoder, LatentClustering, datasets, load
from neuroclust.backend import available_backends

sklearn_cluster = pytest.importorskip("sklearn.cluster")
BACKENDS = [name for name in ("numpy", "cython") if name in available_backends()]
ATTRIBUTES = ("ordering_", "reachability_", "core_distances_", "predecessor_", "labels_")


def data_sets():
    rng = np.random.default_rng(0)
    blobs = np.concatenate([rng.normal(c, s, size=(80, 2))
                            for c, s in ((0, 0.3), (3, 0.6), (7, 0.2))])
    grid = np.array([[i, j] for i in range(6) for j in range(6)], dtype=float)
    return {
        "blobs": blobs,
        "moons": datasets.make_moons(200, noise=0.05, random_state=1)[0],
        "circles": np.concatenate([np.c_[np.cos(t), np.sin(t)] * r + rng.normal(0, 0.03, (90, 2))
                                   for r, t in ((1, rng.uniform(0, 7, 90)),
                                                (0.4, rng.uniform(0, 7, 90)))]),
        "duplicates": np.repeat(rng.normal(size=(30, 2)), 3, axis=0),
        "ties on a grid": np.concatenate([grid, grid + 10]),
        "one cluster": rng.normal(size=(100, 3)),
        "1-D": np.concatenate([rng.normal(0, 0.2, 60), rng.normal(3, 0.5, 60)])[:, None],
        "10-D": np.concatenate([rng.normal(c, 1.0, size=(70, 10)) for c in (0, 6)]),
    }


def oracle(X, **params):
    # its k-d tree measures distances as neuroclust does (brute force differs by rounding)
    return sklearn_cluster.OPTICS(algorithm="kd_tree", **params).fit(X.astype(np.float64))


def assert_same(model, expected, hierarchy=True):
    for name in ATTRIBUTES:
        np.testing.assert_array_equal(getattr(model, name), getattr(expected, name), name)
    if hierarchy:
        np.testing.assert_array_equal(model.cluster_hierarchy_,
                                      expected.cluster_hierarchy_.reshape(-1, 2))


@pytest.mark.filterwarnings("ignore:divide by zero")      # the oracle's ratio, duplicates
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(data_sets()))
@pytest.mark.parametrize("min_samples", [2, 5, 12])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_same_graph_and_xi_clusters_as_scikit_learn(backend, name, min_samples, dtype):
    X = data_sets()[name].astype(dtype)
    model = OPTICS(min_samples=min_samples, backend=backend).fit(X)
    assert_same(model, oracle(X, min_samples=min_samples))
    np.testing.assert_array_equal(model.core_sample_indices_, np.arange(len(X)))  # max_eps inf


@pytest.mark.filterwarnings("ignore:Every reachability is inf")      # 10-D at max_eps = 1
@pytest.mark.filterwarnings("ignore:All reachability values are inf")  # the oracle's
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(data_sets()))
@pytest.mark.parametrize("max_eps, eps", [(np.inf, 0.5), (1.0, None), (1.0, 0.3)])
def test_the_same_dbscan_labels_as_scikit_learn(backend, name, max_eps, eps):
    X = data_sets()[name]
    params = dict(min_samples=5, max_eps=max_eps, cluster_method="dbscan", eps=eps)
    model = OPTICS(backend=backend, **params).fit(X)
    assert_same(model, oracle(X, **params), hierarchy=False)
    radius = max_eps if eps is None else eps
    np.testing.assert_array_equal(model.core_sample_indices_,
                                  np.flatnonzero(model.core_distances_ <= radius))
    assert model.cluster_hierarchy_ is None


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("params", [dict(max_eps=0.8), dict(xi=0.2, min_cluster_size=0.1),
                                    dict(min_samples=0.05, predecessor_correction=False),
                                    dict(min_cluster_size=20)])
def test_finite_radius_fractions_and_options_as_scikit_learn(backend, params):
    X = data_sets()["blobs"]
    assert_same(OPTICS(backend=backend, **params).fit(X), oracle(X, **params))


def test_the_blobs_are_found():
    labels = OPTICS(min_samples=20).fit_predict(data_sets()["blobs"])
    np.testing.assert_array_equal(labels, np.repeat([0, 1, 2], 80))


def test_all_noise_when_nothing_is_within_max_eps():
    X = np.arange(10.0)[:, None] * 5
    with pytest.warns(UserWarning, match="every sample is noise"):
        model = OPTICS(min_samples=2, max_eps=1.0).fit(X)
    np.testing.assert_array_equal(model.labels_, -1)
    assert np.isinf(model.reachability_).all() and np.isinf(model.core_distances_).all()
    assert model.core_sample_indices_.size == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_cosine_is_half_the_squared_distance_of_unit_rows(backend):
    X = data_sets()["blobs"] + 10.0
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    cosine = OPTICS(min_samples=5, metric="cosine", backend=backend).fit(X)
    plain = OPTICS(min_samples=5, backend=backend).fit(unit)
    np.testing.assert_array_equal(cosine.ordering_, plain.ordering_)
    np.testing.assert_allclose(cosine.reachability_, plain.reachability_ ** 2 / 2)
    expected = 1 - (unit @ unit.T)
    np.testing.assert_allclose(cosine.core_distances_,
                               np.sort(expected, axis=1)[:, 4], atol=1e-12)


def test_cosine_refuses_a_row_of_zeros():
    X = np.ones((10, 2))
    X[3] = 0
    with pytest.raises(ValueError, match="row of zeros"):
        OPTICS(metric="cosine").fit(X)


def test_inside_latent_clustering_and_saved(tmp_path):
    X = data_sets()["blobs"]
    model = LatentClustering(Autoencoder(hidden=(6,), latent_dim=2, epochs=3, random_state=0),
                             clusterer=OPTICS(min_samples=8)).fit(X)
    assert model.labels_.shape == (len(X),) and model.labels_.max() >= 1
    np.testing.assert_array_equal(model.labels_,
                                  OPTICS(min_samples=8).fit_predict(model.codes_))
    assert isinstance(model.clusterer_, OPTICS)
    predicted = model.predict(X[:20])
    assert predicted.shape == (20,)
    model.save(tmp_path / "latent")
    np.testing.assert_array_equal(load(tmp_path / "latent.npz").predict(X[:20]), predicted)


def test_save_and_load_keep_every_attribute(tmp_path):
    model = OPTICS(min_samples=4).fit(data_sets()["moons"])
    model.save(tmp_path / "optics")
    loaded = load(tmp_path / "optics.npz")
    for name in ATTRIBUTES + ("core_sample_indices_", "cluster_hierarchy_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(model, name))


def test_a_tampered_file_is_refused(tmp_path):
    model = OPTICS(min_samples=4).fit(data_sets()["moons"])
    model.ordering_ = model.ordering_.copy()
    model.ordering_[0] = model.ordering_[1]
    model.save(tmp_path / "bad")
    with pytest.raises(ValueError, match="ordering_"):
        load(tmp_path / "bad.npz")


def test_no_transform():
    with pytest.raises(AttributeError, match="no transform"):
        OPTICS().fit_transform
    assert not hasattr(OPTICS(), "predict")


X_GOOD = np.random.default_rng(0).normal(size=(20, 2))


@pytest.mark.parametrize("params, match", [
    (dict(min_samples=1), "min_samples must be at least 2"),
    (dict(min_samples=21), r"min_samples must be at most the number of samples \(20\)"),
    (dict(min_samples=0.0), "min_samples"),
    (dict(min_samples=1.5), "min_samples"),
    (dict(min_samples="5"), "min_samples"),
    (dict(min_samples=True), "min_samples"),
    (dict(max_eps=-1.0), "max_eps"),
    (dict(max_eps=float("nan")), "max_eps"),
    (dict(max_eps="far"), "max_eps"),
    (dict(xi=0.0), "xi"),
    (dict(xi=1.0), "xi"),
    (dict(xi=float("nan")), "xi"),
    (dict(min_cluster_size=1), "min_cluster_size"),
    (dict(min_cluster_size=30), "min_cluster_size"),
    (dict(min_cluster_size=2.0), "min_cluster_size"),
    (dict(cluster_method="kmeans"), "cluster_method"),
    (dict(metric="manhattan"), "metric"),
    (dict(eps=-0.5), "eps"),
    (dict(cluster_method="dbscan", max_eps=1.0, eps=2.0), "eps must be at most max_eps"),
    (dict(predecessor_correction=None), "predecessor_correction"),
    (dict(backend="gpu"), "backend"),
])
def test_bad_parameters_are_refused_with_one_sentence(params, match):
    with pytest.raises(ValueError, match=match):
        OPTICS(**params).fit(X_GOOD)


@pytest.mark.parametrize("X, match", [
    (np.zeros((1, 2)), "at least two samples"),
    (np.array([[0.0, np.nan], [1.0, 1.0]]), "NaN"),
    (np.array([[0.0, np.inf], [1.0, 1.0]]), "infinite"),
    (np.zeros(5), "2-D|2D|two"),
])
def test_bad_data_is_refused(X, match):
    with pytest.raises(ValueError, match=match):
        OPTICS(min_samples=2).fit(X)


@pytest.mark.skipif("cupy" not in available_backends(),
                    reason="needs CuPy and a CUDA GPU (available_backends() lists no 'cupy')")
@pytest.mark.parametrize("max_eps", [np.inf, 0.5])
def test_on_a_gpu_as_on_the_cpu(max_eps):
    import cupy

    X = data_sets()["moons"]
    gpu = OPTICS(min_samples=5, max_eps=max_eps, backend="cupy").fit(cupy.asarray(X))
    assert gpu.backend_ == "cupy"
    assert_same(gpu, OPTICS(min_samples=5, max_eps=max_eps, backend="numpy").fit(X))


@pytest.mark.parametrize("method", ["xi", "dbscan"])
def test_a_model_file_whose_core_samples_disagree_is_refused(method):
    """Found by the persistence fuzzer: a file whose core_sample_indices_ were emptied
    loaded as a model that no fit could have written."""
    X = np.random.default_rng(0).normal(size=(60, 2))
    model = OPTICS(min_samples=5, cluster_method=method, eps=0.5 if method == "dbscan"
                   else None).fit(X)
    assert model.core_sample_indices_.size
    model._check_fitted_state()
    model.core_sample_indices_ = model.core_sample_indices_[:0]
    with pytest.raises(ValueError, match="core_sample_indices_ must be the samples"):
        model._check_fitted_state()
