"""The 1-D convolution and pooling layers (neuroclust/nn/conv.py, pooling.py): every backward
against central differences on random shapes, the forward against plain loops written here,
the adjoint identity between Conv1D and ConvTranspose1D, pooling by hand, and bad input."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from neuroclust.nn import (AveragePool1D, Conv1D, ConvTranspose1D, GlobalAveragePool1D,
                           MaxPool1D, gradcheck)

TOL = 1e-6
FEW = settings(max_examples=25, deadline=None)
seeds = st.integers(0, 2**32 - 1)


def normal(seed, shape):
    return np.random.default_rng(seed).normal(size=shape)


@st.composite
def conv_shapes(draw):
    """(n, c_in, c_out, length, kernel, stride, padding) with kernel <= length + 2 padding."""
    n, c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    K, s, p = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(0, 2))
    L = draw(st.integers(max(1, K - 2 * p), 9))
    return n, c_in, c_out, L, K, s, p


def conv_reference(X, W, b, stride, pad_left, pad_right):
    """Eq. (2) of Conv1D as loops over samples, output channels and positions."""
    n, c_in, L = X.shape
    c_out, _, K = W.shape
    Xpad = np.zeros((n, c_in, pad_left + L + pad_right))
    Xpad[:, :, pad_left : pad_left + L] = X
    L_out = (Xpad.shape[2] - K) // stride + 1
    Y = np.zeros((n, c_out, L_out))
    for i in range(n):
        for o in range(c_out):
            for t in range(L_out):
                Y[i, o, t] = b[o] + sum(W[o, c, k] * Xpad[i, c, stride * t + k]
                                        for c in range(c_in) for k in range(K))
    return Y


def conv_transpose_reference(X, W, b, stride, padding, output_padding):
    """Eq. (2) of ConvTranspose1D as loops: each input position adds a scaled kernel."""
    n, c_in, L = X.shape
    _, c_out, K = W.shape
    Ypad = np.zeros((n, c_out, (L - 1) * stride + K + output_padding))
    for i in range(n):
        for c in range(c_in):
            for t in range(L):
                Ypad[i, :, stride * t : stride * t + K] += X[i, c, t] * W[c]
    L_out = Ypad.shape[2] - 2 * padding
    return Ypad[:, :, padding : padding + L_out] + b[:, None]


def float64_conv(c_in, c_out, K, s, p, seed):
    layer = Conv1D(c_in, c_out, K, stride=s, padding=p, random_state=seed % 1000,
                   dtype=np.float64)
    layer.params["b"] = normal(seed + 1, c_out)        # a non-zero bias is checked too
    return layer


# --- gradients -----------------------------------------------------------------------------

@FEW
@given(shape=conv_shapes(), seed=seeds)
def test_conv1d_passes_gradcheck(shape, seed):
    n, c_in, c_out, L, K, s, p = shape
    errors = gradcheck(float64_conv(c_in, c_out, K, s, p, seed), normal(seed, (n, c_in, L)),
                       seed=seed % 1000)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < TOL, errors


@FEW
@given(shape=conv_shapes(), seed=seeds)
def test_conv_transpose1d_passes_gradcheck(shape, seed):
    n, c_in, c_out, L, K, s, p = shape
    q = seed % s
    if (L - 1) * s + K + q - 2 * p < 1:
        p = 0
    layer = ConvTranspose1D(c_in, c_out, K, stride=s, padding=p, output_padding=q,
                            random_state=seed % 1000, dtype=np.float64)
    layer.params["b"] = normal(seed + 1, c_out)
    errors = gradcheck(layer, normal(seed, (n, c_in, L)), seed=seed % 1000)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("kernel", [1, 2, 3])
def test_conv1d_same_padding_passes_gradcheck(kernel):
    layer = Conv1D(2, 3, kernel, padding="same", random_state=0, dtype=np.float64)
    assert max(gradcheck(layer, normal(0, (2, 2, 5))).values()) < TOL


@FEW
@given(n=st.integers(1, 3), c=st.integers(1, 3), P=st.integers(1, 3), s=st.integers(1, 2),
       extra=st.integers(0, 6), seed=seeds)
def test_pooling_passes_gradcheck(n, c, P, s, extra, seed):
    x = normal(seed, (n, c, P + extra))   # continuous values: no ties, max is differentiable
    assert gradcheck(MaxPool1D(P, s), x, seed=seed % 1000)["x"] < TOL
    assert gradcheck(AveragePool1D(P, s), x, seed=seed % 1000)["x"] < TOL
    assert gradcheck(GlobalAveragePool1D(), x, seed=seed % 1000)["x"] < TOL


# --- forward values ------------------------------------------------------------------------

@FEW
@given(shape=conv_shapes(), seed=seeds)
def test_conv1d_forward_matches_loops_and_shape(shape, seed):
    n, c_in, c_out, L, K, s, p = shape
    layer = float64_conv(c_in, c_out, K, s, p, seed)
    X = normal(seed, (n, c_in, L))
    Y = layer.forward(X)
    assert Y.shape == (n, c_out, (L + 2 * p - K) // s + 1) == (n, c_out, layer.output_length(L))
    np.testing.assert_allclose(Y, conv_reference(X, layer.params["W"], layer.params["b"], s, p, p),
                               rtol=1e-12, atol=1e-12)


@FEW
@given(shape=conv_shapes(), seed=seeds)
def test_conv_transpose1d_forward_matches_loops_and_shape(shape, seed):
    n, c_in, c_out, L, K, s, p = shape
    q = seed % s
    if (L - 1) * s + K + q - 2 * p < 1:
        p = 0
    layer = ConvTranspose1D(c_in, c_out, K, stride=s, padding=p, output_padding=q,
                            random_state=seed % 1000, dtype=np.float64)
    layer.params["b"] = normal(seed + 1, c_out)
    X = normal(seed, (n, c_in, L))
    Y = layer.forward(X)
    assert Y.shape == (n, c_out, (L - 1) * s - 2 * p + K + q)
    expected = conv_transpose_reference(X, layer.params["W"], layer.params["b"], s, p, q)
    np.testing.assert_allclose(Y, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kernel", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("length", [1, 4, 7])
def test_same_padding_keeps_the_length(kernel, length):
    layer = Conv1D(2, 3, kernel, padding="same", random_state=0, dtype=np.float64)
    X = normal(1, (2, 2, length))
    Y = layer.forward(X)
    assert Y.shape == (2, 3, length)
    left = (kernel - 1) // 2
    expected = conv_reference(X, layer.params["W"], layer.params["b"], 1, left,
                              kernel - 1 - left)
    np.testing.assert_allclose(Y, expected, rtol=1e-12, atol=1e-12)


@FEW
@given(shape=conv_shapes(), seed=seeds)
def test_conv_transpose_is_the_adjoint_of_conv(shape, seed):
    """<conv(u), v> == <u, convT(v)> with one shared W and no bias, for every input length,
    the strided lengths that a floor in eq. (1) merges included (via output_padding)."""
    n, c_in, c_out, M, K, s, p = shape
    conv = Conv1D(c_in, c_out, K, stride=s, padding=p, random_state=seed % 1000,
                  dtype=np.float64)
    q = (M + 2 * p - K) % s
    convT = ConvTranspose1D(c_out, c_in, K, stride=s, padding=p, output_padding=q,
                            dtype=np.float64)
    convT.params["W"] = conv.params["W"]                  # (c_out, c_in, K) for both
    u = normal(seed, (n, c_in, M))
    v = normal(seed + 1, (n, c_out, conv.output_length(M)))
    convT_v = convT.forward(v)
    assert convT_v.shape == u.shape
    np.testing.assert_allclose(np.sum(conv.forward(u) * v), np.sum(u * convT_v),
                               rtol=1e-10, atol=1e-10)
    # and its forward is Conv1D's backward with respect to the input
    np.testing.assert_allclose(convT_v, conv.backward(v), rtol=1e-12, atol=1e-12)


def test_conv1d_by_hand():
    """A difference kernel [-1, 1] with stride 2 and padding 1 on [1, 2, 4, 8]."""
    layer = Conv1D(1, 1, 2, stride=2, padding=1, dtype=np.float64)
    layer.params["W"][...] = [[[-1.0, 1.0]]]
    layer.params["b"][...] = 0.5
    Y = layer.forward([[[1.0, 2.0, 4.0, 8.0]]])      # padded: [0, 1, 2, 4, 8, 0]
    np.testing.assert_array_equal(Y, [[[1.5, 2.5, -7.5]]])


def test_max_pool_by_hand_and_ties_go_to_the_first_index():
    x = np.array([[[1.0, 3.0, 3.0, -1.0, 2.0, 2.0, 0.0]]])
    pool = MaxPool1D(2)                                   # windows [1,3] [3,-1] [2,2]; 0 dropped
    np.testing.assert_array_equal(pool.forward(x), [[[3.0, 3.0, 2.0]]])
    np.testing.assert_array_equal(pool.backward([[[10.0, 20.0, 30.0]]]),
                                  [[[0.0, 10.0, 20.0, 0.0, 30.0, 0.0, 0.0]]])
    overlapping = MaxPool1D(3, stride=1)                  # windows share their maxima
    np.testing.assert_array_equal(overlapping.forward(x), [[[3.0, 3.0, 3.0, 2.0, 2.0]]])
    np.testing.assert_array_equal(overlapping.backward(np.ones((1, 1, 5))),
                                  [[[0.0, 2.0, 1.0, 0.0, 2.0, 0.0, 0.0]]])


def test_average_pool_by_hand():
    x = np.array([[[1.0, 3.0, 5.0, -1.0, 2.0]], [[0.0, 0.0, 6.0, 6.0, 6.0]]])
    pool = AveragePool1D(2)
    np.testing.assert_array_equal(pool.forward(x), [[[2.0, 2.0]], [[0.0, 6.0]]])
    np.testing.assert_array_equal(pool.backward([[[2.0, 4.0]], [[1.0, 1.0]]]),
                                  [[[1.0, 1.0, 2.0, 2.0, 0.0]], [[0.5, 0.5, 0.5, 0.5, 0.0]]])
    overlapping = AveragePool1D(3, stride=1)
    np.testing.assert_allclose(overlapping.forward(x[:1]), [[[3.0, 7 / 3, 2.0]]])
    np.testing.assert_allclose(overlapping.backward(np.full((1, 1, 3), 3.0)),
                               [[[1.0, 2.0, 3.0, 2.0, 1.0]]])


def test_global_average_pool_by_hand_and_shift_invariance():
    x = np.array([[[1.0, 3.0, 5.0, -1.0]], [[0.0, 0.0, 6.0, 6.0]]])
    pool = GlobalAveragePool1D()
    np.testing.assert_array_equal(pool.forward(x), [[2.0], [3.0]])
    np.testing.assert_array_equal(pool.forward(np.roll(x, 1, axis=2)), [[2.0], [3.0]])
    np.testing.assert_array_equal(pool.backward([[4.0], [-8.0]]),
                                  [[[1.0, 1.0, 1.0, 1.0]], [[-2.0, -2.0, -2.0, -2.0]]])
    assert pool.forward(x.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match=r"dy has shape \(2, 2\), but the last forward's"):
        pool.backward(np.ones((2, 2)))


def test_dtypes():
    x32 = np.ones((2, 3, 6), dtype=np.float32)
    assert Conv1D(3, 2, 3, random_state=0).forward(x32.astype(np.float64)).dtype == np.float32
    assert ConvTranspose1D(3, 2, 3, random_state=0).forward(x32).dtype == np.float32
    conv64 = Conv1D(3, 2, 3, random_state=0, dtype=np.float64)
    assert conv64.forward(x32).dtype == np.float64
    assert conv64.backward(np.ones((2, 2, 4))).dtype == np.float64
    assert conv64.grads["W"].dtype == np.float64
    assert MaxPool1D(2).forward(x32).dtype == np.float32
    assert AveragePool1D(2).forward(x32.astype(int)).dtype == np.float64


def test_backward_overwrites_grads():
    layer = Conv1D(2, 2, 3, random_state=0, dtype=np.float64)
    x, dy = normal(0, (2, 2, 5)), normal(1, (2, 2, 3))
    layer.forward(x)
    layer.backward(dy)
    first = {k: v.copy() for k, v in layer.grads.items()}
    layer.backward(dy)
    for name in first:
        np.testing.assert_array_equal(layer.grads[name], first[name])


def test_initialisation_variance():
    W = Conv1D(8, 64, 5, random_state=0, dtype=np.float64).params["W"]
    assert W.shape == (64, 8, 5)
    np.testing.assert_allclose(W.var(), 2 / (8 * 5), rtol=0.1)
    W = Conv1D(8, 64, 5, init="glorot", random_state=0, dtype=np.float64).params["W"]
    np.testing.assert_allclose(W.var(), 2 / ((8 + 64) * 5), rtol=0.1)
    assert ConvTranspose1D(8, 64, 5, random_state=0).params["W"].shape == (8, 64, 5)


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("make, message", [
    (lambda: Conv1D(2, 3, 3, stride=0), "stride must be >= 1, got 0"),
    (lambda: ConvTranspose1D(2, 3, 3, stride=0), "stride must be >= 1, got 0"),
    (lambda: MaxPool1D(2, stride=0), "stride must be >= 1, got 0"),
    (lambda: AveragePool1D(0), "pool_size must be >= 1, got 0"),
    (lambda: Conv1D(0, 3, 3), "in_channels must be >= 1, got 0"),
    (lambda: Conv1D(2, 3, 0), "kernel_size must be >= 1, got 0"),
    (lambda: Conv1D(2, 3, 3, padding=-1), "padding must be >= 0, got -1"),
    (lambda: Conv1D(2, 3, 3, padding="valid"),
     'padding must be a non-negative integer or "same", got .valid.'),
    (lambda: Conv1D(2, 3, 3, stride=2, padding="same"), 'padding="same" needs stride=1'),
    (lambda: ConvTranspose1D(2, 3, 3, stride=2, output_padding=2),
     "output_padding must be smaller than stride=2"),
    (lambda: Conv1D(2, 3, 3, init="lecun"), "init must be one of"),
    (lambda: Conv1D(2, 3, 3, dtype=np.int32), "dtype must be numpy.float32 or numpy.float64"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_input():
    conv = Conv1D(2, 3, 5, padding=1)
    with pytest.raises(ValueError, match=r"kernel_size=5 is larger than the padded input "
                                         r"\(length 2 \+ padding 2 = 4\)"):
        conv.forward(np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match="x has 3 channels, but this Conv1D layer takes "
                                         "in_channels=2"):
        conv.forward(np.zeros((1, 3, 8)))
    with pytest.raises(ValueError, match="x has 1 channels, but this ConvTranspose1D layer "
                                         "takes in_channels=2"):
        ConvTranspose1D(2, 3, 3).forward(np.zeros((1, 1, 8)))
    with pytest.raises(ValueError, match="x must be a 3-D array"):
        conv.forward(np.zeros((2, 8)))
    with pytest.raises(ValueError, match="x contains 1 NaN"):
        conv.forward(np.where(np.arange(16).reshape(1, 2, 8) == 3, np.nan, 0.0))
    with pytest.raises(ValueError, match=r"pool_size=3 is larger than the input \(length 2\)"):
        MaxPool1D(3).forward(np.zeros((1, 1, 2)))
    with pytest.raises(ValueError, match="padding=3 crops the whole output"):
        ConvTranspose1D(1, 1, 2, padding=3).forward(np.zeros((1, 1, 2)))
    conv.forward(np.zeros((1, 2, 8)))
    with pytest.raises(ValueError, match=r"dy has shape \(1, 3, 5\), but the last forward's "
                                         r"output has shape \(1, 3, 6\)"):
        conv.backward(np.zeros((1, 3, 5)))


@pytest.mark.parametrize("layer", [Conv1D(1, 1, 1), ConvTranspose1D(1, 1, 1), MaxPool1D(1),
                                   AveragePool1D(1)], ids=lambda layer: type(layer).__name__)
def test_backward_before_forward(layer):
    with pytest.raises(ValueError, match=f"{type(layer).__name__}.backward was called before "
                                         "forward"):
        layer.backward(np.zeros((1, 1, 1)))
