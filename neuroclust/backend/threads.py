"""BLAS thread limits for the compiled kernels: per kernel call, or once for a whole fit.

The compiled distance kernels (``csrc/distances.pyx``, wrapped by ``backend/cython.py``) run
their own OpenMP threads, each doing small BLAS products; a multi-threaded BLAS inside them
would oversubscribe the cores, so BLAS is held to one thread while they run
(:func:`blas_on_one_thread`). Entering and leaving that limit goes through threadpoolctl,
which asks every BLAS and OpenMP library loaded in the process for its setting: about
10-20 microseconds a call on the machines measured, and a few milliseconds for the first
call of a process.

Outside a fit every kernel call enters the limit and leaves it, as a bare kernel call or a
``predict`` always has. A fit that trains on the kernels (:class:`neuroclust.SOM`,
:class:`neuroclust.KMeans`, :class:`neuroclust.CompetitiveLearning`,
:class:`neuroclust.GrowingNeuralGas`) holds :func:`fit_scope` for its training instead: the
first kernel call that wants BLAS on one thread enters the limit and the limit stays, so the
kernel calls after it cost nothing more. Where BLAS work of our own needs its threads inside
the fit (the batch SOM's neighbourhood products, the k-means++ distances, the blocked online
SOM's products on a large map) it says so with :func:`blas_on_all_threads`, which lifts the
limit until the next kernel call wants it again; the epoch loop lifts it before the
callbacks, which are the user's code. When the outermost scope ends (normally, by an
exception or by Ctrl-C), the limits in force before the fit are put back.

Only the BLAS limit is managed here: the kernels pass their OpenMP thread count to each
call (``n_threads``), so OpenMP needs no process-wide setting. The scope is kept per Python
thread; the limit itself, as threadpoolctl sets it, is process-wide, as the per-call limit
always was.
"""
import contextlib
import threading

from threadpoolctl import ThreadpoolController

__all__ = ["fit_scope", "blas_on_one_thread", "blas_on_all_threads", "blas_limit_held"]

_controller = None
_local = threading.local()   # .scope: the _FitScope in force on this Python thread, if any


def _threadpool_controller():
    """One ThreadpoolController per process (making it scans the loaded libraries)."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


class _FitScope:
    """The BLAS limit a fit holds: entered by the first kernel call that wants it."""

    def __init__(self):
        self.limiter = None

    def hold(self):
        if self.limiter is None:
            self.limiter = _threadpool_controller().limit(limits=1, user_api="blas")

    def lift(self):
        limiter, self.limiter = self.limiter, None
        if limiter is not None:
            limiter.restore_original_limits()


@contextlib.contextmanager
def fit_scope():
    """Hold the kernels' BLAS limit for the whole block instead of per kernel call.

    A scope entered inside another (a SOM's k-means of its prototypes, inside the SOM's fit)
    joins the outer one. At the end of the outermost scope, however it ends, the BLAS
    limits in force before it are restored.
    """
    if getattr(_local, "scope", None) is not None:
        yield
        return
    scope = _local.scope = _FitScope()
    try:
        yield
    finally:
        _local.scope = None
        scope.lift()


def blas_on_one_thread(n_threads):
    """A context for a kernel call that runs ``n_threads`` threads of its own, each calling
    BLAS: BLAS on one thread while it runs (nothing when ``n_threads`` is 1).

    Inside :func:`fit_scope` the limit is entered once and kept (the returned context does
    nothing); outside, the context enters the limit and leaves it.
    """
    if n_threads == 1:
        return contextlib.nullcontext()
    scope = getattr(_local, "scope", None)
    if scope is None:
        return _threadpool_controller().limit(limits=1, user_api="blas")
    scope.hold()
    return contextlib.nullcontext()


@contextlib.contextmanager
def blas_on_all_threads():
    """BLAS with the threads it had before the fit, for products that use them.

    Inside :func:`fit_scope` this lifts a limit the scope holds (the next kernel call that
    wants one thread enters it again); outside a fit, BLAS is not limited, and this does
    nothing.
    """
    scope = getattr(_local, "scope", None)
    if scope is not None:
        scope.lift()
    yield


def blas_limit_held():
    """Whether a fit scope on this Python thread holds BLAS on one thread now."""
    scope = getattr(_local, "scope", None)
    return scope is not None and scope.limiter is not None
