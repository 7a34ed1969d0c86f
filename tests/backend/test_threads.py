"""The BLAS thread limit of the compiled kernels (neuroclust/backend/threads.py): per kernel
call outside a fit, once for a whole fit inside one, lifted for products that want BLAS's
threads and for the user's callbacks, and the limits from before the fit put back however the
fit ends (normally, by an exception, by Ctrl-C, nested inside another fit)."""
import warnings

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from neuroclust import SOM, CompetitiveLearning, GrowingNeuralGas, KMeans, \
    TrainingInterruptedWarning
from neuroclust.backend import available_backends, reference, threads

cython_built = pytest.mark.skipif(
    "cython" not in available_backends(),
    reason="the compiled kernels (neuroclust._kernels) are not built")


def blas_threads():
    """The thread counts of every BLAS library loaded (NumPy's, SciPy's)."""
    return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}


@pytest.fixture
def two_blas_threads(monkeypatch):
    """BLAS on two threads (whatever the shell set), so that a limit to one shows, and two
    threads for the kernels (whatever the machine has); no backend forced from the
    environment."""
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)
    monkeypatch.setenv("NEUROCLUST_NUM_THREADS", "2")
    with threadpool_limits(limits=2, user_api="blas"):
        yield


def test_outside_a_fit_the_limit_is_per_call(two_blas_threads):
    with threads.blas_on_one_thread(2):
        assert blas_threads() == {1}
    assert blas_threads() == {2}
    with threads.blas_on_one_thread(1):   # a kernel on one thread leaves BLAS as it is
        assert blas_threads() == {2}
    assert not threads.blas_limit_held()


@pytest.fixture
def limits_entered(monkeypatch):
    """Every limit threadpoolctl is asked to enter."""
    entered = []
    controller = threads._threadpool_controller()
    original = type(controller).limit

    def counting_limit(self, *args, **kwargs):
        entered.append(kwargs)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(controller), "limit", counting_limit)
    return entered


def test_inside_a_fit_the_limit_is_entered_once_and_kept(two_blas_threads, limits_entered):
    entered = limits_entered
    with threads.fit_scope():
        assert blas_threads() == {2}          # nothing before the first kernel call
        for _ in range(5):
            with threads.blas_on_one_thread(2):
                assert blas_threads() == {1}
        assert blas_threads() == {1} and threads.blas_limit_held()
    assert len(entered) == 1
    assert blas_threads() == {2} and not threads.blas_limit_held()


def test_all_threads_lifts_the_limit_until_the_next_kernel_call(two_blas_threads):
    with threads.fit_scope():
        with threads.blas_on_one_thread(2):
            pass
        with threads.blas_on_all_threads():
            assert blas_threads() == {2}
        assert blas_threads() == {2}
        with threads.blas_on_one_thread(2):
            assert blas_threads() == {1}
    assert blas_threads() == {2}
    with threads.blas_on_all_threads():       # outside a fit: nothing to lift
        assert blas_threads() == {2}


def test_a_nested_scope_joins_the_outer_one(two_blas_threads):
    with threads.fit_scope():
        with threads.blas_on_one_thread(2):
            pass
        with threads.fit_scope():
            assert blas_threads() == {1}
            with threads.blas_on_one_thread(2):
                pass
        assert blas_threads() == {1} and threads.blas_limit_held()   # the inner end keeps it
    assert blas_threads() == {2}


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_an_exception_or_ctrl_c_in_the_scope_restores_the_limits(two_blas_threads, error):
    with pytest.raises(error):
        with threads.fit_scope():
            with threads.blas_on_one_thread(2):
                raise error("stop")
    assert blas_threads() == {2} and not threads.blas_limit_held()


def test_the_limits_restored_are_those_from_before_the_fit(two_blas_threads):
    with threadpool_limits(limits=1, user_api="blas"):
        with threads.fit_scope():
            with threads.blas_on_one_thread(2):
                pass
        assert blas_threads() == {1}
    assert blas_threads() == {2}


# ------------------------------------------------------------------ in the estimators
def _data(dtype=np.float64, n=2000, d=32):
    return np.random.default_rng(0).random((n, d)).astype(dtype)


def _estimators():
    return [SOM(shape=(6, 6), mode="batch", epochs=3, random_state=0),
            SOM(shape=(6, 6), epochs=2, random_state=0),
            KMeans(4, n_init=2, init="random_samples", random_state=0),
            CompetitiveLearning(4, epochs=3, random_state=0),
            GrowingNeuralGas(max_nodes=12, epochs=2, random_state=0)]


@cython_built
@pytest.mark.parametrize("model", _estimators(), ids=lambda m: type(m).__name__)
def test_a_fit_leaves_the_limits_as_they_were(two_blas_threads, model):
    model.set_params(backend="cython").fit(_data())
    assert blas_threads() == {2} and not threads.blas_limit_held()


@cython_built
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_an_exception_or_ctrl_c_in_an_epoch_restores_the_limits(two_blas_threads, error):
    def stop(model, epoch):
        raise error("stopped by the test")

    som = SOM(shape=(6, 6), mode="batch", epochs=5, random_state=0, backend="cython",
              callbacks=[stop])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingInterruptedWarning)
        if error is KeyboardInterrupt:    # the model keeps what it learned
            som.fit(_data())
        else:
            with pytest.raises(RuntimeError):
                som.fit(_data())
    assert blas_threads() == {2} and not threads.blas_limit_held()


@cython_built
def test_callbacks_and_the_neighbourhood_product_run_on_blas_threads(two_blas_threads,
                                                                      monkeypatch):
    seen = {"callback": [], "product": []}
    original = reference.som_batch_weights

    def product(*args):
        seen["product"].append(blas_threads())
        return original(*args)

    monkeypatch.setattr(reference, "som_batch_weights", product)
    som = SOM(shape=(6, 6), mode="batch", epochs=3, random_state=0, backend="cython",
              callbacks=[lambda model, epoch: seen["callback"].append(blas_threads())])
    som.fit(_data(np.float32, n=20000))   # enough work for the kernels to take two threads
    assert seen["product"] == [{2}] * 3
    assert seen["callback"] == [{2}] * 3


@cython_built
def test_nested_fit_shares_the_scope(two_blas_threads):
    """A SOM's k-means of its prototypes runs inside the SOM's fit: one scope, restored once."""
    SOM(shape=(6, 6), mode="batch", epochs=2, n_clusters=3, random_state=0,
        backend="cython").fit(_data())
    assert blas_threads() == {2} and not threads.blas_limit_held()


@cython_built
def test_kmeans_enters_the_limit_once_for_all_its_iterations(two_blas_threads, limits_entered):
    X = _data(np.float32, n=40000, d=64)      # enough work for the kernels to take two threads
    model = KMeans(8, init=X[:8].copy(), max_iter=6, tol=0, backend="cython").fit(X)
    assert model.n_iter_ == 6
    assert len(limits_entered) == 1
    assert blas_threads() == {2}
