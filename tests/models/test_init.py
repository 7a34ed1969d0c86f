"""Tests for neuroclust.models.init: where the prototypes start (k-means++ and the others).

scikit-learn's k-means++ is the oracle for the quality of the seeding.
"""
import numpy as np
import pytest
from sklearn.cluster import kmeans_plusplus as sklearn_kmeans_plusplus
from sklearn.datasets import make_blobs

from neuroclust.backend import available_backends, get_kernels, reference
from neuroclust.models.init import INIT_METHODS, initial_prototypes, kmeans_plusplus


@pytest.fixture(scope="module")
def blobs():
    """Eight overlapping blobs in 4-D."""
    X, _ = make_blobs(n_samples=1000, n_features=4, centers=8, cluster_std=2.5, random_state=0)
    return X


def inertia_of(X, centres):
    squared = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return squared.min(axis=1).sum()


def test_kmeans_plusplus_seeds_are_distinct_samples(blobs):
    centres = kmeans_plusplus(blobs, 8, np.random.default_rng(3))
    assert centres.shape == (8, 4) and centres.dtype == blobs.dtype
    matches = (centres[:, None, :] == blobs[None, :, :]).all(axis=2)
    assert np.all(matches.any(axis=1))  # every seed is a sample
    assert len(np.unique(centres, axis=0)) == 8


def test_kmeans_plusplus_potential_is_like_sklearns(blobs):
    ours = [inertia_of(blobs, kmeans_plusplus(blobs, 8, np.random.default_rng(seed)))
            for seed in range(15)]
    theirs = [inertia_of(blobs, sklearn_kmeans_plusplus(blobs, 8, random_state=seed)[0])
              for seed in range(15)]
    random = [inertia_of(blobs, blobs[np.random.default_rng(seed).choice(1000, 8, False)])
              for seed in range(15)]
    assert np.mean(ours) == pytest.approx(np.mean(theirs), rel=0.1)
    assert np.mean(ours) < 0.8 * np.mean(random)  # the seeding does better than chance


def test_kmeans_plusplus_on_well_separated_blobs_hits_every_blob():
    X, y = make_blobs(n_samples=400, centers=5, cluster_std=0.3, center_box=(-20, 20),
                      random_state=1)
    for seed in range(5):
        centres = kmeans_plusplus(X, 5, np.random.default_rng(seed))
        hit = {y[np.flatnonzero((X == c).all(axis=1))[0]] for c in centres}
        assert hit == set(range(5))


def test_kmeans_plusplus_handles_fewer_distinct_points_than_clusters():
    X = np.repeat(np.array([[0.0, 0.0], [5.0, 5.0]]), 10, axis=0)
    centres = kmeans_plusplus(X, 4, np.random.default_rng(0))
    assert np.all(np.isfinite(centres))
    assert {tuple(c) for c in centres} == {(0.0, 0.0), (5.0, 5.0)}


def test_initial_prototypes_random_is_in_the_bounding_box(blobs):
    W = initial_prototypes(blobs, 50, "random", np.random.default_rng(0))
    assert W.shape == (50, 4)
    assert np.all(W >= blobs.min(axis=0)) and np.all(W <= blobs.max(axis=0))
    assert len(np.unique(W, axis=0)) == 50


def test_initial_prototypes_random_samples_are_distinct_rows(blobs):
    W = initial_prototypes(blobs, 20, "random_samples", np.random.default_rng(0))
    rows = [np.flatnonzero((blobs == w).all(axis=1)) for w in W]
    assert all(len(r) >= 1 for r in rows)
    assert len({r[0] for r in rows}) == 20


def test_initial_prototypes_random_samples_never_repeat_a_sample(blobs):
    X = blobs[:40]
    W = initial_prototypes(X, 40, "random_samples", np.random.default_rng(0))
    np.testing.assert_array_equal(np.sort(W, axis=0), np.sort(X, axis=0))  # all of X, once


def test_initial_prototypes_follow_the_data_dtype(blobs):
    X32 = blobs.astype(np.float32)
    for init in ("random_samples", "random", "k-means++", blobs[:3]):
        assert initial_prototypes(X32, 3, init, np.random.default_rng(0)).dtype == np.float32


def test_the_init_methods_are_public():
    assert INIT_METHODS == ("random_samples", "random", "k-means++")


@pytest.mark.parametrize("backend", available_backends())
def test_kmeans_plusplus_scores_candidates_with_the_kernels_given(blobs, backend, monkeypatch):
    kernels = get_kernels(backend)
    calls, squared_distances = [], kernels.squared_distances

    def spy(X, W):
        calls.append(W.shape[0])
        return squared_distances(X, W)

    monkeypatch.setattr(kernels, "squared_distances", spy)
    seeded = kmeans_plusplus(blobs, 4, np.random.default_rng(0), kernels=kernels)
    assert len(calls) == 4          # the first centre, then one call per further centre
    monkeypatch.undo()
    np.testing.assert_array_equal(seeded, kmeans_plusplus(blobs, 4, np.random.default_rng(0)))
    np.testing.assert_array_equal(
        seeded, initial_prototypes(blobs, 4, "k-means++", np.random.default_rng(0), kernels))


def test_kmeans_plusplus_defaults_to_the_reference(blobs, monkeypatch):
    calls, squared_distances = [], reference.squared_distances
    monkeypatch.setattr(reference, "squared_distances",
                        lambda X, W: calls.append(1) or squared_distances(X, W))
    kmeans_plusplus(blobs, 3, np.random.default_rng(0))
    assert len(calls) == 3
