"""The min-max-jump distance kernels: both against a brute-force minimax over all paths.

``reference.mmj_distances`` (Prim, then the path maxima in the order the samples joined) and
``cython.mmj_distances`` (Prim, then a depth-first search from every sample) must both give
the minimax path distance of eq. (1) of ``backend/reference/mmj.py``, computed here the slow
way: Floyd-Warshall with (max, min) in place of (+, min) over the complete Euclidean graph.
The minimax distances do not depend on which minimum spanning tree ties pick, so ties and
duplicate points are tested as such.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from neuroclust.backend import available_backends, reference

if "cython" not in available_backends():
    pytest.skip("the compiled kernels (neuroclust._kernels) are not built; run "
                "`python setup.py build_ext --inplace`", allow_module_level=True)

from neuroclust.backend import cython as cy  # noqa: E402  (needs the compiled kernels)

IMPLEMENTATIONS = {"numpy": reference.mmj_distances, "cython": cy.mmj_distances}
both = pytest.mark.parametrize("name", list(IMPLEMENTATIONS))


def brute_force(X):
    """Floyd-Warshall on (max, min): after pivot k, M[i, j] is the best largest jump over
    paths whose inner points are among the first k + 1 samples."""
    X = np.asarray(X, dtype=np.float64)
    M = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=-1))
    for k in range(len(X)):
        M = np.minimum(M, np.maximum(M[:, k:k + 1], M[k:k + 1, :]))
    return M


@both
@settings(max_examples=60, deadline=None)
@given(X=st.integers(1, 25).flatmap(lambda n: st.integers(1, 4).flatmap(
    lambda p: arrays(np.float64, (n, p), elements=st.floats(-10, 10, allow_nan=False,
                                                              width=32)))))
def test_matches_the_minimax_over_all_paths(name, X):
    M = IMPLEMENTATIONS[name](X)
    np.testing.assert_allclose(M, brute_force(X), rtol=1e-12, atol=1e-12)


@both
@settings(max_examples=40, deadline=None)
@given(X=st.integers(2, 30).flatmap(lambda n: arrays(
    np.int64, (n, 2), elements=st.integers(0, 3))))
def test_ties_and_duplicates_on_a_small_grid(name, X):
    """Integer points on a 4 x 4 grid: many equal distances, and repeated points (distance 0
    between duplicates)."""
    M = IMPLEMENTATIONS[name](X.astype(np.float64))
    np.testing.assert_allclose(M, brute_force(X), atol=1e-12)


@both
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_kept_and_both_agree(name, dtype):
    X = np.random.default_rng(0).normal(size=(120, 3)).astype(dtype)
    M = IMPLEMENTATIONS[name](X)
    assert M.dtype == dtype
    assert M.shape == (120, 120)
    np.testing.assert_array_equal(M, M.T)
    np.testing.assert_array_equal(np.diag(M), 0)
    np.testing.assert_allclose(M, brute_force(X), rtol=1e-5 if dtype == np.float32 else 1e-12)


@both
def test_one_and_two_samples(name):
    np.testing.assert_array_equal(IMPLEMENTATIONS[name](np.array([[1.0, 2.0]])), [[0.0]])
    M = IMPLEMENTATIONS[name](np.array([[0.0, 0.0], [3.0, 4.0]]))
    np.testing.assert_allclose(M, [[0.0, 5.0], [5.0, 0.0]])


@both
def test_integers_become_float64_and_layouts_do_not_matter(name):
    X = np.random.default_rng(1).integers(0, 9, size=(30, 4))
    expected = brute_force(X)
    M = IMPLEMENTATIONS[name](X)
    assert M.dtype == np.float64
    np.testing.assert_allclose(M, expected, atol=1e-12)
    wide = np.asfortranarray(np.repeat(X.astype(np.float64), 2, axis=1))[:, ::2]
    np.testing.assert_allclose(IMPLEMENTATIONS[name](wide), expected, atol=1e-12)


@both
def test_a_chain_takes_the_largest_link(name):
    """Points at 0, 1, 3, 6 on a line: the minimax distance from 0 to 6 is the longest
    link, 3, not the direct 6."""
    X = np.array([[0.0], [1.0], [3.0], [6.0]])
    M = IMPLEMENTATIONS[name](X)
    assert M[0, 3] == 3.0 and M[0, 1] == 1.0 and M[1, 2] == 2.0 and M[0, 2] == 2.0


def test_several_threads_give_the_same_matrix():
    X = np.random.default_rng(2).normal(size=(700, 2))
    np.testing.assert_array_equal(cy.mmj_distances(X, n_threads=1),
                                  cy.mmj_distances(X, n_threads=2))


def test_spanning_tree():
    """Prim's tree: n - 1 edges, each sample's parent joined before it, and its total
    length that of SciPy's minimum spanning tree."""
    from scipy.sparse.csgraph import minimum_spanning_tree
    from scipy.spatial.distance import cdist

    X = np.random.default_rng(3).normal(size=(60, 2))
    order, parent, weight = reference.minimum_spanning_tree(X)
    assert order[0] == 0 and parent[0] == -1 and sorted(order) == list(range(60))
    position = np.argsort(order)
    assert all(position[parent[v]] < position[v] for v in order[1:])
    np.testing.assert_allclose(weight.sum(), minimum_spanning_tree(cdist(X, X)).sum())
    joined = order[1:]
    np.testing.assert_allclose(weight[joined],
                               np.linalg.norm(X[joined] - X[parent[joined]], axis=1))


@both
@pytest.mark.parametrize("X, words", [
    (np.zeros((0, 2)), "at least one sample"),
    (np.zeros((3, 0)), "at least one feature"),
    (np.zeros(3), "2-D"),
    (np.array([["a", "b"]]), "real numbers"),
    ("abc", "must be an array"),
])
def test_bad_input_is_refused_with_a_sentence(name, X, words):
    with pytest.raises(ValueError, match=words):
        IMPLEMENTATIONS[name](X)


@both
def test_bad_thread_count_is_refused(name):
    with pytest.raises(ValueError, match="n_threads"):
        IMPLEMENTATIONS[name](np.zeros((3, 2)), n_threads=0)


def test_a_matrix_too_large_for_memory_is_refused_before_allocating(monkeypatch):
    from neuroclust.backend import cython as module

    monkeypatch.setattr(module, "available_memory", lambda: 10 << 20)
    with pytest.raises(MemoryError, match="mmj_distances needs about"):
        cy.mmj_distances(np.zeros((3000, 2)))
