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
    assert Z.shape == (12, 3) and Z.dtype == np.float64
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


def test_global_pool_codes_ignore_a_circular_shift_and_shift_mse_aligns():
    X = np.random.default_rng(2).normal(size=(6, 2, 32))
    model = conv(global_pool=True, loss="shift_mse", kernel_size=3, epochs=2,
                 dtype="float64").fit(X)
    pooled = [layer for layer in model.encoder_.layers
              if isinstance(layer, nn.GlobalAveragePool1D)]
    assert len(pooled) == 1 and model.encoder_.layers[-1].params["W"].shape == (8, 3)
    # stride-2 convolutions see a signal shifted by a multiple of 4 the same way, up to the
    # zero-padded ends: with circular data the codes move only a little
    codes, shifted = model.transform(X), model.transform(np.roll(X, 4, axis=2))
    plain = conv(kernel_size=3, epochs=2, dtype="float64").fit(X)
    drift = np.abs(codes - shifted).max() / np.abs(codes).max()
    plain_drift = (np.abs(plain.transform(X) - plain.transform(np.roll(X, 4, axis=2))).max()
                   / np.abs(plain.transform(X)).max())
    assert drift < 0.5 * plain_drift
    # reconstruct rotates each reconstruction into line with its input, both channels together
    raw = model.inverse_transform(codes)
    aligned = model.reconstruct(X)
    loss = nn.ShiftInvariantMSE(channels=2)
    expected = loss.forward(raw.reshape(6, -1), X.reshape(6, -1))
    for x_hat, r, s in zip(aligned, raw, loss.shifts_):
        np.testing.assert_array_equal(x_hat, np.roll(r, s, axis=-1))
    np.testing.assert_allclose(model.reconstruction_error(X).mean(), expected, rtol=1e-10)
    assert model.history_["loss"][-1] >= expected * 0.5     # same loss as in training


def test_shift_invariant_autoencoder_separates_phase_shifted_waves():
    from neuroclust import KMeans
    from neuroclust.metrics import adjusted_rand_score

    X, y = make_signals(n_samples=150, length=64, random_state=0)
    model = conv(global_pool=True, loss="shift_mse", channels=(8, 16), latent_dim=8,
                 epochs=30, batch_size=16, learning_rate=3e-3).fit(X)   # ARI 0.9-1 on 6 seeds
    labels = KMeans(3, n_init=5, random_state=0).fit(model.transform(X)).labels_
    raw = KMeans(3, n_init=5, random_state=0).fit(X).labels_
    assert adjusted_rand_score(y, labels) > 0.8 > 0.2 > adjusted_rand_score(y, raw)


@pytest.mark.parametrize("params, message", [
    (dict(global_pool=1), "global_pool must be True or False"),
    (dict(kind="dense", global_pool=True), "global_pool=True needs kind='conv1d'"),
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
