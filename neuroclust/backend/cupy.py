"""The kernels on a GPU with CuPy.

The reference kernels are written against the array module of their inputs, so on CuPy arrays
they already run on the GPU: ``bmu`` as cuBLAS products plus a device argmin, ``two_nearest``
as the same products plus two argmins per row, ``accumulate`` with ``cupyx.scatter_add``.
``wta_online`` is sequential by nature (each step depends on the last); here it runs the
reference loop on the device, which is correct but launches a few kernels per sample. A fused single-kernel version is worth writing only once profiling on a GPU
shows it matters (see DESIGN.md).

The kernels that are one matrix product or less (``squared_distances``, ``undefined_bmu``,
``som_batch_weights``, ``fuzzy_art_choice``, ``art1_bottom_up``) are the reference's own
functions, re-exported, so this module offers every kernel name the reference does. So are
``minimum_spanning_tree`` and ``mmj_distances`` (the min-max-jump distance): Prim's loop of
the reference runs on the device, a few kernels and one transfer of an index per sample.
So are the OPTICS kernels (``optics_*``): like ``dbscan_labels``, their loops run on the host
(the reference copies its inputs there), one sample at a time.

The thread-count argument of the CPU kernels is accepted (and checked as there) and ignored,
so callers need not care which backend they hold. The reference checks every other argument
(``_checks.py``), so this backend refuses what the others refuse, with the same sentence.
"""
from . import _checks, reference
from .reference import (art1_bottom_up, fuzzy_art_choice, som_batch_weights, squared_distances,
                        undefined_bmu)
from .reference import adam_step, minimum_spanning_tree, mmj_distances
from .reference import (optics_core_distances, optics_dbscan_labels, optics_ordering,
                        optics_xi_clusters, optics_xi_labels)

__all__ = ["bmu", "undefined_bmu", "accumulate", "bmu_accumulate", "wta_online",
           "squared_distances", "two_nearest", "som_online", "som_batch_weights", "gng_online",
           "fuzzy_art_online", "fuzzy_art_choice", "fuzzy_art_predict", "art1_online",
           "art1_bottom_up",
           "minimum_spanning_tree", "mmj_distances",
           "radius_neighbors", "dbscan_labels",
           "optics_core_distances", "optics_ordering", "optics_dbscan_labels",
           "optics_xi_clusters", "optics_xi_labels", "adam_step"]


def _same_dtype(X, W):
    return W if W.dtype == X.dtype else W.astype(X.dtype)


def bmu(X, W, n_threads=None):
    """See ``reference.bmu``."""
    _checks.check_bmu(X, W)
    _checks.check_n_threads(n_threads)
    return reference.bmu(X, _same_dtype(X, W))


def two_nearest(X, W, n_threads=None):
    """See ``reference.two_nearest``: its cuBLAS products and two device argmins per row."""
    _checks.check_bmu(X, W)
    _checks.check_n_threads(n_threads)
    return reference.two_nearest(X, _same_dtype(X, W))


def accumulate(X, labels, n_units, n_threads=None):
    """See ``reference.accumulate``."""
    _checks.check_n_threads(n_threads)
    return reference.accumulate(X, labels, n_units)


def bmu_accumulate(X, W, n_threads=None):
    """See ``reference.bmu_accumulate``."""
    _checks.check_bmu(X, W)
    _checks.check_n_threads(n_threads)
    return reference.bmu_accumulate(X, _same_dtype(X, W))


def wta_online(X, W, order, learning_rate, win_frequency=None,
               conscience_rate=0.0, conscience_bias=0.0, variance=1.0):
    """See ``reference.wta_online``; ``order`` may live on the host or the device."""
    return reference.wta_online(X, W, order, learning_rate, win_frequency,
                                conscience_rate, conscience_bias, variance)


def som_online(X, W, shape, topology, toroidal, order, learning_rates, sigmas,
               neighbourhood="gaussian", metric="euclidean", with_errors=False):
    """See ``reference.som_online``: the reference loop, run on the device."""
    return reference.som_online(X, W, shape, topology, toroidal, order, learning_rates, sigmas,
                                neighbourhood, metric, with_errors)


def fuzzy_art_online(X, W, n_categories, order, rho, alpha, beta):
    """See ``reference.fuzzy_art_online``: the reference loop, run on the device (its search
    over a handful of categories runs on the host)."""
    return reference.fuzzy_art_online(X, W, n_categories, order, rho, alpha, beta)


def fuzzy_art_predict(X, W, alpha, rho=0.0, n_threads=None):
    """See ``reference.fuzzy_art_predict``: blocks of samples against all categories."""
    _checks.check_art_predict(X, W, alpha, rho)
    _checks.check_n_threads(n_threads)
    return reference.fuzzy_art_predict(X, _same_dtype(X, W), alpha, rho)


def art1_online(X, W, n_categories, order, rho, L):
    """See ``reference.art1_online``."""
    return reference.art1_online(X, W, n_categories, order, rho, L)


def gng_online(X, W, error, age, n_nodes, n_steps, order, epsilon_b, epsilon_n, max_age,
               insert_every, alpha, beta):
    """See ``reference.gng_online``: the reference loop, run on the device (a few small
    kernels per sample; the graph of at most ``max_nodes`` nodes stays there too)."""
    return reference.gng_online(X, W, error, age, n_nodes, n_steps, order, epsilon_b,
                                epsilon_n, max_age, insert_every, alpha, beta)


def radius_neighbors(X, eps):
    """See ``reference.radius_neighbors``: its blocks of distances, on the device."""
    return reference.radius_neighbors(X, eps)


def dbscan_labels(indptr, indices, min_samples):
    """See ``reference.dbscan_labels``: the loop over the graph runs on the host."""
    return reference.dbscan_labels(indptr, indices, min_samples)
