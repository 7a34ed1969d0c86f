"""Sequential (neuroclust/nn/sequential.py): the chain rule through a stack of layers against
central differences, the params/grads views, and the errors for bad layers."""
import numpy as np
import pytest

from neuroclust.nn import SGD, Dense, Dropout, MeanSquaredError, ReLU, Sequential, Tanh, gradcheck
from neuroclust.nn.gradcheck import _central_differences, _relative_error

TOL = 1e-6


def small_network(seed=0):
    return Sequential([Dense(3, 5, random_state=seed, dtype=np.float64), ReLU(),
                       Dense(5, 2, random_state=seed + 1, dtype=np.float64)])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sequential_passes_gradcheck(seed):
    model = small_network(seed)
    model.params["0.b"][:] = np.random.default_rng(seed).normal(size=5)   # non-zero biases
    x = np.random.default_rng(seed + 10).normal(size=(4, 3))
    errors = gradcheck(model, x, seed=seed)
    assert set(errors) == {"x", "0.W", "0.b", "2.W", "2.b"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mse_of_a_sequential_passes_gradcheck(seed):
    """The whole training gradient: d MSE(model(x), t) / d theta for every parameter."""
    rng = np.random.default_rng(seed)
    model, loss = small_network(seed), MeanSquaredError()
    x, t = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    loss.forward(model.forward(x), t)
    model.backward(loss.backward())
    analytic = {name: g.copy() for name, g in model.grads.items()}

    def f():
        return loss.forward(model.forward(x), t)

    for name, theta in model.params.items():
        numeric = _central_differences(f, theta, 1e-6, lambda plus, minus: plus - minus)
        error, _ = _relative_error(analytic[name], numeric, 1e-2)
        assert error < TOL, (name, error)


def test_params_and_grads_are_views_of_the_layers_arrays():
    model = small_network()
    assert model.params["0.W"] is model[0].params["W"]
    model.params["2.b"][:] = 7.0
    assert np.all(model[2].params["b"] == 7.0)
    model.forward(np.ones((4, 3)))
    model.backward(np.ones((4, 2)))
    assert model.grads["2.W"] is model[2].grads["W"]
    assert model.n_params() == 3 * 5 + 5 + 5 * 2 + 2


def test_layers_with_params_skips_activations_and_flattens_nesting():
    inner = Sequential([Dense(2, 2), Tanh()])
    model = Sequential([Dense(3, 2), ReLU(), inner, Dropout(0.5)])
    assert model.layers_with_params() == [model[0], inner[0]]
    assert len(model) == 4 and list(model)[1] is model[1]


def test_an_optimizer_steps_a_sequential():
    model = small_network()
    before = {name: p.copy() for name, p in model.params.items()}
    model.forward(np.ones((4, 3)))
    model.backward(np.ones((4, 2)))
    grads = {name: g.copy() for name, g in model.grads.items()}
    SGD(0.1).step(model)
    for name, p in model.params.items():
        np.testing.assert_allclose(p, before[name] - 0.1 * grads[name])


def test_training_flag_reaches_every_layer():
    model = Sequential([Dropout(0.5, random_state=0)])
    x = np.ones((10, 10))
    np.testing.assert_array_equal(model.forward(x), x)
    assert np.any(model.forward(x, training=True) == 0)


@pytest.mark.parametrize("layers, match", [
    ([], "at least one layer"),
    (5, "layers must be a list"),
    ([Dense(2, 2), "relu"], r"layers\[1\] must be a Layer"),
])
def test_bad_layers_raise_one_sentence(layers, match):
    with pytest.raises(ValueError, match=match):
        Sequential(layers)


def _grads_of(layers, x, dy, params_only):
    model = Sequential(layers)
    model.forward(x)
    result = model.backward_params(dy) if params_only else model.backward(dy)
    return result, {name: g.copy() for name, g in model.grads.items()}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lead", [[], [Dropout(0.0)], [Tanh()]])
def test_backward_params_fills_the_same_grads_without_the_input_gradient(dtype, lead):
    """What nn.train calls: every parameter's gradient bit for bit as backward gives it,
    the layers before the first one with parameters and dL/dx skipped, None returned."""
    from neuroclust.nn import Conv1D, Reshape

    rng = np.random.default_rng(3)
    for layers, x in [
            (lead + [Dense(6, 5, random_state=0, dtype=dtype), ReLU(),
                     Sequential([Dense(5, 4, random_state=1, dtype=dtype), Tanh()]),
                     Dense(4, 2, random_state=2, dtype=dtype)], rng.normal(size=(7, 6))),
            (lead + [Conv1D(1, 3, 3, padding=1, random_state=0, dtype=dtype), ReLU(), Reshape((24,)),
                     Dense(24, 2, random_state=1, dtype=dtype)], rng.normal(size=(5, 1, 8)))]:
        x = x.astype(dtype)
        dy = rng.normal(size=(x.shape[0], 2)).astype(dtype)
        dx, full = _grads_of(layers, x, dy, params_only=False)
        assert dx.shape == x.shape
        nothing, partial = _grads_of(layers, x, dy, params_only=True)
        assert nothing is None
        assert full.keys() == partial.keys()
        for name in full:
            assert full[name].tobytes() == partial[name].tobytes(), name


def test_backward_params_of_layers_without_parameters_does_nothing():
    model = Sequential([ReLU(), Tanh()])
    model.forward(np.ones((2, 3)))
    assert model.backward_params(np.ones((2, 3))) is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_relu_gives_the_numbers_of_the_layer_by_layer_chain(dtype):
    """Inside a Sequential, ReLU overwrites a Dense layer's output and the gradient the next
    Dense returns; the numbers are those of calling each layer's forward and backward, and
    neither the caller's x nor its dy is touched (a ReLU first in the stack, or last, works
    on a copy)."""
    rng = np.random.default_rng(4)

    def layers():
        return [ReLU(), Dense(6, 5, random_state=0, dtype=dtype), ReLU(),
                Dense(5, 5, random_state=1, dtype=dtype), ReLU(), ReLU(),
                Dense(5, 3, random_state=2, dtype=dtype), ReLU()]

    x = rng.normal(size=(9, 6)).astype(dtype)
    x[0, :3] = 0.0                                           # inputs exactly at the kink
    dy = rng.normal(size=(9, 3)).astype(dtype)
    x_before, dy_before = x.copy(), dy.copy()
    model = Sequential(layers())
    y = model.forward(x)
    dx = model.backward(dy)
    chain = layers()
    h = x
    for layer in chain:
        h = layer.forward(h)
    g = dy
    for layer in reversed(chain):
        g = layer.backward(g)
    assert y.tobytes() == h.tobytes() and dx.tobytes() == g.tobytes()
    for ours, theirs in zip(model.layers, chain):
        for name in ours.grads:
            assert ours.grads[name].tobytes() == theirs.grads[name].tobytes()
    assert x.tobytes() == x_before.tobytes() and dy.tobytes() == dy_before.tobytes()
    assert y.tobytes() == model.forward(x).tobytes()         # the cache is rebuilt each time
