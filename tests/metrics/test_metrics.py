"""Tests for neuroclust/metrics/ (external.py, internal.py) and neuroclust/_quantization.py."""
import itertools
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroclust import _quantization, metrics

sklearn_metrics = pytest.importorskip("sklearn.metrics")
sklearn_cluster = pytest.importorskip("sklearn.metrics.cluster")

SETTINGS = settings(deadline=None, max_examples=50)

LABEL_METRICS = [
    metrics.adjusted_rand_score,
    metrics.normalized_mutual_info_score,
    metrics.clustering_accuracy,
    metrics.purity_score,
    metrics.contingency_matrix,
    metrics.match_clusters,
]
DATA_METRICS = [
    metrics.silhouette_samples,
    metrics.silhouette_score,
    metrics.davies_bouldin_score,
    metrics.calinski_harabasz_score,
]


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------

@st.composite
def label_values(draw, n_groups):
    """n_groups distinct integer labels of either sign."""
    return np.array(draw(st.lists(st.integers(-1000, 1000), min_size=n_groups,
                                  max_size=n_groups, unique=True)))


@st.composite
def labelings(draw, max_samples=60, max_groups=8):
    """Two labelings of the same samples; the second is often a noisy copy of the first."""
    n_samples = draw(st.integers(1, max_samples))
    n_classes = draw(st.integers(1, max_groups))
    n_clusters = draw(st.integers(1, max_groups))
    classes = np.array(draw(st.lists(st.integers(0, n_classes - 1),
                                     min_size=n_samples, max_size=n_samples)))
    if draw(st.booleans()):
        clusters = np.array(draw(st.lists(st.integers(0, n_clusters - 1),
                                          min_size=n_samples, max_size=n_samples)))
    else:  # related to the classes, so scores near 1 are exercised too
        clusters = (classes + draw(st.integers(0, 5))) % n_clusters
    true_values = draw(label_values(n_classes))
    pred_values = draw(label_values(n_clusters))
    return true_values[classes], pred_values[clusters]


@st.composite
def clustered_data(draw, max_samples=60, max_features=4):
    """Data around random centres and labels with 2..n-1 distinct values of either sign."""
    n_samples = draw(st.integers(3, max_samples))
    n_features = draw(st.integers(1, max_features))
    n_clusters = draw(st.integers(2, n_samples - 1))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    clusters = rng.integers(0, n_clusters, n_samples)
    clusters[:2] = [0, 1]  # at least two distinct labels
    values = rng.choice(np.arange(-100, 100), size=n_clusters, replace=False)
    centres = rng.normal(scale=3.0, size=(n_clusters, n_features))
    X = centres[clusters] + rng.normal(size=(n_samples, n_features))
    return X, values[clusters]


# --------------------------------------------------------------------------------------------
# External measures
# --------------------------------------------------------------------------------------------

@SETTINGS
@given(labelings())
def test_contingency_matrix_matches_sklearn(pair):
    labels_true, labels_pred = pair
    expected = sklearn_cluster.contingency_matrix(labels_true, labels_pred)
    np.testing.assert_array_equal(metrics.contingency_matrix(labels_true, labels_pred), expected)


@SETTINGS
@given(labelings())
def test_adjusted_rand_score_matches_sklearn(pair):
    labels_true, labels_pred = pair
    expected = sklearn_metrics.adjusted_rand_score(labels_true, labels_pred)
    score = metrics.adjusted_rand_score(labels_true, labels_pred)
    assert score == pytest.approx(expected, abs=1e-10)


@SETTINGS
@given(labelings())
def test_normalized_mutual_info_score_matches_sklearn(pair):
    labels_true, labels_pred = pair
    expected = sklearn_metrics.normalized_mutual_info_score(labels_true, labels_pred)
    score = metrics.normalized_mutual_info_score(labels_true, labels_pred)
    assert score == pytest.approx(expected, abs=1e-10)


def _accuracy_by_trying_every_matching(labels_true, labels_pred):
    classes, clusters = list(np.unique(labels_true)), list(np.unique(labels_pred))
    padded_classes = classes + [None] * max(0, len(clusters) - len(classes))
    best = 0
    for matched in itertools.permutations(padded_classes, len(clusters)):
        class_of_cluster = dict(zip(clusters, matched, strict=True))
        right = sum(class_of_cluster[c] == y for y, c in zip(labels_true, labels_pred, strict=True))
        best = max(best, right)
    return best / len(labels_true)


@SETTINGS
@given(labelings(max_samples=12, max_groups=5))
def test_clustering_accuracy_matches_brute_force(pair):
    labels_true, labels_pred = pair
    expected = _accuracy_by_trying_every_matching(labels_true, labels_pred)
    accuracy = metrics.clustering_accuracy(labels_true, labels_pred)
    assert accuracy == pytest.approx(expected, abs=1e-12)


@SETTINGS
@given(labelings(), st.integers(0, 2**32 - 1))
def test_a_renamed_labeling_scores_one(pair, seed):
    labels_true, _ = pair
    distinct = np.unique(labels_true)
    new_names = np.random.default_rng(seed).permutation(distinct) * 7 - 3
    renamed = new_names[np.searchsorted(distinct, labels_true)]
    for score in (metrics.clustering_accuracy, metrics.purity_score,
                  metrics.adjusted_rand_score, metrics.normalized_mutual_info_score):
        assert score(labels_true, renamed) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("labels_true, labels_pred, expected", [
    ([0, 0, 0, 1, 1, 1], [1, 1, 0, 0, 0, 0], 5 / 6),  # class 0 -> cluster 1, class 1 -> cluster 0
    ([0, 0, 1, 1], [0, 1, 2, 3], 2 / 4),              # more clusters than classes
    ([0, 1, 2, 3], [5, 5, 5, 5], 1 / 4),              # fewer clusters than classes
    (["a", "a", "b", "b", "c"], [-4, -4, 9, 9, 9], 4 / 5),
])
def test_clustering_accuracy_known_values(labels_true, labels_pred, expected):
    assert metrics.clustering_accuracy(labels_true, labels_pred) == pytest.approx(expected)


@SETTINGS
@given(labelings(max_samples=30, max_groups=6))
def test_matched_clusters_score_the_accuracy_and_keep_the_partition(pair):
    labels_true, labels_pred = pair
    renamed = metrics.match_clusters(labels_true, labels_pred)
    assert np.mean(renamed == np.asarray(labels_true)) == pytest.approx(
        metrics.clustering_accuracy(labels_true, labels_pred), abs=1e-12)
    table = metrics.contingency_matrix(labels_pred, renamed)
    assert (np.count_nonzero(table, axis=0) == 1).all()       # one name per cluster, and
    assert (np.count_nonzero(table, axis=1) == 1).all()       # one cluster per name


@pytest.mark.parametrize("labels_true, labels_pred, expected", [
    ([0, 0, 0, 1, 1, 1], [1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 1, 1]),
    # more clusters than classes: the unmatched ones take new integers, the largest first
    ([3, 3, 5, 5, 5, 5], [0, 1, 2, 2, 9, 9], [3, 7, 5, 5, 6, 6]),
    (["a", "a", "b"], [7, 8, 8], ["a", "b", "b"]),
    (["a", "a", "b"], [7, 8, 9], ["a", "unmatched 1", "b"]),
    (["unmatched 1", "b", "b", "b"], [7, 8, 8, 9],                  # a class's name: no clash
     ["unmatched 1", "b", "b", "unmatched 1'"]),
    ([0, 1, 2, 3], [5, 5, 5, 5], [0, 0, 0, 0]),          # fewer clusters: the first best class
])
def test_match_clusters_known_values(labels_true, labels_pred, expected):
    assert metrics.match_clusters(labels_true, labels_pred).tolist() == expected


def test_match_clusters_leaves_noise_alone():
    labels_true = [0, 0, 0, 1, 1, 1, 2]
    labels_pred = [-1, 5, 5, -1, -1, 3, 3]          # without noise=-1, -1 would be class 1
    assert metrics.match_clusters(labels_true, labels_pred).tolist() == [1, 0, 0, 1, 1, 2, 2]
    assert metrics.match_clusters(labels_true, labels_pred, noise=-1).tolist() == [
        -1, 0, 0, -1, -1, 1, 1]
    assert metrics.match_clusters([0, 1], [-1, -1], noise=-1).tolist() == [-1, -1]
    assert metrics.match_clusters(["a", "b"], ["n", "x"], noise="n").tolist() == ["n", "b"]


@pytest.mark.parametrize("labels_true, labels_pred, expected", [
    # cluster 0 holds {0, 0}: 2 right; cluster 1 holds {0, 1, 1, 1}: 3 right
    ([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1], 5 / 6),
    # every sample alone: purity 1 whatever the classes
    ([3, -3, 3, -3], [0, 1, 2, 3], 1.0),
    # one cluster: the share of the largest class
    (["x", "y", "y", "z"], [7, 7, 7, 7], 2 / 4),
])
def test_purity_known_values(labels_true, labels_pred, expected):
    assert metrics.purity_score(labels_true, labels_pred) == pytest.approx(expected)


@SETTINGS
@given(labelings())
def test_purity_matches_its_definition_and_bounds_accuracy(pair):
    labels_true, labels_pred = pair
    right = 0
    for cluster in set(labels_pred.tolist()):
        members = labels_true[labels_pred == cluster]
        right += max(np.sum(members == c) for c in set(members.tolist()))
    purity = metrics.purity_score(labels_true, labels_pred)
    assert purity == pytest.approx(right / len(labels_true), abs=1e-12)
    assert metrics.clustering_accuracy(labels_true, labels_pred) <= purity + 1e-12


@SETTINGS
@given(labelings())
def test_string_labels_score_as_integer_labels(pair):
    labels_true, labels_pred = pair
    as_text = (np.char.add("class ", labels_true.astype(str)),
               np.char.add("cluster ", labels_pred.astype(str)))
    for score in (metrics.adjusted_rand_score, metrics.normalized_mutual_info_score,
                  metrics.clustering_accuracy, metrics.purity_score):
        assert score(*as_text) == pytest.approx(score(labels_true, labels_pred), abs=1e-12)


# --------------------------------------------------------------------------------------------
# Internal measures
# --------------------------------------------------------------------------------------------

def _silhouette_by_direct_differences(X, labels):
    distances = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=-1))
    s = np.zeros(len(X))
    for i in range(len(X)):
        own = labels == labels[i]
        if own.sum() == 1:
            continue
        a = distances[i, own].sum() / (own.sum() - 1)
        b = min(distances[i, labels == c].mean() for c in set(labels.tolist()) if c != labels[i])
        s[i] = (b - a) / max(a, b)
    return s


def _davies_bouldin_by_loops(X, labels):
    clusters = sorted(set(labels.tolist()))
    centroids = [X[labels == k].mean(axis=0) for k in clusters]
    spreads = [np.sqrt(((X[labels == k] - c) ** 2).sum(axis=1)).mean()
               for k, c in zip(clusters, centroids, strict=True)]
    worst = []
    for k in range(len(clusters)):
        others = [j for j in range(len(clusters)) if j != k]
        worst.append(max((spreads[k] + spreads[j]) / np.linalg.norm(centroids[k] - centroids[j])
                         for j in others))
    return np.mean(worst)


@settings(deadline=None, max_examples=30)
@given(clustered_data(), st.sampled_from([64, _quantization._CHUNK_ELEMENTS]))
def test_internal_measures_match_sklearn(data, chunk_elements):
    X, labels = data
    with mock.patch.object(_quantization, "_CHUNK_ELEMENTS", chunk_elements):
        samples = metrics.silhouette_samples(X, labels)
        score = metrics.silhouette_score(X, labels)
        db = metrics.davies_bouldin_score(X, labels)
        ch = metrics.calinski_harabasz_score(X, labels)
    np.testing.assert_allclose(samples, sklearn_metrics.silhouette_samples(X, labels),
                               rtol=0, atol=1e-10)
    assert score == pytest.approx(sklearn_metrics.silhouette_score(X, labels), abs=1e-10)
    # scikit-learn gets a lone sample's distance to its own centroid from the expansion
    # ||x||^2 - 2 x.c + ||c||^2, which leaves about 1e-8 where the exact value is 0 (and
    # neuroclust has 0); the loop formula below is the tight check in that case.
    lone_sample = np.unique(labels, return_counts=True)[1].min() == 1
    assert db == pytest.approx(sklearn_metrics.davies_bouldin_score(X, labels),
                               rel=1e-6 if lone_sample else 1e-10)
    assert db == pytest.approx(_davies_bouldin_by_loops(X, labels), rel=1e-12)
    assert ch == pytest.approx(sklearn_metrics.calinski_harabasz_score(X, labels), rel=1e-10)


@SETTINGS
@given(clustered_data(), st.sampled_from([1000.0, -1000.0]))
def test_silhouette_matches_direct_differences_on_uncentred_data(data, offset):
    X, labels = data
    X = X + offset
    with mock.patch.object(_quantization, "_CHUNK_ELEMENTS", 64):
        samples = metrics.silhouette_samples(X, labels)
    np.testing.assert_allclose(samples, _silhouette_by_direct_differences(X, labels),
                               rtol=0, atol=1e-9)


def test_silhouette_in_several_default_blocks_matches_sklearn():
    rng = np.random.default_rng(0)
    n_samples = 3000  # more rows than one default block of distances holds
    assert _quantization._CHUNK_ELEMENTS // n_samples < n_samples
    labels = rng.integers(-3, 4, n_samples)
    X = rng.normal(size=(n_samples, 3)) + labels[:, None]
    np.testing.assert_allclose(metrics.silhouette_samples(X, labels),
                               sklearn_metrics.silhouette_samples(X, labels), rtol=0, atol=1e-10)


def test_silhouette_of_a_lone_sample_is_zero():
    X = np.array([[0.0], [0.1], [0.2], [5.0]])
    samples = metrics.silhouette_samples(X, [1, 1, 1, -2])
    assert samples[3] == 0.0
    assert np.all(samples[:3] > 0.9)


def test_float32_data_gives_the_float64_scores():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 50)
    X = (rng.normal(size=(50, 2)) + labels[:, None]).astype(np.float32)
    for score in (metrics.silhouette_score, metrics.davies_bouldin_score,
                  metrics.calinski_harabasz_score):
        assert score(X, labels) == pytest.approx(score(X.astype(np.float64), labels), rel=1e-12)


def test_coincident_centroids_and_zero_scatter():
    X = np.array([[-1.0], [1.0], [-2.0], [2.0]])  # both clusters centred on 0
    assert metrics.davies_bouldin_score(X, [0, 0, 1, 1]) == np.inf
    X = np.array([[0.0], [0.0], [3.0], [3.0]])     # every cluster a single repeated point
    assert metrics.calinski_harabasz_score(X, [0, 0, 1, 1]) == np.inf
    assert metrics.davies_bouldin_score(X, [0, 0, 1, 1]) == 0.0


# --------------------------------------------------------------------------------------------
# Quantization error
# --------------------------------------------------------------------------------------------

def _quantization_error_by_brute_force(X, W):
    X, W = X.astype(np.float64), W.astype(np.float64)
    squared = ((X[:, None] - W[None]) ** 2).sum(-1)
    return np.sqrt(squared.min(axis=1)).mean()


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.integers(1, 80), st.integers(1, 12), st.integers(1, 6),
       st.sampled_from([np.float32, np.float64]), st.sampled_from([0.0, 1000.0, -1000.0]),
       st.sampled_from([8, _quantization._CHUNK_ELEMENTS]))
def test_quantization_error_matches_brute_force(seed, n_samples, n_units, n_features, dtype,
                                                offset, chunk_elements):
    rng = np.random.default_rng(seed)
    X = (offset + rng.normal(scale=2.0, size=(n_samples, n_features))).astype(dtype)
    W = (offset + rng.normal(scale=2.0, size=(n_units, n_features))).astype(dtype)
    with mock.patch.object(_quantization, "_CHUNK_ELEMENTS", chunk_elements):
        error = metrics.quantization_error(X, W)
    rel = 1e-5 if dtype == np.float32 else 1e-12
    assert error == pytest.approx(_quantization_error_by_brute_force(X, W), rel=rel, abs=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_quantization_error_is_zero_when_the_samples_are_prototypes(dtype):
    X = (1000 + np.random.default_rng(2).normal(size=(40, 3))).astype(dtype)
    assert metrics.quantization_error(X, X[::-1]) == 0.0


def test_quantization_error_is_not_squared():
    X = np.array([[3.0, 4.0], [-3.0, -4.0]])
    assert metrics.quantization_error(X, [[0.0, 0.0]]) == pytest.approx(5.0)


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("score", LABEL_METRICS)
def test_labels_of_different_lengths_are_refused(score):
    with pytest.raises(ValueError, match=r"labels_true and labels_pred must have the same "
                                         r"length, but they have 3 and 2 labels"):
        score([0, 1, 1], [0, 1])


@pytest.mark.parametrize("score", LABEL_METRICS)
@pytest.mark.parametrize("argument", ["labels_true", "labels_pred"])
def test_bad_label_arrays_are_refused(score, argument):
    good = [0, 1, 1]
    cases = [
        ([], rf"{argument} is empty"),
        ([[0, 1], [1, 0]], rf"{argument} must be a 1-D array of labels, but it has 2 dimension"),
        ([0.0, np.nan, 1.0], rf"{argument} contains 1 NaN value\(s\) \(first at position 1\)"),
    ]
    for bad, message in cases:
        arguments = {"labels_true": good, "labels_pred": good, argument: bad}
        with pytest.raises(ValueError, match=message):
            score(**arguments)


@pytest.mark.parametrize("score", DATA_METRICS)
def test_bad_data_for_internal_measures_is_refused(score):
    X = np.arange(12.0).reshape(6, 2)
    labels = [0, 0, 1, 1, 2, 2]
    with pytest.raises(ValueError, match=r"X must be a 2-D array, but it has 1 dimension"):
        score(X[:, 0], labels)
    with pytest.raises(ValueError, match=r"X is empty"):
        score(np.empty((0, 2)), [])
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN value\(s\) \(first at row 3\)"):
        score(X_nan, labels)
    with pytest.raises(ValueError, match=r"X has 6 samples but labels has 5 entries"):
        score(X, labels[:5])
    with pytest.raises(ValueError, match=r"labels is empty"):
        score(X, [])
    with pytest.raises(ValueError, match=r"labels must be a 1-D array of labels"):
        score(X, np.array(labels).reshape(3, 2))
    with pytest.raises(ValueError, match=r"X must hold numbers"):
        score(np.array([["a", "b"]] * 6), labels)


@pytest.mark.parametrize("score", DATA_METRICS)
@pytest.mark.parametrize("labels, n_distinct", [([4, 4, 4, 4], 1), ([0, 1, 2, 3], 4)])
def test_internal_measures_need_2_to_n_minus_1_clusters(score, labels, n_distinct):
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ValueError, match=rf"labels has {n_distinct} distinct value\(s\) for 4 "
                                         r"samples, but this score needs between 2 and "
                                         r"n_samples - 1 = 3 clusters"):
        score(X, labels)


def test_bad_input_to_quantization_error_is_refused():
    X = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"prototypes has 2 features, but X has 3"):
        metrics.quantization_error(X, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"X must be a 2-D array"):
        metrics.quantization_error(X[0], np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"prototypes must be a 2-D array"):
        metrics.quantization_error(X, np.zeros(3))
    with pytest.raises(ValueError, match=r"X is empty"):
        metrics.quantization_error(np.zeros((0, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"prototypes is empty"):
        metrics.quantization_error(X, np.zeros((0, 3)))
    X_nan = X.copy()
    X_nan[2, 0] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN value\(s\) \(first at row 2\)"):
        metrics.quantization_error(X_nan, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"prototypes contains 1 infinite value"):
        metrics.quantization_error(X, [[0.0, 0.0, np.inf]])


# ------------------------------------------------------------------ extreme magnitudes
@pytest.mark.parametrize("scale", [1e300, 1e-200, 1e-310, 2.0 ** 900])
def test_scale_free_scores_hold_at_extreme_magnitudes(scale):
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, (40, 3)), rng.normal(5, 1, (40, 3))])
    labels = np.repeat([0, 1], 40)
    tolerance = 1e-6 if scale < 1e-300 else 1e-12   # subnormal data keeps fewer digits
    for score in (metrics.silhouette_score, metrics.calinski_harabasz_score,
                  metrics.davies_bouldin_score):
        assert score(X * scale, labels) == pytest.approx(score(X, labels), rel=tolerance)
    assert metrics.quantization_error(X * scale, X[:5] * scale) / scale == pytest.approx(
        metrics.quantization_error(X, X[:5]), rel=tolerance)


def test_a_power_of_two_scale_gives_bit_identical_scores():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    labels = np.arange(30) % 3
    assert metrics.silhouette_score(X * 2.0 ** 500, labels) == metrics.silhouette_score(X, labels)


def test_the_estimators_quantization_error_is_the_metric():
    from neuroclust import SOM, CompetitiveLearning, GrowingNeuralGas
    from neuroclust.metrics import _quantization_error, quantization_error

    X = np.random.default_rng(1).normal(size=(200, 3))
    W = X[:5].copy()
    winners = ((X[:, None, :] - W[None]) ** 2).sum(axis=2).argmin(axis=1)
    assert _quantization_error(X, W, winners) == quantization_error(X, W)
    som = SOM(shape=(3, 3), epochs=3, random_state=0).fit(X)
    assert som.quantization_error(X) == pytest.approx(quantization_error(X, som.cluster_centers_))
    competitive = CompetitiveLearning(n_clusters=4, epochs=3, random_state=0).fit(X)
    qe = quantization_error(X, competitive.cluster_centers_)
    assert competitive.history_["quantization_error"][-1] == pytest.approx(qe)
    assert competitive.score(X) == pytest.approx(-qe)
    gng = GrowingNeuralGas(max_nodes=6, epochs=2, random_state=0).fit(X)
    assert gng.history_["quantization_error"][-1] == pytest.approx(
        quantization_error(X, gng.cluster_centers_))
