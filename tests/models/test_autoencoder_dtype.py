"""The Autoencoder's dtype: it follows X as every estimator does, unless ``dtype`` forces one.

float32 data trains and answers in float32, float64 data in float64, integers in float64; a
query answers in its own dtype (the weights cast to it, as ``BaseEstimator._like`` casts a
KMeans's centres); an explicit ``dtype`` forces the weights, X and every query.
"""
from pathlib import Path

import numpy as np
import pytest

from neuroclust import Autoencoder, KMeans, LatentClustering, load, nn


def data(dtype=np.float64, n=60, d=6):
    return np.random.default_rng(0).random((n, d)).astype(dtype)


def signals(dtype=np.float64):
    return np.random.default_rng(1).normal(size=(20, 2, 16)).astype(dtype)


def dense(**params):
    return Autoencoder(**{**dict(hidden=(5,), latent_dim=2, epochs=2, batch_size=16,
                                 random_state=0), **params})


def conv(**params):
    return Autoencoder(**{**dict(kind="conv1d", channels=(3,), kernel_size=3, latent_dim=2,
                                 epochs=2, batch_size=8, random_state=0), **params})


def explicit(**params):
    return Autoencoder(encoder=[nn.Dense(6, 4, random_state=0), nn.Tanh(),
                                nn.Dense(4, 2, random_state=1)],
                       decoder=[nn.Dense(2, 6, random_state=2)], epochs=2, batch_size=16,
                       random_state=0, **params)


def outputs(model, X):
    """Everything a fitted model answers about X."""
    Z = model.transform(X)
    return [model.parameters_, Z, model.inverse_transform(Z), model.reconstruct(X),
            model.reconstruction_error(X)]


MODELS = [(dense, data), (conv, signals), (explicit, data)]


@pytest.mark.parametrize("build, make", MODELS)
@pytest.mark.parametrize("given, expected", [(np.float32, np.float32), (np.float64, np.float64),
                                             (np.int64, np.float64), (np.uint8, np.float64)])
def test_the_model_follows_the_dtype_of_x(build, make, given, expected):
    X = (make() * 3).astype(given)
    model = build().fit(X)
    assert model.dtype is None and model.dtype_ == expected
    assert all(array.dtype == expected for array in outputs(model, X))
    assert model.fit_transform(X).dtype == expected


@pytest.mark.parametrize("build, make", MODELS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_none_trains_exactly_as_the_explicit_dtype_of_x(build, make, dtype):
    X = make(dtype)
    followed, forced = build().fit(X), build(dtype=dtype).fit(X)
    np.testing.assert_array_equal(followed.parameters_, forced.parameters_)
    assert followed.history_ == forced.history_


@pytest.mark.parametrize("build, make", MODELS)
@pytest.mark.parametrize("dtype, other", [("float32", np.float64), ("float64", np.float32)])
def test_an_explicit_dtype_wins_over_x_and_the_queries(build, make, dtype, other):
    X = make(other)
    model = build(dtype=dtype).fit(X)
    assert model.dtype_ == np.dtype(dtype)
    assert all(array.dtype == np.dtype(dtype) for array in outputs(model, X))
    np.testing.assert_array_equal(model.parameters_,
                                  build(dtype=dtype).fit(X.astype(dtype)).parameters_)


@pytest.mark.parametrize("build, make", MODELS)
@pytest.mark.parametrize("fitted, query", [(np.float32, np.float64), (np.float64, np.float32)])
def test_a_query_in_the_other_dtype_is_answered_in_its_own(build, make, fitted, query):
    X = make(fitted)
    model = build().fit(X)
    theta = model.parameters_.copy()
    answers = outputs(model, X.astype(query))[1:]
    assert all(array.dtype == query for array in answers)
    tol = 1e-5 if np.float32 in (fitted, query) else 1e-12
    for got, same_dtype in zip(answers, outputs(model, X)[1:]):
        np.testing.assert_allclose(got, same_dtype, rtol=tol, atol=tol)
    assert model.parameters_.dtype == fitted                      # the model is unchanged
    np.testing.assert_array_equal(model.parameters_, theta)
    assert model.inverse_transform(model.transform(X).astype(query)).dtype == query


def test_kmeans_answers_the_other_dtype_the_same_way():
    """The rule the autoencoder follows, as KMeans does it."""
    X = data(np.float32)
    kmeans, autoencoder = KMeans(2, n_init=1, random_state=0).fit(X), dense().fit(X)
    for query in (np.float32, np.float64):
        assert kmeans.transform(X.astype(query)).dtype == query
        assert autoencoder.transform(X.astype(query)).dtype == query


def test_a_float64_model_beyond_float32s_range_refuses_a_float32_query():
    model = dense().fit(data())
    model.parameters_[0] = 1e300
    with pytest.raises(ValueError, match=r"this model holds values up to 1e\+300, beyond the "
                                         r"range of X's float32 .*pass X as float64"):
        model.transform(data(np.float32))
    assert model.transform(data()).dtype == np.float64


def test_an_explicit_float32_dtype_refuses_data_beyond_its_range():
    X = data()
    X[0, 0] = 1e39
    with pytest.raises(ValueError, match="X holds values .*float32"):
        dense(dtype="float32").fit(X)


def test_the_explicit_layers_passed_are_left_in_their_dtype():
    model = explicit()
    model.fit(data())
    assert model.parameters_.dtype == np.float64
    assert all(layer.dtype == np.float32 and layer.params["W"].dtype == np.float32
               for layer in model.encoder if hasattr(layer, "dtype"))


@pytest.mark.parametrize("build, make", MODELS)
@pytest.mark.parametrize("dtype", [None, "float32", "float64"])
@pytest.mark.parametrize("given", [np.float32, np.float64])
def test_save_and_load_keep_the_dtype(build, make, dtype, given, tmp_path):
    X = make(given)
    model = build(dtype=dtype).fit(X)
    loaded = load(model.save(tmp_path / "ae"))
    assert loaded.dtype == dtype and loaded.dtype_ == model.dtype_
    for got, expected in zip(outputs(loaded, X), outputs(model, X)):
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)


def test_a_file_saved_with_the_old_default_dtype_still_forces_float32():
    """Files written before dtype=None hold dtype='float32' (then the default): they load as
    they were saved and keep answering in float32."""
    path = Path(__file__).parents[1] / "persistence" / "data" / "format2_LatentClustering.npz"
    autoencoder = load(path).autoencoder_
    assert autoencoder.dtype == "float32" and autoencoder.dtype_ == np.float32
    assert autoencoder.transform(data(d=autoencoder.n_features_in_)).dtype == np.float32


@pytest.mark.parametrize("given, expected", [(np.float32, np.float32), (np.float64, np.float64),
                                             (np.int64, np.float64)])
def test_latent_clustering_passes_the_dtype_of_x_through(given, expected):
    X = (data(n=40) * 5).astype(given)
    model = LatentClustering(autoencoder=dense(), n_clusters=2, random_state=0).fit(X)
    assert model.autoencoder_.dtype_ == expected and model.codes_.dtype == expected
    assert model.clusterer_.cluster_centers_.dtype == expected
    assert model.transform(X).dtype == expected
    for query in (np.float32, np.float64):
        assert model.transform(X.astype(query)).dtype == query
        np.testing.assert_array_equal(model.predict(X.astype(query)), model.labels_)
    default = LatentClustering(n_clusters=2, random_state=0).set_params(
        autoencoder=None).fit(X.astype(given))
    assert default.codes_.dtype == expected


@pytest.mark.parametrize("dtype, kept", [(None, ["float64", "float32"]),
                                         ("float32", ["float32"]), ("float64", ["float64"])])
def test_the_sklearn_tags_say_which_dtypes_transform_keeps(dtype, kept):
    pytest.importorskip("sklearn", minversion="1.6")
    assert Autoencoder(dtype=dtype).__sklearn_tags__().transformer_tags.preserves_dtype == kept
    latent = LatentClustering(autoencoder=Autoencoder(dtype=dtype))
    assert latent.__sklearn_tags__().transformer_tags.preserves_dtype == kept
