"""Autoencoder(encoder=..., decoder=...): an explicit architecture instead of ``kind``."""
import numpy as np
import pytest
from sklearn.base import clone

from neuroclust import Autoencoder, LatentClustering, load, nn
from neuroclust.datasets import make_signals


def dense_pair(n_features=6, latent=2, seed=0):
    encoder = nn.Sequential([nn.Dense(n_features, 5, random_state=seed), nn.LeakyReLU(0.1),
                             nn.Dense(5, latent, init="glorot", random_state=seed + 1)])
    decoder = [nn.Dense(latent, 5, random_state=seed + 2), nn.ReLU(), nn.Dropout(0.1),
               nn.Dense(5, n_features, init="glorot", random_state=seed + 3)]
    return encoder, decoder


def conv_pair(length=32):
    encoder = [nn.Reshape((2, length)), nn.Conv1D(2, 4, 3, padding="same", random_state=0),
               nn.Tanh(), nn.MaxPool1D(2), nn.Conv1D(4, 4, 3, stride=2, padding=1,
                                                   random_state=1),
               nn.Tanh(), nn.GlobalAveragePool1D(), nn.Dense(4, 3, init="glorot",
                                                              random_state=2)]
    decoder = [nn.Dense(3, 4 * (length // 2), random_state=3), nn.Tanh(),
               nn.Reshape((4, length // 2)),
               nn.ConvTranspose1D(4, 2, 4, stride=2, padding=1, random_state=4), nn.Flatten()]
    return encoder, decoder


def test_trains_copies_of_the_given_layers_from_their_weights():
    X = np.random.default_rng(0).normal(size=(40, 6))
    encoder, decoder = dense_pair()
    before = encoder.layers[0].params["W"].copy()
    model = Autoencoder(encoder=encoder, decoder=decoder, epochs=30, learning_rate=3e-3,
                        random_state=0).fit(X)
    np.testing.assert_array_equal(encoder.layers[0].params["W"], before)   # untouched
    assert model.latent_dim_ == 2 and model.transform(X).shape == (40, 2)
    assert model.reconstruct(X).shape == X.shape
    untrained = Autoencoder(encoder=encoder, decoder=decoder, epochs=1, learning_rate=1e-12,
                            random_state=0).fit(X)
    np.testing.assert_allclose(untrained.encoder_.layers[0].params["W"], before, atol=1e-9)
    again = clone(model).fit(X)                                   # same start, same result
    np.testing.assert_array_equal(again.parameters_, model.parameters_)
    assert (model.reconstruction_error(X).mean()              # Dropout is off here
            < 0.9 * untrained.reconstruction_error(X).mean())


def test_same_network_as_the_built_in_one_gives_the_same_model():
    X = np.random.default_rng(1).normal(size=(30, 6))
    settings = dict(epochs=3, batch_size=30, dtype="float64", random_state=0)  # one batch
    built_in = Autoencoder(hidden=(5,), latent_dim=2, **settings).fit(X)
    encoder, decoder = Autoencoder(hidden=(5,), latent_dim=2, dtype="float64")._build(
        (6,), np.random.default_rng(0), np.float64)     # the weights fit drew first
    explicit = Autoencoder(encoder=encoder, decoder=decoder, **settings).fit(X)
    np.testing.assert_allclose(explicit.parameters_, built_in.parameters_, rtol=1e-12)
    assert explicit.history_["loss"] == pytest.approx(built_in.history_["loss"], rel=1e-12)


@pytest.mark.parametrize("shape, pair, loss", [((25, 6), dense_pair, "mse"),
                                               ((25, 2, 32), conv_pair, "shift_mse")])
def test_save_and_load_rebuild_the_architecture(shape, pair, loss, tmp_path):
    X = np.random.default_rng(2).normal(size=shape)
    encoder, decoder = pair()
    model = Autoencoder(encoder=encoder, decoder=decoder, loss=loss, epochs=2,
                        random_state=0).fit(X)
    loaded = load(model.save(tmp_path / "explicit"))
    assert [type(layer) for layer in loaded.encoder_.layers] == \
        [type(layer) for layer in model.encoder_.layers]
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))
    np.testing.assert_array_equal(loaded.reconstruct(X), model.reconstruct(X))
    assert loaded.reconstruct(X).shape == shape
    assert loaded.encoder_.layers[-1].config() == model.encoder_.layers[-1].config()


def test_explicit_networks_pass_gradcheck_and_cluster_in_latent_clustering():
    X, y = make_signals(n_samples=30, length=32, random_state=0)
    X2 = np.stack([X, -X], axis=1)                              # two channels
    encoder, decoder = conv_pair()
    model = Autoencoder(encoder=encoder, decoder=decoder, epochs=2, dtype="float64",
                        random_state=0).fit(X2)
    network = nn.Sequential(model.encoder_.layers + model.decoder_.layers)
    errors = nn.check_gradients(network, X2[:3].reshape(3, -1), tol=1e-6)
    assert set(errors) == {"x", *network.params}
    clustered = LatentClustering(autoencoder=model, n_clusters=3, random_state=0).fit(X2)
    assert clustered.labels_.shape == (30,)


def test_bce_needs_a_sigmoid_at_the_end_and_uses_the_logits():
    X = np.random.default_rng(3).random((20, 6))
    encoder, decoder = dense_pair()
    with pytest.raises(ValueError, match=r"loss='bce' needs the decoder to end with nn.Sigmoid"):
        Autoencoder(encoder=encoder, decoder=decoder, loss="bce", epochs=1).fit(X)
    model = Autoencoder(encoder=encoder, decoder=decoder + [nn.Sigmoid()], loss="bce",
                        epochs=1, random_state=0).fit(X)
    out = model.reconstruct(X)
    assert out.min() > 0 and out.max() < 1


@pytest.mark.parametrize("encoder, decoder, message", [
    (dense_pair()[0], None, "encoder and decoder must be given together; the decoder"),
    (None, dense_pair()[1], "encoder and decoder must be given together; the encoder"),
    ("dense", dense_pair()[1], "encoder must be a neuroclust.nn.Sequential or a non-empty"),
    ([], dense_pair()[1], "encoder must be a neuroclust.nn.Sequential or a non-empty"),
    ([nn.Dense(5, 2)], dense_pair()[1], "the encoder cannot take samples of 6 values"),
    ([nn.Reshape((2, 3))], dense_pair()[1], r"the encoder returns codes of shape \(2, 3\)"),
    (dense_pair()[0], [nn.Dense(3, 6)], "the decoder cannot take the encoder's codes of 2"),
    (dense_pair()[0], [nn.Dense(2, 5)], r"the decoder returns samples of shape \(5,\)"),
])
def test_bad_architectures_say_what_is_wrong(encoder, decoder, message):
    model = Autoencoder(encoder=encoder, decoder=decoder, epochs=1)
    with pytest.raises(ValueError, match=message):
        model.fit(np.zeros((4, 6)))
    assert not hasattr(model, "parameters_")


def test_a_layer_without_config_cannot_be_saved(tmp_path):
    X = np.random.default_rng(4).normal(size=(10, 6))
    encoder = [nn.Dense(6, 3)]

    class Doubling(nn.Layer):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

        def forward(self, x, training=False):
            return x * self.factor

        def backward(self, dy):
            return dy * self.factor

    model = Autoencoder(encoder=encoder + [Doubling(2.0)], decoder=[nn.Dense(3, 6)],
                        epochs=1, random_state=0).fit(X)
    assert model.transform(X).shape == (10, 3)
    with pytest.raises(ValueError, match="Doubling cannot describe its architecture"):
        model.save(tmp_path / "m")


def test_a_latent_clustering_of_an_explicit_autoencoder_saves_whole(tmp_path):
    X = np.random.default_rng(5).normal(size=(30, 6))
    encoder, decoder = dense_pair()
    model = LatentClustering(autoencoder=Autoencoder(encoder=encoder, decoder=decoder,
                                                     epochs=2, random_state=0),
                             n_clusters=3, random_state=0).fit(X)
    loaded = load(model.save(tmp_path / "nested"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))
    for network in (loaded.autoencoder.encoder, loaded.autoencoder_.encoder):   # param, fitted
        assert [layer.config() for layer in network.layers] == \
            [layer.config() for layer in encoder.layers]
    refit = clone(loaded.autoencoder).fit(X)             # the parameter is usable again
    assert refit.transform(X).shape == (30, 2)


def test_a_corrupt_saved_architecture_is_reported(tmp_path):
    import json

    X = np.random.default_rng(6).normal(size=(10, 6))
    model = Autoencoder(encoder=dense_pair()[0], decoder=dense_pair()[1], epochs=1,
                        random_state=0).fit(X)
    path = model.save(tmp_path / "m")
    with np.load(path) as archive:
        contents = {name: archive[name] for name in archive.files}
    meta = json.loads(str(contents["__meta__"]))
    meta["extra"]["encoder"][0][0] = "Transformer"
    contents["__meta__"] = np.array(json.dumps(meta))
    np.savez(path, **contents)
    with pytest.raises(ValueError, match="cannot be rebuilt .*unknown layer 'Transformer'"):
        load(path)
