"""The differentiable layers (neuroclust/nn/dense.py, activations.py, dropout.py, reshape.py):
every backward against central differences on random shapes, the stability of Sigmoid and
Softmax, Dense's initialisation, Dropout's masks, dtypes, the errors for bad input, and every
layer's config() (its architecture as JSON)."""
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from neuroclust import nn
from neuroclust.nn import (Dense, Dropout, Flatten, Identity, Layer, LeakyReLU, ReLU, Reshape,
                           Sigmoid, Softmax, Tanh, gradcheck)

TOL = 1e-6
FEW = settings(max_examples=25, deadline=None)
shapes = st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6))
seeds = st.integers(0, 2**32 - 1)

ACTIVATIONS = {
    "Identity": Identity, "ReLU": ReLU, "LeakyReLU": lambda: LeakyReLU(0.1),
    "Sigmoid": Sigmoid, "Tanh": Tanh, "Softmax": Softmax,
}


def normal(seed, shape):
    return np.random.default_rng(seed).normal(size=shape)


# --- gradients -----------------------------------------------------------------------------

@pytest.mark.parametrize("init", ["he", "glorot"])
@FEW
@given(shape=shapes, seed=seeds)
def test_dense_passes_gradcheck(init, shape, seed):
    n, d_in, d_out = shape
    layer = Dense(d_in, d_out, init=init, random_state=seed % 1000, dtype=np.float64)
    layer.params["b"] = normal(seed + 1, d_out)       # a non-zero bias is checked too
    errors = gradcheck(layer, normal(seed, (n, d_in)), seed=seed % 1000)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("name", ACTIVATIONS)
@FEW
@given(shape=shapes, seed=seeds)
def test_activations_pass_gradcheck(name, shape, seed):
    n, d, _ = shape
    errors = gradcheck(ACTIVATIONS[name](), normal(seed, (n, d)), seed=seed % 1000)
    assert errors["x"] < TOL, errors


@FEW
@given(shape=shapes, seed=seeds)
def test_shape_layers_and_dropout_at_inference_pass_gradcheck(shape, seed):
    n, a, b = shape
    x = normal(seed, (n, a, b))
    assert gradcheck(Flatten(), x)["x"] < TOL
    assert gradcheck(Reshape((b, a)), x)["x"] < TOL
    assert gradcheck(Dropout(0.5, random_state=0), x)["x"] < TOL


@FEW
@given(shape=shapes, seed=seeds)
def test_dropout_backward_in_training_is_the_scaled_mask(shape, seed):
    """Dropout draws a mask per forward, so it is checked against eq. (2) directly: with the
    mask fixed, y = m x / (1 - p) is linear, and its difference quotient is exact."""
    n, d, _ = shape
    layer = Dropout(0.4, random_state=seed)
    x = normal(seed, (n, d))
    y = layer.forward(x, training=True)
    mask = y != 0
    dy = normal(seed + 1, (n, d))
    np.testing.assert_allclose(layer.backward(dy), dy * mask / 0.6, rtol=1e-12)


# --- forward values and stability ----------------------------------------------------------

def test_activations_against_their_formulas():
    x = np.linspace(-4, 4, 17).reshape(1, -1)
    np.testing.assert_allclose(ReLU().forward(x), np.where(x > 0, x, 0))
    np.testing.assert_allclose(LeakyReLU(0.3).forward(x), np.where(x > 0, x, 0.3 * x))
    np.testing.assert_allclose(Sigmoid().forward(x), 1 / (1 + np.exp(-x)), rtol=1e-14)
    np.testing.assert_allclose(Tanh().forward(x), np.tanh(x))
    np.testing.assert_allclose(Identity().forward(x), x)


def test_sigmoid_is_stable_for_large_inputs():
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = Sigmoid().forward(x)
    assert np.all(np.isfinite(y))
    assert y[0, 0] == 0.0 and y[0, 2] == 0.5 and y[0, -1] == 1.0


def test_softmax_rows_sum_to_one_and_are_stable_for_large_inputs():
    x = np.array([[1000.0, 1000.0, 999.0], [-1000.0, 0.0, 1000.0], [1.0, 2.0, 3.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = Softmax().forward(x)
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    e = np.exp([0.0, 0.0, -1.0])
    np.testing.assert_allclose(y[0], e / e.sum())
    np.testing.assert_allclose(y[1], [0.0, 0.0, 1.0])
    np.testing.assert_allclose(y[2], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())


def test_dense_forward_is_x_w_plus_b():
    layer = Dense(3, 2, random_state=0, dtype=np.float64)
    layer.params["b"] = np.array([1.0, -1.0])
    x = normal(0, (4, 3))
    np.testing.assert_allclose(layer.forward(x), x @ layer.params["W"] + [1.0, -1.0])
    assert layer.params["W"].shape == (3, 2) and layer.params["b"].shape == (2,)


@pytest.mark.parametrize("init, variance", [("he", lambda i, o: 2 / i),
                                            ("glorot", lambda i, o: 2 / (i + o))])
def test_dense_initialisation_variance(init, variance):
    n_in, n_out = 400, 300
    W = Dense(n_in, n_out, init=init, random_state=0, dtype=np.float64).params["W"]
    target = variance(n_in, n_out)
    # the sample variance of N entries has relative standard error about sqrt(2 / N)
    # (sqrt(0.8 / N) for the uniform); 5 standard errors
    assert abs(W.var() / target - 1) < 5 * np.sqrt(2 / W.size)
    assert abs(W.mean()) < 5 * np.sqrt(target / W.size)
    np.testing.assert_array_equal(
        W, Dense(n_in, n_out, init=init, random_state=0, dtype=np.float64).params["W"])


# --- Dropout -------------------------------------------------------------------------------

def test_dropout_is_the_identity_at_inference():
    x = normal(0, (5, 6))
    layer = Dropout(0.5, random_state=0)
    np.testing.assert_array_equal(layer.forward(x), x)
    np.testing.assert_array_equal(layer.backward(x), x)


def test_dropout_scales_the_kept_entries_and_repeats_with_the_same_seed():
    x = np.ones((200, 50))
    y = Dropout(0.25, random_state=7).forward(x, training=True)
    assert set(np.unique(y)) == {0.0, 1 / 0.75}
    assert abs((y == 0).mean() - 0.25) < 0.02
    np.testing.assert_array_equal(y, Dropout(0.25, random_state=7).forward(x, training=True))
    assert not np.array_equal(y, Dropout(0.25, random_state=8).forward(x, training=True))
    np.testing.assert_array_equal(Dropout(0.0).forward(x, training=True), x)


# --- shapes and dtypes ---------------------------------------------------------------------

def test_flatten_and_reshape_round_trip():
    x = normal(0, (2, 3, 4))
    y = Flatten().forward(x)
    assert y.shape == (2, 12)
    layer = Reshape((4, 3))
    assert layer.forward(x).shape == (2, 4, 3)
    assert layer.backward(np.ones((2, 4, 3))).shape == (2, 3, 4)


@pytest.mark.parametrize("make", [
    lambda: Dense(3, 2, random_state=0), Identity, ReLU, LeakyReLU, Sigmoid, Tanh, Softmax,
    lambda: Dropout(0.5, random_state=0), Flatten, lambda: Reshape((3, 1))])
@pytest.mark.parametrize("training", [False, True])
def test_float32_stays_float32(make, training):
    layer = make()
    x = normal(0, (4, 3)).astype(np.float32)
    y = layer.forward(x, training=training)
    assert y.dtype == np.float32
    dx = layer.backward(np.ones(y.shape, dtype=np.float32))
    assert dx.dtype == np.float32 and dx.shape == x.shape
    assert all(g.dtype == np.float32 for g in layer.grads.values())
    assert isinstance(layer, Layer)


def test_float64_activations_stay_float64_and_integers_become_float64():
    assert Tanh().forward(np.ones((2, 2))).dtype == np.float64
    assert ReLU().forward(np.ones((2, 2), dtype=int)).dtype == np.float64
    dense = Dense(2, 2, random_state=0, dtype=np.float64)
    assert dense.forward(np.ones((1, 2))).dtype == np.float64


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("make, message", [
    (lambda: Dropout(1.0), "rate must be >= 0 and < 1"),
    (lambda: Dropout(-0.1), "rate must be >= 0 and < 1"),
    (lambda: LeakyReLU(-0.1), "negative_slope must be >= 0"),
    (lambda: Dense(0, 2), "n_inputs must be >= 1"),
    (lambda: Dense(2, 2.5), "n_outputs must be an integer"),
    (lambda: Dense(2, 2, init="xavier"), "init must be one of 'he', 'glorot'"),
    (lambda: Dense(2, 2, dtype=np.int32), "dtype must be numpy.float32 or numpy.float64"),
    (lambda: Reshape((2, 0)), "shape must be a non-empty tuple of positive integers"),
])
def test_bad_hyper_parameters_raise_one_sentence(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_inputs_raise_one_sentence_naming_the_argument():
    with pytest.raises(ValueError, match="x has 4 features, but this Dense layer takes n_inputs=3"):
        Dense(3, 2, random_state=0).forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="x must be a 2-D array"):
        Dense(3, 2, random_state=0).forward(np.ones(3))
    with pytest.raises(ValueError, match="x contains 1 NaN"):
        ReLU().forward(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="cannot be reshaped to"):
        Reshape((5,)).forward(np.ones((2, 4)))
    layer = Tanh()
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dy has shape \(3, 2\), but the last forward's output"):
        layer.backward(np.ones((3, 2)))


@pytest.mark.parametrize("layer", [Dense(2, 2, random_state=0), Identity(), ReLU(), LeakyReLU(),
                                   Sigmoid(), Tanh(), Softmax(), Dropout(0.1), Flatten(),
                                   Reshape((2,))], ids=lambda layer: type(layer).__name__)
def test_backward_before_forward_is_a_clear_error(layer):
    with pytest.raises(ValueError, match=f"{type(layer).__name__}.backward was called before "
                                         "forward"):
        layer.backward(np.ones((1, 2)))


LAYERS_WITH_CONFIG = [
    lambda: nn.Dense(3, 4, init="glorot"), nn.Identity, nn.ReLU, lambda: nn.LeakyReLU(0.2),
    nn.Sigmoid, nn.Tanh, nn.Softmax, lambda: nn.Dropout(0.3), nn.Flatten,
    lambda: nn.Reshape((2, 3)), lambda: nn.Conv1D(2, 3, 5, stride=2, padding=2),
    lambda: nn.Conv1D(2, 3, 4, padding="same"),
    lambda: nn.ConvTranspose1D(3, 2, 5, stride=2, padding=2, output_padding=1),
    lambda: nn.MaxPool1D(2), lambda: nn.AveragePool1D(3, stride=1), nn.GlobalAveragePool1D,
]


@pytest.mark.parametrize("make", LAYERS_WITH_CONFIG)
def test_config_rebuilds_the_same_architecture_as_json(make):
    layer = make()
    config = layer.config()
    assert json.loads(json.dumps(config)) == config
    rebuilt = type(layer)(**config)
    assert rebuilt.config() == config
    assert {k: v.shape for k, v in rebuilt.params.items()} == \
        {k: v.shape for k, v in layer.params.items()}


def test_a_layer_with_arguments_but_no_config_says_so():
    with pytest.raises(ValueError, match="Competitive cannot describe its architecture"):
        nn.Competitive(3, 2).config()


# --- the softmax's temperature (issue 13, the softmax bottleneck) ----------------------------

@pytest.mark.parametrize("temperature", [0.05, 0.5, 1.0, 3.0])
@FEW
@given(shape=shapes, seed=seeds)
def test_softmax_with_a_temperature_passes_gradcheck(temperature, shape, seed):
    n, d, _ = shape
    # inputs of the temperature's scale: x / tau of order 1, where the rows are not one-hot
    # to machine precision (there every derivative is below the differences' round-off)
    x = temperature * normal(seed, (n, d))
    errors = gradcheck(Softmax(temperature), x, seed=seed % 1000)
    assert errors["x"] < TOL, errors


def test_softmax_temperature_divides_the_inputs_and_matches_pytorch():
    torch = pytest.importorskip("torch")
    x, R = normal(0, (4, 5)) * 3, normal(1, (4, 5))
    for tau in (0.1, 1.0, 4.0):
        layer = Softmax(tau)
        y = layer.forward(x)
        expected = np.exp(x / tau) / np.exp(x / tau).sum(axis=1, keepdims=True)
        np.testing.assert_allclose(y, expected, rtol=1e-12)
        xt = torch.tensor(x, requires_grad=True)
        (torch.softmax(xt / tau, dim=1) * torch.tensor(R)).sum().backward()
        np.testing.assert_allclose(layer.backward(R), xt.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_a_low_temperature_gives_the_one_hot_row_and_a_high_one_the_uniform_row():
    x = np.array([[1.0, 3.0, 2.0], [1000.0, -1000.0, 0.0]])
    np.testing.assert_array_equal(Softmax(1e-3).forward(x), [[0, 1, 0], [1, 0, 0]])
    np.testing.assert_allclose(Softmax(1e6).forward(x[:1]), np.full((1, 3), 1 / 3), rtol=1e-5)
    # the default is the plain softmax
    np.testing.assert_array_equal(Softmax().forward(x), Softmax(1.0).forward(x))


@pytest.mark.parametrize("temperature", [0, -1.0, np.nan, np.inf, "1", True])
def test_a_bad_temperature_is_refused_with_one_sentence(temperature):
    with pytest.raises(ValueError, match="temperature must be"):
        Softmax(temperature)


def test_softmax_config_keeps_its_temperature_and_float32_stays_float32():
    layer = Softmax(0.25)
    assert type(layer)(**layer.config()).config() == {"temperature": 0.25}
    x = normal(0, (3, 4)).astype(np.float32)
    assert layer.forward(x).dtype == np.float32
    assert layer.backward(np.ones((3, 4), dtype=np.float32)).dtype == np.float32
