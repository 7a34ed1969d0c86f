"""The Competitive layer (neuroclust/nn/competitive.py): its forward pass against the reference
winners, its backward pass against the formula and against central finite differences, its
SGD step against the batch competitive rule, and ``update`` against ``wta_online``."""
import numpy as np
import pytest

from neuroclust.backend import available_backends, reference
from neuroclust.nn import Competitive, Layer
from neuroclust.nn.competitive import total_variance

BACKENDS = [
    "numpy",
    pytest.param("cython", marks=pytest.mark.skipif(
        "cython" not in available_backends(), reason="the compiled kernels are not built")),
]


@pytest.fixture(autouse=True)
def no_override(monkeypatch):
    """The backend under test is the one named, whatever the shell's NEUROCLUST_BACKEND."""
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


def make_layer(backend, n_units=5, n_inputs=3, seed=0, learning_rate=0.1):
    return Competitive(n_units, n_inputs, learning_rate=learning_rate, random_state=seed,
                       backend=backend)


def make_data(seed=1, n_samples=60, n_features=3, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_samples, n_features)).astype(dtype)


def true_squared_distances(X, W):
    X, W = np.asarray(X, dtype=np.float64), np.asarray(W, dtype=np.float64)
    return ((X[:, None, :] - W[None, :, :]) ** 2).sum(axis=-1)


def quantization_energy(X, W, winners):
    """E(W) = 1/(2n) sum_i ||x_i - w_{c_i}||^2 with the winners c_i held fixed."""
    return 0.5 * ((X - W[winners]) ** 2).sum() / X.shape[0]


# --- forward -------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_forward_is_the_one_hot_code_of_the_reference_winner(backend):
    layer = make_layer(backend)
    X = make_data()
    y = layer.forward(X)
    assert isinstance(layer, Layer)
    assert y.shape == (60, 5) and y.dtype == np.float64
    assert set(np.unique(y)) <= {0.0, 1.0}
    np.testing.assert_array_equal(y.sum(axis=1), 1.0)
    winners = reference.bmu(X, layer.params["W"])[0]
    np.testing.assert_array_equal(y.argmax(axis=1), winners)
    np.testing.assert_array_equal(winners, true_squared_distances(X, layer.params["W"]).argmin(1))
    np.testing.assert_array_equal(layer(X), y)        # __call__ is forward


@pytest.mark.parametrize("backend", BACKENDS)
def test_forward_keeps_float32(backend):
    layer = make_layer(backend)
    X = make_data(dtype=np.float32)
    y = layer.forward(X)
    assert y.dtype == np.float32 and layer.params["W"].dtype == np.float32
    truth = true_squared_distances(X, layer.params["W"])
    chosen = truth[np.arange(len(X)), y.argmax(axis=1)]
    np.testing.assert_allclose(chosen, truth.min(axis=1), rtol=1e-5, atol=1e-5)


# --- backward ------------------------------------------------------------------------------

def forward_with_a_dead_unit(backend):
    """A layer whose last unit is far from every sample, so it wins nothing."""
    layer = make_layer(backend)
    layer.params["W"][-1] = 50.0
    X = make_data()
    layer.forward(X)
    return layer, X


@pytest.mark.parametrize("backend", BACKENDS)
def test_backward_returns_zeros_and_the_gradient_formula(backend):
    layer, X = forward_with_a_dead_unit(backend)
    W = layer.params["W"].copy()
    winners = reference.bmu(X, W)[0]
    dx = layer.backward(np.ones((60, 5)))
    assert dx.shape == X.shape and dx.dtype == X.dtype and not dx.any()
    # eq. (2): dE/dw_j = -(1/n) sum_{i in C_j} (x_i - w_j), unit by unit.
    expected = np.zeros_like(W)
    for j in range(W.shape[0]):
        for i in range(X.shape[0]):
            if winners[i] == j:
                expected[j] -= (X[i] - W[j]) / X.shape[0]
    assert not expected[-1].any()                 # the dead unit gets no gradient
    np.testing.assert_allclose(layer.grads["W"], expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("backend", BACKENDS)
def test_backward_matches_central_finite_differences(backend):
    layer, X = forward_with_a_dead_unit(backend)
    W = layer.params["W"].copy()
    winners = reference.bmu(X, W)[0]
    layer.backward(np.zeros((60, 5)))
    analytic = layer.grads["W"]
    numeric = np.zeros_like(W)
    step = 1e-6
    for index in np.ndindex(*W.shape):
        plus, minus = W.copy(), W.copy()
        plus[index] += step
        minus[index] -= step
        numeric[index] = (quantization_energy(X, plus, winners)
                          - quantization_energy(X, minus, winners)) / (2 * step)
    error = np.linalg.norm(numeric - analytic) / max(np.linalg.norm(numeric)
                                                     + np.linalg.norm(analytic), 1e-300)
    assert error < 1e-6, error


@pytest.mark.parametrize("backend", BACKENDS)
def test_backward_overwrites_the_gradient(backend):
    layer = make_layer(backend)
    X = make_data()
    layer.forward(X)
    layer.backward(None)
    first = layer.grads["W"].copy()
    layer.forward(X)
    layer.backward(None)
    np.testing.assert_array_equal(layer.grads["W"], first)   # not doubled


@pytest.mark.parametrize("backend", BACKENDS)
def test_sgd_step_is_the_batch_competitive_rule(backend):
    layer, X = forward_with_a_dead_unit(backend)
    W = layer.params["W"].copy()
    winners = reference.bmu(X, W)[0]
    layer.backward(None)
    learning_rate = 0.7
    stepped = W - learning_rate * layer.grads["W"]
    # The batch rule: each unit moves towards the mean of its samples by the fraction
    # lr * n_j / n of the way; a unit with no samples stays where it is.
    n = X.shape[0]
    for j in range(W.shape[0]):
        members = X[winners == j]
        if len(members) == 0:
            np.testing.assert_array_equal(stepped[j], W[j])
            continue
        fraction = learning_rate * len(members) / n
        expected = (1 - fraction) * W[j] + fraction * members.mean(axis=0)
        np.testing.assert_allclose(stepped[j], expected, rtol=1e-12, atol=1e-14)


def test_backward_before_forward_is_an_error():
    with pytest.raises(ValueError, match="backward was called before forward"):
        make_layer("numpy").backward(np.zeros((2, 5)))


# --- update --------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_update_is_wta_online_in_the_layers_random_order(backend, dtype):
    X = make_data(dtype=dtype)
    layer = make_layer(backend, seed=7, learning_rate=0.3)
    layer.update(X)
    # The same generator, drawn in the same order: initial prototypes, then the permutation.
    rng = np.random.default_rng(7)
    W = rng.standard_normal((5, 3)).astype(dtype)
    order = rng.permutation(X.shape[0])
    reference.wta_online(X, W, order, 0.3)
    assert layer.params["W"].dtype == dtype
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(layer.params["W"], W, rtol=rtol, atol=rtol)
    # A second pass draws a new permutation from the same generator.
    layer.update(X)
    reference.wta_online(X, W, rng.permutation(X.shape[0]), 0.3)
    np.testing.assert_allclose(layer.params["W"], W, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("data_variance", [None, 0.5])
def test_update_with_a_conscience_passes_the_variance(backend, data_variance):
    # None: the variance V of each x that update receives; a number: that number.
    X = 7.0 * make_data(seed=3)
    layer = Competitive(5, 3, learning_rate=0.2, random_state=7, backend=backend,
                        conscience=True, conscience_rate=0.05, conscience_bias=4.0,
                        data_variance=data_variance)
    layer.update(X)
    rng = np.random.default_rng(7)
    W = rng.standard_normal((5, 3))
    order = rng.permutation(X.shape[0])
    p = np.full(5, 0.2)
    variance = total_variance(X) if data_variance is None else data_variance
    reference.wta_online(X, W, order, 0.2, p, 0.05, 4.0, variance)
    np.testing.assert_allclose(layer.params["W"], W, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.win_frequency, p, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_total_variance_is_the_mean_squared_distance_to_the_mean(dtype):
    X = (1000.0 + 3.0 * make_data(seed=4, n_samples=500, n_features=4)).astype(dtype)
    X64 = X.astype(np.float64)
    expected = ((X64 - X64.mean(axis=0)) ** 2).sum(axis=1).mean()
    got = total_variance(X)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-12)
    assert total_variance(np.ones((3, 2), dtype=dtype)) == 0.0


def test_update_moves_prototypes():
    layer = make_layer("numpy")
    before = layer.params["W"].copy()
    layer.update(make_data())
    assert not np.array_equal(layer.params["W"], before)


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["forward", "update"])
def test_wrong_feature_count_is_an_error_naming_x(method):
    layer = make_layer("numpy", n_inputs=4)
    with pytest.raises(ValueError, match=r"^x has 3 features, but this layer takes 4"):
        getattr(layer, method)(make_data(n_features=3))


@pytest.mark.parametrize("bad, message", [
    (np.zeros(3), r"^x must be a 2-D array"),
    (np.array([[0.0, np.nan, 1.0]]), r"^x contains 1 NaN"),
    (np.zeros((0, 3)), r"^x is empty"),
])
def test_other_bad_input_names_x(bad, message):
    with pytest.raises(ValueError, match=message):
        make_layer("numpy").forward(bad)
