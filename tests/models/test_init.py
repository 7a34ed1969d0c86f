"""Tests for neuroclust.models.init: where the prototypes start (k-means++, the SOM's PCA start
and the others).

scikit-learn's k-means++ is the oracle for the quality of the seeding.
"""
import numpy as np
import pytest
from sklearn.cluster import kmeans_plusplus as sklearn_kmeans_plusplus
from sklearn.datasets import make_blobs

from neuroclust import SOM
from neuroclust.backend import available_backends, get_kernels, reference
from neuroclust.models.init import (FULL_EIGH_SIZE, INIT_METHODS, PCA_SAMPLE_ROWS,
                                    _leading_eigenpairs, initial_prototypes, kmeans_plusplus,
                                    pca_prototypes)


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


def test_pca_start_on_many_samples_uses_a_bounded_subsample_close_to_the_full_plane():
    """Above PCA_SAMPLE_ROWS samples the axes come from every k-th sample: the start is
    deterministic and its prototypes lie within a few percent of the spread of those from
    the full data's principal plane (the tolerance is the subsample's sampling error,
    about 1/sqrt(4096) relative, with margin)."""
    rng = np.random.default_rng(3)
    n = 5 * PCA_SAMPLE_ROWS + 7
    plane = rng.standard_normal((n, 2)) * [3.0, 1.5]
    X = plane @ rng.standard_normal((2, 20)) + 0.1 * rng.standard_normal((n, 20)) + 5.0
    positions = SOM(shape=(4, 6)).fit(X[:50]).grid_positions_
    start = pca_prototypes(X, positions)
    np.testing.assert_array_equal(start, pca_prototypes(X, positions))
    centred = X - X.mean(axis=0)
    _, singular, directions = np.linalg.svd(centred, full_matrices=False)
    spread = singular[:2] / np.sqrt(n - 1)
    signs = np.sign(directions[np.arange(2), np.abs(directions[:2]).argmax(axis=1)])
    span = positions.max(axis=0) - positions.min(axis=0)
    unit = 2 * (positions - positions.min(axis=0)) / span - 1
    full = (X.mean(axis=0) + unit[:, :1] * spread[0] * signs[0] * directions[0]
            + unit[:, 1:] * spread[1] * signs[1] * directions[1])
    assert np.abs(start - full).max() < 0.05 * spread[0]


def test_leading_eigenpairs_by_subspace_iteration_match_the_full_decomposition():
    """Above FULL_EIGH_SIZE the two leading pairs come from subspace iteration; on spectra with
    a gap after the second value they match ``eigh`` to 1e-6 relative (values)
    and 1e-4 (directions, up to sign): the iteration stops at 1e-8 on the values, and the
    directions converge as the square root of that."""
    for seed in range(5):
        rng = np.random.default_rng(seed)
        size = FULL_EIGH_SIZE + 1 + 97 * seed
        rotation, _ = np.linalg.qr(rng.standard_normal((size, size)))
        spectrum = np.concatenate([[10.0, 5.0], rng.uniform(0, 2, size - 2)])
        gram = (rotation * spectrum) @ rotation.T
        values, vectors = _leading_eigenpairs(gram, 2)
        exact_values, exact_vectors = np.linalg.eigh(gram)
        np.testing.assert_allclose(values, exact_values[::-1][:2], rtol=1e-6)
        alignment = np.abs(np.sum(vectors * exact_vectors[:, ::-1][:, :2], axis=0))
        np.testing.assert_allclose(alignment, 1.0, atol=1e-4)
        np.testing.assert_array_equal(values, _leading_eigenpairs(gram, 2)[0])  # deterministic


def test_pca_start_in_many_dimensions_lies_on_the_principal_plane():
    """With more features than FULL_EIGH_SIZE (the subspace-iteration path) the start still
    lies on the plane of the two leading principal directions."""
    rng = np.random.default_rng(7)
    n, d = 2000, 3 * FULL_EIGH_SIZE
    X = (rng.standard_normal((n, 2)) * [4.0, 2.0]) @ rng.standard_normal((2, d))
    X += 0.05 * rng.standard_normal((n, d)) + 1.0
    positions = SOM(shape=(3, 4)).fit(X[:20]).grid_positions_
    start = pca_prototypes(X, positions)
    _, _, directions = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    off_plane = (start - X.mean(axis=0)) @ directions[2:].T
    assert np.abs(off_plane).max() < 1e-3 * np.abs(start - X.mean(axis=0)).max()
