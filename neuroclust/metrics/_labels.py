"""The input checks every measure of ``metrics/`` shares, and the parameters their
docstrings share.

Labels may be integers of either sign, with gaps, or strings (:func:`_check_labels`);
:func:`_encode` numbers the distinct labels 0..k-1 in sorted order; an internal measure also
checks its data (:func:`_check_data_and_labels`).
"""
import numpy as np

from .._quantization import _power_of_two_scale
from .._validation import check_array

#: The Parameters section of the external measures that take labels only.
LABELS_PARAMETERS = """Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        The known classes: integers (any sign, with gaps) or strings.
    labels_pred : array-like of shape (n_samples,)
        The clusters found."""

#: The Parameters section of the internal measures (data and one labeling).
DATA_PARAMETERS = """Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    labels : array-like of shape (n_samples,)
        The cluster of each sample, with between 2 and n_samples - 1 distinct values."""


def shared_parameters(section):
    """Decorator: put ``section`` (a Parameters section) where a docstring says
    ``%(parameters)s``, so that measures with the same arguments describe them once."""
    def put(function):
        if function.__doc__:  # None under python -OO
            function.__doc__ = function.__doc__.replace("%(parameters)s", section)
        return function
    return put


def _check_labels(labels, name):
    """Return ``labels`` as a 1-D, non-empty NumPy array of numbers (no NaN) or strings."""
    try:
        labels = np.asarray(labels)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{name} could not be read as an array: {error}.") from None
    if labels.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D array of labels, but it has {labels.ndim} dimension(s), "
            f"shape {labels.shape}."
        )
    if labels.shape[0] == 0:
        raise ValueError(f"{name} is empty; at least one label is needed.")
    if labels.dtype.kind not in "biufUSO":
        raise ValueError(f"{name} must hold integers or strings, but its dtype is {labels.dtype}.")
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError(
            f"{name} contains {int(np.isnan(labels).sum())} NaN value(s) "
            f"(first at position {int(np.argmax(np.isnan(labels)))}); every sample needs a label."
        )
    return labels


def _encode(labels, name):
    """Codes 0..k-1 for the distinct labels (in sorted order), and k."""
    try:
        distinct, codes = np.unique(labels, return_inverse=True)
    except TypeError as error:
        raise ValueError(f"{name} mixes labels that cannot be compared: {error}.") from None
    return codes.reshape(-1).astype(np.int64), distinct.shape[0]


def _check_data_and_labels(X, labels):
    """Validate the inputs of an internal measure; return X as float64, cluster codes, K."""
    X = check_array(X, name="X")
    labels = _check_labels(labels, "labels")
    n_samples = X.shape[0]
    if labels.shape[0] != n_samples:
        raise ValueError(
            f"X has {n_samples} samples but labels has {labels.shape[0]} entries; "
            "there must be one label per sample."
        )
    clusters, n_clusters = _encode(labels, "labels")
    if not 2 <= n_clusters <= n_samples - 1:
        raise ValueError(
            f"labels has {n_clusters} distinct value(s) for {n_samples} samples, but this score "
            f"needs between 2 and n_samples - 1 = {n_samples - 1} clusters."
        )
    X = X.astype(np.float64)
    return X / _power_of_two_scale(X), clusters, n_clusters
