"""Tests for neuroclust.models.competitive.CompetitiveLearning.

The data are the five 3-D centroids of the tutorials, generated here with NumPy so that these
tests do not depend on ``neuroclust.datasets``.
"""
import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import pairwise_distances

from neuroclust import CompetitiveLearning
from neuroclust.backend import available_backends, reference

CENTROIDS = np.array([[1, 2, 1], [2, 5, 2], [-3, 3, 0], [5, -1, -1], [-2, -2, -2]], dtype=float)
SPREAD = 0.8

needs_cython = pytest.mark.skipif("cython" not in available_backends(),
                                  reason="the compiled kernels (neuroclust._kernels) are not built")


@pytest.fixture(autouse=True)
def _backend_not_forced(monkeypatch):
    """These tests choose their backends; NEUROCLUST_BACKEND in the environment would override
    that choice (e.g. make a "cython" run use the reference), so it is cleared here."""
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


def five_centroids(n_samples=500, seed=0):
    """Gaussian blobs of standard deviation 0.8 around CENTROIDS, the same count in each.

    Each blob's noise is centred, so the sample mean of every blob is exactly its centroid:
    what is left between a learned prototype and its centroid is then the algorithm's error
    (and the small shift k-means makes where blobs overlap), not sampling noise, and the
    0.3 bound below measures the learning.
    """
    rng = np.random.default_rng(seed)
    labels = np.arange(n_samples) % len(CENTROIDS)
    noise = SPREAD * rng.standard_normal((n_samples, CENTROIDS.shape[1]))
    for k in range(len(CENTROIDS)):
        noise[labels == k] -= noise[labels == k].mean(axis=0)
    return CENTROIDS[labels] + noise, labels


def max_matched_error(centres, truth=CENTROIDS):
    """Largest distance between a true centre and its learned match (Hungarian matching)."""
    cost = np.linalg.norm(centres[:, None, :] - truth[None, :, :], axis=2)
    rows, cols = linear_sum_assignment(cost)
    return cost[rows, cols].max()


def test_helper_error_sees_a_wrong_prototype():
    # The matching helper is what every accuracy test relies on: it must not hide an error.
    assert max_matched_error(CENTROIDS[::-1]) == 0.0
    moved = CENTROIDS.copy()
    moved[2] += [0.0, 0.5, 0.0]
    assert max_matched_error(moved) == pytest.approx(0.5)


# ----------------------------------------------------------------------------- accuracy
MODES = {
    "online": dict(mode="online", learning_rate=0.02),
    "online-decay": dict(mode="online", learning_rate=0.1, learning_rate_final=0.005),
    "batch": dict(mode="batch", learning_rate=0.5),
    "conscience": dict(mode="online", learning_rate=0.02, conscience=True, conscience_bias=1.0),
}


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("setting", list(MODES))
def test_learned_centres_land_on_the_true_centroids(setting, seed):
    X, _ = five_centroids(500, seed)
    model = CompetitiveLearning(n_clusters=5, epochs=20, init="k-means++", random_state=seed,
                                **MODES[setting]).fit(X)
    assert model.cluster_centers_.shape == (5, 3)
    assert max_matched_error(model.cluster_centers_) < 0.3


def test_from_a_bad_start_the_error_falls():
    X, _ = five_centroids(500, 0)
    init = X[:5] * 0.0 + X.mean(axis=0) + np.arange(5)[:, None] * 0.01  # all near the middle
    model = CompetitiveLearning(n_clusters=5, learning_rate=0.1, learning_rate_final=0.005,
                                epochs=20, init=init, random_state=0).fit(X)
    assert max_matched_error(init) > 3
    assert max_matched_error(model.cluster_centers_) < 0.3


@pytest.mark.parametrize("setting", list(MODES))
def test_history_has_one_entry_per_epoch_and_settles(setting):
    X, _ = five_centroids(500, 1)
    model = CompetitiveLearning(n_clusters=5, epochs=12, init="random", random_state=1,
                                **MODES[setting]).fit(X)
    history = np.asarray(model.history_["quantization_error"])
    assert len(history) == 12
    assert np.all(np.isfinite(history)) and np.all(history > 0)
    # A start uniform in the bounding box is far worse than the end.
    assert history[-1] < history[0]
    # At the end the error no longer climbs: each of the last epochs is at most a hair
    # (the jitter of a constant step) above the best value seen in the second half.
    best_late = history[len(history) // 2:].min()
    assert np.all(history[-3:] <= best_late * 1.02)
    # The last entry is the quantization error (eq. 3) of the returned prototypes.
    assert -model.score(X) == pytest.approx(history[-1], rel=1e-12)


# --------------------------------------------------------------------------- dead units
def dead_unit_start(X):
    """One prototype in the data, four far away at (50, 50, 50): they can never win alone."""
    init = np.full((5, 3), 50.0)
    init[0] = X.mean(axis=0)
    return init


def test_without_conscience_far_units_never_win():
    X, _ = five_centroids(500, 0)
    init = dead_unit_start(X)
    model = CompetitiveLearning(n_clusters=5, learning_rate=0.05, epochs=10, init=init,
                                random_state=0).fit(X)
    np.testing.assert_array_equal(model.cluster_centers_[1:], init[1:])  # never moved
    assert set(np.unique(model.labels_)) == {0}
    assert not np.array_equal(model.cluster_centers_[0], init[0])


def test_conscience_with_a_bias_too_small_for_the_distance_leaves_units_dead():
    # The default C = 10 is in units of the data's total variance V (about 19 here): an idle
    # unit can reach C V / K = 2 V further than its rivals, but the far units are about 340 V
    # (6300 squared units) from the nearest sample.
    X, _ = five_centroids(500, 0)
    init = dead_unit_start(X)
    model = CompetitiveLearning(n_clusters=5, learning_rate=0.05, epochs=10, init=init,
                                conscience=True, random_state=0).fit(X)
    np.testing.assert_array_equal(model.cluster_centers_[1:], init[1:])


@pytest.mark.parametrize("backend", ["numpy", pytest.param("cython", marks=needs_cython)])
def test_conscience_scaled_to_the_data_makes_every_unit_win(backend, monkeypatch):
    X, _ = five_centroids(500, 0)
    init = dead_unit_start(X)
    winners = []
    original = reference.wta_online

    def recording_wta_online(*args, **kwargs):
        result = original(*args, **kwargs)
        winners.append(np.asarray(result))
        return result

    monkeypatch.setattr(reference, "wta_online", recording_wta_online)
    # C V / K above the squared distance from the far units to the data (about 340 V, so
    # C > 1700; C = 1e5 leaves a wide margin), and B = 1e-3 (the default) so the handicap
    # builds up within the run.
    model = CompetitiveLearning(n_clusters=5, learning_rate=0.05, epochs=20, init=init,
                                conscience=True, conscience_rate=1e-3, conscience_bias=1e5,
                                random_state=0, backend=backend).fit(X)
    # Every far unit has left (50, 50, 50) for the data and now owns samples.
    assert np.all(np.abs(model.cluster_centers_ - 50.0).max(axis=1) > 40)
    assert np.all(np.linalg.norm(model.cluster_centers_, axis=1) < 10)
    assert set(np.unique(model.labels_)) == set(range(5))
    assert model.win_frequency_.shape == (5,)
    assert model.win_frequency_.sum() == pytest.approx(1.0, abs=1e-9)
    if backend == "numpy":
        assert set(np.unique(np.concatenate(winners))) == set(range(5))
    else:
        assert winners == []  # the cython run never touched the reference kernel


# ------------------------------------------------------------------------- learning rate
def record_learning_rates(monkeypatch):
    rates = []
    original = reference.wta_online

    def recording_wta_online(X, W, order, learning_rate, *args, **kwargs):
        rates.append(learning_rate)
        return original(X, W, order, learning_rate, *args, **kwargs)

    monkeypatch.setattr(reference, "wta_online", recording_wta_online)
    return rates


def test_learning_rate_decays_geometrically_to_the_final_value(monkeypatch):
    X, _ = five_centroids(100, 0)
    rates = record_learning_rates(monkeypatch)
    CompetitiveLearning(n_clusters=5, learning_rate=0.5, learning_rate_final=0.005, epochs=5,
                        random_state=0, backend="numpy").fit(X)
    expected = 0.5 * (0.005 / 0.5) ** (np.arange(5) / 4)  # 0.5, ..., 0.005: ratio 10**-0.5
    np.testing.assert_allclose(rates, expected, rtol=1e-12)
    assert rates[0] == pytest.approx(0.5) and rates[-1] == pytest.approx(0.005)


def test_learning_rate_constant_without_a_final_value(monkeypatch):
    X, _ = five_centroids(100, 0)
    rates = record_learning_rates(monkeypatch)
    CompetitiveLearning(n_clusters=5, learning_rate=0.3, epochs=4, random_state=0,
                        backend="numpy").fit(X)
    assert rates == [0.3] * 4


def test_learning_rate_with_one_epoch_is_the_start_value(monkeypatch):
    X, _ = five_centroids(100, 0)
    rates = record_learning_rates(monkeypatch)
    CompetitiveLearning(n_clusters=5, learning_rate=0.3, learning_rate_final=0.01, epochs=1,
                        random_state=0, backend="numpy").fit(X)
    assert rates == [0.3]


def test_decay_changes_the_result():
    X, _ = five_centroids(300, 0)
    kwargs = dict(n_clusters=5, learning_rate=0.2, epochs=6, random_state=0)
    constant = CompetitiveLearning(**kwargs).fit(X)
    decayed = CompetitiveLearning(learning_rate_final=0.002, **kwargs).fit(X)
    assert not np.allclose(constant.cluster_centers_, decayed.cluster_centers_)


# ----------------------------------------------------------------- the update rules
def test_batch_mode_with_a_large_step_is_one_kmeans_update():
    """Eq. (2) with eta * n_j >= 1: each prototype jumps to the mean of its samples."""
    X, _ = five_centroids(300, 0)
    init = X[:5].copy()
    model = CompetitiveLearning(n_clusters=5, learning_rate=1.0, epochs=1, mode="batch",
                                init=init, random_state=0).fit(X)
    nearest = ((X[:, None, :] - init[None]) ** 2).sum(axis=2).argmin(axis=1)
    means = np.array([X[nearest == j].mean(axis=0) for j in range(5)])
    np.testing.assert_allclose(model.cluster_centers_, means, rtol=1e-12, atol=1e-12)


def test_batch_mode_with_a_small_step_moves_part_of_the_way():
    """Eq. (2) with eta * n_j < 1: w_j moves by eta * n_j of the way to its samples' mean."""
    X, _ = five_centroids(300, 0)
    init = X[:5].copy()
    rate = 1e-3
    model = CompetitiveLearning(n_clusters=5, learning_rate=rate, epochs=1, mode="batch",
                                init=init, random_state=0).fit(X)
    nearest = ((X[:, None, :] - init[None]) ** 2).sum(axis=2).argmin(axis=1)
    expected = init.copy()
    for j in range(5):
        members = X[nearest == j]
        assert 0 < rate * len(members) < 1
        expected[j] += rate * len(members) * (members.mean(axis=0) - init[j])
    np.testing.assert_allclose(model.cluster_centers_, expected, rtol=1e-12, atol=1e-12)


def test_online_mode_is_sequential_winner_take_all_in_a_shuffled_order(monkeypatch):
    X, _ = five_centroids(100, 0)
    init = X[:5].copy()
    orders = []
    original = reference.wta_online

    def recording_wta_online(X, W, order, *args, **kwargs):
        orders.append(np.array(order))
        return original(X, W, order, *args, **kwargs)

    monkeypatch.setattr(reference, "wta_online", recording_wta_online)
    model = CompetitiveLearning(n_clusters=5, learning_rate=0.3, epochs=3, init=init,
                                random_state=0, backend="numpy").fit(X)
    assert len(orders) == 3
    for order in orders:  # every sample once per epoch
        np.testing.assert_array_equal(np.sort(order), np.arange(100))
    assert not np.array_equal(orders[0], orders[1])  # a fresh order each epoch
    assert not np.array_equal(orders[0], np.arange(100))
    # Replay the three passes by hand: nearest unit wins, w_c += eta (x - w_c).
    W = init.copy()
    for order in orders:
        for i in order:
            c = ((W - X[i]) ** 2).sum(axis=1).argmin()
            W[c] += 0.3 * (X[i] - W[c])
    np.testing.assert_allclose(model.cluster_centers_, W, rtol=1e-12, atol=1e-12)


def test_the_seed_sets_the_sample_order():
    X, _ = five_centroids(300, 0)
    init = X[:5].copy()
    kwargs = dict(n_clusters=5, learning_rate=0.1, epochs=2, init=init)
    a = CompetitiveLearning(random_state=0, **kwargs).fit(X).cluster_centers_
    b = CompetitiveLearning(random_state=1, **kwargs).fit(X).cluster_centers_
    assert not np.allclose(a, b)


# --------------------------------------------------------------- predict / transform / score
@pytest.fixture(scope="module")
def fitted():
    X, _ = five_centroids(500, 0)
    return CompetitiveLearning(n_clusters=5, learning_rate=0.05, epochs=10,
                               init="k-means++", random_state=0).fit(X), X


def test_predict_is_the_argmin_of_transform(fitted):
    model, _ = fitted
    X_new = np.random.default_rng(7).uniform(-6, 7, size=(300, 3))
    distances = model.transform(X_new)
    np.testing.assert_array_equal(model.predict(X_new), distances.argmin(axis=1))
    assert model.predict(X_new).dtype == np.int64


def test_transform_is_the_euclidean_distance_to_each_prototype(fitted):
    model, _ = fitted
    X_new = np.random.default_rng(8).normal(scale=4, size=(200, 3))
    expected = pairwise_distances(X_new, model.cluster_centers_)
    distances = model.transform(X_new)
    assert distances.shape == (200, 5)
    np.testing.assert_allclose(distances, expected, rtol=1e-10, atol=1e-6)


def test_transform_of_a_prototype_is_zero_there(fitted):
    model, _ = fitted
    distances = model.transform(model.cluster_centers_)
    np.testing.assert_allclose(np.diag(distances), 0.0, atol=1e-6)
    np.testing.assert_array_equal(model.predict(model.cluster_centers_), np.arange(5))


def test_labels_are_the_prediction_on_the_training_data(fitted):
    model, X = fitted
    np.testing.assert_array_equal(model.labels_, model.predict(X))


def test_fit_predict_equals_labels_and_fit_transform_equals_transform():
    X, _ = five_centroids(200, 3)
    model = CompetitiveLearning(n_clusters=5, epochs=5, random_state=3)
    labels = model.fit_predict(X)
    np.testing.assert_array_equal(labels, model.labels_)
    np.testing.assert_array_equal(
        labels, CompetitiveLearning(n_clusters=5, epochs=5, random_state=3).fit(X).labels_)
    np.testing.assert_allclose(
        CompetitiveLearning(n_clusters=5, epochs=5, random_state=3).fit_transform(X),
        model.transform(X), rtol=1e-12)


def test_score_is_minus_the_mean_distance_to_the_winner(fitted):
    model, _ = fitted
    X_new = np.random.default_rng(9).normal(scale=3, size=(150, 3))
    expected = pairwise_distances(X_new, model.cluster_centers_).min(axis=1).mean()
    assert model.score(X_new) == pytest.approx(-expected, rel=1e-10)


def test_score_prefers_the_fitted_model_over_its_start():
    X, _ = five_centroids(500, 2)
    start = CompetitiveLearning(n_clusters=5, epochs=1, learning_rate=1e-6, init="random",
                                random_state=2).fit(X)
    trained = CompetitiveLearning(n_clusters=5, epochs=10, learning_rate=0.05, init="random",
                                  random_state=2).fit(X)
    assert trained.score(X) > start.score(X)


def test_fit_returns_self():
    X, _ = five_centroids(100, 0)
    model = CompetitiveLearning(n_clusters=5, epochs=2, random_state=0)
    assert model.fit(X) is model


# ----------------------------------------------------------------- determinism, backends
@needs_cython
@pytest.mark.parametrize("mode", ["online", "batch", "conscience"])
def test_numpy_and_cython_give_the_same_result_in_float64(mode):
    X, _ = five_centroids(300, 4)
    kwargs = dict(n_clusters=5, learning_rate=0.1, learning_rate_final=0.01, epochs=6,
                  random_state=4)
    if mode == "conscience":
        kwargs.update(conscience=True, conscience_bias=1.0, conscience_rate=1e-2)
    else:
        kwargs.update(mode=mode)
    slow = CompetitiveLearning(backend="numpy", **kwargs).fit(X)
    fast = CompetitiveLearning(backend="cython", **kwargs).fit(X)
    assert slow.backend_ == "numpy" and fast.backend_ == "cython"
    if mode == "batch":
        # Batch sums are reduced per thread in the compiled kernel, so the last bits may
        # differ from the sequential reference; anything beyond rounding is a bug.
        np.testing.assert_allclose(fast.cluster_centers_, slow.cluster_centers_, rtol=1e-12,
                                   atol=1e-12)
    else:
        # The online pass is sequential in both: the same arithmetic, the same bits.
        np.testing.assert_array_equal(fast.cluster_centers_, slow.cluster_centers_)
    np.testing.assert_array_equal(fast.labels_, slow.labels_)
    np.testing.assert_allclose(fast.history_["quantization_error"], slow.history_["quantization_error"], rtol=1e-12)
    if mode == "conscience":
        np.testing.assert_allclose(fast.win_frequency_, slow.win_frequency_, rtol=1e-12)


@needs_cython
@pytest.mark.parametrize("mode", ["online", "batch"])
def test_numpy_and_cython_agree_in_float32(mode):
    X, _ = five_centroids(300, 5)
    X = X.astype(np.float32)
    kwargs = dict(n_clusters=5, learning_rate=0.05, epochs=5, mode=mode, random_state=5,
                  init="k-means++")
    slow = CompetitiveLearning(backend="numpy", **kwargs).fit(X)
    fast = CompetitiveLearning(backend="cython", **kwargs).fit(X)
    assert slow.cluster_centers_.dtype == fast.cluster_centers_.dtype == np.float32
    np.testing.assert_allclose(fast.cluster_centers_, slow.cluster_centers_, rtol=1e-4,
                               atol=1e-4)


@pytest.mark.parametrize("mode", ["online", "batch"])
def test_repeated_fits_are_identical(mode):
    X, _ = five_centroids(300, 6)
    model = CompetitiveLearning(n_clusters=5, learning_rate=0.1, epochs=5, mode=mode,
                                random_state=6)
    first = model.fit(X).cluster_centers_.copy()
    first_history = list(model.history_["quantization_error"])
    second = model.fit(X).cluster_centers_
    np.testing.assert_array_equal(first, second)
    assert first_history == model.history_["quantization_error"]
    again = CompetitiveLearning(n_clusters=5, learning_rate=0.1, epochs=5, mode=mode,
                                random_state=6).fit(X)
    np.testing.assert_array_equal(first, again.cluster_centers_)


def test_different_seeds_give_different_results():
    X, _ = five_centroids(300, 6)
    kwargs = dict(n_clusters=5, learning_rate=0.1, epochs=3)
    a = CompetitiveLearning(random_state=0, **kwargs).fit(X).cluster_centers_
    b = CompetitiveLearning(random_state=1, **kwargs).fit(X).cluster_centers_
    assert not np.allclose(a, b)


def test_a_generator_as_random_state_is_used():
    X, _ = five_centroids(300, 6)
    kwargs = dict(n_clusters=5, learning_rate=0.1, epochs=3)
    a = CompetitiveLearning(random_state=np.random.default_rng(11), **kwargs).fit(X)
    b = CompetitiveLearning(random_state=np.random.default_rng(11), **kwargs).fit(X)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)


def test_the_data_is_not_modified():
    X, _ = five_centroids(200, 0)
    copy = X.copy()
    init = X[:5].copy()
    CompetitiveLearning(n_clusters=5, epochs=3, init=init, random_state=0).fit(X)
    np.testing.assert_array_equal(X, copy)
    np.testing.assert_array_equal(init, X[:5])  # the init array is copied, not trained


# ------------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("mode", ["online", "batch"])
def test_float32_input_keeps_float32(mode):
    X, _ = five_centroids(200, 0)
    model = CompetitiveLearning(n_clusters=5, epochs=3, mode=mode, random_state=0).fit(
        X.astype(np.float32))
    assert model.cluster_centers_.dtype == np.float32
    assert model.transform(X.astype(np.float32)).dtype == np.float32
    assert model.labels_.dtype == np.int64
    reference_fit = CompetitiveLearning(n_clusters=5, epochs=3, mode=mode,
                                        random_state=0).fit(X)
    assert reference_fit.cluster_centers_.dtype == np.float64
    np.testing.assert_allclose(model.cluster_centers_, reference_fit.cluster_centers_,
                               atol=1e-3)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_integer_input_becomes_float64(dtype):
    X = np.round(five_centroids(200, 0)[0] * 10 + 100).astype(dtype)
    model = CompetitiveLearning(n_clusters=5, epochs=3, random_state=0).fit(X)
    assert model.cluster_centers_.dtype == np.float64
    # The prototypes are averages of the integer samples, not truncated to integers.
    assert np.any(model.cluster_centers_ != np.round(model.cluster_centers_))


def test_a_list_of_lists_is_accepted():
    X, _ = five_centroids(100, 0)
    model = CompetitiveLearning(n_clusters=5, epochs=2, random_state=0).fit(X.tolist())
    assert model.cluster_centers_.dtype == np.float64
    np.testing.assert_array_equal(model.predict(X.tolist()), model.predict(X))


# ----------------------------------------------------------------------------- callbacks
def test_callbacks_are_called_once_per_epoch_with_model_and_epoch():
    X, _ = five_centroids(200, 0)
    calls, snapshots = [], []

    def record(model, epoch):
        calls.append((model, epoch))
        snapshots.append(model.cluster_centers_.copy())

    model = CompetitiveLearning(n_clusters=5, epochs=4, random_state=0, callbacks=[record])
    model.fit(X)
    assert [epoch for _, epoch in calls] == [0, 1, 2, 3]
    assert all(seen is model for seen, _ in calls)
    # Each call sees that epoch's prototypes; the last one sees the final model.
    np.testing.assert_array_equal(snapshots[-1], model.cluster_centers_)
    assert not np.array_equal(snapshots[0], snapshots[-1])


def test_several_callbacks_each_run_every_epoch():
    X, _ = five_centroids(200, 0)
    first, second = [], []
    CompetitiveLearning(n_clusters=5, epochs=3, random_state=0,
                        callbacks=[lambda m, e: first.append(e),
                                   lambda m, e: second.append(e)]).fit(X)
    assert first == second == [0, 1, 2]


def test_a_callback_returning_false_stops_training():
    X, _ = five_centroids(200, 0)
    seen = []

    def stop_after_third(model, epoch):
        seen.append(epoch)
        return epoch < 2  # True, True, False

    model = CompetitiveLearning(n_clusters=5, epochs=10, random_state=0,
                                callbacks=[stop_after_third]).fit(X)
    assert seen == [0, 1, 2]
    assert len(model.history_["quantization_error"]) == 3
    # The stopped model is the model after three epochs.
    three = CompetitiveLearning(n_clusters=5, epochs=3, random_state=0).fit(X)
    np.testing.assert_array_equal(model.cluster_centers_, three.cluster_centers_)


def test_a_callback_returning_none_does_not_stop_training():
    X, _ = five_centroids(200, 0)
    model = CompetitiveLearning(n_clusters=5, epochs=5, random_state=0,
                                callbacks=[lambda m, e: None]).fit(X)
    assert len(model.history_["quantization_error"]) == 5
