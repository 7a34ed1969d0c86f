"""The variational autoencoder (neuroclust/models/vae.py)."""
import warnings

import numpy as np
import pytest

from neuroclust import Autoencoder, LatentClustering, VariationalAutoencoder, load, nn
from neuroclust.base import DivergenceWarning, clone


def blobs(n=90, d=6, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0.1, 0.9, size=(3, d))
    X = centres[np.arange(n) % 3] + rng.normal(0, 0.05, size=(n, d))
    return np.clip(X, 0, 1).astype(dtype)


def small(**params):
    settings = dict(hidden=(8,), latent_dim=2, epochs=3, batch_size=16, random_state=0)
    settings.update(params)
    return VariationalAutoencoder(**settings)


def test_it_is_an_autoencoder_with_beta():
    vae = small(beta=0.25)
    assert isinstance(vae, Autoencoder)
    assert vae.get_params()["beta"] == 0.25
    assert clone(vae).get_params() == vae.get_params()


@pytest.mark.parametrize("beta", [0.0, 1.0, 3.0])
def test_the_history_holds_both_terms_and_their_sum(beta):
    vae = small(beta=beta, validation_split=0.2).fit(blobs())
    h = vae.history_
    assert list(h) == ["loss", "val_loss", "reconstruction", "kl"]
    assert all(len(values) == 3 for values in h.values())
    np.testing.assert_allclose(h["loss"], np.add(h["reconstruction"], beta * np.array(h["kl"])),
                               rtol=1e-12)
    assert all(kl >= 0 for kl in h["kl"])


@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_the_validation_loss_is_the_negative_elbo_at_the_means(loss):
    """Eq. (3) on the held-out rows with z = mu, recomputed from the public queries."""
    X = blobs()
    extra = {"output_activation": "sigmoid"} if loss == "bce" else {}
    vae = small(loss=loss, beta=0.7, validation_split=0.2, **extra).fit(X)
    X_val = X[-18:]
    mu, log_var = vae.encode(X_val)
    X_hat = vae.reconstruct(X_val)
    if loss == "mse":
        rec = np.sum((X_hat - X_val) ** 2, axis=1)
    else:
        rec = -np.sum(X_val * np.log(X_hat) + (1 - X_val) * np.log(1 - X_hat), axis=1)
    kl = 0.5 * np.sum(mu ** 2 + np.exp(log_var) - 1 - log_var, axis=1)
    assert vae.history_["val_loss"][-1] == pytest.approx(np.mean(rec + 0.7 * kl), rel=1e-6)


def test_transform_gives_the_means_and_encode_the_log_variances():
    X = blobs()
    vae = small().fit(X)
    mu, log_var = vae.encode(X)
    assert mu.shape == log_var.shape == (len(X), 2)
    np.testing.assert_array_equal(vae.transform(X), mu)
    np.testing.assert_array_equal(vae.transform(X), vae.transform(X))    # no noise
    # the encoder's last dense layer gives the 2m values; the layer after it samples
    encoder = vae.encoder_
    assert isinstance(encoder.layers[-1], nn.VariationalBottleneck)
    raw = nn.Sequential(encoder.layers[:-1]).forward(X)
    np.testing.assert_array_equal(raw, np.hstack([mu, log_var]))
    np.testing.assert_array_equal(vae.reconstruct(X), vae.inverse_transform(mu))


def test_the_code_noise_has_the_encoded_standard_deviation():
    """In training the bottleneck draws z with std exp(log_var / 2) around the mean."""
    X = blobs(n=30)
    vae = small().fit(X)
    mu, log_var = vae.encode(X[:1])
    bottleneck = vae.encoder_.layers[-1]
    raw = np.repeat(np.hstack([mu, log_var]), 100_000, axis=0)
    z = bottleneck.forward(raw, training=True)
    np.testing.assert_allclose(z.std(axis=0), np.exp(log_var[0] / 2), rtol=0.02)


def test_the_same_seed_gives_the_same_model_and_another_seed_another():
    X = blobs()
    a, b = small().fit(X), small().fit(X)
    np.testing.assert_array_equal(a.parameters_, b.parameters_)
    assert a.history_ == b.history_
    c = small(random_state=1).fit(X)
    assert not np.array_equal(a.parameters_, c.parameters_)


def test_the_noise_is_part_of_training():
    """beta = 0 still trains on sampled codes: not the plain autoencoder with 2m outputs."""
    X = blobs()
    vae = small(beta=0.0).fit(X)
    assert vae.history_["kl"][-1] > 0
    assert vae.history_["loss"] == vae.history_["reconstruction"]


def test_a_larger_beta_pulls_the_codes_towards_the_prior():
    X = blobs()
    for seed in range(3):
        kl = {beta: small(beta=beta, epochs=40, random_state=seed).fit(X).history_["kl"][-1]
              for beta in (0.1, 10.0)}
        assert kl[10.0] < 0.5 * kl[0.1], (seed, kl)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_dtype_follows_x(dtype):
    X = blobs(dtype=dtype)
    vae = small().fit(X)
    assert vae.parameters_.dtype == dtype
    assert vae.transform(X).dtype == dtype
    assert vae.sample(4, random_state=0).dtype == dtype
    assert all(m.dtype == dtype for m in vae.encode(X))


def test_sample_decodes_draws_from_the_prior():
    vae = small().fit(blobs())
    samples = vae.sample(5, random_state=3)
    assert samples.shape == (5, 6)
    np.testing.assert_array_equal(samples, vae.sample(5, random_state=3))
    Z = np.random.default_rng(3).standard_normal((5, 2))
    np.testing.assert_allclose(samples, vae.inverse_transform(Z))
    assert vae.sample(random_state=0).shape == (1, 6)


def test_conv1d_and_explicit_networks():
    rng = np.random.default_rng(0)
    signals = rng.normal(size=(40, 2, 16))
    vae = small(kind="conv1d", channels=(4,), kernel_size=3).fit(signals)
    assert vae.transform(signals).shape == (40, 2)
    assert vae.inverse_transform(vae.transform(signals)).shape == (40, 2, 16)
    assert vae.sample(3, random_state=0).shape == (3, 2, 16)
    X = blobs()
    explicit = VariationalAutoencoder(
        encoder=[nn.Dense(6, 5, random_state=0), nn.Tanh(), nn.Dense(5, 6, random_state=1)],
        decoder=[nn.Dense(3, 6, random_state=2)], epochs=2, random_state=0).fit(X)
    assert explicit.latent_dim_ == 3
    assert explicit.transform(X).shape == (len(X), 3)


def test_callbacks_and_verbose(capsys):
    seen = []
    vae = small(epochs=5, verbose=2,
                callbacks=[lambda model, epoch: seen.append(epoch) or epoch < 1]).fit(blobs())
    assert seen == [0, 1] and len(vae.history_["kl"]) == 2
    assert "epoch 2/5" in capsys.readouterr().out


def test_early_stopping_keeps_the_best_epoch():
    vae = small(epochs=30, patience=2, validation_split=0.2, learning_rate=0.05).fit(blobs())
    assert vae.best_epoch_ is not None
    assert vae.history_["val_loss"][vae.best_epoch_] == min(vae.history_["val_loss"])


def test_a_diverging_fit_keeps_the_last_good_weights():
    X = blobs()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vae = small(optimizer="sgd", learning_rate=1e6, epochs=3).fit(X)
    assert any(issubclass(w.category, DivergenceWarning) for w in caught)
    assert np.isfinite(vae.transform(X)).all()
    assert len(vae.history_["kl"]) == len(vae.history_["loss"])


def test_save_and_load_give_the_same_answers(tmp_path):
    X = blobs()
    vae = small(beta=0.5, validation_split=0.2).fit(X)
    loaded = load(vae.save(tmp_path / "vae"))
    assert type(loaded) is VariationalAutoencoder and loaded.beta == 0.5
    np.testing.assert_array_equal(loaded.transform(X), vae.transform(X))
    np.testing.assert_array_equal(loaded.sample(3, random_state=0), vae.sample(3, random_state=0))
    assert loaded.history_ == vae.history_


def test_latent_clustering_clusters_the_means(tmp_path):
    X = blobs()
    model = LatentClustering(small(epochs=20), n_clusters=3, random_state=0).fit(X)
    assert isinstance(model.autoencoder_, VariationalAutoencoder)
    np.testing.assert_array_equal(model.codes_, model.autoencoder_.transform(X))
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    loaded = load(model.save(tmp_path / "latent"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("params, message", [
    ({"beta": -1.0}, r"beta must be"),
    ({"beta": "one"}, r"beta must be"),
    ({"loss": "shift_mse"}, r"loss must be one of"),
    ({"loss": "bce"}, r"loss='bce' needs output_activation='sigmoid'"),
    ({"latent_dim": 0}, r"latent_dim must be"),
    ({"encoder": [nn.Dense(6, 3)], "decoder": [nn.Dense(1, 6)]},
     r"the encoder returns 3 values per sample.*even number"),
])
def test_bad_parameters_are_refused_before_any_work(params, message):
    vae = small(**params)
    with pytest.raises(ValueError, match=message):
        vae.fit(blobs())
    assert not hasattr(vae, "parameters_")


@pytest.mark.parametrize("call, message", [
    (lambda vae: vae.sample(0), r"n_samples must be"),
    (lambda vae: vae.sample(2.5), r"n_samples must be"),
    (lambda vae: vae.sample(2, random_state=-1), r"random_state"),
    (lambda vae: vae.encode(np.zeros((3, 5))), r"X has 5 features"),
    (lambda vae: vae.transform(np.full((3, 6), np.nan)), r"NaN"),
    (lambda vae: vae.inverse_transform(np.zeros((3, 4))), r"Z has 4 features"),
])
def test_bad_queries_are_refused(call, message):
    vae = small().fit(blobs())
    with pytest.raises(ValueError, match=message):
        call(vae)


def test_queries_before_fit_are_refused():
    from neuroclust import NotFittedError
    for call in (lambda v: v.sample(2), lambda v: v.encode(blobs()),
                 lambda v: v.transform(blobs())):
        with pytest.raises(NotFittedError):
            call(small())
