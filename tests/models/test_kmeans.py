"""Tests for neuroclust.models.kmeans.KMeans (its seedings: tests/models/test_init.py).

scikit-learn's Lloyd k-means is the oracle: from the same starting centres both must take the
same steps.
"""
import numpy as np
import pytest
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.datasets import make_blobs

from neuroclust import KMeans
from neuroclust.backend import available_backends
from neuroclust.models.init import initial_prototypes

needs_cython = pytest.mark.skipif("cython" not in available_backends(),
                                  reason="the compiled kernels (neuroclust._kernels) are not built")


@pytest.fixture(autouse=True)
def _backend_not_forced(monkeypatch):
    """These tests choose their backends; NEUROCLUST_BACKEND in the environment would override
    that choice (e.g. make a "cython" run use the reference), so it is cleared here."""
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


@pytest.fixture(scope="module")
def blobs():
    """Eight overlapping blobs in 4-D: Lloyd needs a dozen iterations from random samples."""
    X, _ = make_blobs(n_samples=1000, n_features=4, centers=8, cluster_std=2.5, random_state=0)
    return X


@pytest.fixture(scope="module")
def start(blobs):
    rng = np.random.default_rng(0)
    return blobs[rng.choice(len(blobs), size=6, replace=False)]


def sklearn_lloyd(X, init, max_iter, tol=0.0):
    return SklearnKMeans(n_clusters=len(init), init=init, n_init=1, max_iter=max_iter, tol=tol,
                         algorithm="lloyd").fit(X)


def inertia_of(X, centres):
    squared = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return squared.min(axis=1).sum()


# ------------------------------------------------------------------ scikit-learn as oracle
@pytest.mark.parametrize("max_iter", [1, 2, 3, 5, 300])
def test_same_steps_as_sklearn_lloyd_from_the_same_start(blobs, start, max_iter):
    ours = KMeans(n_clusters=6, init=start, n_init=1, max_iter=max_iter, tol=0.0).fit(blobs)
    theirs = sklearn_lloyd(blobs, start, max_iter)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-6)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-9,
                               atol=1e-9)


def test_runs_to_convergence_like_sklearn(blobs, start):
    ours = KMeans(n_clusters=6, init=start, n_init=1, tol=0.0).fit(blobs)
    theirs = sklearn_lloyd(blobs, start, 300)
    assert 5 < ours.n_iter_ < 300  # the data needs several iterations, and they converge
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-6)


def test_history_is_the_inertia_of_each_iteration(blobs, start):
    """history_[t] is the inertia of the centres after t updates: sklearn with max_iter=t."""
    ours = KMeans(n_clusters=6, init=start, n_init=1, max_iter=8, tol=0.0).fit(blobs)
    inertia = ours.history_["inertia"]
    assert list(ours.history_) == ["inertia"] and len(inertia) == ours.n_iter_ == 8
    assert inertia[0] == pytest.approx(inertia_of(blobs, start), rel=1e-9)
    for t in range(1, 8):
        assert inertia[t] == pytest.approx(sklearn_lloyd(blobs, start, t).inertia_, rel=1e-6)
    # Neither Lloyd step can raise the inertia.
    assert np.all(np.diff(inertia) <= 1e-9 * inertia[0])
    assert ours.inertia_ <= inertia[-1]


def test_inertia_matches_its_definition(blobs):
    model = KMeans(n_clusters=5, random_state=0).fit(blobs)
    assert model.inertia_ == pytest.approx(inertia_of(blobs, model.cluster_centers_), rel=1e-9)
    assert model.score(blobs) == pytest.approx(-model.inertia_, rel=1e-9)


@pytest.mark.parametrize("tol", [1e-4, 1e-2])
def test_tol_relative_to_the_variance_like_sklearn(blobs, start, tol):
    ours = KMeans(n_clusters=6, init=start, n_init=1, tol=tol).fit(blobs)
    theirs = sklearn_lloyd(blobs, start, 300, tol=tol)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-6)


def test_a_large_tol_stops_early(blobs, start):
    strict = KMeans(n_clusters=6, init=start, n_init=1, tol=0.0).fit(blobs)
    loose = KMeans(n_clusters=6, init=start, n_init=1, tol=1.0).fit(blobs)
    assert loose.n_iter_ < strict.n_iter_


def test_max_iter_caps_the_iterations(blobs, start):
    assert KMeans(n_clusters=6, init=start, n_init=1, max_iter=2, tol=0).fit(blobs).n_iter_ == 2


def test_init_array_with_default_n_init(blobs, start):
    # The docstring: n_init="auto" is 1 for an array.
    model = KMeans(n_clusters=6, init=start, tol=0.0).fit(blobs)
    assert model.inertia_ == pytest.approx(sklearn_lloyd(blobs, start, 300).inertia_, rel=1e-6)


# ---------------------------------------------------------------------------- k-means++


def test_kmeans_plusplus_fit_inertia_close_to_sklearns(blobs):
    # One seeding may land in another local minimum than sklearn's with the same seed number
    # (the draws differ), so compare the mean over seeds: a few percent apart at most.
    ours = [KMeans(n_clusters=8, init="k-means++", n_init=1, random_state=seed).fit(blobs)
            .inertia_ for seed in range(10)]
    theirs = [SklearnKMeans(n_clusters=8, init="k-means++", n_init=1, random_state=seed,
                            algorithm="lloyd").fit(blobs).inertia_ for seed in range(10)]
    assert np.mean(ours) == pytest.approx(np.mean(theirs), rel=0.03)


def test_kmeans_plusplus_fit_finds_the_optimum_on_clear_blobs():
    X, _ = make_blobs(n_samples=1000, n_features=4, centers=8, cluster_std=1.0, random_state=0)
    best = SklearnKMeans(n_clusters=8, n_init=10, random_state=0).fit(X).inertia_
    ours = [KMeans(n_clusters=8, init="k-means++", n_init=1, random_state=seed).fit(X).inertia_
            for seed in range(8)]
    assert np.median(ours) == pytest.approx(best, rel=1e-6)
    assert KMeans(n_clusters=8, n_init=4, random_state=0).fit(X).inertia_ == pytest.approx(
        best, rel=1e-6)


# ------------------------------------------------------------------------ empty clusters
def test_an_empty_cluster_is_moved_to_a_far_sample_and_no_nan_appears(blobs, start):
    far = np.full((1, 4), 1e3)
    init = np.vstack([start[:4], far, far])  # a far-away centre twice: both start empty
    one = KMeans(n_clusters=6, init=init, n_init=1, max_iter=1, tol=0.0).fit(blobs)
    assert np.all(np.isfinite(one.cluster_centers_))
    # After one update each empty centre sits on a sample, and not on the same one.
    relocated = one.cluster_centers_[4:]
    assert all(((blobs == c).all(axis=1)).any() for c in relocated)
    assert not np.array_equal(relocated[0], relocated[1])
    # They are the two samples farthest from their own centre (the module docstring).
    distance = ((blobs[:, None, :] - init[None]) ** 2).sum(axis=2).min(axis=1)
    farthest = blobs[np.argsort(-distance)[:2]]
    assert {tuple(c) for c in relocated} == {tuple(c) for c in farthest}
    model = KMeans(n_clusters=6, init=init, n_init=1).fit(blobs)
    assert np.all(np.isfinite(model.cluster_centers_))
    assert np.isfinite(model.inertia_)
    assert len(np.unique(model.labels_)) == 6  # every cluster ends with samples
    # The relocated centres do work: far centres left empty would leave the inertia of the
    # four other centres alone.
    four = KMeans(n_clusters=4, init=start[:4], n_init=1).fit(blobs)
    assert model.inertia_ < 0.9 * four.inertia_


def test_duplicated_starting_centre():
    X, _ = make_blobs(n_samples=300, centers=3, cluster_std=0.5, random_state=2)
    init = np.vstack([X[0], X[0], X[1]])  # the tie goes to the lowest index: unit 1 is empty
    model = KMeans(n_clusters=3, init=init, n_init=1).fit(X)
    assert np.all(np.isfinite(model.cluster_centers_))
    assert len(np.unique(model.labels_)) == 3


def test_fewer_distinct_points_than_clusters_gives_no_nan():
    X = np.repeat(np.array([[0.0, 0.0], [5.0, 5.0]]), 10, axis=0)
    for init in ("k-means++", "random_samples"):
        model = KMeans(n_clusters=3, init=init, n_init=2, random_state=0).fit(X)
        assert np.all(np.isfinite(model.cluster_centers_))
        assert model.inertia_ == pytest.approx(0.0, abs=1e-12)


# --------------------------------------------------------------------------------- n_init
def test_n_init_keeps_the_run_of_lowest_inertia(blobs):
    """Replay the seedings with the same generator and check that fit kept the best one."""
    seed, n_init = 5, 6
    model = KMeans(n_clusters=8, init="random_samples", n_init=n_init, random_state=seed)
    model.fit(blobs)
    rng = np.random.default_rng(seed)
    runs = [KMeans(n_clusters=8, init=initial_prototypes(blobs, 8, "random_samples", rng),
                   n_init=1).fit(blobs) for _ in range(n_init)]
    inertias = [run.inertia_ for run in runs]
    assert len(set(np.round(inertias, 6))) > 1  # the seedings end in different minima
    best = runs[int(np.argmin(inertias))]
    assert model.inertia_ == pytest.approx(min(inertias), rel=1e-12)
    np.testing.assert_array_equal(model.labels_, best.labels_)
    np.testing.assert_array_equal(model.cluster_centers_, best.cluster_centers_)
    assert model.n_iter_ == best.n_iter_
    assert model.history_["inertia"] == best.history_["inertia"]


def test_more_seedings_never_hurt(blobs):
    one = KMeans(n_clusters=8, init="random_samples", n_init=1, random_state=5).fit(blobs)
    many = KMeans(n_clusters=8, init="random_samples", n_init=8, random_state=5).fit(blobs)
    # The first seeding of both uses the same draws, so `many` has `one` among its runs.
    assert many.inertia_ <= one.inertia_


def test_n_init_auto_is_ten_for_random_seedings(blobs, monkeypatch):
    import neuroclust.models.kmeans as kmeans_module

    calls = []
    original = kmeans_module._lloyd

    def counting_lloyd(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(kmeans_module, "_lloyd", counting_lloyd)
    KMeans(n_clusters=3, init="random_samples", random_state=0).fit(blobs)
    assert len(calls) == 10
    calls.clear()
    KMeans(n_clusters=3, init="k-means++", random_state=0).fit(blobs)
    assert len(calls) == 1


# ------------------------------------------------------------------ backends and dtypes
@needs_cython
@pytest.mark.parametrize("init", ["k-means++", "random_samples"])
def test_numpy_and_cython_backends_agree(blobs, init):
    kwargs = dict(n_clusters=7, init=init, n_init=2, random_state=1)
    slow = KMeans(backend="numpy", **kwargs).fit(blobs)
    fast = KMeans(backend="cython", **kwargs).fit(blobs)
    np.testing.assert_array_equal(fast.labels_, slow.labels_)
    assert fast.n_iter_ == slow.n_iter_
    np.testing.assert_allclose(fast.cluster_centers_, slow.cluster_centers_, rtol=1e-12,
                               atol=1e-12)
    assert fast.inertia_ == pytest.approx(slow.inertia_, rel=1e-12)
    np.testing.assert_array_equal(fast.predict(blobs[:50]), slow.predict(blobs[:50]))


def test_float32_is_kept(blobs, start):
    X32 = blobs.astype(np.float32)
    model = KMeans(n_clusters=6, init=start, n_init=1).fit(X32)
    assert model.cluster_centers_.dtype == np.float32
    assert model.transform(X32).dtype == np.float32
    model64 = KMeans(n_clusters=6, init=start, n_init=1).fit(blobs)
    np.testing.assert_allclose(model.cluster_centers_, model64.cluster_centers_, rtol=1e-4,
                               atol=1e-4)
    assert model.inertia_ == pytest.approx(model64.inertia_, rel=1e-4)


def test_integer_data_becomes_float64():
    X = np.random.default_rng(0).integers(0, 20, size=(100, 3))
    model = KMeans(n_clusters=3, random_state=0).fit(X)
    assert model.cluster_centers_.dtype == np.float64


def test_same_seed_same_result_and_different_seed_different_start(blobs):
    a = KMeans(n_clusters=8, init="random_samples", n_init=1, random_state=3).fit(blobs)
    b = KMeans(n_clusters=8, init="random_samples", n_init=1, random_state=3).fit(blobs)
    c = KMeans(n_clusters=8, init="random_samples", n_init=1, random_state=4).fit(blobs)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    assert a.history_["inertia"] == b.history_["inertia"]
    assert a.history_["inertia"][0] != c.history_["inertia"][0]


# ------------------------------------------------------------- predict / transform / fit
def test_predict_transform_and_fit_predict(blobs):
    model = KMeans(n_clusters=5, random_state=0)
    labels = model.fit_predict(blobs)
    np.testing.assert_array_equal(labels, model.labels_)
    np.testing.assert_array_equal(model.predict(blobs), labels)
    X_new = np.random.default_rng(1).normal(scale=10, size=(100, 4))
    distances = model.transform(X_new)
    expected = np.linalg.norm(X_new[:, None, :] - model.cluster_centers_[None], axis=2)
    np.testing.assert_allclose(distances, expected, rtol=1e-9, atol=1e-6)
    np.testing.assert_array_equal(model.predict(X_new), expected.argmin(axis=1))
    np.testing.assert_allclose(KMeans(n_clusters=5, random_state=0).fit_transform(blobs),
                               model.transform(blobs), rtol=1e-12)


def test_fit_returns_self(blobs):
    model = KMeans(n_clusters=3, random_state=0)
    assert model.fit(blobs) is model


def test_verbose_prints_every_iteration(blobs, start, capsys):
    KMeans(n_clusters=6, init=start, n_init=1, max_iter=4, tol=0, verbose=True).fit(blobs)
    lines = [line for line in capsys.readouterr().out.splitlines() if "inertia" in line]
    assert len(lines) == 4
