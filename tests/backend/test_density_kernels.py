"""DBSCAN's kernels (neuroclust/backend/reference/density.py and their twins in
backend/cython.py): the neighbourhoods against a brute-force count from the differences, the
labels against the reference loop and scikit-learn's DBSCAN (the oracle), on random sets with
duplicates and exact distances; bad arguments refused with one sentence."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from neuroclust.backend import available_backends, reference

BACKENDS = [name for name in ("numpy", "cython") if name in available_backends()]


def kernels(name):
    from neuroclust.backend import get_kernels
    return get_kernels(name)


def brute_neighbourhoods(X, eps):
    X = X.astype(np.float64)
    squared = ((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    return [np.flatnonzero(row <= eps * eps) for row in squared]


@st.composite
def point_sets(draw):
    n = draw(st.integers(1, 60))
    d = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * draw(st.sampled_from([0.01, 1.0, 100.0]))
    if draw(st.booleans()):                       # a grid: duplicates and exact distances
        X = np.round(X * 4) / 4
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    eps = float(draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))) * (float(X.std()) or 1.0)
    return X.astype(dtype), eps, draw(st.integers(1, 8))


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None)
@given(problem=point_sets())
def test_neighbourhoods_are_the_points_within_eps(backend, problem):
    X, eps, _ = problem
    indptr, indices = kernels(backend).radius_neighbors(X, eps)
    assert indptr.dtype == indices.dtype == np.int64
    assert indptr[0] == 0 and indptr[-1] == indices.size and (np.diff(indptr) >= 1).all()
    for i, expected in enumerate(brute_neighbourhoods(X, eps)):   # any order within a row
        np.testing.assert_array_equal(np.sort(indices[indptr[i]:indptr[i + 1]]), expected)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None)
@given(problem=point_sets())
def test_labels_are_the_reference_loops_and_scikit_learns(backend, problem):
    sklearn_cluster = pytest.importorskip("sklearn.cluster")
    X, eps, min_samples = problem
    labels, is_core = kernels(backend).dbscan_labels(
        *kernels(backend).radius_neighbors(X, eps), min_samples)
    ref_labels, ref_core = reference.dbscan_labels(*reference.radius_neighbors(X, eps),
                                                   min_samples)
    np.testing.assert_array_equal(labels, ref_labels)
    np.testing.assert_array_equal(is_core, ref_core)
    if eps > 0:   # scikit-learn refuses eps = 0
        oracle = sklearn_cluster.DBSCAN(eps=eps, min_samples=min_samples).fit(
            X.astype(np.float64))
        np.testing.assert_array_equal(labels, oracle.labels_)
        np.testing.assert_array_equal(np.flatnonzero(is_core), oracle.core_sample_indices_)


def test_a_hand_worked_line_of_points():
    # 0, 1, 2 are a chain (each within 1 of the next), 5 is alone, 2.9 is a border point of
    # the chain when min_samples = 3: its only neighbour within 1 is 2.
    X = np.array([[0.0], [1.0], [2.0], [2.9], [5.0]])
    for backend in BACKENDS:
        labels, is_core = kernels(backend).dbscan_labels(
            *kernels(backend).radius_neighbors(X, 1.0), 3)
        np.testing.assert_array_equal(is_core, [False, True, True, False, False])
        np.testing.assert_array_equal(labels, [0, 0, 0, 0, -1])


def test_a_border_point_joins_the_cluster_found_first():
    # two clusters of four points, the left one first; the point at 1.75 has only three
    # neighbours within 0.9 (itself, 0.9 and 2.6), so it is a border point of both clusters,
    # and takes the left one's label (0), as scikit-learn's DBSCAN does.
    X = np.array([[0.0], [0.3], [0.6], [0.9], [1.75], [2.6], [2.9], [3.2], [3.5]])
    for backend in BACKENDS:
        labels, is_core = kernels(backend).dbscan_labels(
            *kernels(backend).radius_neighbors(X, 0.9), 4)
        np.testing.assert_array_equal(is_core, [True] * 4 + [False] + [True] * 4)
        np.testing.assert_array_equal(labels, [0] * 5 + [1] * 4)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("eps, match", [(-1.0, "eps"), (float("nan"), "eps"),
                                        (float("inf"), "eps")])
def test_a_bad_radius_is_refused(backend, eps, match):
    with pytest.raises(ValueError, match=match):
        kernels(backend).radius_neighbors(np.zeros((3, 2)), eps)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("indptr, indices, min_samples, match", [
    (np.array([0, 1, 3]), np.array([0, 1]), 1, "indptr"),          # ends beyond indices
    (np.array([1, 2]), np.array([0, 1]), 1, "indptr"),             # does not start at 0
    (np.array([0, 2, 1]), np.array([0, 1]), 1, "indptr"),          # falls
    (np.array([0, 1, 2]), np.array([0, 2]), 1, "indices"),         # a row that is not there
    (np.array([0, 1, 2]), np.array([0, 1]), 0, "min_samples"),
])
def test_bad_neighbourhoods_are_refused(backend, indptr, indices, min_samples, match):
    with pytest.raises(ValueError, match=match):
        kernels(backend).dbscan_labels(indptr, indices, min_samples)


@pytest.mark.skipif("cython" not in BACKENDS, reason="the compiled kernels are not built")
def test_the_compiled_kernels_refuse_what_would_reach_outside_their_arrays():
    from neuroclust._kernels import density
    with pytest.raises(ValueError, match="outside"):
        density.rows_of_pairs(np.array([[0, 5]], dtype=np.int64), 3)
    with pytest.raises(ValueError, match="pairs"):
        density.rows_of_pairs(np.zeros((2, 3), dtype=np.int64), 3)
    with pytest.raises(ValueError, match="indptr"):
        density.dbscan_labels(np.array([0, 2, 1], dtype=np.int64),
                              np.array([0], dtype=np.int64), 1)
    with pytest.raises(ValueError, match="indices"):
        density.dbscan_labels(np.array([0, 1, 2], dtype=np.int64),
                              np.array([0, 7], dtype=np.int64), 1)


def test_rows_of_pairs_lists_each_sample_then_its_partners():
    pytest.importorskip("neuroclust._kernels")
    from neuroclust._kernels import density
    indptr, indices = density.rows_of_pairs(np.array([[0, 2], [1, 2]], dtype=np.int64), 4)
    np.testing.assert_array_equal(indptr, [0, 2, 4, 7, 8])
    np.testing.assert_array_equal(indices, [0, 2, 1, 2, 2, 0, 1, 3])
