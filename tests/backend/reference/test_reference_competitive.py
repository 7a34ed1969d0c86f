"""The NumPy reference of winner-take-all learning (backend/reference/competitive.py) against a
sample-by-sample, unit-by-unit loop that shares none of its tricks, with and without DeSieno's
conscience. Data of both signs and data shifted by 1000 (uncentred) are used.
"""
import numpy as np
import pytest

from neuroclust.backend import reference

SEEDS = [0, 1, 2]
OFFSETS = [0.0, 1000.0]


def random_problem(seed, n_samples=57, n_features=5, n_units=7, offset=0.0):
    """Data of both signs around ``offset``; prototypes drawn near the data."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=3.0, size=(n_samples, n_features)) + offset
    W = rng.normal(scale=3.0, size=(n_units, n_features)) + offset
    return X, W


# --- wta_online ----------------------------------------------------------------------------

def wta_by_hand(X, W, order, learning_rate, p=None, rate=0.0, bias=0.0, variance=1.0):
    """Winner-take-all learning written sample by sample and unit by unit, in float64.

    With ``p`` (DeSieno's win frequencies), in DeSieno's order: the unbiased winner
    y = argmin_j d_j first moves the frequencies, p_j <- p_j + B([j = y] - p_j); then the
    learner is z = argmin_j (d_j - C V (1/K - p_j)) with the updated p.
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
            p = np.array([p[j] + rate * ((1.0 if j == y else 0.0) - p[j])
                          for j in range(n_units)])
            score = [d[j] - bias * variance * (1.0 / n_units - p[j]) for j in range(n_units)]
            z = 0
            for j in range(1, n_units):
                if score[j] < score[z]:
                    z = j
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


@pytest.mark.parametrize("variance", [1.0, 0.25])
@pytest.mark.parametrize("seed", SEEDS)
def test_wta_online_conscience_equals_hand_loop(seed, variance):
    # A bias of C V = 20 or 80 on data of spread ~3 is strong enough that the learner often
    # differs from the unbiased winner (checked below), so both branches of the rule run.
    X, W = random_problem(seed, n_samples=30, n_units=5)
    order = np.random.default_rng(seed + 100).integers(0, len(X), size=40)
    p0 = np.array([0.6, 0.1, 0.1, 0.1, 0.1])
    bias = 20.0 / variance
    expected_winners, expected_W, expected_p = wta_by_hand(X, W, order, 0.2, p0, 0.1, bias,
                                                           variance)
    W_ref, p_ref = W.copy(), p0.copy()
    winners = reference.wta_online(X, W_ref, order, 0.2, win_frequency=p_ref,
                                   conscience_rate=0.1, conscience_bias=bias,
                                   variance=variance)
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
    # Units at 0 and 3, x = 1: d = (1, 4), so the unbiased winner is y = 0. The frequencies
    # follow y first (B = 0.5): p0 = 0.9 + 0.5 (1 - 0.9) = 0.95, p1 = 0.1 + 0.5 (0 - 0.1) = 0.05.
    # Then C = 10, V = 1, K = 2: b = C V (1/2 - p) = (-4.5, 4.5); d - b = (5.5, -0.5): unit 1
    # learns, w1 = 3 + 0.5 (1 - 3) = 2.
    X = np.array([[1.0]])
    W = np.array([[0.0], [3.0]])
    p = np.array([0.9, 0.1])
    winners = reference.wta_online(X, W, np.array([0]), 0.5, win_frequency=p,
                                   conscience_rate=0.5, conscience_bias=10.0)
    np.testing.assert_array_equal(winners, [1])
    np.testing.assert_array_equal(W, [[0.0], [2.0]])
    np.testing.assert_allclose(p, [0.95, 0.05], rtol=1e-14)


def test_wta_online_conscience_updates_the_frequencies_before_the_bias():
    # DeSieno's order. Units at 0 and 3, x = 1, p at the fair share (0.5, 0.5). The sample's
    # own win moves p first (B = 0.5): p = (0.75, 0.25); then b = C V (1/2 - p) with C = 5,
    # V = 2: (-2.5, 2.5); d - b = (1 + 2.5, 4 - 2.5) = (3.5, 1.5): unit 1 learns. With the
    # bias taken from the old frequencies (zero bias) unit 0 would have learned.
    X = np.array([[1.0]])
    W = np.array([[0.0], [3.0]])
    p = np.array([0.5, 0.5])
    winners = reference.wta_online(X, W, np.array([0]), 0.5, win_frequency=p,
                                   conscience_rate=0.5, conscience_bias=5.0, variance=2.0)
    np.testing.assert_array_equal(winners, [1])
    np.testing.assert_array_equal(W, [[0.0], [2.0]])
    np.testing.assert_array_equal(p, [0.75, 0.25])


@pytest.mark.parametrize("power", [-20, -10, 10, 20])
def test_wta_online_conscience_is_scale_free_with_the_variance(power):
    # Scaling the data and prototypes by a = 2**power (exact in binary) scales every squared
    # distance by a**2; scaling the variance by a**2 too gives the same winners, the same
    # frequencies and the prototypes scaled by a, bit for bit.
    X, W = random_problem(3, n_samples=40, n_units=6)
    order = np.random.default_rng(9).integers(0, len(X), size=200)
    variance = float(X.var(axis=0).sum())
    a = 2.0 ** power
    runs = []
    for scale in (1.0, a):
        W_run, p = W * scale, np.full(6, 1 / 6)
        winners = reference.wta_online(X * scale, W_run, order, 0.1, win_frequency=p,
                                       conscience_rate=0.05, conscience_bias=10.0,
                                       variance=variance * scale**2)
        runs.append((winners, W_run / scale, p))
    np.testing.assert_array_equal(runs[1][0], runs[0][0])
    np.testing.assert_array_equal(runs[1][1], runs[0][1])
    np.testing.assert_array_equal(runs[1][2], runs[0][2])
    plain = reference.wta_online(X, W.copy(), order, 0.1)
    assert (plain != runs[0][0]).any()    # the conscience changed some winners


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
