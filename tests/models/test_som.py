"""Tests for neuroclust.SOM, the estimator, used as a user uses it.

The kernels and the grid helpers have their own tests (tests/backend/test_som_kernels.py,
tests/test_grid.py); here every query is checked against a plain brute-force
computation, every documented parameter is shown to change what it should, and the trained
maps are checked for what a self-organizing map promises: low quantization error, an ordered
map (neighbouring units hold neighbouring prototypes) and, with ``n_clusters``, the clusters.
"""
import warnings

import numpy as np
import pytest
from sklearn.base import clone

from neuroclust import SOM, DivergenceWarning, datasets
from neuroclust.metrics import adjusted_rand_score
from neuroclust.models.init import pca_prototypes
from neuroclust.backend import available_backends

from som_helpers import (cosine_similarities, distances, far_start, hand_neighbours,
                         neighbour_to_pair_ratio)


@pytest.fixture(autouse=True)
def _backend_not_forced(monkeypatch):
    """NEUROCLUST_BACKEND in the environment would override the backends chosen here."""
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)



# ------------------------------------------------------------------ grid and topology
def test_shape_gives_the_arrays_their_sizes(blobs):
    som = SOM(shape=(3, 5), epochs=1, random_state=0).fit(blobs[0])
    assert som.weights_.shape == (3, 5, 3)
    assert som.cluster_centers_.shape == (15, 3)
    assert som.grid_positions_.shape == (15, 2)
    np.testing.assert_array_equal(som.weights_.reshape(15, 3), som.cluster_centers_)
    assert som.labels_.min() >= 0 and som.labels_.max() < 15


def test_shape_may_be_a_list():
    X = np.random.default_rng(0).random((30, 2))
    as_list = SOM(shape=[2, 4], epochs=1, random_state=0).fit(X)
    as_tuple = SOM(shape=(2, 4), epochs=1, random_state=0).fit(X)
    np.testing.assert_array_equal(as_list.weights_, as_tuple.weights_)


def test_rectangular_positions_are_column_and_row(fitted):
    row, col = np.divmod(np.arange(30), 6)
    np.testing.assert_array_equal(fitted.grid_positions_, np.column_stack([col, row]))


def test_hexagonal_positions_shift_odd_rows_by_half():
    X = np.random.default_rng(0).random((30, 2))
    som = SOM(shape=(4, 5), topology="hexagonal", epochs=1, random_state=0).fit(X)
    row, col = np.divmod(np.arange(20), 5)
    np.testing.assert_allclose(som.grid_positions_[:, 0], col + 0.5 * (row % 2))
    np.testing.assert_allclose(som.grid_positions_[:, 1], row * np.sqrt(3) / 2)


@pytest.mark.parametrize("topology, toroidal, shape", [
    ("rectangular", False, (4, 5)), ("rectangular", True, (4, 5)),
    ("hexagonal", False, (5, 4)), ("hexagonal", True, (4, 5)), ("hexagonal", True, (6, 3)),
])
def test_grid_neighbours_follow_the_textbook_rules(topology, toroidal, shape):
    X = np.random.default_rng(0).random((30, 2))
    som = SOM(shape=shape, topology=topology, toroidal=toroidal, epochs=1, random_state=0).fit(X)
    got = [set(neighbours.tolist()) for neighbours in som.grid_neighbours()]
    assert got == hand_neighbours(*shape, topology, toroidal)


@pytest.mark.parametrize("topology, count", [("rectangular", 4), ("hexagonal", 6)])
def test_interior_units_have_all_their_neighbours(topology, count):
    X = np.random.default_rng(0).random((30, 2))
    som = SOM(shape=(4, 5), topology=topology, epochs=1, random_state=0).fit(X)
    sizes = [len(n) for n in som.grid_neighbours()]
    interior = [r * 5 + c for r in range(1, 3) for c in range(1, 4)]
    assert {sizes[unit] for unit in interior} == {count}
    assert sizes[0] < count  # a corner has fewer
    # Neighbours sit at grid distance 1 exactly.
    for unit, neighbours in enumerate(som.grid_neighbours()):
        gaps = np.linalg.norm(som.grid_positions_[neighbours] - som.grid_positions_[unit], axis=1)
        np.testing.assert_allclose(gaps, 1.0)


@pytest.mark.parametrize("topology, count", [("rectangular", 4), ("hexagonal", 6)])
def test_a_toroidal_map_has_no_border(topology, count):
    X = np.random.default_rng(0).random((30, 2))
    som = SOM(shape=(4, 6), topology=topology, toroidal=True, epochs=1, random_state=0).fit(X)
    assert [len(n) for n in som.grid_neighbours()] == [count] * 24


def test_toroidal_changes_the_training(blobs):
    flat = SOM(shape=(4, 4), epochs=2, random_state=0).fit(blobs[0])
    torus = SOM(shape=(4, 4), epochs=2, toroidal=True, random_state=0).fit(blobs[0])
    assert not np.allclose(flat.weights_, torus.weights_)


def test_hexagonal_changes_the_training(blobs):
    rect = SOM(shape=(4, 4), epochs=2, random_state=0).fit(blobs[0])
    hexa = SOM(shape=(4, 4), epochs=2, topology="hexagonal", random_state=0).fit(blobs[0])
    assert not np.allclose(rect.weights_, hexa.weights_)


# ------------------------------------------------------------------- neighbourhoods
@pytest.mark.parametrize("neighbourhood", ["gaussian", "bubble", "triangle"])
def test_each_neighbourhood_trains_a_good_map(blobs, neighbourhood):
    som = SOM(shape=(5, 5), neighbourhood=neighbourhood, epochs=5, random_state=0).fit(blobs[0])
    qe = som.history_["quantization_error"]
    assert qe[-1] < 0.75 and qe[-1] < qe[0]


def test_the_four_neighbourhoods_give_four_maps(blobs):
    maps = [SOM(shape=(4, 4), neighbourhood=kind, learning_rate=0.05, sigma=1.5, epochs=2,
                random_state=0).fit(blobs[0]).cluster_centers_
            for kind in ("gaussian", "bubble", "mexican_hat", "triangle")]
    for i in range(4):
        for j in range(i):
            assert not np.allclose(maps[i], maps[j])


@pytest.mark.parametrize("neighbourhood", ["bubble", "triangle"])
def test_a_radius_below_one_moves_the_winner_only(blobs, neighbourhood):
    # bubble: h = [d < sigma]; triangle: h = max(0, 1 - d / sigma). With sigma <= 1 no other
    # unit learns, so far units that never win keep their start exactly.
    X = blobs[0]
    start = far_start(X, (4, 4))
    som = SOM(shape=(4, 4), neighbourhood=neighbourhood, sigma=1.0, sigma_final=0.5,
              init=start, epochs=2, random_state=0).fit(X)
    np.testing.assert_array_equal(som.cluster_centers_[8:], start[8:])
    assert not np.allclose(som.cluster_centers_[:8], start[:8])


def test_a_gaussian_moves_every_unit(blobs):
    X = blobs[0]
    start = far_start(X, (4, 4))
    som = SOM(shape=(4, 4), sigma=1.0, init=start, epochs=2, random_state=0).fit(X)
    assert np.all(np.abs(som.cluster_centers_[8:] - start[8:]).max(axis=1) > 0)


def test_mexican_hat_pushes_units_that_never_win_away(blobs):
    X = blobs[0]
    start = far_start(X, (4, 4))
    som = SOM(shape=(4, 4), neighbourhood="mexican_hat", sigma=1.0, learning_rate=0.01,
              learning_rate_final=0.001, init=start, epochs=1, random_state=0).fit(X)
    def distance_to_data(W):
        return np.linalg.norm(W - X.mean(axis=0), axis=1)

    assert np.all(distance_to_data(som.cluster_centers_[8:]) > distance_to_data(start[8:]))


def test_mexican_hat_with_a_small_rate_and_a_short_run_stays_finite(blobs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither a DivergenceWarning nor an overflow
        som = SOM(shape=(5, 5), neighbourhood="mexican_hat", learning_rate=0.05, sigma=1.0,
                  epochs=3, random_state=0).fit(blobs[0])
    assert np.isfinite(som.weights_).all() and len(som.history_["quantization_error"]) == 3
    assert som.quantization_error(blobs[0]) < 1.5


def test_mexican_hat_divergence_stops_training_and_keeps_finite_weights(blobs):
    # The documented behaviour: a long run pushes losing units away geometrically until they
    # leave the data far behind (RUNAWAY_FACTOR times its span) or the error overflows; the
    # guard stops, warns, keeps the last good weights, and history_ holds the completed epochs
    # only. (At the default rate 0.5 that happens in the first epoch, and the start is kept.)
    som = SOM(shape=(10, 10), neighbourhood="mexican_hat", init="random", epochs=120,
              learning_rate=0.01, random_state=0)
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")  # the overflows on the way are expected: not shown
        som.fit(blobs[0])
    diverged = [w for w in caught if issubclass(w.category, DivergenceWarning)]
    assert len(diverged) == 1 and "training diverged at epoch" in str(diverged[0].message)
    assert np.isfinite(som.weights_).all()
    qe, te = som.history_["quantization_error"], som.history_["topographic_error"]
    assert 0 < len(qe) == len(te) < 120
    assert np.isfinite(qe).all() and np.isfinite(te).all()
    span = float(blobs[0].max() - blobs[0].min())
    assert np.abs(som.weights_).max() <= 1e3 * span + np.abs(blobs[0]).max()
    assert som.quantization_error(blobs[0]) == pytest.approx(qe[-1])


# ----------------------------------------------------------------- radius and rates
def test_sigma_none_is_half_the_longer_side(blobs):
    default = SOM(shape=(3, 7), epochs=2, random_state=0).fit(blobs[0])
    explicit = SOM(shape=(3, 7), sigma=3.5, epochs=2, random_state=0).fit(blobs[0])
    np.testing.assert_array_equal(default.weights_, explicit.weights_)


def test_a_larger_sigma_final_gives_a_stiffer_map(blobs):
    # Neighbours are pulled together more: adjacent prototypes end closer, the error higher.
    sharp = SOM(shape=(6, 6), sigma_final=0.5, epochs=4, random_state=0).fit(blobs[0])
    stiff = SOM(shape=(6, 6), sigma_final=2.5, epochs=4, random_state=0).fit(blobs[0])
    assert neighbour_to_pair_ratio(stiff) < neighbour_to_pair_ratio(sharp)
    assert stiff.quantization_error(blobs[0]) > 1.2 * sharp.quantization_error(blobs[0])


def test_a_tiny_learning_rate_leaves_the_start_in_place(blobs):
    X = blobs[0]
    start = X[:16] + 0.1
    som = SOM(shape=(4, 4), init=start, learning_rate=1e-9, learning_rate_final=1e-10,
              epochs=2, random_state=0).fit(X)
    np.testing.assert_allclose(som.cluster_centers_, start, atol=1e-6)
    assert not np.array_equal(som.cluster_centers_, start)  # but it did learn


def test_learning_rate_final_changes_the_map(blobs):
    a = SOM(shape=(4, 4), learning_rate_final=0.01, epochs=2, random_state=0).fit(blobs[0])
    b = SOM(shape=(4, 4), learning_rate_final=0.2, epochs=2, random_state=0).fit(blobs[0])
    assert not np.allclose(a.weights_, b.weights_)


def test_the_three_decays_give_three_maps(blobs):
    maps = [SOM(shape=(4, 4), decay=kind, epochs=2, random_state=0).fit(blobs[0]).weights_
            for kind in ("exponential", "linear", "inverse_time")]
    assert not np.allclose(maps[0], maps[1]) and not np.allclose(maps[0], maps[2])
    assert not np.allclose(maps[1], maps[2])


def test_sigma_decay_defaults_to_decay(blobs):
    implicit = SOM(shape=(4, 4), decay="linear", epochs=2, random_state=0).fit(blobs[0])
    explicit = SOM(shape=(4, 4), decay="linear", sigma_decay="linear", epochs=2,
                   random_state=0).fit(blobs[0])
    other = SOM(shape=(4, 4), decay="linear", sigma_decay="inverse_time", epochs=2,
                random_state=0).fit(blobs[0])
    np.testing.assert_array_equal(implicit.weights_, explicit.weights_)
    assert not np.allclose(implicit.weights_, other.weights_)


# ------------------------------------------------------------- modes and iterations
def test_batch_mode_does_not_use_the_learning_rate(blobs):
    a = SOM(shape=(4, 4), mode="batch", learning_rate=0.5, epochs=3, random_state=0)
    b = SOM(shape=(4, 4), mode="batch", learning_rate=0.01, epochs=3, random_state=0)
    np.testing.assert_array_equal(a.fit(blobs[0]).weights_, b.fit(blobs[0]).weights_)


def test_batch_mode_from_pca_has_no_randomness(blobs):
    a = SOM(shape=(4, 4), mode="batch", epochs=3, random_state=0).fit(blobs[0])
    b = SOM(shape=(4, 4), mode="batch", epochs=3, random_state=1).fit(blobs[0])
    np.testing.assert_array_equal(a.weights_, b.weights_)


def test_batch_and_online_both_reach_a_low_error(blobs):
    X = blobs[0]
    online = SOM(shape=(6, 6), mode="online", epochs=6, random_state=0).fit(X)
    batch = SOM(shape=(6, 6), mode="batch", epochs=6, random_state=0).fit(X)
    qe_online, qe_batch = online.quantization_error(X), batch.quantization_error(X)
    # The blobs' own spread: mean distance of a sample to its true centre, about 0.8.
    spread = np.linalg.norm(X - datasets.FIVE_CENTROIDS[blobs[1]], axis=1).mean()
    assert qe_online < 0.8 * spread and qe_batch < 0.8 * spread
    assert max(qe_online, qe_batch) < 1.25 * min(qe_online, qe_batch)


@pytest.mark.parametrize("mode", ["batch", "online"])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("stop_after", [None, 2])
def test_history_holds_the_errors_of_the_map_after_each_epoch(blobs, mode, metric, stop_after):
    """In batch mode an epoch's errors are measured by the next epoch's search for winners
    (and the last by the pass over the final map): each entry must still be exactly the
    errors of the map the epoch left, as the queries compute them, also when a callback stops
    training early. In online mode only the last entry is (the others are taken as the
    samples met the map: the next test)."""
    X = blobs[0]
    after = []

    def snapshot(som, epoch):
        after.append((som.quantization_error(X), som.topographic_error(X)))
        return None if stop_after is None or epoch + 1 < stop_after else False
    som = SOM(shape=(4, 5), mode=mode, metric=metric, epochs=4, random_state=0,
              callbacks=[snapshot]).fit(X)
    assert len(after) == (4 if stop_after is None else stop_after)
    exact = slice(None) if mode == "batch" else slice(-1, None)
    np.testing.assert_allclose(som.history_["quantization_error"][exact],
                               [a[0] for a in after][exact], rtol=1e-12)
    np.testing.assert_array_equal(som.history_["topographic_error"][exact],
                                  [a[1] for a in after][exact])
    np.testing.assert_array_equal(som.labels_, som.predict(X))


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("backend", ["numpy", "cython"])
def test_online_history_is_the_error_the_samples_met(blobs, metric, backend):
    """Online, an epoch's entry is eqs. (1) and (2) over its steps, each sample measured
    against the map just before its own update. On a map that barely moves (a learning rate
    of 1e-12) every sample of an epoch meets the same map, so each entry is that map's
    error; on a map that moves, the record runs above the error of the map the epoch left
    (it counts samples met before the map adapted to them)."""
    if backend not in available_backends():
        pytest.skip("the compiled kernels are not built")
    X = blobs[0]
    after = []
    still = SOM(shape=(4, 5), mode="online", metric=metric, epochs=3, learning_rate=1e-12,
                learning_rate_final=1e-12,
                random_state=0, backend=backend,
                callbacks=[lambda som, epoch: after.append(
                    (som.quantization_error(X), som.topographic_error(X)))]).fit(X)
    np.testing.assert_allclose(still.history_["quantization_error"], [a[0] for a in after],
                               rtol=1e-9)
    np.testing.assert_allclose(still.history_["topographic_error"], [a[1] for a in after],
                               atol=2 / len(X))
    after.clear()
    moving = SOM(shape=(4, 5), mode="online", metric=metric, epochs=4, random_state=0,
                 backend=backend, init="random",
                 callbacks=[lambda som, epoch: after.append(som.quantization_error(X))]).fit(X)
    assert moving.history_["quantization_error"][0] > after[0]


def test_batch_history_on_and_off_train_the_same_map(blobs):
    """Recording the history changes how the sums are taken (a separate summing pass over the
    winners instead of the fused search-and-sum), not the training: the same map up to the
    rounding of the sums."""
    X = blobs[0]
    on, off = (SOM(shape=(5, 5), mode="batch", epochs=6, random_state=0, record_history=flag)
               .fit(X) for flag in (True, False))
    np.testing.assert_allclose(on.cluster_centers_, off.cluster_centers_, rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_array_equal(on.labels_, off.labels_)


def test_epochs_sets_the_length_of_history(blobs):
    som = SOM(shape=(3, 3), epochs=7, random_state=0).fit(blobs[0])
    assert len(som.history_["quantization_error"]) == 7
    assert len(som.history_["topographic_error"]) == 7


@pytest.mark.parametrize("n_iterations, epochs_run", [(250, 3), (200, 2), (99, 1), (101, 2)])
def test_n_iterations_counts_samples_not_epochs(n_iterations, epochs_run):
    X = np.random.default_rng(0).random((100, 2))
    seen = []
    som = SOM(shape=(3, 3), epochs=50, n_iterations=n_iterations, random_state=0,
              callbacks=[lambda model, epoch: seen.append(epoch)]).fit(X)
    assert epochs_run == -(-n_iterations // 100)  # ceil(n_iterations / n_samples)
    assert seen == list(range(epochs_run))
    assert len(som.history_["quantization_error"]) == epochs_run


def test_n_iterations_of_whole_epochs_equals_epochs():
    X = np.random.default_rng(0).random((100, 2))
    by_count = SOM(shape=(3, 3), n_iterations=300, random_state=0).fit(X)
    by_epochs = SOM(shape=(3, 3), epochs=3, random_state=0).fit(X)
    np.testing.assert_array_equal(by_count.weights_, by_epochs.weights_)


def test_n_iterations_presents_only_that_many_samples():
    # 150 of 100 samples: the second epoch is half an epoch, so the result is neither one
    # epoch's nor two epochs'.
    X = np.random.default_rng(0).random((100, 2))
    maps = [SOM(shape=(3, 3), n_iterations=n, random_state=0).fit(X).weights_
            for n in (100, 150, 200)]
    assert not np.allclose(maps[1], maps[0]) and not np.allclose(maps[1], maps[2])


# ------------------------------------------------------------------------------ init
def frozen(X, init, shape=(4, 4), **params):
    """A map trained with a negligible rate: its prototypes are where init put them."""
    return SOM(shape=shape, init=init, learning_rate=1e-12, learning_rate_final=1e-13,
               epochs=1, random_state=0, **params).fit(X)


def test_init_random_samples_starts_on_distinct_samples(blobs):
    X = blobs[0]
    W = frozen(X, "random_samples").cluster_centers_
    nearest = distances(W, X).argmin(axis=1)
    np.testing.assert_allclose(W, X[nearest], atol=1e-9)
    assert len(set(nearest.tolist())) == 16


def test_init_random_starts_inside_the_bounding_box_off_the_samples(blobs):
    X = blobs[0]
    W = frozen(X, "random").cluster_centers_
    assert np.all(W >= X.min(axis=0) - 1e-9) and np.all(W <= X.max(axis=0) + 1e-9)
    assert distances(W, X).min() > 1e-6


def test_init_pca_starts_on_the_principal_plane(blobs):
    X = blobs[0]
    som = frozen(X, "pca", shape=(3, 5))
    np.testing.assert_allclose(som.cluster_centers_, pca_prototypes(X, som.grid_positions_),
                               atol=1e-9)
    # The plane through the mean spanned by the first two principal directions.
    _, _, directions = np.linalg.svd(X - X.mean(axis=0))
    off_plane = (som.cluster_centers_ - X.mean(axis=0)) @ directions[2]
    np.testing.assert_allclose(off_plane, 0.0, atol=1e-6)


def test_init_is_pca_by_default(blobs):
    default = SOM(shape=(4, 4), epochs=2, random_state=0).fit(blobs[0])
    pca = SOM(shape=(4, 4), init="pca", epochs=2, random_state=0).fit(blobs[0])
    np.testing.assert_array_equal(default.weights_, pca.weights_)


def test_init_array_of_both_shapes(blobs):
    X = blobs[0]
    start = np.random.default_rng(1).normal(size=(12, 3))
    flat = frozen(X, start, shape=(3, 4))
    grid = frozen(X, start.reshape(3, 4, 3), shape=(3, 4))
    np.testing.assert_allclose(flat.cluster_centers_, start, atol=1e-9)
    np.testing.assert_array_equal(flat.weights_, grid.weights_)
    # Unit (row, col) of the 3-D array is weights_[row, col].
    np.testing.assert_allclose(grid.weights_[2, 1], start.reshape(3, 4, 3)[2, 1], atol=1e-9)


def test_init_array_is_not_modified(blobs):
    start = np.random.default_rng(1).normal(size=(4, 4, 3))
    before = start.copy()
    SOM(shape=(4, 4), init=start, epochs=2, random_state=0).fit(blobs[0])
    np.testing.assert_array_equal(start, before)


# ---------------------------------------------------------------------------- metric
def test_cosine_metric_picks_the_largest_cosine_similarity(blobs):
    X = blobs[0]
    som = SOM(shape=(4, 4), metric="cosine", epochs=2, random_state=0).fit(X)
    similarity = cosine_similarities(X, som.cluster_centers_)
    winners = som.predict(X)
    np.testing.assert_allclose(similarity[np.arange(len(X)), winners], similarity.max(axis=1),
                               atol=1e-12)
    # Euclidean winners differ on these data: the metric is really used.
    assert np.any(winners != distances(X, som.cluster_centers_).argmin(axis=1))


def test_cosine_winners_ignore_the_length_of_a_sample(blobs):
    X = blobs[0]
    som = SOM(shape=(4, 4), metric="cosine", mode="batch", epochs=2, random_state=0).fit(X)
    scale = np.random.default_rng(0).uniform(0.1, 10.0, size=(len(X), 1))
    np.testing.assert_array_equal(som.predict(X * scale), som.predict(X))


@pytest.mark.parametrize("mode", ["online", "batch"])
def test_cosine_training_orders_the_directions(mode):
    angles = np.random.default_rng(0).uniform(0, np.pi / 2, 300)
    radii = np.random.default_rng(1).uniform(0.5, 3.0, 300)
    X = np.column_stack([np.cos(angles), np.sin(angles)]) * radii[:, None]
    som = SOM(shape=(1, 8), metric="cosine", mode=mode, init="random", epochs=10,
              random_state=0).fit(X)
    directions = np.arctan2(som.cluster_centers_[:, 1], som.cluster_centers_[:, 0])
    steps = np.diff(directions)
    assert np.all(steps > 0) or np.all(steps < 0)


# ---------------------------------------------------------------- two-level clustering
@pytest.fixture(scope="module")
def two_level(blobs):
    return SOM(shape=(6, 6), n_clusters=5, epochs=5, random_state=0).fit(blobs[0])


def test_two_level_recovers_the_blobs(blobs, two_level):
    assert adjusted_rand_score(blobs[1], two_level.labels_) > 0.9


def test_two_level_labels_are_unit_labels_of_the_winner(blobs, two_level):
    X = blobs[0]
    assert two_level.unit_labels_.shape == (36,)
    assert set(two_level.unit_labels_.tolist()) == set(range(5))
    winners = distances(X, two_level.cluster_centers_).argmin(axis=1)
    np.testing.assert_array_equal(two_level.predict(X), two_level.unit_labels_[winners])
    np.testing.assert_array_equal(two_level.labels_, two_level.predict(X))


def test_without_n_clusters_there_are_no_unit_labels(fitted):
    assert not hasattr(fitted, "unit_labels_")


def test_transform_gives_the_unit_even_with_n_clusters(blobs, two_level):
    winners = distances(blobs[0], two_level.cluster_centers_).argmin(axis=1)
    np.testing.assert_array_equal(two_level.transform(blobs[0]),
                                  np.column_stack(np.divmod(winners, 6)))


# ---------------------------------------------------------------------------- quality
def test_quantization_error_drops_over_the_epochs(blobs):
    som = SOM(shape=(6, 6), init="random", epochs=6, random_state=0).fit(blobs[0])
    qe = som.history_["quantization_error"]
    assert qe[-1] < 0.5 * qe[0]
    assert sum(b < a for a, b in zip(qe, qe[1:])) >= 4


@pytest.mark.parametrize("topology", ["rectangular", "hexagonal"])
@pytest.mark.parametrize("mode", ["online", "batch"])
def test_a_map_on_the_square_is_ordered(square, topology, mode):
    som = SOM(shape=(8, 8), topology=topology, mode=mode, init="random", epochs=10,
              random_state=0).fit(square)
    assert som.topographic_error(square) < 0.1
    assert neighbour_to_pair_ratio(som) < 0.35
    # The same prototypes shuffled over the grid are not ordered: the check can fail.
    shuffled = clone(som).set_params(init=np.random.default_rng(0).permutation(
        som.cluster_centers_), mode="online", learning_rate=1e-12, learning_rate_final=1e-13,
        epochs=1)
    shuffled.fit(square)
    assert neighbour_to_pair_ratio(shuffled) > 0.7
    assert shuffled.topographic_error(square) > 0.5


def test_a_chain_on_a_line_unfolds_monotonically():
    x = np.random.default_rng(0).random((200, 1))
    for seed in range(3):
        som = SOM(shape=(1, 15), init="random", epochs=10, random_state=seed).fit(x)
        steps = np.diff(som.cluster_centers_[:, 0])
        assert np.all(steps > 0) or np.all(steps < 0)
        assert som.topographic_error(x) == 0.0


def test_digits_map_quality():
    X, y = datasets.load_digits()
    X, y = X[:500], y[:500]
    som = SOM(shape=(8, 8), n_clusters=10, mode="batch", epochs=5, random_state=0).fit(X)
    # Units are pure: most samples share their unit's majority label.
    agreement = sum(max(counter.values()) for counter in som.labels_map(X, y).values())
    assert agreement / len(X) > 0.8
    assert adjusted_rand_score(y, som.labels_) > 0.4


def test_epochs_calls_of_partial_fit_are_one_fit():
    """partial_fit walks the schedule of fit: ``epochs`` calls on the same data give fit's
    map (the same samples, in the same order, at the same rates and radii)."""
    X, _ = datasets.make_blobs(600, centers=3, n_features=3, random_state=0)
    fitted = SOM(shape=(4, 4), epochs=3, random_state=5).fit(X)
    stepwise = SOM(shape=(4, 4), epochs=3, random_state=5)
    for _ in range(3):
        stepwise.partial_fit(X)
    np.testing.assert_allclose(stepwise.weights_, fitted.weights_, rtol=1e-12)
    assert stepwise.n_steps_ == fitted.n_steps_ == 1800 == fitted.schedule_steps_
    np.testing.assert_allclose(stepwise.history_["quantization_error"][:2],
                               fitted.history_["quantization_error"][:2], rtol=1e-12)
    fitted.partial_fit(X)                          # after fit: on at the final rate and radius
    assert fitted.n_steps_ == 2400


def test_partial_fit_refuses_the_batch_map_and_other_widths():
    X, _ = datasets.make_blobs(100, centers=2, random_state=0)
    with pytest.raises(ValueError, match="mode='online'"):
        SOM(shape=(2, 2), mode="batch").partial_fit(X)
    model = SOM(shape=(2, 2), epochs=1).partial_fit(X)
    with pytest.raises(ValueError, match="expecting 2 features"):
        model.partial_fit(np.ones((5, 3)))
