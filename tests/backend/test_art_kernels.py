"""The adaptive resonance kernels: hand-worked examples, and compiled against the reference.

Hand-worked examples use numbers with short binary fractions (multiples of 1/8), so every
choice value, match and template below is exact and the expected values are computed in the
test from the equations of ``reference.fuzzy_art_online`` (eqs. 1-5) and
``reference.art1_online`` (eqs. 1-5), step by step.

The compiled kernel must give identical categories and ``allclose`` templates (float64) or
identical templates (float32, where every sum is exact in double) on random data and orders,
with and without complement coding, fast and slow learning, a full capacity, and a start from
committed categories.
"""
import numpy as np
import pytest

from neuroclust.backend import available_backends, reference

needs_cython = pytest.mark.skipif("cython" not in available_backends(),
                                  reason="the compiled kernels (neuroclust._kernels) are not built")


def coded(a):
    """Complement coding: rows a -> (a, 1 - a)."""
    a = np.atleast_2d(np.asarray(a, dtype=np.float64))
    return np.hstack([a, 1 - a])


def run(kernels, X, W, n, order, rho, alpha, beta):
    W = W.copy()
    categories, count = kernels.fuzzy_art_online(X, W, n, np.asarray(order, dtype=np.int64),
                                                 rho, alpha, beta)
    return np.asarray(categories), count, W


def kernel_modules():
    modules = [reference]
    if "cython" in available_backends():
        from neuroclust.backend import cython

        modules.append(cython)
    return modules


each_kernel = pytest.mark.parametrize("kernels", kernel_modules(),
                                      ids=lambda module: module.__name__.split(".")[-1])


# ------------------------------------------------------------------ hand-worked: Fuzzy ART
@each_kernel
@pytest.mark.parametrize("beta", [1.0, 0.5])
def test_fuzzy_art_four_samples_by_hand(kernels, beta):
    """One feature, complement coded, alpha = 1/2, rho = 3/4; |I| = 1 for every input."""
    alpha, rho = 0.5, 0.75
    X = coded([[0.25], [0.5], [1.0], [0.75]])
    W = np.zeros((4, 2))

    # x1 = 1/4: nothing committed, eq. (5): w1 = I1 = (1/4, 3/4), the point box [1/4, 1/4].
    w1 = np.array([0.25, 0.75])
    # x2 = 1/2, I2 = (1/2, 1/2): I2 ^ w1 = (1/4, 1/2), |.| = 3/4, |w1| = 1.
    T1 = 0.75 / (alpha + 1.0)                                   # eq. (1): 1/2
    match1 = 0.75 / 1.0                                         # eq. (3): 3/4 >= rho, exactly
    assert (T1, match1) == (0.5, rho)
    w1 = beta * np.minimum(X[1], w1) + (1 - beta) * w1          # eq. (4)
    # fast: (1/4, 1/2), the box [1/4, 1/2]; slow: (1/4, 5/8)
    np.testing.assert_array_equal(w1, [0.25, 0.5] if beta == 1 else [0.25, 0.625])
    # x3 = 1, I3 = (1, 0): I3 ^ w1 = (1/4, 0), match 1/4 < rho: reset; commit w2 = (1, 0).
    assert np.minimum(X[2], w1).sum() / 1.0 < rho
    w2 = X[2].copy()
    # x4 = 3/4, I4 = (3/4, 1/4):
    T = [np.minimum(X[3], w).sum() / (alpha + w.sum()) for w in (w1, w2)]      # eq. (1)
    M = [np.minimum(X[3], w).sum() / 1.0 for w in (w1, w2)]                    # eq. (3)
    # w1: I4 ^ w1 = (1/4, 1/4): T1 = 1/2 / (1/2 + |w1|), match 1/2 fails;
    # w2: I4 ^ w2 = (3/4, 0): T2 = 3/4 / (3/2) = 1/2, match 3/4 passes.
    assert T[1] == 0.5 and T[0] < T[1] and M == [0.5, 0.75]
    w2 = beta * np.minimum(X[3], w2) + (1 - beta) * w2          # eq. (4): search ends at w2
    np.testing.assert_array_equal(w2, [0.75, 0.0] if beta == 1 else [0.875, 0.0])

    categories, count, W = run(kernels, X, W, 0, [0, 1, 2, 3], rho, alpha, beta)
    np.testing.assert_array_equal(categories, [0, 0, 1, 1])
    assert count == 2
    np.testing.assert_array_equal(W[:2], [w1, w2])
    np.testing.assert_array_equal(W[2:], 0)   # free rows untouched


@each_kernel
def test_fuzzy_art_search_resets_the_winner_of_the_choice(kernels):
    """Two features, alpha = 1/8, rho = 3/4, from two committed boxes:
    A = [0, 1/2] x [0, 1/2] (large: |w_A| = 1) and B = the point (3/4, 3/4) (|w_B| = 2)."""
    alpha, rho = 0.125, 0.75
    W = np.zeros((3, 4))
    W[0] = [0.0, 0.0, 0.5, 0.5]        # (u, 1 - v) of box A
    W[1] = [0.75, 0.75, 0.25, 0.25]    # box B
    X = coded([[0.625, 0.5], [0.25, 0.25]])

    # x = (5/8, 1/2), I = (5/8, 1/2, 3/8, 1/2), |I| = 2
    # A: I ^ w_A = (0, 0, 3/8, 1/2) -> 7/8, T_A = (7/8) / (9/8) = 7/9, match 7/16 < 3/4
    # B: I ^ w_B = (5/8, 1/2, 1/4, 1/4) -> 13/8, T_B = (13/8) / (17/8) = 13/17, match 13/16
    T_A, T_B = (7 / 8) / (alpha + 1), (13 / 8) / (alpha + 2)
    assert T_A > T_B                       # A wins the competition (eq. 2) ...
    assert 7 / 16 < rho <= 13 / 16         # ... is reset by the vigilance test; B resonates
    w_B = np.minimum(X[0], W[1])           # eq. (4), fast: the box [5/8, 3/4] x [1/2, 3/4]
    np.testing.assert_array_equal(w_B, [0.625, 0.5, 0.25, 0.25])
    # x = (1/4, 1/4) lies inside A: I ^ w_A = (0, 0, 1/2, 1/2) -> 1, T_A = 8/9, but its match
    # 1/2 fails (A is too large for this vigilance); B: I ^ w_B = (1/4, 1/4, 1/4, 1/4) -> 1,
    # match 1/2 fails: both reset, a new category is committed, eq. (5).
    categories, count, W_after = run(kernels, X, W, 2, [0, 1], rho, alpha, 1.0)
    np.testing.assert_array_equal(categories, [1, 2])
    assert count == 3
    np.testing.assert_array_equal(W_after, [W[0], w_B, X[1]])
    # Without learning: the choice alone picks A; the search with vigilance picks B.
    np.testing.assert_array_equal(kernels.fuzzy_art_predict(X[:1], W[:2], alpha), [0])
    np.testing.assert_array_equal(kernels.fuzzy_art_predict(X[:1], W[:2], alpha, rho), [1])


@each_kernel
@pytest.mark.parametrize("swap", [False, True])
def test_equal_choices_go_to_the_lowest_index(kernels, swap):
    # The point boxes 1/4 and 3/4, input 1/2: I ^ w = 3/4 for both, |w| = 1 for both.
    boxes = [coded([[0.25]])[0], coded([[0.75]])[0]]
    if swap:
        boxes.reverse()
    W = np.array(boxes)
    X = coded([[0.5]])
    categories, _, W_after = run(kernels, X, W, 2, [0], 0.5, 0.001, 1.0)
    assert categories.tolist() == [0]
    np.testing.assert_array_equal(W_after[1], W[1])
    assert kernels.fuzzy_art_predict(X, W, 0.001).tolist() == [0]
    assert kernels.fuzzy_art_predict(X, W, 0.001, 0.5).tolist() == [0]


@each_kernel
def test_a_full_capacity_leaves_the_sample_unlearned(kernels):
    X = coded([[0.0], [1.0], [0.5]])
    categories, count, W = run(kernels, X, np.zeros((1, 2)), 0, [0, 1, 2, 0], 0.9, 0.01, 1.0)
    np.testing.assert_array_equal(categories, [0, -1, -1, 0])
    assert count == 1
    np.testing.assert_array_equal(W, X[:1])


@each_kernel
def test_predict_without_categories_names_none(kernels):
    X = coded([[0.25], [0.5]])
    assert kernels.fuzzy_art_predict(X, np.zeros((0, 2)), 0.01).tolist() == [-1, -1]


# ----------------------------------------------------------------------- hand-worked: ART1
@each_kernel
def test_art1_four_samples_by_hand(kernels):
    """L = 2, rho = 0.6: choice T_j = 2 |x & w_j| / (1 + |w_j|), match |x & w_j| / |x|."""
    L, rho = 2.0, 0.6
    X = np.array([[1, 0, 0, 0],    # commit w1 = 1000
                  [1, 1, 1, 0],    # w1: |x&w1| = 1, T1 = 2/2 = 1, match 1/3 fails: commit 1110
                  [1, 1, 0, 0],    # w1: T1 = 2/2 = 1, match 1/2 fails;
                                   # w2: |x&w2| = 2, T2 = 4/4 = 1 (a tie: w1 was tried first),
                                   #     match 2/2 passes: w2 <- 1110 & 1100 = 1100
                  [0, 0, 1, 1]],   # |x&w| = 0 for both: T = 0, match 0 fails: commit 0011
                 dtype=np.float64)
    W = np.zeros((4, 4))
    sizes, commons = np.array([1.0, 3.0]), np.array([1.0, 2.0])
    np.testing.assert_array_equal(L * commons / (L - 1 + sizes), [1.0, 1.0])   # eq. (1)
    categories, count = kernels.art1_online(X, W, 0, np.arange(4), rho, L)
    np.testing.assert_array_equal(np.asarray(categories), [0, 1, 1, 2])
    assert count == 3
    np.testing.assert_array_equal(W[:3], [[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1]])
    # The bottom-up weights of the learned templates, eq. (1) of art1_bottom_up:
    np.testing.assert_array_equal(reference.art1_bottom_up(W[:3], L),
                                  [[1, 0, 0, 0], [2 / 3, 2 / 3, 0, 0], [0, 0, 2 / 3, 2 / 3]])


# ----------------------------------------------------- the compiled kernel and the reference
def random_problem(seed, dtype, n_samples=120, n_features=5, complement=True, n_start=0,
                   capacity=None, n_steps=300):
    rng = np.random.default_rng(seed)
    a = rng.random((n_samples, n_features))
    X = np.hstack([a, 1 - a]) if complement else 0.05 + 0.95 * a
    X = np.ascontiguousarray(X, dtype=dtype)
    W = np.zeros((capacity or n_steps + n_start, X.shape[1]), dtype=dtype)
    pairs = rng.choice(n_samples, (n_start, 2), replace=False)
    W[:n_start] = np.minimum(X[pairs[:, 0]], X[pairs[:, 1]])   # boxes holding two samples
    order = rng.integers(0, n_samples, size=n_steps)   # with repeats
    return X, W, order


@needs_cython
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("rho, alpha, beta", [(0.75, 0.001, 1.0), (0.6, 0.5, 0.3),
                                              (0.9, 0.01, 1.0), (0.0, 1.0, 0.7),
                                              (1.0, 0.001, 1.0)])
@pytest.mark.parametrize("complement, n_start, capacity", [
    (True, 0, None), (False, 0, None), (True, 4, None), (True, 0, 7)],
    ids=["coded", "not-coded", "from-committed", "capacity-7"])
def test_cython_matches_the_reference(dtype, rho, alpha, beta, complement, n_start, capacity):
    from neuroclust.backend import cython

    X, W, order = random_problem(int(rho * 100) + n_start, dtype, complement=complement,
                                 n_start=n_start, capacity=capacity)
    ref_categories, ref_count, W_ref = run(reference, X, W, n_start, order, rho, alpha, beta)
    categories, count, W_cy = run(cython, X, W, n_start, order, rho, alpha, beta)
    np.testing.assert_array_equal(categories, ref_categories)
    assert count == ref_count
    if dtype == np.float32:
        np.testing.assert_array_equal(W_cy, W_ref)
    else:
        np.testing.assert_allclose(W_cy, W_ref, rtol=1e-12, atol=1e-14)
    if capacity is not None:
        assert count <= capacity
        if rho >= 0.75:   # many more categories wanted than there is room for
            assert count == capacity and (categories == -1).any()


@needs_cython
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_features", [1, 2, 24, 40])   # short rows inline, long dispatched
def test_cython_matches_the_reference_on_short_and_long_rows(dtype, n_features):
    from neuroclust.backend import cython

    X, W, order = random_problem(n_features, dtype, n_features=n_features, n_steps=200)
    ref = run(reference, X, W, 0, order, 0.8, 0.001, 1.0)
    got = run(cython, X, W, 0, order, 0.8, 0.001, 1.0)
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_allclose(got[2], ref[2], rtol=1e-12)


@needs_cython
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("rho", [0.0, 0.8, 0.95])
def test_cython_predict_matches_the_reference(dtype, rho):
    from neuroclust.backend import cython

    X, W, order = random_problem(7, dtype, n_features=4, n_steps=200)
    _, count, W = run(reference, X, W, 0, order, 0.8, 0.001, 1.0)
    W = W[:count]
    expected = reference.fuzzy_art_predict(X, W, 0.001, rho)
    for n_threads in (1, 2, 3):
        np.testing.assert_array_equal(cython.fuzzy_art_predict(X, W, 0.001, rho, n_threads),
                                      expected)
    if rho == 0.95:
        assert (expected == -1).any()   # some samples find no category at a higher vigilance


@needs_cython
def test_cython_takes_non_contiguous_data_and_checks_its_arguments():
    from neuroclust.backend import cython

    X, W, order = random_problem(3, np.float64)
    X_fortran = np.asfortranarray(X)
    np.testing.assert_array_equal(run(cython, X_fortran, W, 0, order, 0.7, 0.01, 1.0)[0],
                                  run(reference, X, W, 0, order, 0.7, 0.01, 1.0)[0])
    # templates of another precision and layout: updated through a copy, written back
    W_odd = np.asfortranarray(W.astype(np.float32))
    categories, count = cython.fuzzy_art_online(X, W_odd, 0, order, 0.7, 0.01, 1.0)
    expected = run(reference, X.astype(np.float32), W.astype(np.float32), 0, order, 0.7, 0.01,
                   1.0)
    np.testing.assert_array_equal(categories, expected[0])
    np.testing.assert_array_equal(W_odd, expected[2])
    with pytest.raises(ValueError, match="W must have as many features"):
        cython.fuzzy_art_online(X, W[:, :3], 0, order, 0.7, 0.01, 1.0)
    with pytest.raises(ValueError, match=r"n_categories must lie in \[0, 300\]"):
        cython.fuzzy_art_online(X, W, 301, order, 0.7, 0.01, 1.0)
    with pytest.raises(ValueError, match=r"order must hold row indices of X in \[0, 120\)"):
        cython.fuzzy_art_online(X, W, 0, np.array([0, 120]), 0.7, 0.01, 1.0)


@needs_cython
@pytest.mark.parametrize("L", [1.5, 2.0, 3.0, 5.0])
@pytest.mark.parametrize("rho", [0.3, 0.6, 0.85])
def test_art1_is_fuzzy_art_with_alpha_L_minus_1(L, rho):
    """ART1's reference (its own equations), the Fuzzy ART reference without complement coding
    (alpha = L - 1, beta = 1) and the compiled kernel agree on random binary data."""
    from neuroclust.backend import cython

    rng = np.random.default_rng(int(L * 10 + rho * 100))
    X = (rng.random((80, 12)) < 0.35).astype(np.float64)
    X[X.sum(axis=1) == 0, 0] = 1.0            # every input needs one active feature
    order = rng.integers(0, 80, size=200)
    W_art1 = np.zeros((200, 12))
    categories, count = reference.art1_online(X, W_art1, 0, order, rho, L)
    fuzzy = run(reference, X, np.zeros((200, 12)), 0, order, rho, L - 1, 1.0)
    compiled = np.zeros((200, 12))
    compiled_categories, compiled_count = cython.art1_online(X, compiled, 0, order, rho, L)
    for other_categories, other_count, other_W in [fuzzy, (compiled_categories,
                                                           compiled_count, compiled)]:
        np.testing.assert_array_equal(other_categories, categories)
        assert other_count == count
        np.testing.assert_array_equal(other_W, W_art1)
    assert set(np.unique(W_art1)) <= {0.0, 1.0}   # templates stay binary


# ------------------------------------------------------------ the CuPy path, on a stand-in
def test_cupy_kernels_on_a_stand_in(monkeypatch):
    """The code path of backend/cupy.py (dispatch on the array type, the reference written
    against ``xp``) on a NumPy-backed stand-in for cupy; not the GPU (see test_cupy.py)."""
    import sys

    from test_cupy import FakeDeviceArray, make_fake_cupy

    from neuroclust.backend import cupy as cupy_kernels

    cupy, cupyx = make_fake_cupy()
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    monkeypatch.setitem(sys.modules, "cupyx", cupyx)
    X, W, order = random_problem(11, np.float64, n_steps=150)
    ref_categories, ref_count, W_ref = run(reference, X, W, 0, order, 0.8, 0.01, 0.5)
    W_dev = W.copy().view(FakeDeviceArray)
    categories, count = cupy_kernels.fuzzy_art_online(X.view(FakeDeviceArray), W_dev, 0, order,
                                                      0.8, 0.01, 0.5)
    assert isinstance(categories, FakeDeviceArray)
    np.testing.assert_array_equal(np.asarray(categories), ref_categories)
    assert count == ref_count
    np.testing.assert_array_equal(np.asarray(W_dev), W_ref)
    predicted = cupy_kernels.fuzzy_art_predict(X.view(FakeDeviceArray),
                                               W_ref[:count].astype(np.float32), 0.01, 0.8)
    assert isinstance(predicted, FakeDeviceArray)
    np.testing.assert_array_equal(np.asarray(predicted),
                                  reference.fuzzy_art_predict(X, W_ref[:count], 0.01, 0.8))
    binary = (X[:, :5] > 0.5).astype(np.float64)
    binary[binary.sum(axis=1) == 0, 0] = 1
    W_dev = np.zeros((150, 5)).view(FakeDeviceArray)
    W_host = np.zeros((150, 5))
    got = cupy_kernels.art1_online(binary.view(FakeDeviceArray), W_dev, 0, order, 0.5, 2.0)
    expected = reference.art1_online(binary, W_host, 0, order, 0.5, 2.0)
    np.testing.assert_array_equal(np.asarray(got[0]), expected[0])
    np.testing.assert_array_equal(np.asarray(W_dev), W_host)
