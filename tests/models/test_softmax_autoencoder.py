"""The softmax-bottleneck autoencoder (models/softmax_autoencoder.py): its network and gradients,
its clustering queries and conventions, saving, bad input, and its decoded one-hot codes
against the k-means centroids on well-separated blobs (counted over ten seeds)."""
import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from neuroclust import (DivergenceWarning, KMeans, NotFittedError, SoftmaxAutoencoder,
                        datasets, elbow, load, nn)


def blobs(seed, n=300, d=10, k=3, separation=10.0):
    """k Gaussian blobs (unit variance per coordinate) in d dimensions, their centres at
    distance ``separation`` from each other on average (|c| = separation / sqrt 2)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d))
    centres *= separation / np.sqrt(2) / np.linalg.norm(centres, axis=1, keepdims=True)
    y = np.arange(n) % k
    return centres[y] + rng.normal(size=(n, d)), y


def small(**params):
    settings = dict(n_clusters=3, hidden=(8,), epochs=3, batch_size=32, random_state=0)
    settings.update(params)
    return SoftmaxAutoencoder(**settings)


# ---------------------------------------------------------------- the network, gradients
def test_the_network_is_the_encoder_the_softmax_and_one_linear_layer():
    X, _ = blobs(0, n=60)
    model = small(hidden=(8, 5), temperature=0.5, entropy_weight=0.2).fit(X)
    kinds = [type(layer).__name__ for layer in model.encoder_.layers]
    assert kinds == ["Dense", "ReLU", "Dense", "ReLU", "Dense", "Softmax", "EntropyPenalty"]
    assert model.encoder_.layers[-2].temperature == 0.5
    assert model.encoder_.layers[-1].weight == 0.2
    assert [type(layer).__name__ for layer in model.decoder_.layers] == ["Dense"]
    assert model.decoder_.layers[0].params["W"].shape == (3, 10)
    assert model.parameters_.size == (10 * 8 + 8) + (8 * 5 + 5) + (5 * 3 + 3) + (3 * 10 + 10)
    sigmoid = small(output_activation="sigmoid", loss="bce").fit(np.abs(X) / np.abs(X).max())
    assert [type(layer).__name__ for layer in sigmoid.decoder_.layers] == ["Dense", "Sigmoid"]


@pytest.mark.parametrize("temperature, weight", [(1.0, 0.0), (0.3, 0.5), (2.0, 3.0)])
def test_the_training_network_passes_gradcheck_in_float64(temperature, weight):
    X = np.random.default_rng(0).normal(size=(6, 5))
    model = SoftmaxAutoencoder(n_clusters=3, hidden=(4,), temperature=temperature,
                               entropy_weight=weight, activation="tanh", epochs=1,
                               dtype="float64", random_state=0).fit(X)
    network = nn.Sequential(model.encoder_.layers + model.decoder_.layers)
    errors = nn.check_gradients(network, X, tol=1e-6)
    assert set(errors) == {"x", *network.params}


def test_the_history_splits_the_loss_into_reconstruction_and_entropy():
    X, _ = blobs(0, n=90)
    model = small(entropy_weight=0.5, epochs=4).fit(X)
    assert sorted(model.history_) == ["entropy", "loss", "reconstruction", "val_loss"]
    np.testing.assert_allclose(model.history_["loss"],
                               np.add(model.history_["reconstruction"],
                                      0.5 * np.array(model.history_["entropy"])))
    assert all(0 <= h <= np.log(3) for h in model.history_["entropy"])
    assert len(model.history_["loss"]) == 4 and model.history_["val_loss"] == []


# ------------------------------------------------------------------ clustering queries
def test_predict_proba_is_the_code_and_predict_its_argmax():
    X, _ = blobs(1, n=90)
    model = small().fit(X)
    Q = model.predict_proba(X)
    assert Q.shape == (90, 3) and np.all(Q >= 0)
    np.testing.assert_allclose(Q.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(model.transform(X), Q)
    np.testing.assert_array_equal(model.predict(X), Q.argmax(axis=1))
    np.testing.assert_array_equal(model.labels_, model.predict(X))
    np.testing.assert_array_equal(clone(model).fit_predict(X), model.labels_)


def test_cluster_centers_are_the_decoded_one_hot_codes():
    X, _ = blobs(2, n=90)
    model = small().fit(X)
    W, b = (model.decoder_.layers[0].params[name] for name in ("W", "b"))
    np.testing.assert_allclose(model.cluster_centers_, W + b, rtol=1e-12)     # eq. (5)
    np.testing.assert_allclose(model.cluster_centers_, model.inverse_transform(np.eye(3)))
    # the reconstruction is the code-weighted average of the centres
    np.testing.assert_allclose(model.reconstruct(X),
                               model.predict_proba(X) @ model.cluster_centers_, atol=1e-10)
    U = np.abs(X) / np.abs(X).max()
    sigmoid = small(output_activation="sigmoid", loss="bce").fit(U)
    W, b = (sigmoid.decoder_.layers[0].params[name] for name in ("W", "b"))
    np.testing.assert_allclose(sigmoid.cluster_centers_, 1 / (1 + np.exp(-(W + b))))


def test_one_cluster_rebuilds_every_sample_as_the_mean():
    X, _ = blobs(3, n=120)
    model = SoftmaxAutoencoder(n_clusters=1, hidden=(), epochs=150, batch_size=40,
                               learning_rate=3e-2, random_state=0).fit(X)
    np.testing.assert_array_equal(model.predict_proba(X), 1.0)
    np.testing.assert_allclose(model.cluster_centers_[0], X.mean(axis=0), atol=0.05)


def test_hard_codes_give_k_means_centroids_on_well_separated_blobs():
    """Ten seeds of three blobs 10 standard deviations apart in 10-D, a linear encoder and a low
    temperature (tau = 0.1: the codes start, and stay, nearly one-hot). Each run either
    matches the k-means centroids (best of 10 seedings), after pairing by the Hungarian
    assignment, within 0.3 for every centre (the blobs' spread is 1 per coordinate, sqrt(10)
    per sample), or has lost a unit that no sample chooses, which a gradient cannot bring
    back; measured: 7 of 10 match, 2 lose a unit, 1 keeps all three units but ends with two
    of them sharing a blob."""
    matched = dead = 0
    for seed in range(10):
        X, _ = blobs(seed)
        model = SoftmaxAutoencoder(n_clusters=3, hidden=(), temperature=0.1, epochs=200,
                                   batch_size=32, learning_rate=1e-2, random_state=seed).fit(X)
        centroids = KMeans(3, n_init=10, random_state=seed).fit(X).cluster_centers_
        distances = np.linalg.norm(model.cluster_centers_[:, None] - centroids[None], axis=2)
        rows, columns = linear_sum_assignment(distances)
        matched += bool(distances[rows, columns].max() < 0.3)
        dead += bool(np.any(np.bincount(model.labels_, minlength=3) == 0))
        assert model.predict_proba(X).max(axis=1).mean() > 0.99     # hard codes
    assert matched >= 7 and dead <= 2, (matched, dead)


def test_elbow_takes_a_softmax_autoencoder_and_sets_its_number_of_clusters():
    X, _ = blobs(0, n=60)
    template = SoftmaxAutoencoder(hidden=(), epochs=2, batch_size=30, random_state=0)
    ks, errors = elbow(X, 3, autoencoder=template)
    first = clone(template).set_params(n_clusters=1).fit(X)
    assert errors[0] == pytest.approx(first.reconstruction_error(X).mean(), rel=1e-6)
    assert template.n_clusters == 8 and not hasattr(template, "parameters_")


# ------------------------------------------------------------------------- conventions
def test_init_stores_only_parameters_and_params_round_trip():
    model = small(temperature=0.5, entropy_weight=1.0)
    assert not [a for a in vars(model) if a.endswith("_")]
    params = model.get_params()
    assert params["n_clusters"] == 3 and params["temperature"] == 0.5
    assert "latent_dim" not in params and "kind" not in params
    assert SoftmaxAutoencoder(**params).get_params() == params
    assert clone(model).get_params() == params
    assert repr(small()) == ("SoftmaxAutoencoder(batch_size=32, epochs=3, hidden=(8,), "
                             "n_clusters=3, random_state=0)")


def test_works_in_a_pipeline_and_is_reproducible():
    X, _ = blobs(4, n=90)
    pipeline = Pipeline([("scale", StandardScaler()), ("model", small())]).fit(X)
    assert pipeline.predict(X).shape == (90,)
    np.testing.assert_array_equal(small().fit(X).parameters_, small().fit(X).parameters_)
    assert not np.array_equal(small().fit(X).parameters_,
                              small(random_state=1).fit(X).parameters_)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_and_float64_are_kept(dtype):
    X = blobs(5, n=60)[0].astype(dtype)
    model = small().fit(X)
    assert model.parameters_.dtype == dtype
    assert model.predict_proba(X).dtype == dtype and model.cluster_centers_.dtype == dtype
    assert model.predict(X).dtype.kind == "i"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_and_load_give_the_same_clusters(dtype, tmp_path):
    X, _ = blobs(6, n=90)
    model = small(dtype=dtype, temperature=0.5, entropy_weight=0.3).fit(X)
    loaded = load(model.save(tmp_path / "softmax"))
    assert isinstance(loaded, SoftmaxAutoencoder)
    assert loaded.get_params() == model.get_params() and loaded.history_ == model.history_
    np.testing.assert_array_equal(loaded.labels_, model.labels_)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.cluster_centers_, model.cluster_centers_)


def test_a_model_file_with_labels_beyond_the_clusters_is_refused(tmp_path):
    X, _ = blobs(6, n=60)
    model = small().fit(X)
    model.labels_ = model.labels_ + 3
    path = model.save(tmp_path / "bad")
    with pytest.raises(ValueError, match="labels_ holds values from"):
        load(path)


def test_changing_the_temperature_after_fit_is_refused_until_the_next_fit():
    X, _ = blobs(7, n=60)
    model = small().fit(X)
    model.set_params(temperature=0.1)
    with pytest.raises(ValueError, match="temperature was changed after fit"):
        model.predict(X)
    model.set_params(entropy_weight=2.0, epochs=1)     # steers the next fit only
    model.set_params(temperature=1.0)
    model.predict(X)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("params, message", [
    (dict(n_clusters=0), "n_clusters must be >= 1, got 0"),
    (dict(n_clusters=2.5), "n_clusters must be an integer, got 2.5"),
    (dict(temperature=0), "temperature must be > 0, got 0"),
    (dict(temperature=np.inf), "temperature must be finite"),
    (dict(entropy_weight=-0.1), "entropy_weight must be >= 0"),
    (dict(loss="shift_mse"), "loss must be one of 'mse', 'bce', got 'shift_mse'"),
    (dict(loss="bce"), "loss='bce' needs output_activation='sigmoid'"),
    (dict(hidden=(4, 0)), "each width in hidden must be >= 1, got 0"),
    (dict(learning_rate=-1.0), "learning_rate must be > 0"),
    (dict(epochs=0), "epochs must be >= 1, got 0"),
])
def test_bad_hyper_parameters_are_refused_before_any_work(params, message):
    model = small(**params)
    with pytest.raises(ValueError, match=message):
        model.fit(blobs(0, n=30)[0])
    assert not hasattr(model, "parameters_")


def test_bad_data_is_refused_with_one_sentence():
    with pytest.raises(ValueError, match="X has 2 samples, fewer than n_clusters=3"):
        small().fit(np.ones((2, 4)))
    X = blobs(0, n=30)[0]
    X[4, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN value\(s\) \(first at row 4\)"):
        small().fit(X)
    model = small().fit(blobs(0, n=30)[0])
    with pytest.raises(ValueError, match="X has 9 features, but SoftmaxAutoencoder is "
                                         "expecting 10"):
        model.predict(np.ones((2, 9)))


@pytest.mark.parametrize("method", ["predict", "predict_proba", "transform"])
def test_use_before_fit(method):
    with pytest.raises(NotFittedError, match="This SoftmaxAutoencoder is not fitted yet"):
        getattr(small(), method)(np.ones((2, 3)))
    with pytest.raises(NotFittedError):
        small().cluster_centers_
    assert not hasattr(small(), "cluster_centers_")


def test_the_docstring_example():
    X, _ = datasets.make_five_centroids(random_state=0)
    model = SoftmaxAutoencoder(n_clusters=5, hidden=(16,), epochs=2, random_state=0).fit(X)
    assert model.predict_proba(X).shape == (500, 5) and model.cluster_centers_.shape == (5, 3)


def test_a_diverging_fit_keeps_the_last_good_weights_and_labels_with_them():
    X, _ = blobs(8, n=60)
    model = small(epochs=4, optimizer="sgd", learning_rate=1e30)
    with pytest.warns(DivergenceWarning):
        model.fit(X)
    assert np.isfinite(model.parameters_).all()
    np.testing.assert_array_equal(model.labels_, model.predict(X))


def test_a_network_too_large_for_memory_is_refused_before_it_is_built():
    model = SoftmaxAutoencoder(n_clusters=3, hidden=(10**9,))
    with pytest.raises(ValueError, match=r"^SoftmaxAutoencoder\(hidden=\(1000000000,\), n_clusters=3\) needs "
                                         r"about [\d.]+ TiB"):
        model.fit(blobs(0, n=30)[0])
    assert not hasattr(model, "parameters_")
