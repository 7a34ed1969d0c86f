"""The dense autoencoder, clustering in its latent space, and the elbow helper."""
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import DBSCAN

from neuroclust import (Autoencoder, KMeans, LatentClustering, NotFittedError, datasets, elbow,
                        load, metrics, nn)


def digits(n=600):
    X, y = datasets.load_digits()
    return X[:n] / 16.0, y[:n]


def low_rank(n=300, d=20, rank=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, rank)) @ rng.normal(size=(rank, d)) / np.sqrt(rank)


def blobs_in_high_dimension(n_per=60, k=4, d=50, seed=0):
    """k well-separated Gaussian blobs of a 5-D space, embedded linearly in d dimensions."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=6.0, size=(k, 5))
    y = np.repeat(np.arange(k), n_per)
    Z = centres[y] + rng.normal(size=(len(y), 5))
    return Z @ rng.normal(size=(5, d)) / np.sqrt(5), y


def small(**params):
    settings = dict(hidden=(32,), latent_dim=4, epochs=5, batch_size=32, random_state=0)
    settings.update(params)
    return Autoencoder(**settings)


# ------------------------------------------------------------------------ training
def test_reconstruction_error_falls_with_training_on_digits():
    X, _ = digits()
    params = dict(hidden=(64,), latent_dim=8, output_activation="sigmoid", loss="bce",
                  learning_rate=3e-3)
    barely = small(epochs=1, **params).set_params(learning_rate=1e-9).fit(X)
    trained = small(epochs=15, **params).fit(X)
    before, after = barely.reconstruction_error(X).mean(), trained.reconstruction_error(X).mean()
    assert after < 0.5 * before
    loss = trained.history_["loss"]
    assert len(loss) == 15 and loss[-1] < loss[0]
    assert trained.history_["val_loss"] == [] and trained.best_epoch_ is None
    assert sorted(trained.history_) == ["loss", "val_loss"]


def test_transform_shape_dtype_and_reconstruction_error_definition():
    X, _ = digits(200)
    model = small().fit(X)
    Z = model.transform(X)
    assert Z.shape == (200, 4) and Z.dtype == np.float64           # X's dtype
    assert model.inverse_transform(Z).shape == (200, 64)
    errors = model.reconstruction_error(X)
    assert errors.shape == (200,)
    np.testing.assert_allclose(errors, ((model.reconstruct(X) - X) ** 2).sum(axis=1), rtol=1e-5)
    assert model.fit_transform(X).shape == (200, 4)


def test_a_linear_autoencoder_recovers_a_low_rank_problem():
    X = low_rank()
    model = Autoencoder(hidden=(), latent_dim=3, epochs=150, batch_size=32, learning_rate=1e-2,
                        dtype="float64", random_state=0).fit(X)
    relative = model.reconstruction_error(X).sum() / (X ** 2).sum()
    assert relative < 1e-2
    np.testing.assert_allclose(model.inverse_transform(model.transform(X)), X, atol=0.2)


def test_sigmoid_output_stays_in_the_unit_interval():
    X, _ = digits(100)
    out = small(output_activation="sigmoid").fit(X).reconstruct(X)
    assert out.min() > 0 and out.max() < 1


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "sigmoid"])
def test_every_activation_trains(activation):
    X = low_rank(100)
    model = small(activation=activation, epochs=8, learning_rate=1e-2).fit(X)
    assert model.history_["loss"][-1] < model.history_["loss"][0]


def test_same_seed_same_model_other_seed_other_model():
    X, _ = digits(200)
    a, b = small().fit(X), small().fit(X)
    np.testing.assert_array_equal(a.parameters_, b.parameters_)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert not np.array_equal(a.parameters_, small(random_state=1).fit(X).parameters_)


def test_parameters_are_one_vector_shared_with_the_layers():
    X, _ = digits(100)
    model = small(hidden=(16, 8), latent_dim=3).fit(X)
    sizes = [64 * 16 + 16, 16 * 8 + 8, 8 * 3 + 3, 3 * 8 + 8, 8 * 16 + 16, 16 * 64 + 64]
    assert model.parameters_.shape == (sum(sizes),)
    first = model.encoder_.layers[0].params["W"]
    assert np.shares_memory(first, model.parameters_)
    np.testing.assert_array_equal(first.ravel(), model.parameters_[:64 * 16])
    assert len(model.encoder_) == 5 and len(model.decoder_) == 5   # Dense, act, Dense, act, Dense


def test_validation_split_and_early_stopping():
    X, _ = digits(200)
    model = small(epochs=30, validation_split=0.2, patience=2, learning_rate=0.05).fit(X)
    assert len(model.history_["val_loss"]) == len(model.history_["loss"]) <= 30
    assert 0 <= model.best_epoch_ < len(model.history_["loss"])


def test_callbacks_get_the_autoencoder_and_can_stop():
    X, _ = digits(100)
    seen = []

    def stop_after_two(model, epoch):
        seen.append((model, epoch, model.transform(X[:2]).shape))
        return epoch < 1

    model = small(epochs=5, callbacks=[stop_after_two]).fit(X)
    assert [(m is model, e, s) for m, e, s in seen] == [(True, 0, (2, 4)), (True, 1, (2, 4))]
    assert len(model.history_["loss"]) == 2


def test_the_whole_stack_passes_gradcheck_in_float64():
    # The training network of a tiny autoencoder: encoder then decoder (logits for BCE).
    X = np.random.default_rng(0).uniform(size=(5, 6))
    model = Autoencoder(hidden=(4,), latent_dim=2, activation="tanh", epochs=1,
                        dtype="float64", random_state=0).fit(X)
    network = nn.Sequential(model.encoder_.layers + model.decoder_.layers)
    errors = nn.check_gradients(network, X, tol=1e-6)
    assert set(errors) == {"x", *network.params}
    mse = nn.MeanSquaredError()
    nn.check_gradients(mse, network.forward(X), X, tol=1e-6)


# ---------------------------------------------------------------- conventions, save/load
def test_init_stores_only_parameters_and_clone_and_params_work():
    model = small()
    assert not [a for a in vars(model) if a.endswith("_")]
    assert model.get_params()["latent_dim"] == 4
    copy = clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "parameters_")
    assert model.set_params(latent_dim=2) is model and model.latent_dim == 2
    with pytest.raises(ValueError, match="'latentdim' is not a parameter of Autoencoder"):
        model.set_params(latentdim=2)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_and_load_give_the_same_codes(dtype, tmp_path):
    X, _ = digits(150)
    model = small(hidden=(16, 8), dtype=dtype, output_activation="sigmoid", loss="bce").fit(X)
    loaded = load(model.save(tmp_path / "ae"))
    assert isinstance(loaded, Autoencoder) and loaded.get_params() == model.get_params()
    assert loaded.hidden == (16, 8) and loaded.parameters_.dtype == np.dtype(dtype)
    assert loaded.history_ == model.history_
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))
    np.testing.assert_array_equal(loaded.reconstruct(X), model.reconstruct(X))
    with np.load(tmp_path / "ae.npz", allow_pickle=False) as archive:
        assert all(archive[key].dtype != object for key in archive.files)


def test_a_loaded_model_can_be_trained_again(tmp_path):
    X, _ = digits(100)
    model = small().fit(X)
    loaded = load(model.save(tmp_path / "ae"))
    np.testing.assert_array_equal(loaded.fit(X).parameters_, model.parameters_)


# ------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("params, message", [
    (dict(latent_dim=0), "latent_dim must be >= 1, got 0"),
    (dict(latent_dim=2.5), "latent_dim must be an integer, got 2.5"),
    (dict(hidden=(16, 0)), "each width in hidden must be >= 1, got 0"),
    (dict(hidden=16), "hidden must be a tuple of layer widths, got 16"),
    (dict(activation="softplus"), "activation must be one of 'relu', .*got 'softplus'"),
    (dict(output_activation="tanh"), "output_activation must be None or 'sigmoid'"),
    (dict(loss="l1"), "loss must be one of 'mse', 'bce', 'shift_mse', got 'l1'"),
    (dict(loss="bce"), "loss='bce' needs output_activation='sigmoid'"),
    (dict(optimizer="rmsprop"), "optimizer must be one of 'adam', 'sgd'"),
    (dict(learning_rate=0), "learning_rate must be > 0, got 0"),
    (dict(weight_decay=-1.0), "weight_decay must be >= 0"),
    (dict(epochs=0), "epochs must be >= 1, got 0"),
    (dict(batch_size=0), "batch_size must be >= 1, got 0"),
    (dict(validation_split=1.0), "validation_split must be >= 0 and < 1"),
    (dict(patience=0), "patience must be >= 1"),
    (dict(dtype="float16"), "dtype must be one of None \\(X's dtype\\), 'float32', "
                              "'float64', got 'float16'"),
    (dict(random_state="seed"), "random_state must be None, an int"),
    (dict(callbacks=[1]), "callbacks must be a list of functions"),
])
def test_bad_hyper_parameters(params, message):
    model = small(**params)
    with pytest.raises(ValueError, match=message):
        model.fit(low_rank(40))
    assert not hasattr(model, "parameters_")


def test_bad_X():
    X = low_rank(40)
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN value\(s\) \(first at row 3\)"):
        small().fit(X)
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        small().fit(low_rank(40)[:, 0])
    with pytest.raises(ValueError, match=r"X must hold values in \[0, 1\] for loss='bce'"):
        small(output_activation="sigmoid", loss="bce").fit(low_rank(40))


def test_too_few_samples_for_the_validation_split_leaves_no_fitted_state():
    model = small(validation_split=0.5)
    with pytest.raises(ValueError, match="validation_split=0.5 leaves"):
        model.fit(low_rank(1))
    assert not hasattr(model, "parameters_") and not hasattr(model, "n_features_in_")


@pytest.mark.parametrize("method", ["transform", "inverse_transform", "reconstruction_error",
                                    "reconstruct", "save"])
def test_use_before_fit(method, tmp_path):
    argument = tmp_path / "m" if method == "save" else low_rank(5)
    with pytest.raises(NotFittedError, match=r"This Autoencoder is not fitted yet; call fit"):
        getattr(small(), method)(argument)
    assert not hasattr(small(), "encoder_")


def test_wrong_feature_counts():
    model = small().fit(low_rank(60))
    with pytest.raises(ValueError, match="X has 19 features, but Autoencoder is expecting 20 "
                                         "features as input"):
        model.transform(low_rank(5, d=19))
    with pytest.raises(ValueError, match="X has 21 features"):
        model.reconstruction_error(low_rank(5, d=21))
    with pytest.raises(ValueError, match="Z has 3 features, but the codes of this autoencoder "
                                         "have latent_dim=4"):
        model.inverse_transform(np.zeros((2, 3)))
    X = low_rank(5)
    X[2, 7] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN value\(s\) \(first at row 2\)"):
        model.transform(X)


# ------------------------------------------------------------------ latent clustering
def latent_model(**params):
    settings = dict(autoencoder=Autoencoder(hidden=(32,), latent_dim=5, epochs=30,
                                            batch_size=32, learning_rate=5e-3,
                                            dtype="float64", random_state=0),
                    n_clusters=4, random_state=0)
    settings.update(params)
    return LatentClustering(**settings)


def test_latent_clustering_recovers_blobs_in_high_dimension():
    X, y = blobs_in_high_dimension()
    model = latent_model().fit(X)
    assert metrics.adjusted_rand_score(y, model.labels_) > 0.9
    assert model.codes_.shape == (240, 5) and isinstance(model.clusterer_, KMeans)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    assert not hasattr(model.autoencoder, "parameters_")   # the passed-in model is untouched


def test_latent_clustering_with_sklearn_dbscan():
    X, y = blobs_in_high_dimension()
    model = latent_model(clusterer=DBSCAN(eps=2.0, min_samples=5))
    labels = model.fit_predict(X)
    assert metrics.adjusted_rand_score(y, labels) > 0.9
    assert not hasattr(model.clusterer, "labels_")
    # DBSCAN has no predict: a sample takes the label of the nearest training code, eq. (1)
    np.testing.assert_array_equal(model.predict(X), labels)


def test_latent_clustering_default_and_bad_input(tmp_path):
    X, _ = blobs_in_high_dimension(n_per=10)
    model = LatentClustering(autoencoder=small(), n_clusters=3, random_state=0)
    with pytest.raises(NotFittedError, match="This LatentClustering is not fitted yet"):
        model.predict(X)
    assert model.fit_predict(X).shape == (40,)
    with pytest.raises(ValueError, match="X has 49 features"):
        model.predict(X[:, :49])
    np.testing.assert_array_equal(load(model.save(tmp_path / "m")).predict(X), model.predict(X))
    with pytest.raises(ValueError, match="clusterer must have a fit_predict"):
        LatentClustering(clusterer=object()).fit(X)
    with pytest.raises(ValueError, match="autoencoder must be an Autoencoder or None"):
        LatentClustering(autoencoder=KMeans()).fit(X)
    with pytest.raises(ValueError, match="n_clusters must be >= 1, got 0"):
        LatentClustering(n_clusters=0).fit(X)
    assert clone(model).get_params()["n_clusters"] == 3


# ------------------------------------------------------------------------------ elbow
def test_elbow_inertia_falls_and_bends_at_the_number_of_blobs():
    X, _ = blobs_in_high_dimension(n_per=30)
    ks, inertias = elbow(X, 6, random_state=0)
    np.testing.assert_array_equal(ks, np.arange(1, 7))
    assert np.all(np.diff(inertias) <= 1e-9 * inertias[0])
    np.testing.assert_allclose(inertias[0], ((X - X.mean(axis=0)) ** 2).sum(), rtol=1e-9)
    drops = -np.diff(inertias)
    assert drops[3] < 0.1 * drops[2]      # the curve flattens after k = 4


def test_elbow_of_the_code_size_bends_at_the_rank_of_the_data():
    X = low_rank(n=300, d=20, rank=3)
    template = Autoencoder(hidden=(), epochs=60, batch_size=32, learning_rate=1e-2,
                           random_state=0)
    ks, errors = elbow(X, 5, autoencoder=template)
    np.testing.assert_array_equal(ks, np.arange(1, 6))
    assert errors[0] > errors[1] > 0.1                  # 1 and 2 numbers cannot hold rank 3
    assert np.all(errors[2:] < 1e-3 * errors[0])        # 3 are enough: a linear code is exact
    assert template.latent_dim == 10 and not hasattr(template, "parameters_")   # untouched
    first = Autoencoder(hidden=(), latent_dim=1, epochs=60, batch_size=32, learning_rate=1e-2,
                        random_state=0).fit(X)
    assert errors[0] == pytest.approx(first.reconstruction_error(X).mean(), rel=1e-6)


def test_elbow_bad_input():
    X, _ = blobs_in_high_dimension(n_per=2)
    with pytest.raises(ValueError, match="k_max must be at most the number of samples \\(8\\)"):
        elbow(X, 9)
    with pytest.raises(ValueError, match="k_max must be >= 1, got 0"):
        elbow(X, 0)
    with pytest.raises(ValueError, match="autoencoder must be an Autoencoder, got KMeans"):
        elbow(X, 2, autoencoder=KMeans())
    with pytest.raises(ValueError, match="max_iter are k-means parameters"):
        elbow(X, 2, autoencoder=small(), max_iter=3)
    explicit = Autoencoder(encoder=[nn.Dense(50, 2)], decoder=[nn.Dense(2, 50)])
    with pytest.raises(ValueError, match="explicit encoder and decoder, whose code size"):
        elbow(X, 2, autoencoder=explicit)


def test_plot_elbow():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from neuroclust.plotting import plot_elbow

    fig = plot_elbow([1, 2, 3], [9.0, 3.0, 2.5])
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    assert ax.get_xlabel() == "number of clusters k"
    assert ax.get_title() == "The elbow: inertia"
    assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] >= 9.0   # a bend judged against the whole
    plt.close(fig)
    fig = plot_elbow([1, 2], [3.0, 1.0], xlabel="code size k", ylabel="reconstruction error",
                     title="Code size")
    assert fig.axes[0].get_xlabel() == "code size k"
    assert fig.axes[0].get_title() == "Code size"
    plt.close(fig)
    fig = plot_elbow([1, 2], [-3.0, 1.0], ylabel="log-likelihood")
    assert fig.axes[0].get_ylim()[0] < -3.0                      # negative values: not cut
    plt.close(fig)
    with pytest.raises(ValueError, match="ks has 2 entries but values has 3"):
        plot_elbow([1, 2], [1.0, 2.0, 3.0])


def test_epochs_calls_of_partial_fit_are_one_fit():
    """The first call builds the networks as fit does; each later one goes on with the same
    optimizer and batch order: ``epochs`` calls on the same data are one fit."""
    X = datasets.load_digits()[0][:400] / 16
    settings = dict(hidden=(8,), latent_dim=3, epochs=3, random_state=0, verbose=False)
    fitted = Autoencoder(**settings).fit(X)
    stepwise = Autoencoder(**settings)
    for _ in range(3):
        stepwise.partial_fit(X)
    np.testing.assert_array_equal(stepwise.parameters_, fitted.parameters_)
    assert stepwise.history_["loss"] == fitted.history_["loss"]
    assert stepwise.best_epoch_ is None


def test_partial_fit_of_the_subclasses_keeps_their_record(tmp_path):
    from neuroclust import SoftmaxAutoencoder, VariationalAutoencoder, load

    X = datasets.load_digits()[0][:300] / 16
    vae = VariationalAutoencoder(hidden=(8,), latent_dim=2, epochs=1, random_state=0,
                                 verbose=False)
    vae.partial_fit(X).partial_fit(X)
    assert len(vae.history_["kl"]) == len(vae.history_["reconstruction"]) == 2
    softmax = SoftmaxAutoencoder(n_clusters=4, hidden=(), epochs=1, random_state=0,
                                 verbose=False).partial_fit(X)
    softmax.partial_fit(X[:100])
    assert len(softmax.history_["entropy"]) == 2 and softmax.labels_.shape == (100,)
    vae.save(tmp_path / "vae.npz")
    loaded = load(tmp_path / "vae.npz").partial_fit(X)        # a fresh optimizer, goes on
    assert len(loaded.history_["loss"]) == 3
    with pytest.raises(ValueError, match="expecting 64 features"):
        loaded.partial_fit(X[:, :10])
