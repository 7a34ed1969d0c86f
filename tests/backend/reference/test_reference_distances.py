"""The NumPy reference of the distance kernels (backend/reference/distances.py) against
independent, brute-force statements of the same math.

The reference is the oracle for the fast kernels, so it is itself checked here against
formulas that share none of its tricks: distances straight from the broadcast difference
``((X[:, None] - W[None]) ** 2).sum(-1)`` (no expansion, no centring), and per-unit Python
loops for the sums. Data of both signs and data shifted by 1000 (uncentred) are used, so a lost sign, a lost
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
    monkeypatch.setattr(reference.distances, "CHUNK_ROWS", 5)
    chunked = reference.bmu(X, W)
    np.testing.assert_array_equal(chunked[0], brute_squared_distances(X, W).argmin(axis=1))
    np.testing.assert_array_equal(chunked[0], whole[0])
    np.testing.assert_allclose(chunked[1], whole[1], rtol=1e-12)
    first, second, first_distance, second_distance = reference.two_nearest(X, W)
    np.testing.assert_array_equal(first, whole[0])
    np.testing.assert_allclose(first_distance, whole[1], rtol=1e-12)
    assert (second != first).all() and (second_distance >= first_distance).all()


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
