"""Tests for neuroclust/distributed.py: the batch models on Dask arrays equal their in-memory
fits from the same start (float64 to 1e-10 relative, float32 to 1e-5), on the local scheduler
and on a LocalCluster of two worker processes that the tests start and close themselves."""
import pickle
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neuroclust
from neuroclust import SOM, CompetitiveLearning, KMeans, datasets, distributed
from neuroclust.backend import get_kernels
from neuroclust.models import init

da = pytest.importorskip("dask.array")

TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5}
CHUNKINGS = [(700, 4), (1000, 2), (4999, 4), (1, 4)]   # uneven, split columns, one chunk, tiny


@pytest.fixture(scope="module")
def blobs():
    X, _ = datasets.make_blobs(3000, centers=5, n_features=4, random_state=0)
    return X


def _same(a, b, dtype):
    np.testing.assert_allclose(a, b, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype] * 10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("chunks", CHUNKINGS[:3])
def test_kmeans_on_dask_equals_the_in_memory_fit(blobs, dtype, chunks):
    X = blobs.astype(dtype)
    start = X[[0, 700, 1400, 2100, 2800]]
    here = KMeans(5, init=start).fit(X)
    there = KMeans(5, init=start).fit(da.from_array(X, chunks=chunks))
    _same(there.cluster_centers_, here.cluster_centers_, dtype)
    assert there.n_iter_ == here.n_iter_
    assert there.inertia_ == pytest.approx(here.inertia_, rel=TOLERANCE[dtype])
    _same(there.history_["inertia"], here.history_["inertia"], dtype)
    assert isinstance(there.labels_, da.Array)
    np.testing.assert_array_equal(there.labels_.compute(), here.labels_)


@settings(deadline=None, max_examples=15)
@given(n=st.integers(10, 200), d=st.integers(1, 5), k=st.integers(1, 4),
       chunk=st.integers(1, 200), seed=st.integers(0, 2**16))
def test_any_chunking_gives_the_in_memory_fit(n, d, k, chunk, seed):
    # float64 only: in float32 the kernels' blocking differs between a chunk and all rows, and
    # a near tie may then go the other way (the fixed float32 cases above have none)
    X = np.random.default_rng(seed).normal(size=(n, d))
    here = KMeans(k, init=X[:k], max_iter=20).fit(X)
    there = KMeans(k, init=X[:k], max_iter=20).fit(da.from_array(X, chunks=(chunk, d)))
    _same(there.cluster_centers_, here.cluster_centers_, np.float64)
    assert there.n_iter_ == here.n_iter_


def test_kmeans_restarts_an_empty_cluster_at_the_farthest_sample_as_in_memory(blobs):
    start = np.vstack([blobs[:4], [[1e3, 1e3, 1e3, 1e3]]])      # the last centre wins nothing
    with pytest.warns(neuroclust.EmptyClusterWarning):
        here = KMeans(5, init=start).fit(blobs)
    with pytest.warns(neuroclust.EmptyClusterWarning, match=r"cluster\(s\) \[4\]"):
        there = KMeans(5, init=start).fit(da.from_array(blobs, chunks=(600, 4)))
    _same(there.cluster_centers_, here.cluster_centers_, np.float64)


@pytest.mark.filterwarnings("ignore::neuroclust.EmptyClusterWarning")   # both fits alike
@pytest.mark.parametrize("init", ["random_samples", "random"])
def test_random_starts_draw_what_the_in_memory_fit_draws(blobs, init):
    here = KMeans(5, init=init, n_init=3, random_state=4).fit(blobs)
    there = KMeans(5, init=init, n_init=3, random_state=4).fit(da.from_array(blobs, chunks=800))
    _same(there.cluster_centers_, here.cluster_centers_, np.float64)


def test_the_kmeans_plus_plus_start_seeds_from_a_sample_of_rows(blobs, monkeypatch):
    monkeypatch.setattr(init, "KMEANS_PLUSPLUS_SAMPLE_ROWS", 500)
    rng = np.random.default_rng(0)
    X = da.from_array(blobs, chunks=700)
    summary = distributed.check_dask_data(KMeans(5), X)[1]
    start = init.dask_start(X, summary, 5, "k-means++", rng)
    assert all((blobs == row).all(axis=1).any() for row in start)     # rows of X
    model = KMeans(5, random_state=0).fit(X)
    assert model.inertia_ <= 1.01 * KMeans(5, random_state=0).fit(blobs).inertia_


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("init", ["pca", "random_samples", "random"])
def test_batch_som_on_dask_equals_the_in_memory_fit(blobs, dtype, init):
    X = blobs.astype(dtype)
    settings = dict(shape=(4, 5), mode="batch", epochs=5, init=init, random_state=1,
                    n_clusters=3)
    here = SOM(**settings).fit(X)
    there = SOM(**settings).fit(da.from_array(X, chunks=(650, 4)))
    _same(there.cluster_centers_, here.cluster_centers_, dtype)
    for name in ("quantization_error", "topographic_error"):
        _same(there.history_[name], here.history_[name], dtype)
    np.testing.assert_array_equal(there.unit_labels_, here.unit_labels_)
    np.testing.assert_array_equal(there.labels_.compute(), here.labels_)


def test_batch_som_without_history_and_with_a_grid_shaped_start(blobs):
    start = blobs[:6].reshape(2, 3, 4)
    here = SOM(shape=(2, 3), mode="batch", epochs=3, init=start, record_history=False).fit(blobs)
    there = SOM(shape=(2, 3), mode="batch", epochs=3, init=start,
                record_history=False).fit(da.from_array(blobs, chunks=900))
    _same(there.weights_, here.weights_, np.float64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batch_competitive_learning_on_dask_equals_the_in_memory_fit(blobs, dtype):
    X = blobs.astype(dtype)
    settings = dict(n_clusters=5, mode="batch", epochs=4, init="random_samples",
                    learning_rate=0.002, random_state=2)
    here = CompetitiveLearning(**settings).fit(X)
    there = CompetitiveLearning(**settings).fit(da.from_array(X, chunks=(800, 4)))
    _same(there.cluster_centers_, here.cluster_centers_, dtype)
    _same(there.history_["quantization_error"], here.history_["quantization_error"], dtype)


def test_dead_units_are_reported_as_in_memory(blobs):
    start = np.vstack([blobs[:2], [[1e3, 1e3, 1e3, 1e3]]])
    with pytest.warns(neuroclust.DeadUnitsWarning, match="units won no training sample"):
        CompetitiveLearning(3, mode="batch", init=start, epochs=2).fit(
            da.from_array(blobs, chunks=1000))


def test_queries_on_dask_are_lazy_arrays_and_scores_are_numbers(blobs):
    X = da.from_array(blobs, chunks=(700, 4))
    kmeans = KMeans(5, random_state=0).fit(blobs)
    assert isinstance(kmeans.predict(X), da.Array)
    np.testing.assert_array_equal(kmeans.predict(X).compute(), kmeans.predict(blobs))
    assert kmeans.transform(X).shape == (3000, 5)
    np.testing.assert_allclose(kmeans.transform(X).compute(), kmeans.transform(blobs))
    assert kmeans.score(X) == pytest.approx(kmeans.score(blobs), rel=1e-12)
    competitive = CompetitiveLearning(5, epochs=2, random_state=0).fit(blobs)
    assert competitive.score(X) == pytest.approx(competitive.score(blobs), rel=1e-12)
    som = SOM(shape=(3, 3), epochs=2, random_state=0).fit(blobs)
    np.testing.assert_array_equal(som.predict(X).compute(), som.predict(blobs))
    np.testing.assert_array_equal(som.transform(X).compute(), som.transform(blobs))
    assert som.quantization_error(X) == pytest.approx(som.quantization_error(blobs), rel=1e-12)
    assert som.topographic_error(X) == som.topographic_error(blobs)


def test_the_quantization_error_metric_takes_a_dask_array(blobs):
    X = da.from_array(blobs, chunks=(700, 4))
    prototypes = blobs[:7]
    assert neuroclust.metrics.quantization_error(X, prototypes) == pytest.approx(
        neuroclust.metrics.quantization_error(blobs, prototypes), rel=1e-12)
    with pytest.raises(ValueError, match="prototypes has 3 features, but X has 4"):
        neuroclust.metrics.quantization_error(X, prototypes[:, :3])


def test_a_model_fit_on_dask_saves_its_labels_and_pickles(blobs, tmp_path):
    model = KMeans(3, random_state=0).fit(da.from_array(blobs, chunks=1000))
    model.save(tmp_path / "model.npz")
    loaded = neuroclust.load(tmp_path / "model.npz")
    np.testing.assert_array_equal(loaded.labels_, model.labels_.compute())
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(blobs), model.predict(blobs))


@pytest.mark.parametrize("model, match", [
    (SOM(shape=(2, 2)), "mode='batch' only"),
    (CompetitiveLearning(3), "mode='batch' only"),
    (SOM(shape=(2, 2), mode="batch", metric="cosine"), "Euclidean metric"),
    (KMeans(3, backend="cupy"), "does not run on a Dask array"),
])
def test_what_a_dask_fit_refuses_is_one_sentence(blobs, model, match):
    with pytest.raises(ValueError, match=match):
        model.fit(da.from_array(blobs, chunks=1000))


def test_bad_dask_data_is_refused_and_the_fitted_model_kept(blobs):
    model = KMeans(3, random_state=0).fit(blobs)
    centres = model.cluster_centers_.copy()
    bad = blobs.copy()
    bad[2500, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        model.fit(da.from_array(bad, chunks=1000))
    np.testing.assert_array_equal(model.cluster_centers_, centres)
    X = da.from_array(blobs, chunks=1000)
    with pytest.raises(ValueError, match="unknown size"):
        model.fit(X[X[:, 0] > 0])
    with pytest.raises(ValueError, match="2-D Dask array"):
        model.fit(X[:, 0])
    with pytest.raises(ValueError, match="at least 3 sample"):
        model.fit(X[:2])
    with pytest.raises(ValueError, match="expecting 4 features"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="needs a sample for each of the 9 units"):
        SOM(shape=(3, 3), mode="batch", init="random_samples").fit(X[:5])
    with pytest.raises(ValueError, match="must hold numbers"):
        model.fit(da.from_array(np.array([["a", "b"]] * 5)))


def test_a_worker_without_the_compiled_kernels_runs_the_reference(blobs, monkeypatch):
    expected = distributed._block_unit_sums(blobs, blobs[:3], "numpy", None, 0)

    def not_built(backend):
        if backend == "cython":
            raise ImportError("neuroclust._kernels is not built")
        return get_kernels(backend)

    monkeypatch.setattr(distributed, "get_kernels", not_built)
    found = distributed._block_unit_sums(blobs, blobs[:3], "cython", None, 0)
    np.testing.assert_array_equal(found.counts, expected.counts)
    np.testing.assert_allclose(found.sums, expected.sums)


def test_numpy_use_never_imports_dask():
    code = ("import sys, numpy as np; from neuroclust import KMeans, SOM; "
            "X = np.random.default_rng(0).random((50, 3)); KMeans(2).fit(X).predict(X); "
            "SOM(shape=(2, 2), epochs=1).fit(X); print('dask' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two single-threaded worker processes and its client."""
    distributed_module = pytest.importorskip("distributed")
    with distributed_module.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                         dashboard_address=None) as local, \
            distributed_module.Client(local) as client:
        yield client


def test_fits_on_a_local_cluster_of_two_workers(blobs, cluster):
    X = da.from_array(blobs, chunks=(500, 4)).persist()     # the chunks live on the workers
    pytest.importorskip("distributed").wait(X)
    held = [len(keys) for keys in cluster.has_what().values()]
    assert sum(held) == 6 and len(held) == 2 and min(held) > 0      # on both of them
    start = blobs[[0, 700, 1400, 2100, 2800]]
    here = KMeans(5, init=start).fit(blobs)
    there = KMeans(5, init=start).fit(X)
    _same(there.cluster_centers_, here.cluster_centers_, np.float64)
    np.testing.assert_array_equal(there.predict(X).compute(), here.labels_)
    som_here = SOM(shape=(3, 4), mode="batch", epochs=4, random_state=0).fit(blobs)
    som_there = SOM(shape=(3, 4), mode="batch", epochs=4, random_state=0).fit(X)
    _same(som_there.cluster_centers_, som_here.cluster_centers_, np.float64)
    assert som_there.quantization_error(X) == pytest.approx(som_here.quantization_error(blobs))


# ---------------------------------------------------------------- streaming: partial_fit
@pytest.fixture
def on_disk(blobs, tmp_path, monkeypatch):
    """The blobs as a memory-mapped .npy file, streamed in chunks of 700 rows."""
    monkeypatch.setattr(distributed, "STREAM_CHUNK_BYTES", 700 * 4 * 8)
    np.save(tmp_path / "rows.npy", blobs)
    return np.load(tmp_path / "rows.npy", mmap_mode="r")


def test_iter_chunks_gives_the_rows_in_order(blobs, on_disk):
    for source in (on_disk, da.from_array(blobs, chunks=(650, 2))):
        chunks = list(distributed.iter_chunks(source))
        assert all(isinstance(chunk, np.ndarray) for chunk in chunks)
        np.testing.assert_array_equal(np.concatenate(chunks), blobs)
    assert [len(c) for c in distributed.iter_chunks(on_disk)] == [700] * 4 + [200]
    with pytest.raises(ValueError, match="2-D"):
        list(distributed.iter_chunks(da.from_array(blobs[:, 0])))


@pytest.mark.parametrize("source", ["memmap", "dask"])
def test_streamed_partial_fit_presents_each_chunk_once_in_row_order(blobs, on_disk, source):
    X = on_disk if source == "memmap" else da.from_array(blobs, chunks=(700, 4))
    start = blobs[:9]
    streamed = SOM(shape=(3, 3), epochs=1, init=start, random_state=0).partial_fit(X)
    assert len(streamed.history_["quantization_error"]) == 5             # an entry per chunk
    assert streamed.n_steps_ == 3000 == streamed.schedule_steps_
    # by hand: the same chunks, one call each, on a schedule as long as all the rows
    by_hand = SOM(shape=(3, 3), n_iterations=3000, init=start, random_state=0)
    for first in range(0, 3000, 700):
        by_hand.partial_fit(blobs[first:first + 700])
    np.testing.assert_allclose(streamed.weights_, by_hand.weights_, rtol=1e-12)
    labels = streamed.labels_.compute() if source == "dask" else streamed.labels_
    np.testing.assert_array_equal(labels, streamed.predict(blobs))
    gng = neuroclust.GrowingNeuralGas(max_nodes=12, random_state=0).partial_fit(X)
    assert len(gng.history_["n_nodes"]) == 5
    autoencoder = neuroclust.Autoencoder(hidden=(4,), latent_dim=2, random_state=0,
                                         verbose=False).partial_fit(X)
    assert len(autoencoder.history_["loss"]) == 5                      # an epoch per chunk
    art = neuroclust.FuzzyART(rho=0.6, scale=True).partial_fit(X)
    assert len(art.history_["n_categories"]) == 5
    np.testing.assert_array_equal(art.data_min_, blobs.min(axis=0))   # all rows, not chunk 1
    np.testing.assert_array_equal(art.data_max_, blobs.max(axis=0))


def test_a_stream_with_a_bad_chunk_keeps_the_model_it_had(blobs):
    """The bad chunk is found after the first has trained: the whole call is undone."""
    model = SOM(shape=(2, 2), epochs=1, random_state=0).partial_fit(blobs[:500])
    kept = model.weights_.copy()
    bad = np.vstack([blobs[:700], np.full((5, 4), np.nan)])
    with pytest.raises(ValueError, match="NaN"):
        model.partial_fit(da.from_array(bad, chunks=(700, 4)))
    np.testing.assert_array_equal(model.weights_, kept)
    assert model.n_steps_ == 500


def test_a_chunk_that_diverges_is_undone_and_said(blobs):
    model = SOM(shape=(2, 2), epochs=1, learning_rate=1e200, random_state=0)
    model.partial_fit(blobs[:300])
    kept, steps = model.weights_.copy(), model.n_steps_
    with pytest.warns(neuroclust.DivergenceWarning, match="diverged on chunk 1"):
        model.partial_fit(da.from_array(blobs * 1e150, chunks=(700, 4)))
    if not np.isfinite(kept).all():
        pytest.skip("the first call diverged already")
    np.testing.assert_array_equal(model.weights_, kept)
    assert model.n_steps_ == steps
