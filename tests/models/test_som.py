"""Tests for neuroclust.SOM, the estimator, used as a user uses it.

The kernels and the grid helpers have their own tests (tests/backend/test_som_kernels.py,
tests/test_grid.py); here every query is checked against a plain brute-force
computation, every documented parameter is shown to change what it should, and the trained
maps are checked for what a self-organizing map promises: low quantization error, an ordered
map (neighbouring units hold neighbouring prototypes) and, with ``n_clusters``, the clusters.
"""
import warnings
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from neuroclust import SOM, DivergenceWarning, NotFittedError, datasets, load
from neuroclust.metrics import adjusted_rand_score
from neuroclust.models.som import pca_prototypes


@pytest.fixture(autouse=True)
def _backend_not_forced(monkeypatch):
    """NEUROCLUST_BACKEND in the environment would override the backends chosen here."""
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


# ------------------------------------------------------------------------------ data
@pytest.fixture(scope="module")
def blobs():
    """The five 3-D centroids, tighter than the tutorials' (std 0.5): clearly separate."""
    return datasets.make_five_centroids(n_samples=250, cluster_std=0.5, random_state=0)


@pytest.fixture(scope="module")
def square():
    """400 points uniform in the unit square: the map should spread over it, in order."""
    return np.random.default_rng(0).random((400, 2))


@pytest.fixture(scope="module")
def fitted(blobs):
    return SOM(shape=(5, 6), epochs=4, random_state=0).fit(blobs[0])


# ------------------------------------------------------------------- plain references
def distances(X, W):
    """Euclidean distance of every row of X to every prototype, written out."""
    return np.sqrt(((X[:, None, :] - W[None, :, :]) ** 2).sum(axis=2))


def cosine_similarities(X, W):
    return (X @ W.T) / np.outer(np.linalg.norm(X, axis=1), np.linalg.norm(W, axis=1))


def hand_neighbours(rows, cols, topology, toroidal):
    """Each unit's grid neighbours by the textbook rules, as sets of flat indices.

    Rectangular: up, down, left, right. Hexagonal with odd rows shifted right: left and
    right, and in the rows above and below columns (c - 1, c) from an even row, (c, c + 1)
    from an odd one. A torus wraps rows and columns around.
    """
    result = []
    for r in range(rows):
        for c in range(cols):
            if topology == "rectangular":
                candidates = [(r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)]
            else:
                shift = (-1, 0) if r % 2 == 0 else (0, 1)
                candidates = [(r, c - 1), (r, c + 1)] + [
                    (r + dr, c + dc) for dr in (-1, 1) for dc in shift]
            found = set()
            for rr, cc in candidates:
                if toroidal:
                    rr, cc = rr % rows, cc % cols
                elif not (0 <= rr < rows and 0 <= cc < cols):
                    continue
                if (rr, cc) != (r, c):
                    found.add(rr * cols + cc)
            result.append(found)
    return result


def neighbour_to_pair_ratio(som):
    """Mean prototype distance of grid neighbours over that of all pairs of units.

    About 1 for prototypes scattered over the grid without order, far below for an ordered map.
    """
    W = som.cluster_centers_
    pairs = distances(W, W)
    adjacent = np.mean([pairs[j, k] for j, ks in enumerate(som.grid_neighbours()) for k in ks])
    return adjacent / pairs[np.triu_indices(len(W), 1)].mean()


def far_start(X, shape):
    """Prototypes: half on the data, the other half far away (so those never win)."""
    n_units = shape[0] * shape[1]
    start = X[:n_units].copy()
    start[n_units // 2:] = 100.0 + np.arange(n_units - n_units // 2)[:, None]
    return start


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


# ------------------------------------------------------------------- queries vs brute force
maps = st.tuples(st.integers(1, 5), st.integers(1, 5)).filter(lambda s: s[0] * s[1] >= 2)


@settings(max_examples=30, deadline=None)
@given(shape=maps, n_features=st.integers(1, 4), seed=st.integers(0, 2**16),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_predict_is_the_nearest_prototype(shape, n_features, seed, dtype):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, n_features)).astype(dtype)
    som = SOM(shape=shape, epochs=1, init="random", random_state=seed).fit(X)
    Z = rng.normal(size=(25, n_features)).astype(dtype)
    winners = som.predict(Z)
    assert winners.shape == (25,) and winners.dtype.kind == "i"
    assert winners.min() >= 0 and winners.max() < shape[0] * shape[1]
    d = distances(Z.astype(np.float64), som.cluster_centers_.astype(np.float64))
    tolerance = 1e-4 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(d[np.arange(25), winners], d.min(axis=1), atol=tolerance)


@settings(max_examples=20, deadline=None)
@given(shape=maps, n_features=st.integers(2, 4), seed=st.integers(0, 2**16))
def test_cosine_predict_is_the_most_similar_prototype(shape, n_features, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, n_features))
    som = SOM(shape=shape, metric="cosine", epochs=1, init="random_samples",
              random_state=seed).fit(X)
    winners = som.predict(X)
    similarity = cosine_similarities(X, som.cluster_centers_)
    np.testing.assert_allclose(similarity[np.arange(40), winners], similarity.max(axis=1),
                               atol=1e-12)


def test_transform_is_row_and_column_of_the_winner(blobs, fitted):
    winners = fitted.predict(blobs[0])
    rows_cols = fitted.transform(blobs[0])
    assert rows_cols.shape == (len(blobs[0]), 2)
    np.testing.assert_array_equal(rows_cols, np.column_stack(np.divmod(winners, 6)))
    np.testing.assert_array_equal(fitted.weights_[rows_cols[:, 0], rows_cols[:, 1]],
                                  fitted.cluster_centers_[winners])


def test_fit_predict_equals_labels_and_predict(blobs):
    som = SOM(shape=(4, 4), epochs=2, random_state=0)
    labels = som.fit_predict(blobs[0])
    np.testing.assert_array_equal(labels, som.labels_)
    np.testing.assert_array_equal(labels, som.predict(blobs[0]))


def test_quantization_error_is_the_mean_distance_to_the_winner(blobs, fitted):
    X = blobs[0]
    expected = distances(X, fitted.cluster_centers_).min(axis=1).mean()
    assert fitted.quantization_error(X) == pytest.approx(expected, rel=1e-12)
    assert fitted.history_["quantization_error"][-1] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("topology, toroidal", [("rectangular", False), ("hexagonal", False),
                                                ("rectangular", True), ("hexagonal", True)])
def test_topographic_error_is_the_share_of_non_adjacent_best_pairs(square, topology, toroidal):
    som = SOM(shape=(4, 6), topology=topology, toroidal=toroidal, epochs=2, init="random",
              random_state=0).fit(square)
    order = distances(square, som.cluster_centers_).argsort(axis=1)
    neighbours = som.grid_neighbours()
    expected = np.mean([second not in neighbours[first] for first, second in order[:, :2]])
    assert som.topographic_error(square) == pytest.approx(expected, abs=1e-12)
    assert som.history_["topographic_error"][-1] == pytest.approx(expected, abs=1e-12)


def test_topographic_error_is_zero_and_one_at_the_extremes():
    # Two units: every sample's two best units are the pair, adjacent or not.
    X = np.random.default_rng(0).random((50, 2))
    start = np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]])
    som = SOM(shape=(1, 3), init=start, learning_rate=1e-12, learning_rate_final=1e-13,
              epochs=1, random_state=0).fit(X)
    assert som.topographic_error(X) == 0.0  # best pair (0, 1): neighbours
    swapped = SOM(shape=(1, 3), init=start[[0, 2, 1]], learning_rate=1e-12,
                  learning_rate_final=1e-13, epochs=1, random_state=0).fit(X)
    assert swapped.topographic_error(X) == 1.0  # best pair (0, 2): two apart


@pytest.mark.parametrize("topology, toroidal, shape", [
    ("rectangular", False, (4, 5)), ("hexagonal", False, (4, 5)),
    ("rectangular", True, (4, 5)), ("hexagonal", True, (4, 5)),
])
def test_distance_map_is_the_mean_distance_to_the_neighbours(topology, toroidal, shape, blobs):
    som = SOM(shape=shape, topology=topology, toroidal=toroidal, epochs=2,
              random_state=0).fit(blobs[0])
    W = som.cluster_centers_
    expected = [np.mean([np.linalg.norm(W[j] - W[k]) for k in neighbours])
                for j, neighbours in enumerate(hand_neighbours(*shape, topology, toroidal))]
    U = som.distance_map()
    assert U.shape == shape
    np.testing.assert_allclose(U.ravel(), expected, rtol=1e-12)


def test_distance_map_of_a_known_map():
    # A 2 x 2 map with prototypes at the corners of a 3 x 4 rectangle: rows 3 apart,
    # columns 4 apart, so every unit is 3 from one neighbour and 4 from the other.
    start = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 3.0], [4.0, 3.0]])
    X = np.random.default_rng(0).random((10, 2))
    som = SOM(shape=(2, 2), init=start, learning_rate=1e-12, learning_rate_final=1e-13,
              epochs=1, random_state=0).fit(X)
    np.testing.assert_allclose(som.distance_map(), np.full((2, 2), 3.5), atol=1e-9)


def test_activation_response_counts_the_wins(blobs, fitted):
    X = blobs[0]
    hits = fitted.activation_response(X)
    assert hits.shape == (5, 6) and hits.sum() == len(X)
    np.testing.assert_array_equal(hits.ravel(), np.bincount(fitted.predict(X), minlength=30))


def test_win_map_lists_each_sample_under_its_winner(blobs, fitted):
    X = blobs[0]
    winners = fitted.predict(X)
    wins = fitted.win_map(X)
    assert sorted(index for indices in wins.values() for index in indices) == list(range(len(X)))
    for (row, col), indices in wins.items():
        assert 0 <= row < 5 and 0 <= col < 6
        assert np.all(winners[indices] == row * 6 + col)


def test_labels_map_counts_the_labels_each_unit_wins(blobs, fitted):
    X, y = blobs
    winners = fitted.predict(X)
    labels = fitted.labels_map(X, y)
    assert set(labels) == set(fitted.win_map(X))
    for (row, col), counter in labels.items():
        assert counter == Counter(y[winners == row * 6 + col].tolist())
    assert sum(sum(counter.values()) for counter in labels.values()) == len(X)


@pytest.mark.parametrize("bad_y", [np.zeros(10), np.zeros((250, 1)), np.zeros(251)])
def test_labels_map_rejects_labels_of_the_wrong_length(blobs, fitted, bad_y):
    with pytest.raises(ValueError, match=r"y must have one label per row of X \(250\), got "
                                         r"shape"):
        fitted.labels_map(blobs[0], bad_y)


# ---------------------------------------------------------------- determinism and dtypes
def test_the_same_seed_gives_the_same_map(blobs):
    a = SOM(shape=(4, 4), init="random_samples", epochs=2, random_state=3).fit(blobs[0])
    b = SOM(shape=(4, 4), init="random_samples", epochs=2, random_state=3).fit(blobs[0])
    np.testing.assert_array_equal(a.weights_, b.weights_)
    assert a.history_ == b.history_


def test_different_seeds_give_different_maps(blobs):
    a = SOM(shape=(4, 4), init="random_samples", epochs=2, random_state=3).fit(blobs[0])
    b = SOM(shape=(4, 4), init="random_samples", epochs=2, random_state=4).fit(blobs[0])
    assert not np.allclose(a.weights_, b.weights_)


def test_online_order_depends_on_the_seed_even_from_pca(blobs):
    a = SOM(shape=(4, 4), epochs=2, random_state=3).fit(blobs[0])
    b = SOM(shape=(4, 4), epochs=2, random_state=4).fit(blobs[0])
    assert not np.allclose(a.weights_, b.weights_)


def test_a_generator_as_random_state(blobs):
    a = SOM(shape=(4, 4), epochs=2, random_state=np.random.default_rng(7)).fit(blobs[0])
    b = SOM(shape=(4, 4), epochs=2, random_state=np.random.default_rng(7)).fit(blobs[0])
    np.testing.assert_array_equal(a.weights_, b.weights_)


def test_history_off_trains_the_same_map(blobs):
    on = SOM(shape=(4, 4), epochs=3, random_state=0).fit(blobs[0])
    off = SOM(shape=(4, 4), epochs=3, record_history=False, random_state=0).fit(blobs[0])
    assert off.history_ == {"quantization_error": [], "topographic_error": []}
    np.testing.assert_array_equal(on.weights_, off.weights_)
    np.testing.assert_array_equal(on.labels_, off.labels_)


@pytest.mark.parametrize("dtype, expected", [
    (np.float32, np.float32), (np.float64, np.float64), (np.int64, np.float64),
    (np.int32, np.float64), (np.uint8, np.float64)])
@pytest.mark.parametrize("mode", ["online", "batch"])
def test_dtype_of_the_weights(dtype, expected, mode):
    X = np.random.default_rng(0).integers(0, 10, size=(60, 3)).astype(dtype)
    som = SOM(shape=(3, 3), mode=mode, epochs=2, random_state=0).fit(X)
    assert som.weights_.dtype == expected and som.cluster_centers_.dtype == expected
    assert np.isfinite(som.weights_).all()


def test_float32_training_is_close_to_float64(blobs):
    X = blobs[0]
    single = SOM(shape=(4, 4), mode="batch", epochs=3, random_state=0).fit(X.astype(np.float32))
    double = SOM(shape=(4, 4), mode="batch", epochs=3, random_state=0).fit(X)
    np.testing.assert_allclose(single.weights_, double.weights_, atol=1e-4)


def test_queries_accept_the_other_float_type(blobs, fitted):
    X = blobs[0]
    np.testing.assert_array_equal(fitted.predict(X.astype(np.float32)), fitted.predict(X))
    assert fitted.quantization_error(X.astype(np.float32)) == pytest.approx(
        fitted.quantization_error(X), rel=1e-5)


# ----------------------------------------------------------------------- save and load
@pytest.mark.parametrize("params", [
    dict(shape=(4, 6), topology="hexagonal", toroidal=True),
    dict(shape=(5, 3), n_clusters=3, metric="cosine", mode="batch"),
], ids=["hex-torus", "two-level-cosine"])
def test_save_and_load_keep_every_query(blobs, tmp_path, params):
    X = blobs[0]
    som = SOM(epochs=3, random_state=0, **params).fit(X)
    loaded = load(som.save(tmp_path / "som"))
    assert type(loaded) is SOM
    assert loaded.get_params() == som.get_params()
    assert not hasattr(loaded, "_neighbours") or loaded._neighbours is None
    np.testing.assert_array_equal(loaded.weights_, som.weights_)
    np.testing.assert_array_equal(loaded.predict(X), som.predict(X))
    np.testing.assert_array_equal(loaded.transform(X), som.transform(X))
    np.testing.assert_array_equal(loaded.distance_map(), som.distance_map())
    assert loaded.topographic_error(X) == som.topographic_error(X)
    assert loaded.quantization_error(X) == som.quantization_error(X)
    assert [n.tolist() for n in loaded.grid_neighbours()] == \
        [n.tolist() for n in som.grid_neighbours()]
    assert loaded.history_ == som.history_


def test_a_loaded_map_can_be_fit_again(blobs, tmp_path):
    som = SOM(shape=(4, 4), epochs=2, random_state=0).fit(blobs[0])
    loaded = load(som.save(tmp_path / "som.npz"))
    np.testing.assert_array_equal(loaded.fit(blobs[0]).weights_, som.weights_)


# ---------------------------------------------------------------- scikit-learn tools
def test_clone_and_params(blobs):
    som = SOM(shape=(3, 4), topology="hexagonal", n_clusters=2, epochs=2, random_state=0)
    copy = clone(som)
    assert copy.get_params() == som.get_params() and copy is not som
    assert copy.set_params(shape=(2, 2), sigma=1.0) is copy
    assert copy.shape == (2, 2) and copy.sigma == 1.0 and som.shape == (3, 4)
    assert copy.fit(blobs[0]).weights_.shape == (2, 2, 3)


def test_inside_a_pipeline_with_a_scaler(blobs):
    X = blobs[0] * [1.0, 1000.0, 0.001]
    pipe = Pipeline([("scale", StandardScaler()),
                     ("som", SOM(shape=(4, 4), epochs=2, random_state=0))]).fit(X)
    scaled = StandardScaler().fit_transform(X)
    alone = SOM(shape=(4, 4), epochs=2, random_state=0).fit(scaled)
    np.testing.assert_array_equal(pipe.predict(X), alone.predict(scaled))
    np.testing.assert_array_equal(pipe.named_steps["som"].weights_, alone.weights_)


# --------------------------------------------------------------- callbacks and verbose
def test_callbacks_see_each_epoch_with_the_current_weights(blobs):
    calls = []
    som = SOM(shape=(3, 3), epochs=4, random_state=0,
              callbacks=[lambda model, epoch: calls.append((model, epoch,
                                                            model.weights_.copy()))])
    som.fit(blobs[0])
    assert [epoch for _, epoch, _ in calls] == [0, 1, 2, 3]
    assert all(model is som for model, _, _ in calls)
    np.testing.assert_array_equal(calls[-1][2], som.weights_)
    assert not np.allclose(calls[0][2], calls[1][2])  # a snapshot per epoch


def test_every_callback_is_called(blobs):
    first, second = [], []
    SOM(shape=(3, 3), epochs=2, random_state=0,
        callbacks=[lambda m, e: first.append(e), lambda m, e: second.append(e)]).fit(blobs[0])
    assert first == second == [0, 1]


def test_a_callback_returning_false_stops_training(blobs):
    som = SOM(shape=(3, 3), epochs=10, random_state=0,
              callbacks=[lambda model, epoch: epoch < 2]).fit(blobs[0])
    assert len(som.history_["quantization_error"]) == 3
    np.testing.assert_array_equal(som.labels_, som.predict(blobs[0]))


@pytest.mark.parametrize("verbose", [True, 1, 2])
def test_verbose_training_runs(blobs, verbose, capsys):
    quiet = SOM(shape=(3, 3), epochs=2, random_state=0).fit(blobs[0])
    loud = SOM(shape=(3, 3), epochs=2, random_state=0, verbose=verbose).fit(blobs[0])
    np.testing.assert_array_equal(loud.weights_, quiet.weights_)
    if verbose == 2:
        out = capsys.readouterr()
        assert "epoch 1/2" in out.out + out.err and "epoch 2/2" in out.out + out.err


# ------------------------------------------------------------------------- bad input
def small_data():
    return np.random.default_rng(0).normal(size=(30, 3))


BAD_HYPER_PARAMETERS = [
    (dict(shape=(0, 5)), r"shape must be two positive integers \(rows, cols\), got \(0, 5\)"),
    (dict(shape=(5, -1)), r"shape must be two positive integers"),
    (dict(shape=(1, 1)), r"shape \(1, 1\) gives a map of one unit; at least 2 are needed"),
    (dict(shape=(2, 3, 4)), r"shape must be two positive integers .*got \(2, 3, 4\)"),
    (dict(shape=(5,)), r"shape must be two positive integers"),
    (dict(shape=(True, 3)), r"shape must be two positive integers .*got \(True, 3\)"),
    (dict(shape=(2.0, 3)), r"shape must be two positive integers"),
    (dict(shape=10), r"shape must be two positive integers .*got 10"),
    (dict(shape="10x10"), r"shape must be two positive integers"),
    (dict(topology="square"), r"topology must be one of 'rectangular', 'hexagonal', "
                              r"got 'square'"),
    (dict(toroidal="yes"), r"toroidal must be True or False, got 'yes'"),
    (dict(topology="hexagonal", toroidal=True, shape=(3, 4)),
     r"a toroidal hexagonal map needs an even number of rows, got 3"),
    (dict(neighbourhood="gauss"), r"neighbourhood must be one of 'gaussian', 'bubble', "
                                  r"'mexican_hat', 'triangle', got 'gauss'"),
    (dict(sigma=0), r"sigma must be > 0, got 0"),
    (dict(sigma=-1.5), r"sigma must be > 0, got -1.5"),
    (dict(sigma=np.nan), r"sigma must be finite"),
    (dict(sigma="big"), r"sigma must be a number, got 'big'"),
    (dict(sigma_final=0.0), r"sigma_final must be > 0, got 0.0"),
    (dict(learning_rate=0), r"learning_rate must be > 0, got 0"),
    (dict(learning_rate=-0.1), r"learning_rate must be > 0, got -0.1"),
    (dict(learning_rate_final=0), r"learning_rate_final must be > 0, got 0"),
    (dict(decay="step"), r"decay must be one of 'exponential', 'linear', 'inverse_time', "
                         r"got 'step'"),
    (dict(sigma_decay="step"), r"sigma_decay must be one of 'exponential', 'linear', "
                               r"'inverse_time', got 'step'"),
    (dict(mode="bulk"), r"mode must be one of 'online', 'batch', got 'bulk'"),
    (dict(epochs=0), r"epochs must be >= 1, got 0"),
    (dict(epochs=2.5), r"epochs must be an integer, got 2.5"),
    (dict(n_iterations=0), r"n_iterations must be >= 1, got 0"),
    (dict(n_iterations=10, mode="batch"), r"n_iterations counts samples of online training; "
                                          r"with mode='batch' give epochs instead"),
    (dict(metric="manhattan"), r"metric must be one of 'euclidean', 'cosine', "
                               r"got 'manhattan'"),
    (dict(init="k-means++"), r"init must be one of 'random_samples', 'random', 'pca' or an "
                             r"array of shape \(9, n_features\) or \(3, 3, n_features\), "
                             r"got 'k-means\+\+'"),
    (dict(init="PCA"), r"init must be one of .*got 'PCA'"),
    (dict(n_clusters=10), r"n_clusters must be >= 1 and <= 9, got 10"),
    (dict(n_clusters=0), r"n_clusters must be >= 1 and <= 9, got 0"),
    (dict(n_clusters=2.0), r"n_clusters must be an integer, got 2.0"),
    (dict(record_history="no"), r"record_history must be True or False, got 'no'"),
]


@pytest.mark.parametrize("params, message", BAD_HYPER_PARAMETERS, ids=[
    ",".join(f"{name}={value!r}" for name, value in params.items())
    for params, _ in BAD_HYPER_PARAMETERS])
def test_bad_hyper_parameters(params, message):
    settings_ = dict(shape=(3, 3), epochs=1, random_state=0)
    settings_.update(params)
    som = SOM(**settings_)
    with pytest.raises(ValueError, match=message) as info:
        som.fit(small_data())
    text = str(info.value)
    assert "\n" not in text and text.endswith(".")
    assert not hasattr(som, "weights_")
    with pytest.raises(NotFittedError):
        som.predict(small_data())


def test_edge_values_are_accepted():
    X = small_data()
    SOM(shape=(1, 2), epochs=1, random_state=0).fit(X)
    SOM(shape=(2, 1), n_clusters=2, epochs=1, random_state=0).fit(X)
    SOM(shape=(2, 3), topology="hexagonal", toroidal=True, epochs=1, random_state=0).fit(X)
    SOM(shape=(np.int64(2), np.int32(2)), n_clusters=np.int64(1), epochs=np.int64(1),
        sigma=np.float32(1.0), random_state=0).fit(X)
    SOM(shape=(3, 3), n_iterations=1, random_state=0).fit(X)


@pytest.mark.parametrize("init, message", [
    (np.zeros((8, 3)), r"init has shape \(8, 3\), but 9 prototypes of 3 features, "
                       r"shape \(9, 3\), are needed"),
    (np.zeros((9, 2)), r"init has shape \(9, 2\)"),
    (np.zeros((3, 3, 2)), r"init has shape \(3, 3, 2\), but 9 prototypes of 3 features, "
                          r"shape \(9, 3\) or \(3, 3, 3\), are needed"),
    (np.zeros((1, 9, 3)), r"init has shape \(1, 9, 3\), but 9 prototypes of 3 features, "
                          r"shape \(9, 3\) or \(3, 3, 3\), are needed"),
    (np.zeros(27), r"init must be a 2-D array"),
    (np.full((9, 3), np.nan), r"init contains 27 NaN value\(s\)"),
], ids=["too-few-units", "too-few-features", "3-D-too-few-features", "3-D-other-grid", "1-D",
        "nan"])
def test_bad_init_array(init, message):
    som = SOM(shape=(3, 3), init=init, epochs=1)
    with pytest.raises(ValueError, match=message):
        som.fit(small_data())
    with pytest.raises(NotFittedError):
        som.predict(small_data())


def test_a_3d_init_for_the_transposed_grid_is_refused():
    # (4, 3, f) has the right number of units for a 3 x 4 map, but the units would land in
    # the wrong places: refused rather than silently reshaped.
    with pytest.raises(ValueError, match=r"init has shape \(4, 3, 3\), but 12 prototypes of 3 "
                                         r"features, shape \(12, 3\) or \(3, 4, 3\)"):
        SOM(shape=(3, 4), init=np.zeros((4, 3, 3)), epochs=1).fit(small_data())


def test_random_samples_init_needs_a_sample_per_unit():
    with pytest.raises(ValueError, match=r"init='random_samples' needs a sample for each of "
                                         r"the 36 units, but X has 30 samples"):
        SOM(shape=(6, 6), init="random_samples", epochs=1).fit(small_data())
    SOM(shape=(6, 5), init="random_samples", epochs=1, random_state=0).fit(small_data())
    SOM(shape=(6, 6), init="random", epochs=1, random_state=0).fit(small_data())


@pytest.mark.parametrize("X, message", [
    (np.where(np.arange(90).reshape(30, 3) == 40, np.nan, small_data()),
     r"X contains 1 NaN value\(s\) \(first at row 13\)"),
    (small_data()[:, 0], r"X must be a 2-D array, but it has 1 dimension\(s\)"),
    (np.empty((0, 3)), r"X is empty"),
    ([["a", "b"]] * 4, r"X must hold numbers"),
], ids=["nan", "1-D", "empty", "text"])
def test_bad_X_at_fit(X, message):
    with pytest.raises(ValueError, match=message):
        SOM(shape=(3, 3), epochs=1).fit(X)


QUERIES = {
    "predict": lambda som, X: som.predict(X),
    "transform": lambda som, X: som.transform(X),
    "quantization_error": lambda som, X: som.quantization_error(X),
    "topographic_error": lambda som, X: som.topographic_error(X),
    "activation_response": lambda som, X: som.activation_response(X),
    "win_map": lambda som, X: som.win_map(X),
    "labels_map": lambda som, X: som.labels_map(X, np.zeros(len(X))),
}


@pytest.mark.parametrize("query", list(QUERIES))
def test_queries_before_fit(query):
    with pytest.raises(NotFittedError, match=r"This SOM is not fitted yet; call fit\(X\)"):
        QUERIES[query](SOM(), small_data())


@pytest.mark.parametrize("method", ["distance_map", "grid_neighbours"])
def test_map_queries_before_fit(method):
    with pytest.raises(NotFittedError, match=r"This SOM is not fitted yet"):
        getattr(SOM(), method)()


@pytest.mark.parametrize("query", list(QUERIES))
def test_queries_with_the_wrong_feature_count(query, fitted):
    with pytest.raises(ValueError, match=r"X has 2 features, but SOM is expecting 3 features "
                                         r"as input"):
        QUERIES[query](fitted, small_data()[:, :2])


@pytest.mark.parametrize("query", list(QUERIES))
def test_queries_with_nan(query, fitted):
    X = small_data()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN value\(s\) \(first at row 3\)"):
        QUERIES[query](fitted, X)
