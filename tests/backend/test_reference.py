"""The NumPy reference kernels against independent, brute-force statements of the same math.

``reference.py`` is the oracle for the fast kernels, so it is itself checked here against
formulas that share none of its tricks: distances straight from the broadcast difference
``((X[:, None] - W[None]) ** 2).sum(-1)`` (no expansion, no centring), per-unit Python loops for
the sums, and a sample-by-sample loop for winner-take-all learning and DeSieno's conscience.
Data of both signs and data shifted by 1000 (uncentred) are used, so a lost sign, a lost
centring or a cancellation error shows up.
"""
import numpy as np
import pytest

from neuroclust.backend import reference

SEEDS = [0, 1, 2]
OFFSETS = [0.0, 1000.0]


def brute_squared_distances(X, W):
    """(n_samples, n_units) squared distances from the difference itself, in float64."""
    X = np.asarray(X, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    return ((X[:, None, :] - W[None, :, :]) ** 2).sum(axis=-1)


def random_problem(seed, n_samples=57, n_features=5, n_units=7, offset=0.0):
    """Data of both signs around ``offset``; prototypes drawn near the data."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=3.0, size=(n_samples, n_features)) + offset
    W = rng.normal(scale=3.0, size=(n_units, n_features)) + offset
    return X, W


def float32_tolerance(X, W):
    """How far a float32 winner's true distance may exceed the minimum: a few float32 ulps
    of the terms the distance is computed from, per sample (shape (n_samples,))."""
    centre = W.astype(np.float64).mean(axis=0)
    x_sq = ((X.astype(np.float64) - centre) ** 2).sum(axis=1)
    w_sq = ((W.astype(np.float64) - centre) ** 2).sum(axis=1).max()
    return 32 * np.finfo(np.float32).eps * (x_sq + w_sq)


# --- squared_distances ---------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("offset", OFFSETS)
def test_squared_distances_float64_equal_brute_force(seed, offset):
    X, W = random_problem(seed, offset=offset)
    expected = brute_squared_distances(X, W)
    got = reference.squared_distances(X, W)
    assert got.shape == (X.shape[0], W.shape[0])
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("offset", OFFSETS)
def test_squared_distances_float32_close_to_float64_truth(offset):
    # At offset 1000 the raw expansion in float32 would lose everything to cancellation
    # (|x|^2 ~ 5e6, float32 keeps ~7 digits); the centring keeps the error small.
    X, W = random_problem(3, offset=offset)
    X32, W32 = X.astype(np.float32), W.astype(np.float32)
    expected = brute_squared_distances(X32, W32)
    got = reference.squared_distances(X32, W32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-3)


def test_squared_distances_never_negative():
    # A sample equal to a prototype has distance 0; rounding must not make it negative.
    X, W = random_problem(4, offset=1000.0)
    X[:7] = W
    got = reference.squared_distances(X, W)
    assert (got >= 0).all()
    np.testing.assert_allclose(np.diag(got[:7]), 0.0, atol=1e-8)


# --- bmu -----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("offset", OFFSETS)
def test_bmu_float64_equals_brute_force_argmin(seed, offset):
    X, W = random_problem(seed, offset=offset)
    expected = brute_squared_distances(X, W)
    index, distance = reference.bmu(X, W)
    assert index.dtype == np.int64 and distance.dtype == np.float64
    np.testing.assert_array_equal(index, expected.argmin(axis=1))
    np.testing.assert_allclose(distance, expected.min(axis=1), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("offset", OFFSETS)
def test_bmu_float32_winner_is_nearest_within_tolerance(seed, offset):
    X, W = random_problem(seed, n_samples=300, offset=offset)
    X32, W32 = X.astype(np.float32), W.astype(np.float32)
    truth = brute_squared_distances(X32, W32)
    index, distance = reference.bmu(X32, W32)
    assert distance.dtype == np.float32
    rows = np.arange(len(index))
    excess = truth[rows, index] - truth.min(axis=1)
    assert (excess <= float32_tolerance(X32, W32)).all()
    # The returned distance is that of the chosen unit, computed from the difference.
    np.testing.assert_allclose(distance, truth[rows, index], rtol=1e-5, atol=1e-6)


def test_bmu_chunks_give_the_same_answer(monkeypatch):
    # 23 rows in chunks of 5: four full chunks and a ragged one of 3.
    X, W = random_problem(5, n_samples=23)
    whole = reference.bmu(X, W)
    monkeypatch.setattr(reference, "CHUNK_ROWS", 5)
    chunked = reference.bmu(X, W)
    np.testing.assert_array_equal(chunked[0], brute_squared_distances(X, W).argmin(axis=1))
    np.testing.assert_array_equal(chunked[0], whole[0])
    np.testing.assert_allclose(chunked[1], whole[1], rtol=1e-12)


def test_bmu_tie_goes_to_lowest_index():
    # x = 0 is at distance 1 from both -1 and +1, in either order; duplicated prototypes tie.
    X = np.array([[0.0], [0.0], [2.0], [5.0]])
    W = np.array([[1.0], [-1.0], [5.0], [5.0]])
    index, distance = reference.bmu(X, W)
    np.testing.assert_array_equal(index, [0, 0, 0, 2])
    np.testing.assert_array_equal(distance, [1.0, 1.0, 1.0, 0.0])
    index, _ = reference.bmu(X, W[[1, 0, 2, 3]])
    np.testing.assert_array_equal(index, [0, 0, 1, 2])


def test_bmu_hand_worked_example():
    # Units at 0 and 10 on a line: 2 is nearer 0 (d = 4 vs 64), 9 nearer 10 (d = 81 vs 1),
    # 6 nearer 10 (d = 36 vs 16).
    X = np.array([[2.0], [9.0], [6.0]])
    W = np.array([[0.0], [10.0]])
    index, distance = reference.bmu(X, W)
    np.testing.assert_array_equal(index, [0, 1, 1])
    np.testing.assert_array_equal(distance, [4.0, 1.0, 16.0])


# --- accumulate ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", SEEDS)
def test_accumulate_equals_per_unit_loop(seed, dtype):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3)).astype(dtype)
    n_units = 6
    labels = rng.integers(0, n_units - 1, size=40)   # the last unit gets no samples
    sums, counts = reference.accumulate(X, labels, n_units)
    assert sums.shape == (n_units, 3) and sums.dtype == dtype
    assert counts.dtype == np.int64
    for j in range(n_units):
        members = [i for i in range(len(X)) if labels[i] == j]
        expected_sum = np.zeros(3)
        for i in members:
            expected_sum += X[i]
        np.testing.assert_allclose(sums[j], expected_sum, rtol=1e-5, atol=1e-5)
        assert counts[j] == len(members)
    assert counts[-1] == 0 and (sums[-1] == 0).all()


def test_accumulate_hand_worked_example():
    X = np.array([[1.0, 2.0], [3.0, -4.0], [5.0, 6.0]])
    labels = np.array([1, 1, 0])
    sums, counts = reference.accumulate(X, labels, 3)
    np.testing.assert_array_equal(sums, [[5.0, 6.0], [4.0, -2.0], [0.0, 0.0]])
    np.testing.assert_array_equal(counts, [1, 2, 0])


# --- bmu_accumulate ------------------------------------------------------------------------

@pytest.mark.parametrize("offset", OFFSETS)
def test_bmu_accumulate_equals_brute_force(offset):
    X, W = random_problem(6, n_samples=80, offset=offset)
    index, distance, sums, counts = reference.bmu_accumulate(X, W)
    truth = brute_squared_distances(X, W)
    expected_index = truth.argmin(axis=1)
    np.testing.assert_array_equal(index, expected_index)
    np.testing.assert_allclose(distance, truth.min(axis=1), rtol=1e-12)
    for j in range(W.shape[0]):
        members = X[expected_index == j]
        np.testing.assert_allclose(sums[j], members.sum(axis=0), rtol=1e-12, atol=1e-9)
        assert counts[j] == len(members)


# --- wta_online ----------------------------------------------------------------------------

def wta_by_hand(X, W, order, learning_rate, p=None, rate=0.0, bias=0.0):
    """Winner-take-all learning written sample by sample and unit by unit, in float64.

    With ``p`` (DeSieno's win frequencies): the unbiased winner y = argmin_j d_j moves the
    frequencies, p_j <- p_j + B([j = y] - p_j); the learner is z = argmin_j (d_j - C(1/K - p_j)).
    A tie goes to the lowest index (strict comparison while scanning upwards).
    """
    W = np.array(W, dtype=np.float64)
    p = None if p is None else np.array(p, dtype=np.float64)
    n_units = W.shape[0]
    winners = []
    for i in order:
        d = [float(np.sum((X[i] - W[j]) ** 2)) for j in range(n_units)]
        y = 0
        for j in range(1, n_units):
            if d[j] < d[y]:
                y = j
        z = y
        if p is not None:
            score = [d[j] - bias * (1.0 / n_units - p[j]) for j in range(n_units)]
            z = 0
            for j in range(1, n_units):
                if score[j] < score[z]:
                    z = j
            p = np.array([p[j] + rate * ((1.0 if j == y else 0.0) - p[j])
                          for j in range(n_units)])
        W[z] = W[z] + learning_rate * (X[i] - W[z])
        winners.append(z)
    return np.array(winners), W, p


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("offset", OFFSETS)
def test_wta_online_equals_hand_loop(seed, offset):
    X, W = random_problem(seed, n_samples=30, n_units=4, offset=offset)
    order = np.random.default_rng(seed + 100).integers(0, len(X), size=25)
    expected_winners, expected_W, _ = wta_by_hand(X, W, order, 0.3)
    W_ref = W.copy()
    winners = reference.wta_online(X, W_ref, order, 0.3)
    assert winners.dtype == np.int64
    np.testing.assert_array_equal(winners, expected_winners)
    np.testing.assert_allclose(W_ref, expected_W, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_wta_online_conscience_equals_hand_loop(seed):
    # A bias of C = 20 on data of spread ~3 is strong enough that the learner often differs
    # from the unbiased winner (checked below), so both branches of the rule run.
    X, W = random_problem(seed, n_samples=30, n_units=5)
    order = np.random.default_rng(seed + 100).integers(0, len(X), size=40)
    p0 = np.array([0.6, 0.1, 0.1, 0.1, 0.1])
    expected_winners, expected_W, expected_p = wta_by_hand(X, W, order, 0.2, p0, 0.1, 20.0)
    W_ref, p_ref = W.copy(), p0.copy()
    winners = reference.wta_online(X, W_ref, order, 0.2, win_frequency=p_ref,
                                   conscience_rate=0.1, conscience_bias=20.0)
    np.testing.assert_array_equal(winners, expected_winners)
    np.testing.assert_allclose(W_ref, expected_W, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(p_ref, expected_p, rtol=1e-12, atol=1e-15)
    # The conscience really changed something: without it the winners differ.
    plain_winners, _, _ = wta_by_hand(X, W, order, 0.2)
    assert (plain_winners != expected_winners).any()
    # The frequencies stay a probability vector when they start as one.
    assert p_ref.sum() == pytest.approx(1.0)


def test_wta_online_hand_worked_example():
    # 2 units on a line at 0 and 10, learning rate 0.5, samples 2, 9, 4, 2:
    #   x=2: d = (4, 64)      -> unit 0: w0 = 0 + 0.5 (2 - 0)    = 1
    #   x=9: d = (64, 1)      -> unit 1: w1 = 10 + 0.5 (9 - 10)  = 9.5
    #   x=4: d = (9, 30.25)   -> unit 0: w0 = 1 + 0.5 (4 - 1)    = 2.5
    #   x=2: d = (0.25, 56.25)-> unit 0: w0 = 2.5 + 0.5 (2 - 2.5) = 2.25
    X = np.array([[2.0], [9.0], [4.0]])
    W = np.array([[0.0], [10.0]])
    winners = reference.wta_online(X, W, np.array([0, 1, 2, 0]), 0.5)
    np.testing.assert_array_equal(winners, [0, 1, 0, 0])
    np.testing.assert_array_equal(W, [[2.25], [9.5]])


def test_wta_online_conscience_hand_worked_example():
    # Units at 0 and 3, x = 1: d = (1, 4), so the unbiased winner is y = 0.
    # p = (0.9, 0.1), C = 10, K = 2: b = C (1/2 - p) = (-4, 4); d - b = (5, 0): unit 1 learns,
    # w1 = 3 + 0.5 (1 - 3) = 2. The frequencies follow y, not the learner (B = 0.5):
    # p0 = 0.9 + 0.5 (1 - 0.9) = 0.95, p1 = 0.1 + 0.5 (0 - 0.1) = 0.05.
    X = np.array([[1.0]])
    W = np.array([[0.0], [3.0]])
    p = np.array([0.9, 0.1])
    winners = reference.wta_online(X, W, np.array([0]), 0.5, win_frequency=p,
                                   conscience_rate=0.5, conscience_bias=10.0)
    np.testing.assert_array_equal(winners, [1])
    np.testing.assert_array_equal(W, [[0.0], [2.0]])
    np.testing.assert_allclose(p, [0.95, 0.05], rtol=1e-14)


def test_wta_online_tie_goes_to_lowest_index():
    # x = 0 is equidistant from -1 and +1: unit 0 learns, whichever side it is on.
    for start in ([[1.0], [-1.0]], [[-1.0], [1.0]]):
        W = np.array(start)
        winners = reference.wta_online(np.array([[0.0]]), W, np.array([0]), 0.5)
        np.testing.assert_array_equal(winners, [0])
        np.testing.assert_array_equal(W, [[start[0][0] / 2], start[1]])


def test_wta_online_keeps_float32_and_updates_in_place():
    X, W = random_problem(7, n_samples=10, n_units=3)
    X32, W32 = X.astype(np.float32), W.astype(np.float32)
    before = W32.copy()
    reference.wta_online(X32, W32, np.arange(10), 0.1)
    assert W32.dtype == np.float32
    assert not np.array_equal(W32, before)
