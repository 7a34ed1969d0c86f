"""ContrastiveClustering (models/contrastive.py): its networks and their gradient, what
training does to the two views (over seeds), the queries, the clusterer, dtypes, seeds,
saving, bad input, and a fit that diverges or is interrupted."""
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from neuroclust import (ContrastiveClustering, DivergenceWarning, KMeans, NotFittedError,
                        TrainingInterruptedWarning, augment as A, load, nn)


def blobs(seed, n=120, d=6, k=3, separation=8.0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d))
    centres *= separation / np.sqrt(2) / np.linalg.norm(centres, axis=1, keepdims=True)
    y = np.arange(n) % k
    return centres[y] + rng.normal(size=(n, d)), y


def small(**params):
    settings = dict(n_clusters=3, hidden=(8,), latent_dim=4, projection_dim=3, epochs=3,
                    batch_size=32, n_init=2, random_state=0)
    settings.update(params)
    return ContrastiveClustering(**settings)


# ------------------------------------------------------------------ the networks
def test_the_networks_are_the_encoder_and_simclrs_head():
    X, _ = blobs(0)
    model = small(hidden=(8, 5)).fit(X)
    assert [type(l).__name__ for l in model.encoder_.layers] == [
        "Dense", "ReLU", "Dense", "ReLU", "Dense"]
    assert [type(l).__name__ for l in model.projection_.layers] == ["Dense", "ReLU", "Dense"]
    assert model.projection_.layers[0].params["W"].shape == (4, 4)
    assert model.projection_.layers[2].params["W"].shape == (4, 3)
    widths = [6, 8, 5, 4, 4, 3]
    assert model.parameters_.size == sum(a * b + b for a, b in zip(widths, widths[1:]))
    assert model.latent_dim_ == 4 and model.dtype_ == np.float64


@pytest.mark.parametrize("temperature", [0.1, 0.5, 1.0])
def test_the_training_network_under_ntxent_passes_gradcheck(temperature):
    """The encoder and head in float64 with the loss of the model's temperature: every
    parameter's gradient against central differences."""
    X, _ = blobs(1, n=10)
    model = small(dtype="float64", temperature=temperature, epochs=1, activation="tanh").fit(X)
    network = nn.Sequential(model.encoder_.layers + model.projection_.layers)
    loss = nn.NTXentLoss(temperature)
    loss.forward(network.forward(X))
    network.backward(loss.backward())
    for layer in network.layers_with_params():
        for name, param in layer.params.items():
            analytic = layer.grads[name].copy()
            numeric = np.zeros_like(param)
            for index in np.ndindex(param.shape):
                saved = param[index]
                param[index] = saved + 1e-6
                plus = loss.forward(network.forward(X))
                param[index] = saved - 1e-6
                minus = loss.forward(network.forward(X))
                param[index] = saved
                numeric[index] = (plus - minus) / 2e-6
            np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_training_lowers_the_loss_over_seeds():
    """Counted over seeds: the last epoch's loss below the first in every run. (The views'
    alignment need not rise: an untrained network already maps nearby views to nearby
    embeddings; the loss also spreads the samples apart.)"""
    X, _ = blobs(2, n=200)
    for seed in range(5):
        model = small(epochs=30, augment=A.GaussianNoise(0.3), random_state=seed).fit(X)
        loss, alignment = model.history_["loss"], model.history_["alignment"]
        assert len(loss) == len(alignment) == 30
        assert loss[-1] < loss[0], seed
        assert all(-1 <= a <= 1 for a in alignment)


def test_well_separated_blobs_are_found_over_seeds():
    hits = 0
    for seed in range(5):
        X, y = blobs(seed, n=240, separation=12.0)
        model = small(hidden=(32,), latent_dim=16, projection_dim=8, epochs=40,
                      augment=A.GaussianNoise(0.3), random_state=seed).fit(X)
        hits += adjusted_rand_score(y, model.labels_) > 0.9
    assert hits >= 4


# ------------------------------------------------------------------ queries
def test_transform_is_the_normalised_representation_and_predict_the_clusterer_on_it():
    X, _ = blobs(3)
    model = small().fit(X)
    Z = model.transform(X)
    assert Z.shape == (120, 4)
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), model.clusterer_.predict(Z))
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    raw = small(normalize=False).fit(X)
    np.testing.assert_allclose(raw.transform(X), raw.encoder_.forward(X))


def test_fit_predict_and_clone_and_pipeline():
    X, _ = blobs(4)
    model = small()
    labels = model.fit_predict(X)
    np.testing.assert_array_equal(labels, clone(model).fit(X).labels_)
    pipe = Pipeline([("scale", StandardScaler()), ("cc", small())]).fit(X)
    assert pipe.predict(X).shape == (120,)


def test_the_same_seed_gives_the_same_model_and_another_seed_another():
    X, _ = blobs(5)
    a, b, c = small().fit(X), small().fit(X), small(random_state=1).fit(X)
    np.testing.assert_array_equal(a.parameters_, b.parameters_)
    assert a.history_ == b.history_
    assert not np.array_equal(a.parameters_, c.parameters_)


def test_the_default_clusterer_is_kmeans_and_any_fit_predict_clusterer_works():
    X, _ = blobs(6)
    model = small(n_init=3).fit(X)
    assert isinstance(model.clusterer_, KMeans) and model.clusterer_.n_init == 3
    agglomerative = small(clusterer=AgglomerativeClustering(3)).fit(X)
    assert agglomerative.labels_.shape == (120,)
    with pytest.raises(ValueError, match="cannot label new samples"):
        agglomerative.predict(X)
    given = KMeans(3, n_init=1, random_state=0)
    fitted = small(clusterer=given).fit(X)
    assert fitted.clusterer_ is not given and "cluster_centers_" not in vars(given)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_dtype_of_x_is_kept(dtype):
    X = blobs(7)[0].astype(dtype)
    model = small().fit(X)
    assert model.parameters_.dtype == dtype and model.transform(X).dtype == dtype
    forced = small(dtype="float32").fit(X.astype(np.float64))
    assert forced.parameters_.dtype == np.float32
    assert forced.transform(X).dtype == np.float32


def test_explicit_networks_are_copied_and_trained():
    X, _ = blobs(8)
    encoder = nn.Sequential([nn.Dense(6, 5, random_state=0), nn.Tanh(), nn.Dense(5, 3,
                                                                             random_state=1)])
    head = [nn.Dense(3, 2, random_state=2)]
    before = encoder.layers[0].params["W"].copy()
    model = small(encoder=encoder, projection=head).fit(X)
    np.testing.assert_array_equal(encoder.layers[0].params["W"], before)
    assert model.latent_dim_ == 3 and model.transform(X).shape == (120, 3)
    assert model.parameters_.size == 6 * 5 + 5 + 5 * 3 + 3 + 3 * 2 + 2


def test_a_callback_sees_each_epoch_and_can_stop():
    X, _ = blobs(9)
    seen = []

    def callback(model, epoch):
        seen.append((epoch, model.transform(X[:2]).shape))
        return epoch < 1

    model = small(epochs=5, callbacks=[callback]).fit(X)
    assert seen == [(0, (2, 4)), (1, (2, 4))] and len(model.history_["loss"]) == 2


# ------------------------------------------------------------------ saving
def test_save_and_load_give_back_the_same_answers(tmp_path):
    X, _ = blobs(10)
    aug = A.Compose([A.GaussianNoise(0.2), A.FeatureMask(0.1)])
    model = small(augment=aug).fit(X)
    again = load(model.save(tmp_path / "cc"))
    np.testing.assert_array_equal(again.transform(X), model.transform(X))
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    assert again.history_ == model.history_ and again.augment == aug
    explicit = small(encoder=[nn.Dense(6, 3, random_state=0)],
                     projection=[nn.Dense(3, 2, random_state=1)]).fit(X)
    np.testing.assert_array_equal(load(explicit.save(tmp_path / "e")).transform(X),
                                  explicit.transform(X))


def test_a_foreign_clusterer_cannot_be_saved(tmp_path):
    model = small(clusterer=AgglomerativeClustering(3)).fit(blobs(11)[0])
    with pytest.raises(ValueError, match="cannot be saved with a AgglomerativeClustering"):
        model.save(tmp_path / "m")


def test_a_corrupt_file_is_refused(tmp_path):
    X, _ = blobs(12)
    model = small().fit(X)
    model.parameters_ = model.parameters_[:-1]
    model._networks = None
    with pytest.raises(ValueError):
        load(model.save(tmp_path / "bad"))


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("params, match", [
    (dict(temperature=0), "temperature"),
    (dict(augment=3), "augment must be a function"),
    (dict(clusterer="kmeans"), "clusterer must have a fit_predict"),
    (dict(hidden="8"), "hidden must be a tuple"),
    (dict(hidden=(0,)), "each width in hidden"),
    (dict(latent_dim=0), "latent_dim"),
    (dict(projection_dim=1.5), "projection_dim"),
    (dict(activation="gelu"), "activation"),
    (dict(normalize="yes"), "normalize must be True or False"),
    (dict(optimizer="rmsprop"), "optimizer"),
    (dict(learning_rate=-1), "learning_rate"),
    (dict(epochs=0), "epochs"),
    (dict(batch_size=0), "batch_size"),
    (dict(n_init=0), "n_init"),
    (dict(dtype="float16"), "dtype"),
    (dict(encoder="dense"), "encoder must be"),
    (dict(augment=A.TimeShift(50)), "augment cannot change rows of X"),
    (dict(augment=lambda X, rng: X[:, :2]), "augment must return an array of the batch"),
    (dict(n_clusters=500), "at least 500 are needed"),
    (dict(encoder=[nn.Dense(4, 2)]), "the encoder cannot take rows of 6 values"),
])
def test_bad_parameters_are_refused_before_any_work(params, match):
    X, _ = blobs(13)
    with pytest.raises(ValueError, match=match):
        small(**params).fit(X)


@pytest.mark.parametrize("X, match", [
    (np.array([[1.0, np.nan]] * 10), "NaN"),
    (np.ones(10), "2-D|dimension"),
    (np.zeros((0, 3)), "sample"),
])
def test_bad_data_is_refused(X, match):
    with pytest.raises(ValueError, match=match):
        small(n_clusters=1).fit(X)


def test_queries_before_fit_and_with_the_wrong_width_are_refused():
    with pytest.raises(NotFittedError):
        small().transform(np.ones((2, 6)))
    model = small().fit(blobs(14)[0])
    with pytest.raises(ValueError, match="features"):
        model.predict(np.ones((2, 5)))


def test_a_diverging_fit_keeps_the_last_good_weights_and_says_so():
    X, _ = blobs(15)
    with pytest.warns(DivergenceWarning):
        model = small(learning_rate=1e300, optimizer="sgd", epochs=4).fit(X)
    assert np.all(np.isfinite(model.parameters_))
    assert np.all(np.isfinite(model.transform(X))) and model.labels_.shape == (120,)


def test_ctrl_c_keeps_the_model_trained_so_far():
    X, _ = blobs(16)

    def interrupt(model, epoch):
        if epoch == 1:
            raise KeyboardInterrupt

    with pytest.warns(TrainingInterruptedWarning):
        model = small(epochs=5, callbacks=[interrupt]).fit(X)
    assert len(model.history_["loss"]) in (1, 2)
    assert model.predict(X).shape == (120,)
