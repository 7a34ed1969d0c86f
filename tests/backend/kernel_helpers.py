"""What the kernel tests share: the dtypes and memory layouts their inputs come in.

Imported by test_distances_kernels.py and test_competitive_kernels.py (pytest puts this
folder on ``sys.path``, as it has no ``__init__.py``).
"""
import numpy as np

DTYPES = (np.float32, np.float64)
X_LAYOUTS = ("C", "F", "strided")
W_LAYOUTS = ("C", "transposed", "strided")


def layout(A, how, rng):
    """The values of the C-ordered ``A`` in another memory layout."""
    if how == "C":
        return A
    if how == "F":
        return np.asfortranarray(A)
    if how == "transposed":  # the transpose of a C-ordered (n_features, n_rows) array
        return np.ascontiguousarray(A.T).T
    # "strided": every other column of a twice-as-wide array
    wide = np.empty((A.shape[0], 2 * A.shape[1]), dtype=A.dtype)
    wide[:, ::2] = A
    wide[:, 1::2] = rng.normal(size=A.shape)
    return wide[:, ::2]
