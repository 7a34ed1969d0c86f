"""Checks shared by the differentiable layers and losses of ``neuroclust.nn``."""
from .._validation import (array_module, check_array, data_already_checked, nan_scan_skipped,
                           ndim_of)

__all__ = ["check_input", "check_upstream", "require_forward", "data_already_checked"]

def check_input(x, name="x", ndim=None):
    """Validate a layer input: numbers, finite, non-empty; float32/float64 kept, else float64.

    ``ndim=None`` accepts any number of dimensions of at least one. Inside
    :func:`data_already_checked` the scan for NaN and infinity is skipped.
    """
    if ndim is None:
        ndim = max(ndim_of(x), 1)
    return check_array(x, name=name, ndim=ndim, allow_nan=nan_scan_skipped())


def require_forward(obj, cache):
    """Fail with one sentence when ``backward`` runs before ``forward``."""
    if cache is None:
        raise ValueError(f"{type(obj).__name__}.backward was called before forward; "
                         "run forward first.")


def check_upstream(dy, shape, name="dy"):
    """Validate the upstream gradient: an array of the output's shape."""
    dy = array_module(dy).asarray(dy)
    if dy.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, but its dtype is {dy.dtype}.")
    if dy.shape != tuple(shape):
        raise ValueError(f"{name} has shape {dy.shape}, but the last forward's output has "
                         f"shape {tuple(shape)}.")
    return dy
