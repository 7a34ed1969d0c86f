r"""Density clustering in plain NumPy: neighbourhoods within a radius, and DBSCAN's clusters.

The chain: ``neuroclust/models/dbscan.py`` (the estimator) -> this file (and its fast twins in
``neuroclust/backend/cython.py``) -> ``docs/algorithms/density.md``.

DBSCAN (Ester, Kriegel, Sander and Xu, 1996) calls a point a *core point* when its closed
neighbourhood of radius :math:`\varepsilon`,

.. math:: N_\varepsilon(x_i) = \{\, j : \|x_i - x_j\| \le \varepsilon \,\},            \tag{1}

holds at least ``min_samples`` points (itself included). Core points whose neighbourhoods
hold each other are in one cluster, and so, transitively, is every core point reachable
through a chain of such neighbours; a non-core point within :math:`\varepsilon` of a core
point is a *border point* of that cluster; every other point is *noise* (label -1):

.. math:: \text{core}(i) = \bigl[\, |N_\varepsilon(x_i)| \ge \text{min\_samples} \,\bigr]. \tag{2}

A border point within reach of two clusters joins the one found first. Clusters are found
in the order of their lowest-indexed core point, and each is grown to its end before the
next begins, so that choice, and all the labels, depend only on the data's order, never on
the order the neighbour search lists neighbours in (the same labels as scikit-learn's
``DBSCAN``, which follows the same rule).
"""
import numpy as np

from ..._validation import array_module, to_host as _to_host
from .._checks import check_dbscan_labels, check_radius_neighbors

__all__ = ["radius_neighbors", "dbscan_labels"]

#: Squared distances held at once: a block of rows against all n rows (about 32 MB in float64).
BLOCK_ENTRIES = 1 << 22


def radius_neighbors(X, eps):
    r"""Eq. (1): the neighbours of every row of ``X`` within distance ``eps``, itself included.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    eps : float >= 0

    Returns
    -------
    indptr : ndarray of int64, shape (n_samples + 1,)
    indices : ndarray of int64
        The neighbours of row ``i`` are ``indices[indptr[i]:indptr[i + 1]]`` (a compressed
        sparse row layout): here in increasing order; the order within a row is not part of
        the kernel's contract (the compiled one lists them as its sweep meets them).

    Notes
    -----
    Candidates come from blocks of squared distances by the expansion, on data centred on
    their mean,

    .. math:: \|x_i - x_j\|^2 = \|x_i\|^2 - 2\, x_i \cdot x_j + \|x_j\|^2,                \tag{3}

    one matrix product per block of rows. Rounding can put a pair that lies exactly on the
    radius on either side of it, so every pair that eq. (3) places within a small margin of
    :math:`\varepsilon^2` is measured again from its differences, on X as given (not centred),
    in float64, and kept when :math:`\sum_f (x_{if} - x_{jf})^2 \le \varepsilon^2`.
    """
    eps = check_radius_neighbors(X, eps)
    xp = array_module(X)
    n_samples, n_features = X.shape
    exact = X.astype(xp.float64)       # the pairs are measured again on X as it is
    if X.dtype.kind != "f":
        X = exact
    X = X - X.mean(axis=0)
    squared_norms = (X * X).sum(axis=1)
    radius_sq = float(eps) ** 2
    # The rounding error of eq. 3 and of the centring: each d-term sum errs by at most about
    # d units of the last place times the largest squared norm, centred or not (Higham,
    # Accuracy and Stability of Numerical Algorithms, section 3.1).
    unit = float(np.finfo(X.dtype).eps)
    largest = float(squared_norms.max()) + float((exact * exact).sum(axis=1).max())
    margin = 8 * (n_features + 2) * unit * (radius_sq + largest)
    block = max(1, BLOCK_ENTRIES // n_samples)
    counts, blocks = [], []
    for start in range(0, n_samples, block):
        rows = X[start:start + block]
        approx = (squared_norms[start:start + block, None] - 2 * (rows @ X.T)
                  + squared_norms[None, :])                                          # eq. (3)
        row, column = xp.nonzero(approx <= radius_sq + margin)
        difference = exact[start + row] - exact[column]
        keep = (difference * difference).sum(axis=1) <= radius_sq                   # eq. (1)
        row, column = row[keep], column[keep]
        counts.append(xp.bincount(row, minlength=rows.shape[0]))
        blocks.append(column)
    indptr = xp.zeros(X.shape[0] + 1, dtype=xp.int64)
    indptr[1:] = xp.cumsum(xp.concatenate(counts))
    return indptr, xp.concatenate(blocks).astype(xp.int64)


def dbscan_labels(indptr, indices, min_samples):
    """Eq. (2) and the clusters: the label of every point (-1 for noise) and the core flags.

    Parameters
    ----------
    indptr, indices : ndarray of int64
        The neighbourhoods of eq. (1), as :func:`radius_neighbors` gives them.
    min_samples : int >= 1

    Returns
    -------
    labels : ndarray of int64, shape (n_samples,)
    is_core : ndarray of bool, shape (n_samples,)
    """
    indptr, indices, min_samples = check_dbscan_labels(
        np.asarray(_to_host(indptr)), np.asarray(_to_host(indices)), min_samples)
    n = indptr.shape[0] - 1
    is_core = np.diff(indptr) >= min_samples                                      # eq. (2)
    labels = np.full(n, -1, dtype=np.int64)
    cluster = 0
    for seed in range(n):
        if labels[seed] != -1 or not is_core[seed]:
            continue
        labels[seed] = cluster
        stack = [seed]
        while stack:                          # grow the cluster from its core points
            point = stack.pop()
            for neighbour in indices[indptr[point]:indptr[point + 1]]:
                if labels[neighbour] == -1:
                    labels[neighbour] = cluster
                    if is_core[neighbour]:
                        stack.append(neighbour)
        cluster += 1
    return labels, is_core
