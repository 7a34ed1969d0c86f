"""The losses (neuroclust/nn/losses.py): gradients against central differences on random
shapes, values against independent naive formulas, stability, dtypes and bad input."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from neuroclust.nn import (BinaryCrossEntropy, KLDivergence, MeanSquaredError,
                           ShiftInvariantMSE, SoftmaxCrossEntropy, gradcheck)

TOL = 1e-6
FEW = settings(max_examples=25, deadline=None)
shapes = st.tuples(st.integers(1, 5), st.integers(1, 6))
seeds = st.integers(0, 2**32 - 1)


def softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def make_case(name, shape, seed):
    """A loss and a (prediction, target) pair of the kind it expects."""
    rng = np.random.default_rng(seed)
    n, d = shape
    Z = rng.normal(size=shape)
    if name == "mse":
        return MeanSquaredError(), Z, rng.normal(size=shape)
    if name == "bce":
        return BinaryCrossEntropy(), Z, rng.random(shape)
    if name == "shift-mse":
        return ShiftInvariantMSE(), Z, rng.normal(size=shape)
    if name == "sce-labels":
        return SoftmaxCrossEntropy(), Z, rng.integers(0, d, size=n)
    if name == "sce-one-hot":
        return SoftmaxCrossEntropy(), Z, np.eye(d)[rng.integers(0, d, size=n)]
    return KLDivergence(), softmax(Z), softmax(rng.normal(size=shape))


CASES = ["mse", "shift-mse", "bce", "sce-labels", "sce-one-hot", "kl"]


@pytest.mark.parametrize("name", CASES)
@FEW
@given(shape=shapes, seed=seeds)
def test_losses_pass_gradcheck(name, shape, seed):
    loss, P, T = make_case(name, shape, seed)
    errors = gradcheck(loss, P, T)
    assert errors["prediction"] < TOL, errors


@pytest.mark.parametrize("name", CASES)
def test_losses_against_naive_formulas(name):
    loss, P, T = make_case(name, (4, 3), 0)
    value = loss.forward(P, T)
    assert isinstance(value, float)
    if name == "mse":
        naive = np.mean(np.sum((P - T) ** 2, axis=1))
    elif name == "shift-mse":
        naive = np.mean([min(np.sum((np.roll(p, k) - t) ** 2) for k in range(3))
                         for p, t in zip(P, T)])
    elif name == "bce":
        s = 1 / (1 + np.exp(-P))
        naive = np.mean(np.sum(-T * np.log(s) - (1 - T) * np.log(1 - s), axis=1))
    elif name.startswith("sce"):
        labels = T if T.ndim == 1 else T.argmax(axis=1)
        naive = -np.mean(np.log(softmax(P)[np.arange(4), labels]))
    else:
        naive = np.mean(np.sum(T * np.log(T / P), axis=1))
    assert value == pytest.approx(naive, rel=1e-12)


def test_bce_from_logits_is_finite_for_huge_logits():
    z = np.array([[1000.0, -1000.0, 1000.0, -1000.0]])
    y = np.array([[1.0, 0.0, 0.0, 1.0]])
    loss = BinaryCrossEntropy()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.forward(z, y)
        grad = loss.backward()
    assert value == pytest.approx(2000.0)           # two confident mistakes, 1000 each
    np.testing.assert_allclose(grad, [[0.0, 0.0, 1.0, -1.0]])


def test_softmax_cross_entropy_is_finite_for_huge_logits_and_labels_equal_one_hot():
    Z = np.array([[1000.0, -1000.0, 0.0], [0.0, 0.0, 0.0]])
    by_label = SoftmaxCrossEntropy()
    value = by_label.forward(Z, [1, 2])
    assert np.isfinite(value) and value == pytest.approx((2000.0 + np.log(3)) / 2)
    by_rows = SoftmaxCrossEntropy()
    assert by_rows.forward(Z, np.eye(3)[[1, 2]]) == value
    np.testing.assert_array_equal(by_label.backward(), by_rows.backward())


def test_kl_is_zero_for_equal_rows_and_handles_zeros_with_eps():
    P = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    loss = KLDivergence()
    assert loss.forward(P, P) == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(loss.backward(), -np.where(P > 0, 1.0, 0.0) / 2)
    Q = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])     # q = 0 where p > 0
    value = KLDivergence(eps=1e-12).forward(Q, P)
    assert np.isfinite(value) and value == pytest.approx(0.5 * (np.log(0.5 / 1e-12)
                                                                 + np.log(0.5)) / 2)


def test_kl_direction_is_target_relative_to_prediction():
    P, Q = np.array([[0.9, 0.1]]), np.array([[0.5, 0.5]])
    assert KLDivergence().forward(Q, P) == pytest.approx(0.9 * np.log(1.8) + 0.1 * np.log(0.2))


@pytest.mark.parametrize("name", CASES)
def test_float32_stays_float32(name):
    loss, P, T = make_case(name, (3, 4), 1)
    value = loss.forward(P.astype(np.float32), T if T.ndim == 1 else T.astype(np.float32))
    assert isinstance(value, float)
    assert loss.backward().dtype == np.float32


def test_the_gradient_is_a_mean_over_samples():
    P, T = np.ones((1, 2)), np.zeros((1, 2))
    one = MeanSquaredError()
    one.forward(P, T)
    many = MeanSquaredError()
    assert many.forward(np.repeat(P, 5, axis=0), np.repeat(T, 5, axis=0)) == one.forward(P, T)
    np.testing.assert_allclose(many.backward() * 5, np.repeat(one.backward(), 5, axis=0))


@FEW
@given(n=st.integers(1, 4), channels=st.integers(1, 3), length=st.integers(1, 9), seed=seeds)
def test_shift_invariant_mse_against_every_shift_and_its_gradient(n, channels, length, seed):
    rng = np.random.default_rng(seed)
    P, T = rng.normal(size=(2, n, channels * length))
    loss = ShiftInvariantMSE(channels)
    P3, T3 = P.reshape(n, channels, length), T.reshape(n, channels, length)
    errors = np.array([[np.sum((np.roll(p, k, axis=-1) - t) ** 2) for k in range(length)]
                       for p, t in zip(P3, T3)])
    assert loss.forward(P, T) == pytest.approx(errors.min(axis=1).mean(), rel=1e-10)
    np.testing.assert_allclose(errors[np.arange(n), loss.shifts_], errors.min(axis=1),
                               rtol=1e-10)
    assert gradcheck(loss, P, T)["prediction"] < TOL


def test_circular_shift_is_np_roll_row_by_row():
    from neuroclust.nn.losses import circular_shift

    X = np.arange(2 * 3 * 5.0).reshape(2, 3, 5)
    shifts = np.array([2, -1])
    expected = np.stack([np.roll(x, s, axis=-1) for x, s in zip(X, shifts)])
    np.testing.assert_array_equal(circular_shift(X, shifts), expected)
    np.testing.assert_array_equal(circular_shift(X[:, 0], [7, 0]), [np.roll(X[0, 0], 7), X[1, 0]])


def test_shift_invariant_mse_ignores_a_circular_shift_of_the_prediction():
    rng = np.random.default_rng(3)
    T = rng.normal(size=(4, 2 * 10))
    P = T.reshape(4, 2, 10)
    shifted = np.stack([np.roll(p, k, axis=-1) for p, k in zip(P, [0, 1, 5, 9])])
    loss = ShiftInvariantMSE(channels=2)
    assert loss.forward(shifted.reshape(4, -1), T) == pytest.approx(0, abs=1e-20)
    np.testing.assert_array_equal(loss.shifts_, [0, 9, 5, 1])   # rolling back undoes it
    assert MeanSquaredError().forward(shifted.reshape(4, -1), T) > 1


@pytest.mark.parametrize("call, message", [
    (lambda: ShiftInvariantMSE(channels=2).forward(np.ones((2, 3)), np.ones((2, 3))),
     "prediction has 3 values per sample, which do not split into channels=2"),
    (lambda: ShiftInvariantMSE(channels=0), "channels must be >= 1, got 0"),
    (lambda: MeanSquaredError().forward(np.ones((2, 3)), np.ones((2, 2))),
     r"target has shape \(2, 2\), but prediction has shape \(2, 3\)"),
    (lambda: BinaryCrossEntropy().forward(np.ones((2, 2)), 2 * np.ones((2, 2))),
     r"target must hold labels \(or probabilities\) in \[0, 1\]"),
    (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), [0, 3]),
     r"target labels must lie in 0 .. 2"),
    (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), [0, 1, 2]),
     "target has 3 labels, but prediction has 2 rows"),
    (lambda: SoftmaxCrossEntropy().forward(np.ones((1, 2)), [[0.5, 0.6]]),
     "target rows must sum to 1"),
    (lambda: KLDivergence().forward(np.ones((1, 2)), [[0.5, 0.5]]),
     "prediction rows must sum to 1"),
    (lambda: KLDivergence().forward([[0.5, 0.5]], [[1.5, -0.5]]),
     "target must be non-negative"),
    (lambda: KLDivergence(eps=0), "eps must be > 0"),
    (lambda: MeanSquaredError().forward([[np.nan]], [[1.0]]), "prediction contains 1 NaN"),
    (lambda: MeanSquaredError().backward(), "MeanSquaredError.backward was called before forward"),
])
def test_bad_input_raises_one_sentence(call, message):
    with pytest.raises(ValueError, match=message):
        call()
