"""The growing neural gas kernel: compiled against the NumPy reference, and one step by hand.

Rules (DESIGN.md, "Kernels: three implementations of one function"): ``cython.gng_online`` and
``reference.gng_online`` run the same steps on the same state, so they must leave the same
graph: the same number of nodes and step count, the same edges with the same ages (the age
matrix equal), ``allclose`` positions and errors. The compiled kernel sums a squared distance
in the order NumPy sums a row of up to 128 numbers, so up to there the graphs are in fact
equal to the last bit, float32 included; the tests ask for that where it holds.

The hand-worked examples check each of Fritzke's steps (eqs. 1-11 of ``reference.gng_online``)
on both implementations.
"""
import numpy as np
import pytest

from neuroclust.backend import available_backends, reference

if "cython" not in available_backends():
    pytest.skip("the compiled kernels (neuroclust._kernels) are not built; run "
                "`python setup.py build_ext --inplace`", allow_module_level=True)

from neuroclust.backend import cython as cy  # noqa: E402  (needs the compiled kernels)

IMPLEMENTATIONS = {"numpy": reference.gng_online, "cython": cy.gng_online}
both_implementations = pytest.mark.parametrize("name", list(IMPLEMENTATIONS))

#: (epsilon_b, epsilon_n, max_age, insert_every, alpha, beta), Fritzke's values but for a short
#: max_age, so that edges and nodes are removed within a few hundred steps.
PARAMS = (0.2, 0.006, 8, 10, 0.5, 0.005)


def start(X, max_nodes, seed=0):
    """The estimator's starting state: two nodes at two samples, no edge, no error."""
    rng = np.random.default_rng(seed)
    W = np.zeros((max_nodes, X.shape[1]), dtype=X.dtype)
    W[:2] = X[rng.choice(len(X), size=2, replace=False)]
    return W, np.zeros(max_nodes), np.full((max_nodes, max_nodes), -1, dtype=np.int64)


def run(name, X, state, n_nodes, n_steps, order, params=PARAMS):
    """One implementation on copies of the state; returns (W, error, age, n_nodes, n_steps)."""
    W, error, age = (a.copy() for a in state)
    n_nodes, n_steps = IMPLEMENTATIONS[name](X, W, error, age, n_nodes, n_steps, order, *params)
    return W, error, age, n_nodes, n_steps


def assert_same_graph(got, expected, exact=True):
    W, error, age, n_nodes, n_steps = got
    W_ref, error_ref, age_ref, n_ref, steps_ref = expected
    assert (n_nodes, n_steps) == (n_ref, steps_ref)
    np.testing.assert_array_equal(age, age_ref)             # the same edges, the same ages
    if exact:
        np.testing.assert_array_equal(W, W_ref)
        np.testing.assert_array_equal(error, error_ref)
    else:
        rtol = 1e-4 if W.dtype == np.float32 else 1e-10
        np.testing.assert_allclose(W, W_ref, rtol=rtol, atol=rtol)
        np.testing.assert_allclose(error, error_ref, rtol=rtol, atol=1e-12)


def node_counts(X, state, order, params=PARAMS):
    """The number of nodes after every step (reference), to see what a run exercises."""
    W, error, age = (a.copy() for a in state)
    n_nodes, n_steps, counts = 2, 0, []
    for i in order:
        n_nodes, n_steps = reference.gng_online(X, W, error, age, n_nodes, n_steps,
                                                np.array([i]), *params)
        counts.append(n_nodes)
    return np.array(counts)


def random_data(seed, n_samples, n_features, dtype):
    """Three blobs, so that edges between them are made early and removed later."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(3, n_features))
    return (centres[np.arange(n_samples) % 3] + rng.normal(size=(n_samples, n_features))
            ).astype(dtype)


# ------------------------------------------------------------- compiled == reference
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_features", [1, 2, 3, 8, 13, 33])
def test_compiled_kernel_grows_the_same_graph(dtype, n_features):
    X = random_data(n_features, 150, n_features, dtype)
    state = start(X, max_nodes=12)
    order = np.random.default_rng(1).integers(0, len(X), size=600)   # with repeats
    expected = run("numpy", X, state, 2, 0, order)
    assert_same_graph(run("cython", X, state, 2, 0, order), expected)
    assert expected[3] == 12                                          # max_nodes reached


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_kernel_on_rows_longer_than_numpys_short_sums(dtype):
    # Beyond 128 numbers NumPy splits a row's sum in halves: the last bits may differ.
    X = random_data(7, 60, 150, dtype)
    state = start(X, max_nodes=8)
    order = np.random.default_rng(2).integers(0, len(X), size=200)
    assert_same_graph(run("cython", X, state, 2, 0, order), run("numpy", X, state, 2, 0, order),
                      exact=False)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_insertions_and_removals_are_exercised_and_agree(dtype):
    X = random_data(3, 120, 2, dtype)
    state = start(X, max_nodes=10)
    order = np.random.default_rng(3).integers(0, len(X), size=800)
    counts = node_counts(X, state, order)
    assert counts.max() == 10                                         # grew to max_nodes
    assert (np.diff(counts) < 0).any()                                # and lost nodes
    assert_same_graph(run("cython", X, state, 2, 0, order), run("numpy", X, state, 2, 0, order))


@pytest.mark.parametrize("max_nodes, insert_every", [(2, 1), (3, 1), (40, 1), (6, 1000)])
def test_odd_sizes_and_clocks(max_nodes, insert_every):
    X = random_data(4, 50, 3, np.float64)
    state = start(X, max_nodes)
    order = np.random.default_rng(4).integers(0, len(X), size=300)
    params = (0.3, 0.05, 5, insert_every, 0.5, 0.01)
    expected = run("numpy", X, state, 2, 0, order, params)
    assert_same_graph(run("cython", X, state, 2, 0, order, params), expected)
    assert 2 <= expected[3] <= max_nodes


def test_one_call_equals_many_calls_carrying_the_clock():
    X = random_data(5, 80, 2, np.float64)
    state = start(X, max_nodes=9)
    order = np.random.default_rng(5).integers(0, len(X), size=400)
    whole = run("cython", X, state, 2, 0, order)
    W, error, age = (a.copy() for a in state)
    n_nodes, n_steps = 2, 0
    for piece in np.array_split(order, [1, 7, 10, 123, 250]):         # odd lengths
        n_nodes, n_steps = cy.gng_online(X, W, error, age, n_nodes, n_steps, piece, *PARAMS)
    assert_same_graph((W, error, age, n_nodes, n_steps), whole)


@pytest.mark.parametrize("layout", ["fortran", "strided"])
def test_non_contiguous_data(layout):
    X = random_data(6, 90, 3, np.float64)
    X_odd = np.asfortranarray(X) if layout == "fortran" else np.repeat(X, 2, axis=1)[:, ::2]
    assert not X_odd.flags.c_contiguous
    state = start(X, max_nodes=7)
    order = np.random.default_rng(6).integers(0, len(X), size=200)
    expected = run("numpy", X, state, 2, 0, order)
    assert_same_graph(run("cython", X_odd, state, 2, 0, order), expected)
    assert_same_graph(run("numpy", X_odd, state, 2, 0, order), expected)


def test_an_empty_order_changes_nothing():
    X = random_data(8, 20, 2, np.float64)
    state = start(X, max_nodes=5)
    for name in IMPLEMENTATIONS:
        W, error, age, n_nodes, n_steps = run(name, X, state, 2, 17, np.array([], dtype=int))
        assert (n_nodes, n_steps) == (2, 17)
        np.testing.assert_array_equal(W, state[0])


# ----------------------------------------------------------------------- by hand
def hand_state(dtype=np.float64):
    """Four nodes: 0-1 (age 2), 0-2 (age 5), 1-3 (age 1); errors 1, 3, 0.5, 2; room for 6."""
    W = np.zeros((6, 2), dtype=dtype)
    W[:4] = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]]
    error = np.zeros(6)
    error[:4] = [1.0, 3.0, 0.5, 2.0]
    age = np.full((6, 6), -1, dtype=np.int64)
    for i, j, a in [(0, 1, 2), (0, 2, 5), (1, 3, 1)]:
        age[i, j] = age[j, i] = a
    return W, error, age


def edges_of(age, n_nodes):
    i, j = np.nonzero(np.triu(age[:n_nodes, :n_nodes] >= 0, k=1))
    return {(int(a), int(b)): int(age[a, b]) for a, b in zip(i, j)}


@both_implementations
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_step_by_hand(name, dtype):
    """x = (0.2, 0.1): s1 = 0 (d = 0.05), s2 = 1 (d = 0.65). With max_age 5 the edge 0-2 ages
    to 6 and goes, node 2 is left alone and goes (node 3 moves into its row), and since
    insert_every = 1 a node is inserted between q = 1 (error 3) and its worse neighbour, the old
    node 3 (error 2, now row 2)."""
    X = np.array([[0.2, 0.1]], dtype=dtype)
    W, error, age = hand_state(dtype)
    eps_b, eps_n, max_age, insert_every, alpha, beta = 0.2, 0.1, 5, 1, 0.5, 0.1
    n_nodes, n_steps = IMPLEMENTATIONS[name](X, W, error, age, 4, 0, np.array([0]), eps_b,
                                             eps_n, max_age, insert_every, alpha, beta)
    assert (n_nodes, n_steps) == (4, 1)
    x = np.array([0.2, 0.1])
    winner = np.array([0.0, 0.0]) + eps_b * x                         # eq. (4)
    neighbour_1 = np.array([1.0, 0.0]) + eps_n * (x - [1.0, 0.0])     # eq. (5)
    # node 2 moved too (eq. 5), then was removed (eq. 7); node 3 took its row
    inserted = (neighbour_1 + [5.0, 5.0]) / 2                         # eq. (9), r = 3
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(W[:4], [winner, neighbour_1, [5.0, 5.0], inserted], atol=tol)
    assert not W[4:].any()
    # eq. (3): E_0 = 1 + 0.05; eq. (10): E_1 = 3 alpha, E_2 (old 3) = 2 alpha, E_r = E_1;
    # eq. (11): all times 1 - beta
    np.testing.assert_allclose(error[:4], 0.9 * np.array([1.05, 1.5, 1.0, 1.5]), atol=tol)
    assert not error[4:].any()
    # eq. (6): 0-1 refreshed to 0; eq. (9): 1-2 (old 1-3) replaced by 1-3 and 2-3 at age 0
    assert edges_of(age, 4) == {(0, 1): 0, (1, 3): 0, (2, 3): 0}
    np.testing.assert_array_equal(age, age.T)
    assert (age[4:] == -1).all() and (age[:, 4:] == -1).all()


@both_implementations
def test_step_without_insertion_or_removal(name):
    """The same step with max_age 50 and insert_every 2: only eqs. (1)-(6) and (11) act."""
    X = np.array([[0.2, 0.1]])
    W, error, age = hand_state()
    n_nodes, n_steps = IMPLEMENTATIONS[name](X, W, error, age, 4, 0, np.array([0]), 0.2, 0.1,
                                             50, 2, 0.5, 0.1)
    assert (n_nodes, n_steps) == (4, 1)
    np.testing.assert_allclose(W[:4], [[0.04, 0.02], [0.92, 0.01], [0.02, 0.91], [5.0, 5.0]])
    np.testing.assert_allclose(error[:4], 0.9 * np.array([1.05, 3.0, 0.5, 2.0]))
    # eq. (2): the winner's edges age by one (0-2: 5 -> 6); eq. (6): 0-1 back to 0; 1-3 as it was
    assert edges_of(age, 4) == {(0, 1): 0, (0, 2): 6, (1, 3): 1}


@both_implementations
def test_second_nearest_gets_a_new_edge(name):
    X = np.array([[0.1, 0.9]])            # nearest node 2, then node 0, not yet joined
    W, error, age = hand_state()
    age[0, 2] = age[2, 0] = -1
    age[2, 3] = age[3, 2] = 4             # node 2 keeps an edge, so it is not isolated
    IMPLEMENTATIONS[name](X, W, error, age, 4, 0, np.array([0]), 0.2, 0.1, 50, 100, 0.5, 0.0)
    assert edges_of(age, 4) == {(0, 1): 2, (0, 2): 0, (1, 3): 1, (2, 3): 5}
    # eq. (5): node 3, the winner's only neighbour before the step, moved; node 0 did not
    np.testing.assert_allclose(W[3], np.array([5.0, 5.0]) + 0.1 * (np.array([0.1, 0.9]) - 5.0))
    np.testing.assert_array_equal(W[0], [0.0, 0.0])


@both_implementations
def test_two_nodes_left_alone_in_one_step_go_highest_first(name):
    """Nodes 2 and 3 hang on node 0 by old edges; node 4 hangs on node 1. The winner 0's old
    edges go; 3 is removed first (node 4 moves into row 3), then 2 (that node moves on, into
    row 2)."""
    W = np.zeros((6, 1))
    W[:5, 0] = [0.0, 1.0, -3.0, -4.0, 7.0]
    error = np.zeros(6)
    error[:5] = [1.0, 2.0, 3.0, 4.0, 5.0]
    age = np.full((6, 6), -1, dtype=np.int64)
    for i, j, a in [(0, 1, 0), (0, 2, 9), (0, 3, 9), (1, 4, 3)]:
        age[i, j] = age[j, i] = a
    n_nodes, _ = IMPLEMENTATIONS[name](np.array([[0.0]]), W, error, age, 5, 0, np.array([0]),
                                       0.5, 0.0, 9, 100, 0.5, 0.0)
    assert n_nodes == 3
    np.testing.assert_array_equal(W[:, 0], [0.0, 1.0, 7.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(error, [1.0, 2.0, 5.0, 0.0, 0.0, 0.0])
    assert edges_of(age, 6) == {(0, 1): 0, (1, 2): 3}


@both_implementations
def test_a_tie_goes_to_the_lowest_index(name):
    W = np.zeros((4, 2))
    W[:3] = [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]          # three nodes in one place
    error, age = np.zeros(4), np.full((4, 4), -1, dtype=np.int64)
    age[1, 2] = age[2, 1] = 0
    age[0, 2] = age[2, 0] = 0
    IMPLEMENTATIONS[name](np.array([[0.0, 0.0]]), W, error, age, 3, 0, np.array([0]), 0.5, 0.0,
                          50, 100, 0.5, 0.0)
    np.testing.assert_array_equal(W[:3], [[0.5, 0.5], [1.0, 1.0], [1.0, 1.0]])   # s1 = 0
    assert error[0] == 2.0 and not error[1:].any()
    assert edges_of(age, 3) == {(0, 1): 0, (0, 2): 1, (1, 2): 0}                 # s2 = 1


@both_implementations
def test_insertion_picks_the_worst_neighbour_and_respects_max_nodes(name):
    X = np.array([[0.0, 0.0]])
    W, error, age = hand_state()
    error[:4] = [0.0, 1.0, 0.0, 9.0]      # q = 3, its only neighbour f = 1
    n_nodes, _ = IMPLEMENTATIONS[name](X, W, error, age, 4, 4, np.array([0]), 0.0, 0.0, 50, 5,
                                       0.5, 0.0)
    assert n_nodes == 5
    np.testing.assert_allclose(W[4], [3.0, 2.5])                      # (w_1 + w_3) / 2
    np.testing.assert_allclose(error[[1, 3, 4]], [0.5, 4.5, 4.5])
    assert edges_of(age, 5) == {(0, 1): 0, (0, 2): 6, (1, 4): 0, (3, 4): 0}
    # full: no insertion, though the clock says so
    W, error, age = hand_state()
    W, error, age = W[:4].copy(), error[:4].copy(), age[:4, :4].copy()
    n_nodes, _ = IMPLEMENTATIONS[name](X, W, error, age, 4, 4, np.array([0]), 0.0, 0.0, 50, 5,
                                       0.5, 0.0)
    assert n_nodes == 4


# ---------------------------------------------------------------------- the wrapper
def test_the_wrapper_refuses_state_it_cannot_update_in_place():
    X = random_data(9, 20, 2, np.float64)
    W, error, age = start(X, 5)
    order = np.arange(5)
    bad = [
        (lambda: cy.gng_online(X, W[:, :1], error, age, 2, 0, order, *PARAMS),
         r"W must have as many features \(columns\) as X"),
        (lambda: cy.gng_online(X, W, error[:4], age, 2, 0, order, *PARAMS),
         r"error must have shape \(5,\)"),
        (lambda: cy.gng_online(X, W, error, age.astype(np.float64), 2, 0, order, *PARAMS),
         "age must be a signed integer array"),
        (lambda: cy.gng_online(X, W, error, age[:4], 2, 0, order, *PARAMS),
         r"age must have shape \(5, 5\)"),
        (lambda: cy.gng_online(X, W, error, age, 6, 0, order, *PARAMS),
         r"n_nodes must lie in \[2, 5\]"),
        (lambda: cy.gng_online(X, W, error, age, 2, 0, np.array([0, 20]), *PARAMS),
         r"order must hold row indices of X in \[0, 20\)"),
        (lambda: cy.gng_online(X, W, error, age, 2, 0, order, 0.2, 0.006, 8, 0, 0.5, 0.0),
         r"insert_every must be >= 1, got 0"),
    ]
    for call, message in bad:
        with pytest.raises(ValueError, match=message):
            call()


def test_every_backend_offers_gng_online_with_one_signature():
    import inspect

    from neuroclust.backend import cupy as cupy_kernels
    from neuroclust.backend import get_kernels

    signatures = {name: inspect.signature(module.gng_online) for name, module in
                  [("numpy", get_kernels("numpy")), ("cython", get_kernels("cython")),
                   ("cupy", cupy_kernels)]}
    assert len(set(map(str, signatures.values()))) == 1, signatures
    for module in (reference, cy, cupy_kernels):
        assert "gng_online" in module.__all__
