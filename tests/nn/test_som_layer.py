"""The SOM layer: one-hot winners forward, the map energy's gradient, Kohonen's online rule."""
import numpy as np
import pytest

from neuroclust.backend import reference
from neuroclust.nn import SelfOrganizingMap


def map_energy(W, x, winners, H):
    """(1/2n) sum_i sum_k h_{k c_i} ||x_i - w_k||^2, written out plainly."""
    squared = ((x[:, None, :] - W[None, :, :]) ** 2).sum(axis=2)  # (n, units)
    return 0.5 * (H[:, winners].T * squared).sum() / len(x)


@pytest.mark.parametrize("topology, toroidal", [("rectangular", False), ("hexagonal", True)])
@pytest.mark.parametrize("backend", ["numpy", "cython"])
def test_gradient_matches_central_differences(topology, toroidal, backend):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 3)) * [1.0, -2.0, 0.5]
    layer = SelfOrganizingMap((4, 3), 3, sigma=1.3, topology=topology, toroidal=toroidal,
                              random_state=2, backend=backend)
    layer.forward(x)
    assert np.array_equal(layer.backward(np.zeros((40, 12))), np.zeros_like(x))
    W, winners = layer.params["W"].copy(), layer._winners
    H = layer.neighbourhood_matrix(np)
    numeric = np.zeros_like(W)
    step = 1e-6
    for index in np.ndindex(W.shape):
        plus, minus = W.copy(), W.copy()
        plus[index] += step
        minus[index] -= step
        numeric[index] = (map_energy(plus, x, winners, H) - map_energy(minus, x, winners, H)) / (2 * step)
    relative = np.abs(numeric - layer.grads["W"]).max() / np.abs(numeric).max()
    assert relative < 1e-6


def test_forward_is_one_hot_of_the_winner():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(25, 5))
    layer = SelfOrganizingMap((2, 5), 5, random_state=0, backend="numpy")
    y = layer.forward(x)
    winners = reference.bmu(x, layer.params["W"])[0]
    assert y.shape == (25, 10)
    np.testing.assert_array_equal(y.argmax(axis=1), winners)
    np.testing.assert_array_equal(y.sum(axis=1), np.ones(25))


@pytest.mark.parametrize("backend", ["numpy", "cython"])
def test_update_is_kohonens_rule_with_constant_rate_and_radius(backend):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(30, 2))
    layer = SelfOrganizingMap((3, 3), 2, sigma=0.8, learning_rate=0.2, random_state=4,
                              backend=backend)
    expected = layer.params["W"].copy()
    # the layer drew its initial weights first, then the order: replay both draws
    replay = np.random.default_rng(4)
    replay.standard_normal((9, 2))
    order = replay.permutation(30)
    reference.som_online(x, expected, (3, 3), "rectangular", False, order, np.full(30, 0.2),
                         np.full(30, 0.8))
    layer.update(x)
    np.testing.assert_allclose(layer.params["W"], expected, rtol=1e-12, atol=1e-12)


def test_sgd_step_on_the_gradient_is_the_batch_map_direction():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(60, 2))
    layer = SelfOrganizingMap((2, 2), 2, sigma=0.7, random_state=0, backend="numpy")
    layer.forward(x)
    layer.backward(None)
    W = layer.params["W"]
    H = layer.neighbourhood_matrix(np)
    sums, counts = reference.accumulate(x, layer._winners, 4)
    batch_target = reference.som_batch_weights(sums, counts, H, W)
    step_size = len(x) / (H @ counts)  # the per-unit step that lands on the fixed point
    np.testing.assert_allclose(W - step_size[:, None] * layer.grads["W"], batch_target,
                               atol=1e-12)


def test_backward_before_forward_is_an_error():
    layer = SelfOrganizingMap((2, 2), 3, random_state=0)
    with pytest.raises(ValueError, match="before forward"):
        layer.backward(None)
