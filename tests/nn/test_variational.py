"""The Gaussian bottleneck of a variational autoencoder (neuroclust/nn/variational.py) and the
extra loss terms it hands to nn.train and nn.gradcheck."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroclust import nn
from neuroclust.base import DivergenceWarning


def _inputs(n, m, seed=0, scale=1.0):
    return np.random.default_rng(seed).normal(scale=scale, size=(n, 2 * m))


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 4.0])
@pytest.mark.parametrize("n, m", [(1, 1), (5, 3), (8, 1), (3, 6)])
@pytest.mark.parametrize("training", [True, False])
def test_gradcheck_with_the_noise_held(beta, n, m, training):
    layer = nn.VariationalBottleneck(beta=beta, random_state=0)
    x = _inputs(n, m, seed=n + m)
    layer.forward(x, training=training)
    layer.hold_noise = True                       # eq. (2) is then a function of x alone
    errors = nn.check_gradients(layer, x, training=training, tol=1e-6)
    assert set(errors) == {"x"}


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6), m=st.integers(1, 4), beta=st.floats(0, 5),
       scale=st.floats(0.1, 2.0), seed=st.integers(0, 2 ** 16))
def test_gradcheck_on_random_shapes(n, m, beta, scale, seed):
    layer = nn.VariationalBottleneck(beta=beta, random_state=seed)
    x = _inputs(n, m, seed=seed, scale=scale)
    layer.forward(x, training=True)
    layer.hold_noise = True
    nn.check_gradients(layer, x, training=True, tol=1e-5)


def test_a_wrong_kl_gradient_is_caught():
    """The check sees the KL term: dropping its gradient fails it."""
    layer = nn.VariationalBottleneck(beta=1.0, random_state=0)
    x = _inputs(4, 2)
    layer.forward(x, training=True)
    layer.hold_noise = True
    original = layer.backward

    def without_kl(dy):
        beta, layer.beta = layer.beta, 0.0
        try:
            return original(dy)
        finally:
            layer.beta = beta

    layer.backward = without_kl
    with pytest.raises(AssertionError, match="differs from central differences"):
        nn.check_gradients(layer, x, training=True)


def test_the_standard_deviation_is_exp_of_half_the_log_variance():
    m, n = 3, 200_000
    mu = np.array([[0.5, -1.0, 2.0]])
    log_var = np.array([[np.log(4.0), 0.0, np.log(0.25)]])     # sigma = 2, 1, 0.5
    x = np.repeat(np.hstack([mu, log_var]), n, axis=0)
    layer = nn.VariationalBottleneck(random_state=0)
    z = layer.forward(x, training=True)
    assert z.shape == (n, m)
    np.testing.assert_allclose(z.std(axis=0), [2.0, 1.0, 0.5], rtol=0.01)
    np.testing.assert_allclose(z.mean(axis=0), mu[0], atol=0.02)
    eps = layer.noise_
    np.testing.assert_allclose(z, mu + np.exp(log_var / 2) * eps)


def test_the_code_is_the_mean_at_inference():
    x = _inputs(6, 2)
    layer = nn.VariationalBottleneck(random_state=0)
    np.testing.assert_array_equal(layer.forward(x), x[:, :2])
    np.testing.assert_array_equal(layer.noise_, 0)


def test_the_kl_is_the_closed_form_averaged_per_sample():
    x = _inputs(5, 3)
    mu, log_var = x[:, :3], x[:, 3:]
    layer = nn.VariationalBottleneck(beta=2.5, random_state=0)
    layer.forward(x, training=True)
    expected = np.mean(0.5 * np.sum(mu ** 2 + np.exp(log_var) - 1 - log_var, axis=1))
    assert layer.kl_ == pytest.approx(expected, rel=1e-12)
    assert layer.extra_losses() == {"kl": (2.5, layer.kl_)}
    # zero exactly at the prior, positive elsewhere
    layer.forward(np.zeros((4, 6)))
    assert layer.kl_ == 0.0


def test_the_kl_matches_a_monte_carlo_estimate():
    """KL(q || p) = E_q[log q(z) - log p(z)], estimated from the layer's own draws."""
    mu, log_var = np.array([[0.7, -0.3]]), np.array([[-0.5, 0.8]])
    n = 400_000
    x = np.repeat(np.hstack([mu, log_var]), n, axis=0)
    layer = nn.VariationalBottleneck(random_state=1)
    z = layer.forward(x, training=True)
    var = np.exp(log_var)
    log_q = -0.5 * np.sum(np.log(2 * np.pi * var) + (z - mu) ** 2 / var, axis=1)
    log_p = -0.5 * np.sum(np.log(2 * np.pi) + z ** 2, axis=1)
    assert np.mean(log_q - log_p) == pytest.approx(layer.kl_, abs=0.01)


def test_seeded_noise_repeats_and_float32_is_kept():
    x = _inputs(4, 2).astype(np.float32)
    a = nn.VariationalBottleneck(random_state=3).forward(x, training=True)
    b = nn.VariationalBottleneck(random_state=3).forward(x, training=True)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32
    layer = nn.VariationalBottleneck(random_state=3)
    layer.forward(x, training=True)
    assert layer.backward(np.ones((4, 2), np.float32)).dtype == np.float32


def test_fresh_noise_each_training_forward_unless_held():
    x = _inputs(4, 2)
    layer = nn.VariationalBottleneck(random_state=0)
    first = layer.forward(x, training=True)
    assert not np.array_equal(first, layer.forward(x, training=True))
    layer.hold_noise = True
    held = layer.forward(x, training=True)
    np.testing.assert_array_equal(held, layer.forward(x, training=True))


@pytest.mark.parametrize("call, message", [
    (lambda: nn.VariationalBottleneck(beta=-1), r"beta must be"),
    (lambda: nn.VariationalBottleneck(beta="big"), r"beta must be"),
    (lambda: nn.VariationalBottleneck(random_state=-2), r"random_state"),
    (lambda: nn.VariationalBottleneck().forward(np.zeros((3, 5))), r"x has 5 columns.*even"),
    (lambda: nn.VariationalBottleneck().forward(np.zeros(4)), r"x must be a 2-D"),
    (lambda: nn.VariationalBottleneck().backward(np.zeros((1, 1))), r"before forward"),
])
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_backward_refuses_a_gradient_of_the_wrong_shape():
    layer = nn.VariationalBottleneck()
    layer.forward(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="dy has shape"):
        layer.backward(np.zeros((3, 4)))


def test_config_rebuilds_the_layer():
    layer = nn.VariationalBottleneck(beta=0.25, random_state=0)
    assert layer.config() == {"beta": 0.25}
    assert nn.VariationalBottleneck(**layer.config()).beta == 0.25


def test_sequential_merges_extra_losses():
    net = nn.Sequential([nn.Dense(3, 4, random_state=0, dtype=np.float64),
                         nn.VariationalBottleneck(beta=2.0, random_state=0),
                         nn.Dense(2, 2, random_state=0, dtype=np.float64),
                         nn.VariationalBottleneck(beta=0.5, random_state=1)])
    assert net.extra_losses() == {}
    net.forward(np.ones((2, 3)), training=True)
    terms = net.extra_losses()
    assert list(terms) == ["kl", "kl_2"]
    assert terms["kl"] == (2.0, net[1].kl_) and terms["kl_2"] == (0.5, net[3].kl_)
    assert nn.Dense(2, 2).extra_losses() == {}


def test_gradcheck_of_a_network_holding_the_bottleneck():
    rng = np.random.default_rng(0)
    bottleneck = nn.VariationalBottleneck(beta=1.5, random_state=0)
    net = nn.Sequential([nn.Dense(4, 6, random_state=rng, dtype=np.float64), nn.Tanh(),
                         bottleneck, nn.Dense(3, 4, random_state=rng, dtype=np.float64)])
    x = rng.normal(size=(5, 4))
    net.forward(x, training=True)
    bottleneck.hold_noise = True
    nn.check_gradients(net, x, training=True)


# ----------------------------------------------------------------- nn.train and the KL term
def _vae_net(seed=0, d=6, m=2, beta=1.0):
    rng = np.random.default_rng(seed)
    return nn.Sequential([nn.Dense(d, 8, random_state=rng, dtype=np.float64), nn.ReLU(),
                          nn.Dense(8, 2 * m, init="glorot", random_state=rng,
                                   dtype=np.float64),
                          nn.VariationalBottleneck(beta=beta, random_state=rng),
                          nn.Dense(m, 8, random_state=rng, dtype=np.float64), nn.ReLU(),
                          nn.Dense(8, d, init="glorot", random_state=rng, dtype=np.float64)])


def test_train_adds_the_kl_and_records_each_part():
    X = np.random.default_rng(0).normal(size=(64, 6))
    history = nn.train(_vae_net(beta=2.0), nn.MeanSquaredError(), nn.Adam(1e-2), X, epochs=4,
                       batch_size=16, random_state=0, validation_split=0.25)
    assert set(history) == {"loss", "val_loss", "best_epoch", "data_loss", "kl"}
    for key in ("loss", "val_loss", "data_loss", "kl"):
        assert len(history[key]) == 4
    np.testing.assert_allclose(history["loss"],
                               np.add(history["data_loss"], 2.0 * np.array(history["kl"])))


def test_train_without_extra_terms_keeps_its_history():
    X = np.random.default_rng(0).normal(size=(32, 3))
    net = nn.Sequential([nn.Dense(3, 3, random_state=0, dtype=np.float64)])
    history = nn.train(net, nn.MeanSquaredError(), nn.SGD(0.01), X, epochs=2, random_state=0)
    assert set(history) == {"loss", "val_loss", "best_epoch"}


def test_the_kl_lowers_when_it_is_weighted():
    """With beta large, training drives the codes' Gaussians to the prior."""
    X = np.random.default_rng(0).normal(size=(128, 6))
    kl = {}
    for beta in (0.0, 10.0):
        history = nn.train(_vae_net(beta=beta), nn.MeanSquaredError(), nn.Adam(1e-2), X,
                           epochs=30, batch_size=32, random_state=0)
        kl[beta] = history["kl"][-1]
    assert kl[10.0] < 0.1 * kl[0.0]


def test_an_overflowing_kl_stops_training_and_keeps_the_last_good_weights():
    X = np.random.default_rng(0).normal(size=(32, 6))
    net = _vae_net()
    before = {name: value.copy() for name, value in net.params.items()}
    net[2].params["b"][2:] = 1e4                  # log-variances whose exp overflows
    kept = {name: value.copy() for name, value in net.params.items()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = nn.train(net, nn.MeanSquaredError(), nn.Adam(1e-3), X, epochs=3,
                           random_state=0)
    assert any(issubclass(w.category, DivergenceWarning) for w in caught)
    assert history["loss"] == []
    for name, value in net.params.items():
        np.testing.assert_array_equal(value, kept[name])
    assert any(not np.array_equal(before[k], kept[k]) for k in before)


# --------------------------------------------------------------- PyTorch as an oracle
def test_the_elbo_and_its_gradient_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    n, d, m, beta = 7, 5, 3, 0.7
    X = rng.uniform(size=(n, d))
    enc = nn.Dense(d, 2 * m, init="glorot", random_state=rng, dtype=np.float64)
    bottleneck = nn.VariationalBottleneck(beta=beta, random_state=1)
    dec = nn.Dense(m, d, init="glorot", random_state=rng, dtype=np.float64)
    net = nn.Sequential([enc, nn.Tanh(), bottleneck, dec])
    loss = nn.BinaryCrossEntropy()                    # on the logits
    value = loss.forward(net.forward(X, training=True), X)
    total = value + beta * bottleneck.kl_
    net.backward(loss.backward())
    eps = torch.tensor(bottleneck.noise_)

    W1 = torch.tensor(enc.params["W"], requires_grad=True)
    b1 = torch.tensor(enc.params["b"], requires_grad=True)
    W2 = torch.tensor(dec.params["W"], requires_grad=True)
    b2 = torch.tensor(dec.params["b"], requires_grad=True)
    x = torch.tensor(X)
    h = torch.tanh(x @ W1 + b1)
    mu, log_var = h[:, :m], h[:, m:]
    z = mu + torch.exp(0.5 * log_var) * eps
    logits = z @ W2 + b2
    rec = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, x, reduction="sum") / n
    kl = -0.5 * torch.sum(1 + log_var - mu ** 2 - log_var.exp()) / n
    elbo = rec + beta * kl
    elbo.backward()

    assert total == pytest.approx(elbo.item(), rel=1e-12)
    assert bottleneck.kl_ == pytest.approx(kl.item(), rel=1e-12)
    for mine, theirs in ((enc.grads["W"], W1), (enc.grads["b"], b1), (dec.grads["W"], W2),
                         (dec.grads["b"], b2)):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)
