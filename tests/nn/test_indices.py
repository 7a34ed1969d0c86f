"""The soft clustering indices: gradients against central differences, values against
scikit-learn on one-hot assignments, and their behaviour at the edges."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from sklearn.metrics import calinski_harabasz_score, silhouette_score

from neuroclust import nn
from neuroclust.backend.reference import mmj_distances

TOL = 1e-6


def soft(rng, n, K):
    return rng.dirichlet(np.ones(K), size=n)


def mmj_batch_without_constant_rows(rng, n):
    """MMJ distances of n points and a batch of rows whose block has no row that is constant
    off the diagonal: a sample at the same distance from every other (an outlier joined by
    the tree's longest edge) has all its d_ik equal, a kink of eq. (3)'s minimum, where a
    central difference is no derivative."""
    for _ in range(1000):
        M = mmj_distances(rng.normal(size=(n, 2)))
        rows = rng.permutation(n)[:n - 2]
        off = M[np.ix_(rows, rows)] + np.diag(np.full(len(rows), np.nan))
        if not np.any(np.nanmax(off, axis=1) == np.nanmin(off, axis=1)):
            return M, rows
    pytest.skip("no such batch found")    # (the largest edge's leaf is in every 3-point set)


def hard(rng, n, K):
    """Labels with at least two samples in every cluster (scikit-learn gives a sample alone
    in its cluster a silhouette of 0; eq. (4) gives it 1, see the docstring)."""
    labels = np.r_[np.arange(K), np.arange(K), rng.integers(0, K, n - 2 * K)]
    return labels, np.eye(K)[labels]


@settings(max_examples=25, deadline=None)
@given(n=st.integers(3, 30), K=st.integers(2, 5), seed=st.integers(0, 10**6))
def test_euclidean_silhouette_gradient(n, K, seed):
    rng = np.random.default_rng(seed)
    X, S = rng.normal(size=(n, 3)), soft(rng, n, K)
    assert nn.gradcheck(nn.SoftSilhouette(), S, X)["prediction"] < TOL


@settings(max_examples=25, deadline=None)
@given(n=st.integers(8, 30), K=st.integers(2, 5), seed=st.integers(0, 10**6))
def test_mmj_silhouette_gradient(n, K, seed):
    rng = np.random.default_rng(seed)
    M, rows = mmj_batch_without_constant_rows(rng, n)    # a batch: a block of the matrix
    S = soft(rng, len(rows), K)
    assert nn.gradcheck(nn.SoftSilhouette(M), S, rows[:, None])["prediction"] < TOL


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 30), K=st.integers(2, 5), seed=st.integers(0, 10**6))
def test_calinski_harabasz_gradient(n, K, seed):
    rng = np.random.default_rng(seed)
    X, S = rng.normal(size=(n, 3)), soft(rng, n, K)
    assert nn.gradcheck(nn.SoftCalinskiHarabasz(), S, X)["prediction"] < TOL


@pytest.mark.parametrize("n, K", [(6, 2), (20, 3), (50, 5)])
@pytest.mark.parametrize("seed", range(3))
def test_one_hot_values_are_scikit_learns(n, K, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    labels, H = hard(rng, n, K)
    M = mmj_distances(X)
    rows = np.arange(n)[:, None]
    assert np.isclose(-nn.SoftSilhouette().forward(H, X), silhouette_score(X, labels))
    assert np.isclose(-nn.SoftSilhouette(M).forward(H, rows),
                      silhouette_score(M, labels, metric="precomputed"))
    assert np.isclose(-nn.SoftCalinskiHarabasz().forward(H, X),
                      calinski_harabasz_score(X, labels))


def test_separated_clusters_score_high_and_mixed_ones_low():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(size=(20, 2)) * 0.1, rng.normal(size=(20, 2)) * 0.1 + 5]
    right = np.eye(2)[np.repeat([0, 1], 20)]
    uniform = np.full((40, 2), 0.5)
    assert -nn.SoftSilhouette().forward(right, X) > 0.9
    assert abs(nn.SoftSilhouette().forward(uniform, X)) < 1e-12   # a_i = b_i
    assert -nn.SoftCalinskiHarabasz().forward(right, X) > 100 * -nn.SoftCalinskiHarabasz(
        ).forward(np.clip(uniform + rng.normal(size=(40, 2)) * 0.01, 0, 1), X)


@pytest.mark.parametrize("loss", [nn.SoftSilhouette(), nn.SoftCalinskiHarabasz()])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_kept(loss, dtype):
    rng = np.random.default_rng(0)
    S, X = soft(rng, 10, 3).astype(dtype), rng.normal(size=(10, 2)).astype(dtype)
    assert np.isfinite(loss.forward(S, X))
    assert loss.backward().dtype == dtype


def test_small_batches_are_finite():
    """One sample, or no more samples than clusters: a value of 0 (silhouette: no other
    sample; Calinski-Harabasz: n - K <= 0), never NaN."""
    rng = np.random.default_rng(0)
    for n in (1, 2, 3):
        S, X = soft(rng, n, 3), rng.normal(size=(n, 2))
        for loss in (nn.SoftSilhouette(), nn.SoftCalinskiHarabasz()):
            assert np.isfinite(loss.forward(S, X))
            assert np.all(np.isfinite(loss.backward()))
    S = soft(rng, 2, 3)
    assert nn.SoftCalinskiHarabasz().forward(S, rng.normal(size=(2, 2))) == 0


def test_one_cluster_gives_zero():
    X = np.random.default_rng(0).normal(size=(6, 2))
    for loss in (nn.SoftSilhouette(), nn.SoftCalinskiHarabasz()):
        assert loss.forward(np.ones((6, 1)), X) == 0
        np.testing.assert_array_equal(loss.backward(), np.zeros((6, 1)))


def test_identical_samples_give_zero_not_nan():
    S = soft(np.random.default_rng(0), 8, 2)
    for loss in (nn.SoftSilhouette(), nn.SoftCalinskiHarabasz()):
        assert loss.forward(S, np.ones((8, 2))) == 0
        assert np.all(np.isfinite(loss.backward()))


@pytest.mark.parametrize("make, prediction, target, words", [
    (lambda: nn.SoftSilhouette(), np.ones((4, 2)), np.ones((3, 2)), "target has 3 rows"),
    (lambda: nn.SoftSilhouette(np.zeros((4, 4))), np.ones((2, 2)), np.ones((2, 2)),
     "one column of row numbers"),
    (lambda: nn.SoftSilhouette(np.zeros((4, 4))), np.ones((2, 2)), np.array([[0.], [4.]]),
     "row numbers"),
    (lambda: nn.SoftSilhouette(np.zeros((4, 4))), np.ones((2, 2)), np.array([[0.], [1.5]]),
     "whole numbers"),
    (lambda: nn.SoftCalinskiHarabasz(), np.ones((3, 2)), np.full((3, 2), np.nan), "NaN"),
])
def test_bad_input_is_refused_with_a_sentence(make, prediction, target, words):
    with pytest.raises(ValueError, match=words):
        make().forward(prediction, target)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="square"):
        nn.SoftSilhouette(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="eps"):
        nn.SoftCalinskiHarabasz(eps=0)
    with pytest.raises(ValueError, match="forward"):
        nn.SoftSilhouette().backward()
