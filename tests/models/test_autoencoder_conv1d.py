"""Autoencoder(kind="conv1d"): strided 1-D convolutions for signals."""
import numpy as np
import pytest
from sklearn.base import clone

from neuroclust import Autoencoder, load, nn
from neuroclust.datasets import make_signals


def conv(**params):
    settings = dict(kind="conv1d", channels=(4, 8), kernel_size=5, latent_dim=3, epochs=1,
                    batch_size=32, random_state=0)
    settings.update(params)
    return Autoencoder(**settings)


@pytest.mark.parametrize("length", [64, 100, 127])
def test_shapes_round_trip_for_even_and_odd_lengths(length):
    X = np.random.default_rng(0).normal(size=(12, length))
    model = conv().fit(X)
    Z = model.transform(X)
    assert Z.shape == (12, 3) and Z.dtype == np.float32
    assert model.inverse_transform(Z).shape == (12, length)
    assert model.reconstruction_error(X).shape == (12,)
    X3 = np.random.default_rng(0).normal(size=(12, 2, length))
    model3 = conv(kernel_size=4).fit(X3)
    assert model3.transform(X3).shape == (12, 3) and model3.reconstruct(X3).shape == X3.shape
    assert model3.n_features_in_ == 2 * length and model3.input_shape_ == (2, length)


def test_reconstruction_error_falls_on_signals():
    X, _ = make_signals(n_samples=200, length=64, random_state=0)
    params = dict(channels=(8, 16), latent_dim=8, learning_rate=3e-3)
    barely = conv(**params).set_params(learning_rate=1e-9).fit(X)
    trained = conv(epochs=8, **params).fit(X)
    before, after = barely.reconstruction_error(X).mean(), trained.reconstruction_error(X).mean()
    assert after < 0.6 * before
    loss = trained.history_["loss"]
    assert len(loss) == 8 and loss[-1] < loss[0]


def test_parameters_are_one_vector_shared_with_the_conv_layers():
    X = np.random.default_rng(0).normal(size=(8, 32))
    model = conv().fit(X)
    layers = model.encoder_.layers_with_params() + model.decoder_.layers_with_params()
    assert any(isinstance(layer, nn.Conv1D) for layer in layers)
    assert any(isinstance(layer, nn.ConvTranspose1D) for layer in layers)
    for layer in layers:
        for value in layer.params.values():
            assert np.shares_memory(value, model.parameters_)
    assert sum(v.size for layer in layers for v in layer.params.values()) \
        == model.parameters_.size


@pytest.mark.parametrize("shape", [(20, 50), (20, 2, 37)])
def test_save_and_load_give_the_same_codes(shape, tmp_path):
    X = np.random.default_rng(1).normal(size=shape)
    model = conv(epochs=2, output_activation=None).fit(X)
    loaded = load(model.save(tmp_path / "conv"))
    assert isinstance(loaded, Autoencoder) and loaded.get_params() == model.get_params()
    assert loaded.channels == (4, 8) and loaded.kind == "conv1d"
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))
    np.testing.assert_array_equal(loaded.reconstruct(X), model.reconstruct(X))
    assert loaded.reconstruct(X).shape == shape


def test_the_conv_stack_passes_gradcheck_in_float64():
    X = np.random.default_rng(0).normal(size=(3, 2, 11))
    model = conv(channels=(2, 3), kernel_size=3, latent_dim=2, activation="tanh",
                 dtype="float64").fit(X)
    network = nn.Sequential(model.encoder_.layers + model.decoder_.layers)
    flat = X.reshape(3, -1)
    errors = nn.check_gradients(network, flat, tol=1e-6)
    assert set(errors) == {"x", *network.params}


def test_sigmoid_output_and_bce_train():
    X, _ = make_signals(n_samples=40, length=32, random_state=0)
    X = (X - X.min()) / (X.max() - X.min())
    out = conv(output_activation="sigmoid", loss="bce", epochs=2).fit(X).reconstruct(X)
    assert out.shape == X.shape and out.min() > 0 and out.max() < 1


def test_clone_and_dense_default_unchanged():
    model = conv()
    assert clone(model).get_params() == model.get_params()
    assert Autoencoder().kind == "dense"


@pytest.mark.parametrize("params, message", [
    (dict(kind="conv2d"), "kind"),
    (dict(channels=()), "channels must hold at least one"),
    (dict(channels=(4, 0)), "each count in channels"),
    (dict(channels=4), "channels must be a tuple"),
    (dict(kernel_size=0), "kernel_size"),
])
def test_bad_hyper_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        conv(**params).fit(np.zeros((4, 16)))


def test_too_short_signals_and_wrong_shapes():
    tiny = conv(kernel_size=9, channels=(2, 2, 2)).fit(np.ones((4, 3)))   # padding K//2 fits
    assert tiny.reconstruct(np.ones((4, 3))).shape == (4, 3)
    model = conv().fit(np.random.default_rng(0).normal(size=(6, 20)))
    with pytest.raises(ValueError, match=r"shape \(21,\), but .* shape \(20,\)"):
        model.transform(np.zeros((2, 21)))
    with pytest.raises(ValueError):
        model.transform(np.zeros((2, 1, 20)))
    with pytest.raises(ValueError, match="NaN|nan|finite"):
        conv().fit(np.full((4, 16), np.nan))
