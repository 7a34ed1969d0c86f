"""The optimizers (neuroclust/nn/optimizers.py): each update rule against a hand computation,
Nesterov against Sutskever et al.'s look-ahead form, Adam's bias correction, convergence on a
quadratic, weight decay, in-place updates and dtypes, and the errors for bad arguments."""
import math

import numpy as np
import pytest

from neuroclust.nn import SGD, Adam, Dense, Layer


class Params(Layer):
    """A layer that only holds parameters; the tests write its gradients directly."""

    def __init__(self, **params):
        super().__init__()
        self.params = {name: np.array(value, dtype=np.float64) for name, value in params.items()}
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}

    def forward(self, x, training=False):
        return x

    def backward(self, dy):
        return dy


def run(optimizer, gradients, theta0=1.0):
    """Apply ``optimizer`` with the given sequence of scalar gradients; the thetas after each."""
    layer = Params(w=[theta0])
    thetas = []
    for g in gradients:
        layer.grads["w"] = np.array([g])
        optimizer.step(layer)
        thetas.append(float(layer.params["w"][0]))
    return thetas


# --- each rule against a hand computation ---------------------------------------------------

def test_plain_sgd_by_hand():
    # theta <- theta - 0.1 g, with g = 1, 2, -1
    assert run(SGD(0.1), [1, 2, -1]) == pytest.approx([0.9, 0.7, 0.8])


def test_momentum_by_hand():
    # v1 = -0.1, theta1 = 0.9; v2 = 0.9(-0.1) - 0.2 = -0.29, theta2 = 0.61;
    # v3 = 0.9(-0.29) + 0.1 = -0.161, theta3 = 0.449
    assert run(SGD(0.1, momentum=0.9), [1, 2, -1]) == pytest.approx([0.9, 0.61, 0.449])


def test_nesterov_by_hand():
    # phi <- phi + mu v - eta g with the new v: 1 - 0.09 - 0.1 = 0.81;
    # 0.81 - 0.261 - 0.2 = 0.349; 0.349 - 0.1449 + 0.1 = 0.3041
    assert run(SGD(0.1, momentum=0.9, nesterov=True), [1, 2, -1]) == pytest.approx(
        [0.81, 0.349, 0.3041])


def test_nesterov_follows_the_look_ahead_form_of_sutskever_et_al():
    """v <- mu v - eta grad(theta + mu v), theta <- theta + v; we store phi = theta + mu v."""
    rng = np.random.default_rng(0)
    A = np.diag([1.0, 4.0, 9.0])
    theta, v = rng.normal(size=3), np.zeros(3)
    eta, mu = 0.05, 0.8
    layer = Params(w=theta.copy())                                 # phi = theta at v = 0
    optimizer = SGD(eta, momentum=mu, nesterov=True)
    for _ in range(5):
        v = mu * v - eta * A @ (theta + mu * v)
        theta = theta + v
        layer.grads["w"] = A @ layer.params["w"]                   # gradient at phi
        optimizer.step(layer)
        np.testing.assert_allclose(layer.params["w"], theta + mu * v, rtol=1e-12)


def test_adam_by_hand():
    eta, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    theta, m, v, expected = 1.0, 0.0, 0.0, []
    for t, g in enumerate([1.0, 2.0, -1.0], start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        theta -= eta * m_hat / (math.sqrt(v_hat) + eps)
        expected.append(theta)
    thetas = run(Adam(eta), [1, 2, -1])
    assert thetas == pytest.approx(expected, rel=1e-12)
    assert thetas[0] == pytest.approx(0.9)                          # m_hat = g, v_hat = g^2


@pytest.mark.parametrize("g", [1e-3, 1.0, 1e3, -5.0])
def test_adam_bias_correction_makes_the_first_step_eta_whatever_the_gradient_scale(g):
    # without eqs. (3)-(4) the first step would be eta (1 - b1) / sqrt(1 - b2) ~ 0.32 eta
    step = 1.0 - run(Adam(0.01), [g])[0]
    assert step == pytest.approx(0.01 * np.sign(g), rel=1e-4)


def test_adam_keeps_a_step_count_per_parameter():
    """A parameter first seen later starts its own bias correction at t = 1."""
    a, b = Params(w=[1.0]), Params(w=[1.0])
    optimizer = Adam(0.1)
    for layer in (a, b):
        layer.grads["w"] = np.array([3.0])
    optimizer.step(a)
    optimizer.step(a)
    optimizer.step([a, b])
    assert b.params["w"][0] == pytest.approx(0.9)


# --- convergence ------------------------------------------------------------------------------

def steps_to_converge(optimizer, A, theta0, tol=1e-6, max_steps=5000):
    layer = Params(w=theta0)
    for k in range(max_steps):
        if np.linalg.norm(layer.params["w"]) < tol:
            return k
        layer.grads["w"] = A @ layer.params["w"]                   # f = theta' A theta / 2
        optimizer.step(layer)
    return max_steps


def test_momentum_and_nesterov_converge_faster_on_an_ill_conditioned_quadratic():
    A, theta0 = np.diag([1.0, 100.0]), np.array([1.0, 1.0])
    eta = 0.009                                                   # stable: eta < 2 / 100
    plain = steps_to_converge(SGD(eta), A, theta0)
    heavy = steps_to_converge(SGD(eta, momentum=0.9), A, theta0)
    nesterov = steps_to_converge(SGD(eta, momentum=0.9, nesterov=True), A, theta0)
    assert plain < 5000 and heavy < plain / 3 and nesterov < plain / 3, (plain, heavy, nesterov)


def test_adam_converges_on_a_quadratic():
    A = np.diag([1.0, 100.0])
    layer = Params(w=[1.0, -1.0])
    optimizer = Adam(0.05)
    for _ in range(2000):
        layer.grads["w"] = A @ layer.params["w"]
        optimizer.step(layer)
    assert np.linalg.norm(layer.params["w"]) < 1e-3


# --- weight decay -----------------------------------------------------------------------------

def test_sgd_weight_decay_shrinks_weights_with_zero_gradient():
    assert run(SGD(0.1, weight_decay=0.5), [0, 0, 0], theta0=2.0) == pytest.approx(
        [2 * 0.95, 2 * 0.95 ** 2, 2 * 0.95 ** 3])
    with_momentum = run(SGD(0.1, momentum=0.5, weight_decay=0.5), [0] * 20, theta0=2.0)
    assert all(0 < b < a for a, b in zip([2.0] + with_momentum, with_momentum))


def test_adam_weight_decay_is_decoupled():
    # zero gradient: m = v = 0, so only the decay moves theta: theta (1 - eta lambda)^t
    assert run(Adam(0.1, weight_decay=0.5), [0, 0, 0], theta0=2.0) == pytest.approx(
        [2 * 0.95, 2 * 0.95 ** 2, 2 * 0.95 ** 3])
    # with a gradient, the decay is not rescaled by 1 / sqrt(v_hat): the step is the plain
    # Adam step plus eta lambda theta
    plain = run(Adam(0.1), [1e3], theta0=2.0)[0]
    decayed = run(Adam(0.1, weight_decay=0.5), [1e3], theta0=2.0)[0]
    assert decayed == pytest.approx(plain - 0.1 * 0.5 * 2.0)


# --- in place, per layer, dtypes ----------------------------------------------------------------

@pytest.mark.parametrize("optimizer", [SGD(0.1, momentum=0.9), Adam(0.01)], ids=repr)
def test_step_updates_a_dense_layer_in_place_and_keeps_float32(optimizer):
    layer = Dense(3, 2, random_state=0)
    W, before = layer.params["W"], layer.params["W"].copy()
    layer.forward(np.ones((4, 3)))
    layer.backward(np.ones((4, 2)))
    optimizer.step([layer])
    assert layer.params["W"] is W and W.dtype == np.float32
    assert not np.array_equal(W, before)


def test_state_is_kept_per_layer_and_name():
    a, b = Params(w=[1.0]), Params(w=[1.0])
    optimizer = SGD(0.1, momentum=0.9)
    a.grads["w"], b.grads["w"] = np.array([1.0]), np.array([0.0])
    optimizer.step([a, b])
    optimizer.step([a, b])
    assert b.params["w"][0] == 1.0                                # b's velocity never moved
    assert a.params["w"][0] == pytest.approx(0.9 - 0.19)


def test_reset_forgets_the_velocity():
    optimizer = SGD(0.1, momentum=0.9)
    layer = Params(w=[1.0])
    layer.grads["w"] = np.array([1.0])
    optimizer.step(layer).reset().step(layer)
    assert layer.params["w"][0] == pytest.approx(0.8)


# --- bad arguments ----------------------------------------------------------------------------

@pytest.mark.parametrize("make, name", [
    (lambda: SGD(0), "learning_rate"),
    (lambda: SGD(-0.1), "learning_rate"),
    (lambda: SGD("fast"), "learning_rate"),
    (lambda: SGD(0.1, momentum=1.0), "momentum"),
    (lambda: SGD(0.1, momentum=-0.1), "momentum"),
    (lambda: SGD(0.1, momentum=0.9, nesterov="yes"), "nesterov"),
    (lambda: SGD(0.1, nesterov=True), "nesterov"),
    (lambda: SGD(0.1, weight_decay=-1), "weight_decay"),
    (lambda: Adam(float("nan")), "learning_rate"),
    (lambda: Adam(beta1=1.0), "beta1"),
    (lambda: Adam(beta2=-0.5), "beta2"),
    (lambda: Adam(eps=0), "eps"),
    (lambda: Adam(weight_decay=float("inf")), "weight_decay"),
])
def test_bad_arguments_raise_one_sentence_naming_the_argument(make, name):
    with pytest.raises(ValueError) as error:
        make()
    message = str(error.value)
    assert name in message and message.endswith(".") and "\n" not in message


def test_step_rejects_bad_layers_and_missing_or_misshapen_gradients():
    with pytest.raises(ValueError, match="layers must be"):
        SGD(0.1).step(3)
    layer = Params(w=[1.0, 2.0])
    del layer.grads["w"]
    with pytest.raises(ValueError, match="no gradient for its parameter 'w'"):
        SGD(0.1).step(layer)
    layer.grads["w"] = np.zeros(3)
    with pytest.raises(ValueError, match="has shape"):
        SGD(0.1).step(layer)
    optimizer = Adam()
    layer.grads["w"] = np.zeros(2)
    optimizer.step(layer)
    layer.params["w"], layer.grads["w"] = np.zeros(5), np.zeros(5)
    with pytest.raises(ValueError, match="changed shape"):
        optimizer.step(layer)
