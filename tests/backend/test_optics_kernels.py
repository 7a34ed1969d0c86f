"""OPTICS's kernels (neuroclust/backend/reference/optics.py and the compiled loop of
csrc/density.pyx, wrapped by backend/cython.py): the reference and the compiled path agree to
the bit, and both give scikit-learn's ordering, reachability, core distances, predecessors and
labels (the oracle) on random sets with duplicates and exact ties; hand-worked cases; bad
arguments refused with one sentence."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from neuroclust.backend import available_backends, get_kernels, reference

BACKENDS = [name for name in ("numpy", "cython") if name in available_backends()]
COMPILED = pytest.mark.skipif("cython" not in BACKENDS, reason="the compiled kernels are not built")


def optics_graph(kernels, X, min_samples, max_eps):
    """Core distances, then the ordering, as the estimator chains them."""
    core = kernels.optics_core_distances(X, min_samples, max_eps)
    graph = (None, None) if np.isinf(max_eps) else kernels.radius_neighbors(X, max_eps)
    return (core,) + tuple(kernels.optics_ordering(X, core, *graph))


@st.composite
def point_sets(draw):
    n = draw(st.integers(2, 50))
    d = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    X = rng.normal(size=(n, d)) * draw(st.sampled_from([0.01, 1.0, 100.0]))
    if draw(st.booleans()):                       # a grid: duplicates and exact ties
        X = np.round(X * 2) / 2
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    max_eps = draw(st.sampled_from([np.inf, 0.0, 0.5, 1.0])) * (float(X.std()) or 1.0)
    return X.astype(dtype), draw(st.integers(2, min(n, 8))), max_eps


@COMPILED
@settings(max_examples=80, deadline=None)
@given(problem=point_sets())
def test_the_compiled_path_is_the_reference_to_the_bit(problem):
    X, min_samples, max_eps = problem
    for ours, theirs in zip(optics_graph(get_kernels("cython"), X, min_samples, max_eps),
                            optics_graph(reference, X, min_samples, max_eps)):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.filterwarnings("ignore:All reachability values are inf")   # the oracle's, at 0
@pytest.mark.filterwarnings("ignore:divide by zero")                     # the oracle's ratio
@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None)
@given(problem=point_sets())
def test_scikit_learns_graph_and_labels(backend, problem):
    sklearn_cluster = pytest.importorskip("sklearn.cluster")
    X, min_samples, max_eps = problem
    kernels = get_kernels(backend)
    core, ordering, reachability, predecessor = optics_graph(kernels, X, min_samples, max_eps)
    # its k-d tree measures distances as we do (brute force's expansion differs by rounding)
    oracle = sklearn_cluster.OPTICS(min_samples=min_samples, max_eps=max_eps,
                                    algorithm="kd_tree").fit(X.astype(np.float64))
    np.testing.assert_array_equal(core, oracle.core_distances_)
    np.testing.assert_array_equal(ordering, oracle.ordering_)
    np.testing.assert_array_equal(reachability, oracle.reachability_)
    np.testing.assert_array_equal(predecessor, oracle.predecessor_)
    clusters = kernels.optics_xi_clusters(reachability, predecessor, ordering, min_samples,
                                          min_samples, 0.05, True)
    np.testing.assert_array_equal(clusters, oracle.cluster_hierarchy_.reshape(-1, 2))
    np.testing.assert_array_equal(kernels.optics_xi_labels(ordering, clusters), oracle.labels_)
    for eps in (0.0, float(np.median(core[np.isfinite(core)])) if np.isfinite(core).any()
                else 0.0):
        np.testing.assert_array_equal(
            kernels.optics_dbscan_labels(reachability, core, ordering, eps),
            sklearn_cluster.cluster_optics_dbscan(reachability=oracle.reachability_,
                                                  core_distances=oracle.core_distances_,
                                                  ordering=oracle.ordering_, eps=eps))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("max_eps", [np.inf, 1.5])
def test_a_hand_worked_line_of_points(backend, max_eps):
    # min_samples = 2: each core distance is the gap to the nearest other point. From 0 the
    # walk goes 0 -> 1 (offered 1) -> 2 (offered max(1, 1) = 1) -> 3 (offered 2 from 2,
    # beyond max_eps = 1.5, so then a new run starting at inf) -> 4 (offered 1 from 3).
    X = np.array([[0.0], [1.0], [2.0], [4.0], [5.0]])
    core, ordering, reachability, predecessor = optics_graph(get_kernels(backend), X, 2,
                                                             max_eps)
    np.testing.assert_array_equal(core, [1, 1, 1, 1, 1])
    np.testing.assert_array_equal(ordering, [0, 1, 2, 3, 4])
    far = 2.0 if np.isinf(max_eps) else np.inf
    np.testing.assert_array_equal(reachability, [np.inf, 1, 1, far, 1])
    np.testing.assert_array_equal(predecessor, [-1, 0, 1, 2 if np.isinf(max_eps) else -1, 3])


@pytest.mark.parametrize("backend", BACKENDS)
def test_ties_break_by_the_lower_index(backend):
    # 0 offers the same reachability (1) to 1, 2 and 3: 1 comes next, then, from 1, the
    # offers tie again and the lowest index goes first.
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    _, ordering, reachability, _ = optics_graph(get_kernels(backend), X, 2, np.inf)
    np.testing.assert_array_equal(ordering, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(reachability, [np.inf, 1, 1, 1, 1])


def test_the_rounding_is_numpys():
    """The compiled loop rounds as np.around(x, 15) does, on values where it matters."""
    pytest.importorskip("neuroclust._kernels")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3)) * rng.choice([1e-3, 1.0, 30.0], size=(400, 1))
    ours = optics_graph(get_kernels("cython"), X, 3, np.inf)
    theirs = optics_graph(reference, X, 3, np.inf)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("args, match", [
    ((np.zeros((3, 2)), 4, np.inf), "min_samples"),
    ((np.zeros((3, 2)), 0, np.inf), "min_samples"),
    ((np.zeros((3, 2)), 2, -1.0), "max_eps"),
    ((np.zeros((3, 2)), 2, float("nan")), "max_eps"),
    ((np.zeros(3), 2, 1.0), "X"),
])
def test_bad_core_distance_arguments_are_refused(backend, args, match):
    with pytest.raises(ValueError, match=match):
        get_kernels(backend).optics_core_distances(*args)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("core, indptr, indices, match", [
    (np.zeros(2), None, None, "core_distances"),                          # one short
    (np.array([0.0, np.nan, 1.0]), None, None, "core_distances"),
    (np.array([0.0, -1.0, 1.0]), None, None, "core_distances"),
    (np.zeros(3), np.array([0, 1, 2, 3]), None, "together"),
    (np.zeros(3), np.array([0, 1, 2]), np.array([0, 1]), "indptr"),          # one row short
    (np.zeros(3), np.array([0, 1, 2, 3]), np.array([0, 1, 5]), "indices"),
    (np.zeros(3), np.array([0, 2, 1, 3]), np.array([0, 1, 2]), "indptr"),   # falls
])
def test_bad_ordering_arguments_are_refused(backend, core, indptr, indices, match):
    with pytest.raises(ValueError, match=match):
        get_kernels(backend).optics_ordering(np.zeros((3, 2)), core, indptr, indices)


@COMPILED
def test_the_compiled_loop_refuses_what_would_reach_outside_its_arrays():
    from neuroclust._kernels import density
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="core"):
        density.optics_ordering(X, np.zeros(2), None, None)
    with pytest.raises(ValueError, match="indptr"):
        density.optics_ordering(X, np.zeros(3), np.array([0, 1, 2], dtype=np.int64),
                                np.array([0, 1], dtype=np.int64))
    with pytest.raises(ValueError, match="indptr"):
        density.optics_ordering(X, np.zeros(3), np.array([0, 2, 1, 3], dtype=np.int64),
                                np.array([0, 1, 2], dtype=np.int64))
    with pytest.raises(ValueError, match="indices"):
        density.optics_ordering(X, np.zeros(3), np.array([0, 1, 2, 3], dtype=np.int64),
                                np.array([0, 1, 7], dtype=np.int64))
    with pytest.raises(ValueError, match="both"):
        density.optics_ordering(X, np.zeros(3), None, np.array([0], dtype=np.int64))
