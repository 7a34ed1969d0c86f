"""Saving and loading a LatentClustering: the autoencoder and the clusterer nested in one file."""
import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import DBSCAN

from neuroclust import Autoencoder, KMeans, LatentClustering, NotFittedError, load
from neuroclust.datasets import make_signals


def blobs_in_high_dimension(n_per=30, k=4, d=40, seed=0):
    """k well-separated Gaussian blobs of a 5-D space, embedded linearly in d dimensions."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=6.0, size=(k, 5))
    y = np.repeat(np.arange(k), n_per)
    Z = centres[y] + rng.normal(size=(len(y), 5))
    return Z @ rng.normal(size=(5, d)) / np.sqrt(5), y


def dense(**params):
    settings = dict(hidden=(16,), latent_dim=3, epochs=4, batch_size=32, random_state=0)
    settings.update(params)
    return Autoencoder(**settings)


# Each case: the model, and the data it is fitted on (training rows, new rows).
CASES = {
    "defaults": lambda: LatentClustering(n_clusters=4, random_state=0),
    "default-kmeans": lambda: LatentClustering(autoencoder=dense(), n_clusters=4,
                                               random_state=0),
    "explicit": lambda: LatentClustering(
        autoencoder=dense(hidden=(24, 8), latent_dim=4, dtype="float64", learning_rate=5e-3,
                          activation="tanh"),
        clusterer=KMeans(n_clusters=4, n_init=3, max_iter=50, random_state=1)),
    "conv1d": lambda: LatentClustering(
        autoencoder=Autoencoder(kind="conv1d", channels=(4, 8), kernel_size=5, latent_dim=3,
                                epochs=2, batch_size=32, random_state=0),
        clusterer=KMeans(n_clusters=3, n_init=2, random_state=0)),
}


def data(case):
    if case == "conv1d":
        X, _ = make_signals(n_samples=90, length=48, random_state=0)
        return X[:60], X[60:]
    X, _ = blobs_in_high_dimension()
    return X[::2], X[1::2]


def same_params(a, b):
    """get_params equal, nested estimators compared by class and parameters."""
    pa, pb = a.get_params(), b.get_params()
    assert pa.keys() == pb.keys()
    for name in pa:
        if hasattr(pa[name], "get_params"):
            assert type(pb[name]) is type(pa[name])
            same_params(pa[name], pb[name])
        else:
            assert pb[name] == pa[name], name


@pytest.mark.parametrize("case", list(CASES))
def test_save_and_load_round_trip(case, tmp_path):
    X, X_new = data(case)
    model = CASES[case]().fit(X)
    path = model.save(tmp_path / "latent")
    assert path.endswith(".npz")
    loaded = load(path)
    assert type(loaded) is LatentClustering
    same_params(loaded, model)
    assert isinstance(loaded.autoencoder_, Autoencoder) and isinstance(loaded.clusterer_, KMeans)
    same_params(loaded.autoencoder_, model.autoencoder_)
    same_params(loaded.clusterer_, model.clusterer_)
    for got, expected in [(loaded.codes_, model.codes_), (loaded.labels_, model.labels_),
                          (loaded.autoencoder_.parameters_, model.autoencoder_.parameters_),
                          (loaded.clusterer_.cluster_centers_,
                           model.clusterer_.cluster_centers_)]:
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
    assert loaded.n_features_in_ == model.n_features_in_
    assert loaded.autoencoder_.history_ == model.autoencoder_.history_
    for rows in (X, X_new):
        np.testing.assert_array_equal(loaded.transform(rows), model.transform(rows))
        np.testing.assert_array_equal(loaded.predict(rows), model.predict(rows))
    np.testing.assert_array_equal(loaded.predict(X), model.labels_)


@pytest.mark.parametrize("case", ["default-kmeans", "explicit"])
def test_a_loaded_model_trains_again_to_the_same_model(case, tmp_path):
    X, _ = data(case)
    model = CASES[case]().fit(X)
    loaded = load(model.save(tmp_path / "latent"))
    np.testing.assert_array_equal(clone(loaded).fit(X).labels_, model.labels_)
    np.testing.assert_array_equal(loaded.fit(X).codes_, model.codes_)


def test_a_nested_file_reads_without_pickle(tmp_path):
    X, _ = data("explicit")
    path = CASES["explicit"]().fit(X).save(tmp_path / "latent.npz")
    with np.load(path, allow_pickle=False) as archive:
        assert all(archive[key].dtype != object for key in archive.files)
        assert {"autoencoder_.parameters_", "clusterer_.cluster_centers_", "codes_",
                "labels_"} <= set(archive.files)
        meta = json.loads(str(archive["__meta__"]))
    assert meta["class"] == "LatentClustering" and meta["format_version"] == 3
    assert meta["params"]["autoencoder"] is None        # stored as class and params instead:
    described = meta["estimator_params"]
    assert described["autoencoder"]["class"] == "Autoencoder"
    assert described["autoencoder"]["params"]["hidden"] == [24, 8]
    assert described["clusterer"]["class"] == "KMeans"
    assert described["clusterer"]["params"]["n_init"] == 3
    fitted = meta["estimators"]
    assert fitted["autoencoder_"]["class"] == "Autoencoder"
    assert fitted["clusterer_"]["class"] == "KMeans"
    assert fitted["clusterer_"]["attributes"]["n_features_in_"] == 4


def test_a_dbscan_clusterer_cannot_be_saved(tmp_path):
    X, _ = data("default-kmeans")
    model = LatentClustering(autoencoder=dense(), clusterer=DBSCAN(eps=2.0)).fit(X)
    with pytest.raises(ValueError, match=r"^LatentClustering cannot be saved with a DBSCAN "
                                         r"clusterer .*save model.autoencoder_ and keep "
                                         r"model.labels_ instead.$"):
        model.save(tmp_path / "latent")
    assert not (tmp_path / "latent.npz").exists()
    loaded = load(model.autoencoder_.save(tmp_path / "autoencoder"))   # what it suggests
    np.testing.assert_array_equal(loaded.transform(X), model.codes_)


def test_saving_an_unfitted_model_fails(tmp_path):
    with pytest.raises(NotFittedError, match="This LatentClustering is not fitted yet"):
        LatentClustering().save(tmp_path / "latent")
    assert not (tmp_path / "latent.npz").exists()
