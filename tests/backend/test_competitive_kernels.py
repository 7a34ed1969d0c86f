"""Winner-take-all learning: the compiled ``wta_online`` against the NumPy reference, on
hypothesis-generated inputs (csrc/competitive.pyx against backend/reference/competitive.py).

The rules are DESIGN.md's ("Kernels: three implementations of one function"): the same
winner at every step (on float32 only where no two units are nearly equidistant, on blobs),
``allclose`` updated weights and win frequencies, and a tie to the lowest index. Inputs come
C-ordered, Fortran-ordered and strided, around 0 or around 1000 (uncentred).
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from kernel_helpers import DTYPES, X_LAYOUTS, layout
from neuroclust.backend import available_backends, reference

if "cython" not in available_backends():
    pytest.skip("the compiled kernels (neuroclust._kernels) are not built; run "
                "`python setup.py build_ext --inplace`", allow_module_level=True)

from neuroclust.backend import cython as cy  # noqa: E402  (needs the compiled kernels)


@st.composite
def online_problems(draw, blobs):
    """Random data (float64) or, with ``blobs``, well-separated blobs with one prototype
    near each (float32 or float64): there no two units are ever nearly equidistant."""
    n_samples = draw(st.integers(1, 200))
    n_features = draw(st.integers(1, 40))
    n_units = draw(st.integers(1, 30))
    n_steps = draw(st.integers(1, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    offset = draw(st.sampled_from([0.0, 1000.0]))
    if blobs:
        dtype = draw(st.sampled_from(DTYPES))
        centres = np.zeros((n_units, n_features))
        centres[:, 0] = 10.0 * rng.permutation(n_units)      # 10 apart, spread 0.3
        centres += offset + rng.normal(size=n_features)
        X = centres[rng.integers(0, n_units, size=n_samples)]
        X = X + rng.normal(scale=0.3, size=X.shape)
        W = centres + rng.normal(scale=0.3, size=centres.shape)
    else:
        dtype = np.float64
        X = rng.normal(scale=3.0, size=(n_samples, n_features)) + offset
        W = rng.normal(scale=3.0, size=(n_units, n_features)) + offset
    X = layout(X.astype(dtype), draw(st.sampled_from(X_LAYOUTS)), rng)
    order = rng.integers(0, n_samples, size=n_steps)
    return X, np.ascontiguousarray(W, dtype=dtype), order, rng


def check_wta_online(X, W, order, learning_rate, conscience=None):
    kwargs = {}
    p_ref = p_cy = None
    if conscience is not None:
        p0, rate, bias, variance = conscience
        p_ref, p_cy = p0.copy(), p0.copy()
        kwargs = dict(conscience_rate=rate, conscience_bias=bias, variance=variance)
    W_ref, W_cy = W.copy(), W.copy()
    ref_winners = reference.wta_online(X, W_ref, order, learning_rate, p_ref, **kwargs)
    winners = cy.wta_online(X, W_cy, order, learning_rate, p_cy, **kwargs)
    assert winners.dtype == np.int64 and W_cy.dtype == X.dtype
    np.testing.assert_array_equal(winners, ref_winners)
    rtol = 1e-12 if X.dtype == np.float64 else 1e-5
    scale = np.abs(W).max() + np.abs(X).max()
    np.testing.assert_allclose(W_cy, W_ref, rtol=rtol, atol=rtol * scale)
    if conscience is not None:
        np.testing.assert_allclose(p_cy, p_ref, rtol=1e-12, atol=1e-15)
    return winners


@settings(max_examples=40, deadline=None)
@given(problem=online_problems(blobs=False), learning_rate=st.floats(0.01, 1.0))
def test_wta_online_float64_random_data(problem, learning_rate):
    X, W, order, _ = problem
    check_wta_online(X, W, order, learning_rate)


@settings(max_examples=40, deadline=None)
@given(problem=online_problems(blobs=True), learning_rate=st.floats(0.01, 0.5))
def test_wta_online_on_blobs_both_dtypes(problem, learning_rate):
    X, W, order, _ = problem
    check_wta_online(X, W, order, learning_rate)


@settings(max_examples=40, deadline=None)
@given(problem=online_problems(blobs=False), rate=st.floats(0.0, 0.5),
       bias=st.floats(0.0, 50.0), variance=st.floats(0.25, 4.0))
def test_wta_online_conscience_float64_random_data(problem, rate, bias, variance):
    X, W, order, rng = problem
    p0 = rng.dirichlet(np.ones(W.shape[0]))
    check_wta_online(X, W, order, 0.1, (p0, rate, bias, variance))


@settings(max_examples=30, deadline=None)
@given(problem=online_problems(blobs=True), rate=st.floats(0.0, 0.5),
       bias=st.floats(0.0, 5.0), variance=st.floats(0.25, 4.0))
def test_wta_online_conscience_on_blobs_both_dtypes(problem, rate, bias, variance):
    # |bias term| <= C V <= 20 < the gap between a blob's own unit (d ~ 2 * 40 * 0.09) and the
    # next (d >= 100), so the learner is never nearly tied with another unit in float32.
    X, W, order, rng = problem
    p0 = rng.dirichlet(np.ones(W.shape[0]))
    check_wta_online(X, W, order, 0.1, (p0, rate, bias, variance))


def test_wta_online_conscience_changes_winners_identically():
    # A case where the conscience certainly overrides the nearest unit: unit 0 has won
    # everything so far and all samples are nearest to it.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    W = np.vstack([np.zeros(3), np.full((3, 3), 2.0)])
    p0 = np.array([1.0, 0.0, 0.0, 0.0])
    winners = check_wta_online(X, W, np.arange(50), 0.1, (p0, 0.05, 40.0, 1.0))
    assert (winners != 0).any()


def test_wta_online_conscience_updates_the_frequencies_before_the_bias():
    # The reference's worked example (DeSieno's order): p moves to (0.75, 0.25) first, so
    # b = 5 * 2 * (0.5 - p) = (-2.5, 2.5) and unit 1 learns although unit 0 is nearest.
    X = np.array([[1.0]])
    W = np.array([[0.0], [3.0]])
    p = np.array([0.5, 0.5])
    winners = cy.wta_online(X, W, np.array([0]), 0.5, p, 0.5, 5.0, 2.0)
    np.testing.assert_array_equal(winners, [1])
    np.testing.assert_array_equal(W, [[0.0], [2.0]])
    np.testing.assert_array_equal(p, [0.75, 0.25])


def test_wta_online_updates_W_of_another_layout_or_dtype_through_a_copy():
    X = np.random.default_rng(0).normal(size=(4, 3))
    for odd in (np.asfortranarray(np.ones((2, 3))), np.ones((2, 3), dtype=np.float32)):
        expected = np.array(odd, order="C")
        winners = cy.wta_online(X, odd, np.arange(4), 0.1)
        np.testing.assert_array_equal(winners, cy.wta_online(X, expected, np.arange(4), 0.1))
        np.testing.assert_array_equal(odd, expected)   # written back into the caller's array
    with pytest.raises(ValueError, match="W must be a floating-point array"):
        cy.wta_online(X, np.ones((2, 3), dtype=np.int64), np.arange(4), 0.1)
