"""gradcheck (neuroclust/nn/gradcheck.py): it passes correct gradients, catches wrong ones
with a clear message, leaves the checked layer unchanged, and refuses what it cannot check."""
import numpy as np
import pytest

from neuroclust.nn import Dense, Layer, MeanSquaredError, Tanh, check_gradients, gradcheck
from neuroclust.nn.gradcheck import _relative_error


class Square(Layer):
    """y = x * x, with a backward that can be broken on purpose."""

    def __init__(self, factor=2.0):
        super().__init__()
        self.factor = factor

    def forward(self, x, training=False):
        self._x = np.asarray(x, dtype=np.float64)
        return self._x ** 2

    def backward(self, dy):
        return self.factor * self._x * dy


def test_a_correct_backward_passes_and_the_errors_are_named_per_tensor():
    x = np.random.default_rng(0).normal(size=(3, 4))
    errors = gradcheck(Dense(4, 2, random_state=0, dtype=np.float64), x)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < 1e-6
    assert gradcheck(Square(), x)["x"] < 1e-6


def test_a_wrong_backward_fails_with_the_tensor_and_the_worst_entry():
    x = np.random.default_rng(1).normal(size=(2, 3))
    assert gradcheck(Square(factor=1.0), x)["x"] == pytest.approx(0.5, rel=1e-4)
    with pytest.raises(AssertionError, match=r"gradient of x in Square.backward .*worst entry"):
        check_gradients(Square(factor=-2.0), x)


def test_check_gradients_returns_the_errors_when_they_pass():
    x = np.random.default_rng(2).normal(size=(2, 3))
    assert check_gradients(Tanh(), x)["x"] < 1e-6


def test_the_layer_is_left_as_it_was():
    layer = Dense(3, 2, random_state=0, dtype=np.float64)
    before = {name: p.copy() for name, p in layer.params.items()}
    x = np.random.default_rng(3).normal(size=(4, 3))
    x_before = x.copy()
    gradcheck(layer, x)
    for name, p in layer.params.items():
        np.testing.assert_array_equal(p, before[name])
    np.testing.assert_array_equal(x, x_before)


def test_the_relative_error_follows_its_definition():
    g, g_hat = np.array([1.0, -2.0, 0.0]), np.array([1.1, -2.0, 0.0])
    assert _relative_error(g, g_hat, tiny=0)[0] == pytest.approx(0.1 / 1.1)
    # below the floor, an entry is judged against tiny times the largest entry
    g, g_hat = np.array([10.0, 1e-3]), np.array([10.0, 2e-3])
    assert _relative_error(g, g_hat, tiny=1e-2)[0] == pytest.approx(1e-3 / 0.1)
    assert _relative_error(g, g_hat, tiny=0)[0] == pytest.approx(0.5)


def test_refusals_are_clear_sentences():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="needs float64 parameters, but W is float32"):
        gradcheck(Dense(3, 2, random_state=0), x)
    with pytest.raises(ValueError, match="target is required"):
        gradcheck(MeanSquaredError(), x)
    with pytest.raises(ValueError, match="target is only for a loss"):
        gradcheck(Tanh(), x, x)
    with pytest.raises(ValueError, match="obj must be a Layer or a Loss"):
        gradcheck(np.tanh, x)
    with pytest.raises(ValueError, match="eps must be"):
        gradcheck(Tanh(), x, eps=0)
    with pytest.raises(ValueError, match="tol must be"):
        check_gradients(Tanh(), x, tol=-1)
