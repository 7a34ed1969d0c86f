"""neuroclust.DBSCAN (neuroclust/models/dbscan.py): the labels, core samples and components of
scikit-learn's DBSCAN on non-convex, noisy and high-dimensional sets, in both metrics and on
every CPU backend; the cosine metric's radius; its place in LatentClustering; bad input."""
import numpy as np
import pytest

import neuroclust
from neuroclust import DBSCAN, datasets
from neuroclust.backend import available_backends

sklearn_cluster = pytest.importorskip("sklearn.cluster")
BACKENDS = [name for name in ("numpy", "cython") if name in available_backends()]


def data_sets():
    rng = np.random.default_rng(0)
    moons = datasets.make_moons(400, noise=0.06, random_state=1)[0]
    blobs = np.concatenate([rng.normal(c, 0.3, size=(120, 5)) for c in (0, 3, 6)])
    noisy = np.concatenate([blobs, rng.uniform(-2, 8, size=(60, 5))])
    return {"moons": (moons, 0.15, 5), "blobs 5-D": (blobs, 1.0, 8),
            "blobs and uniform noise": (noisy, 0.9, 10)}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(data_sets()))
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_the_same_clusters_as_scikit_learn(backend, name, metric):
    X, eps, min_samples = data_sets()[name]
    if metric == "cosine":
        X, eps = X + 10.0, 1e-3      # directions around (10, 10, ...)
    model = DBSCAN(eps=eps, min_samples=min_samples, metric=metric, backend=backend).fit(X)
    oracle = sklearn_cluster.DBSCAN(eps=eps, min_samples=min_samples, metric=metric).fit(X)
    np.testing.assert_array_equal(model.labels_, oracle.labels_)
    np.testing.assert_array_equal(model.core_sample_indices_, oracle.core_sample_indices_)
    np.testing.assert_array_equal(model.components_, oracle.components_)
    if metric == "euclidean":   # the sets were made to hold clusters at these radii
        assert len(set(model.labels_) - {-1}) >= 2


def test_moons_are_found_where_k_means_cuts_them():
    X, y = datasets.make_moons(400, noise=0.06, random_state=1)
    labels = DBSCAN(eps=0.15, min_samples=5).fit_predict(X)
    kept = labels >= 0
    assert kept.mean() > 0.95
    assert neuroclust.metrics.adjusted_rand_score(y[kept], labels[kept]) > 0.99
    k_means = neuroclust.KMeans(2, n_init=10, random_state=0).fit_predict(X)
    assert neuroclust.metrics.adjusted_rand_score(y, k_means) < 0.6


def test_float32_data_give_float32_components_and_the_same_labels():
    X = data_sets()["blobs 5-D"][0]
    as64 = DBSCAN(eps=1.0, min_samples=8).fit(X)
    as32 = DBSCAN(eps=1.0, min_samples=8).fit(X.astype(np.float32))
    assert as32.components_.dtype == np.float32
    np.testing.assert_array_equal(as32.labels_, as64.labels_)


def test_it_clusters_an_autoencoders_codes_and_the_model_saves(tmp_path):
    X = data_sets()["blobs 5-D"][0]
    model = neuroclust.LatentClustering(
        neuroclust.Autoencoder(hidden=(8,), latent_dim=2, epochs=20, random_state=0),
        clusterer=DBSCAN(eps=0.5, min_samples=5)).fit(X)
    assert model.labels_.shape == (X.shape[0],)
    loaded = neuroclust.load(model.save(tmp_path / "model.npz"))
    np.testing.assert_array_equal(loaded.predict(X[:20]), model.predict(X[:20]))


def test_it_has_no_transform():
    assert not hasattr(DBSCAN(), "fit_transform") and not hasattr(DBSCAN(), "transform")


@pytest.mark.parametrize("params, match", [
    (dict(eps=0), "eps"), (dict(eps=-0.5), "eps"), (dict(eps="1"), "eps"),
    (dict(min_samples=0), "min_samples"), (dict(min_samples=2.5), "min_samples"),
    (dict(metric="manhattan"), "metric"), (dict(metric="cosine", eps=2.5), "at most 2"),
])
def test_bad_parameters_are_refused_before_any_work(params, match):
    model = DBSCAN(**params)
    with pytest.raises(ValueError, match=match):
        model.fit(np.zeros((4, 2)))
    assert not hasattr(model, "labels_")


def test_a_row_of_zeros_has_no_direction_for_the_cosine_metric():
    X = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="row of zeros.*row 1"):
        DBSCAN(metric="cosine").fit(X)


def test_a_model_file_with_core_samples_out_of_order_is_refused(tmp_path):
    X = data_sets()["blobs 5-D"][0]
    path = DBSCAN(eps=1.0, min_samples=8).fit(X).save(tmp_path / "model.npz")
    with np.load(path) as archive:
        arrays = dict(archive)
    core = arrays["core_sample_indices_"]
    arrays["core_sample_indices_"] = core[::-1].copy()
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="core_sample_indices_"):
        neuroclust.load(tmp_path / "bad.npz")
