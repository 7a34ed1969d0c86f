"""Thin wrappers over the compiled kernels in ``csrc/kernels.pyx``.

They make the inputs contiguous and of one dtype, choose the thread count, and keep BLAS
single-threaded inside the kernels' own parallel loops (each thread runs its own small matrix
products; a multi-threaded BLAS inside them would oversubscribe the cores).
"""
import os

import numpy as np
from threadpoolctl import ThreadpoolController

from .. import _kernels

__all__ = ["bmu", "accumulate", "bmu_accumulate", "wta_online", "default_n_threads"]

_controller = None


def default_n_threads():
    """Threads for the kernels: ``NEUROCLUST_NUM_THREADS``, else ``OMP_NUM_THREADS``, else the
    CPUs this process may use."""
    for variable in ("NEUROCLUST_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(variable, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _single_threaded_blas():
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


def _prepare(X, W=None):
    X = np.ascontiguousarray(X)
    if W is None:
        return X
    return X, np.ascontiguousarray(W, dtype=X.dtype)


def bmu(X, W, n_threads=None):
    """See ``reference.bmu``."""
    X, W = _prepare(X, W)
    with _single_threaded_blas():
        return _kernels.bmu(X, W, n_threads or default_n_threads())


def accumulate(X, labels, n_units, n_threads=None):
    """See ``reference.accumulate``."""
    X = _prepare(X)
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    return _kernels.accumulate(X, labels, int(n_units), n_threads or default_n_threads())


def bmu_accumulate(X, W, n_threads=None):
    """See ``reference.bmu_accumulate``."""
    X, W = _prepare(X, W)
    with _single_threaded_blas():
        return _kernels.bmu_accumulate(X, W, n_threads or default_n_threads())


def wta_online(X, W, order, learning_rate, win_frequency=None,
               conscience_rate=0.0, conscience_bias=0.0):
    """See ``reference.wta_online``; updates ``W`` (and ``win_frequency``) in place.

    ``W`` must already be a C-contiguous array of ``X``'s dtype, since it is updated in place.
    """
    X = _prepare(X)
    if W.dtype != X.dtype or not W.flags.c_contiguous:
        raise ValueError("W must be a C-contiguous array of the same dtype as X, "
                         f"got {W.dtype} (contiguous: {W.flags.c_contiguous}) for X of {X.dtype}.")
    order = np.ascontiguousarray(order, dtype=np.int64)
    return _kernels.wta_online(X, W, order, float(learning_rate), win_frequency,
                               float(conscience_rate), float(conscience_bias))
