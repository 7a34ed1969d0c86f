"""Which implementation of the kernels runs: NumPy reference, Cython, or CuPy.

``backend="auto"`` picks CuPy when the data is a CuPy array, else the compiled Cython kernels,
else the NumPy reference. Asking for a backend that is not available is an error, never a
silent fallback. ``NEUROCLUST_BACKEND=numpy`` (or ``cython``, ``cupy``) in the environment
overrides every estimator's choice, e.g. to step through the reference math in a debugger.

Every backend module (``reference``, ``cython``, ``cupy``) offers the same kernels with the
same signatures, and models reach them only through the module ``get_kernels`` returns:

* distances: ``squared_distances``, ``bmu``, ``undefined_bmu``, ``accumulate``,
  ``bmu_accumulate``, ``two_nearest``;
* competitive learning: ``wta_online``;
* self-organizing map: ``som_online``, ``som_batch_weights``;
* growing neural gas: ``gng_online``;
* adaptive resonance theory: ``fuzzy_art_online``, ``fuzzy_art_choice``, ``fuzzy_art_predict``,
  ``art1_online``, ``art1_bottom_up``;
* the min-max-jump distance (CNNI): ``minimum_spanning_tree``, ``mmj_distances``;
* density clustering (DBSCAN): ``radius_neighbors``, ``dbscan_labels``;
* OPTICS: ``optics_core_distances``, ``optics_ordering``, ``optics_dbscan_labels``,
  ``optics_xi_clusters``, ``optics_xi_labels``;
* the optimizer :class:`neuroclust.nn.Adam`: ``adam_step``.

``KERNELS`` lists them. The NumPy reference (``backend/reference/<algorithm>.py``) states the
math of each; ``cython`` wraps the compiled kernels of ``csrc/<algorithm>.pyx``; ``cupy`` runs
the reference on the GPU. Where a backend has no version of its own (a kernel that is one
matrix product or less), it re-exports the reference's function.
"""
import importlib
import os

from .._validation import array_module, check_choice

__all__ = ["BACKENDS", "KERNELS", "available_backends", "resolve_backend", "get_kernels",
           "array_module"]

BACKENDS = ("auto", "numpy", "cython", "cupy")
_MODULES = {"numpy": "reference", "cython": "cython", "cupy": "cupy"}

#: The kernel names every backend module offers (see the module docstring).
KERNELS = ("squared_distances", "bmu", "undefined_bmu", "accumulate", "bmu_accumulate",
           "two_nearest", "wta_online", "som_online", "som_batch_weights", "gng_online",
           "fuzzy_art_online", "fuzzy_art_choice", "fuzzy_art_predict", "art1_online",
           "art1_bottom_up",
           "minimum_spanning_tree", "mmj_distances",
           "radius_neighbors", "dbscan_labels",
           "optics_core_distances", "optics_ordering", "optics_dbscan_labels",
           "optics_xi_clusters", "optics_xi_labels", "adam_step")


def _cython_available():
    try:
        importlib.import_module("neuroclust._kernels")
        return True
    except ImportError:
        return False


def _cupy_available():
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no cupy, no driver, or no device: all mean "not available"
        return False


def available_backends():
    """The backends that can run on this machine, e.g. ``("numpy", "cython")``."""
    found = ["numpy"]
    if _cython_available():
        found.append("cython")
    if _cupy_available():
        found.append("cupy")
    return tuple(found)


def resolve_backend(backend="auto", X=None):
    """Turn a ``backend`` argument (and the data) into a concrete backend name.

    Parameters
    ----------
    backend : {"auto", "numpy", "cython", "cupy"}
    X : array, optional
        The data: a CuPy array makes "auto" choose CuPy.

    Returns
    -------
    str
        "numpy", "cython" or "cupy".
    """
    forced = os.environ.get("NEUROCLUST_BACKEND")
    if forced:
        check_choice(forced, "the NEUROCLUST_BACKEND environment variable", BACKENDS[1:])
        backend = forced
    check_choice(backend, "backend", BACKENDS)
    on_gpu = X is not None and array_module(X).__name__ == "cupy"
    if backend == "auto":
        if on_gpu:
            return "cupy"
        return "cython" if _cython_available() else "numpy"
    if backend == "cython" and not _cython_available():
        raise ValueError("backend='cython' was asked for, but the compiled kernels "
                         "(neuroclust._kernels) are not built; reinstall with `pip install .` "
                         "or use backend='numpy'.")
    if backend == "cupy" and not _cupy_available():
        raise ValueError("backend='cupy' was asked for, but CuPy or a CUDA GPU is not "
                         "available; install neuroclust[gpu] on a machine with a GPU, "
                         "or use backend='cython' or 'numpy'.")
    if on_gpu and backend != "cupy":
        raise ValueError(f"X is a CuPy (GPU) array but backend={backend!r} runs on the CPU; "
                         "use backend='cupy' or 'auto', or move X to the host with X.get().")
    return backend


def get_kernels(backend):
    """The kernel module of a concrete backend name ("numpy", "cython" or "cupy")."""
    check_choice(backend, "backend", tuple(_MODULES))
    return importlib.import_module(f".{_MODULES[backend]}", __name__)
