r"""Internal measures: a clustering judged from the data alone.

:func:`silhouette_samples` and :func:`silhouette_score`, :func:`davies_bouldin_score` and
:func:`calinski_harabasz_score`. Distances between many pairs are computed a block of rows
at a time (``_row_blocks`` of ``neuroclust/_quantization.py``), so memory stays bounded. All
are importable from :mod:`neuroclust.metrics`, whose docstring gives the notation.
"""
import numpy as np

from .._quantization import _row_blocks
from ._labels import DATA_PARAMETERS, _check_data_and_labels, shared_parameters

__all__ = ["silhouette_samples", "silhouette_score", "davies_bouldin_score",
           "calinski_harabasz_score"]


def silhouette_samples(X, labels):
    r"""Silhouette of every sample: how much nearer it is to its own cluster than the next.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    labels : array-like of shape (n_samples,)
        The cluster of each sample: integers (any sign, with gaps) or strings, with between 2
        and n_samples - 1 distinct values.

    Returns
    -------
    ndarray of float64, shape (n_samples,)
        :math:`s(i)` in :math:`[-1, 1]`.

    Notes
    -----
    For sample :math:`i` in cluster :math:`C`, the mean distance to the rest of its own
    cluster and to the nearest other cluster:

    .. math:: a(i) = \frac{1}{|C| - 1} \sum_{j \in C,\, j \ne i} d(x_i, x_j)       \tag{1}
    .. math:: b(i) = \min_{C' \ne C} \frac{1}{|C'|} \sum_{j \in C'} d(x_i, x_j)    \tag{2}
    .. math:: s(i) = \frac{b(i) - a(i)}{\max\big(a(i), b(i)\big)}                  \tag{3}

    A sample alone in its cluster has :math:`s(i) = 0`, and so has one with
    :math:`a(i) = b(i) = 0`. All :math:`n^2` distances are computed (no sampling, no
    approximation), a block of rows at a time, so memory stays bounded; each block is one
    matrix product, :math:`d^2 = \|x\|^2 - 2\,x \cdot x' + \|x'\|^2`, on data shifted to
    zero mean (which changes no distance and keeps rounding small), in float64.

    References
    ----------
    P. J. Rousseeuw, "Silhouettes: a graphical aid to the interpretation and validation of
    cluster analysis", Journal of Computational and Applied Mathematics 20, 1987, pp. 53-65.
    """
    X, clusters, _ = _check_data_and_labels(X, labels)
    n_samples = X.shape[0]
    sizes = np.bincount(clusters)
    X = X - X.mean(axis=0)
    # Columns sorted by cluster, so each cluster's distances are one contiguous run of columns.
    by_cluster = np.argsort(clusters, kind="stable")
    run_starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    column_of_sample = np.empty(n_samples, dtype=np.int64)
    column_of_sample[by_cluster] = np.arange(n_samples)
    X_by_cluster = X[by_cluster]
    own_mean = np.empty(n_samples)
    nearest_other_mean = np.empty(n_samples)
    for rows in _row_blocks(n_samples, n_samples):
        block = np.arange(rows.stop - rows.start)
        own = clusters[rows]
        distances = _euclidean_distances(X[rows], X_by_cluster)                  # (m, n)
        distances[block, column_of_sample[rows]] = 0.0  # d(x_i, x_i), exactly
        sums = np.add.reduceat(distances, run_starts, axis=1)                    # (m, K)
        own_mean[rows] = sums[block, own] / np.maximum(sizes[own] - 1, 1)         # eq. (1)
        mean_to_cluster = sums / sizes
        mean_to_cluster[block, own] = np.inf
        nearest_other_mean[rows] = mean_to_cluster.min(axis=1)                    # eq. (2)
    a, b = own_mean, nearest_other_mean
    larger = np.maximum(a, b)
    s = np.divide(b - a, larger, out=np.zeros(n_samples), where=larger > 0)       # eq. (3)
    s[sizes[clusters] == 1] = 0.0
    return s


@shared_parameters(DATA_PARAMETERS)
def silhouette_score(X, labels):
    r"""Mean silhouette over all samples: near 1 for tight, well separated clusters.

    %(parameters)s

    Returns
    -------
    float
        In :math:`[-1, 1]`.

    Notes
    -----
    .. math:: S = \frac1n \sum_i s(i)                                               \tag{1}

    with :math:`s(i)` from :func:`silhouette_samples`.

    References
    ----------
    P. J. Rousseeuw, "Silhouettes: a graphical aid to the interpretation and validation of
    cluster analysis", Journal of Computational and Applied Mathematics 20, 1987, pp. 53-65.
    """
    return float(silhouette_samples(X, labels).mean())                            # eq. (1)


@shared_parameters(DATA_PARAMETERS)
def davies_bouldin_score(X, labels):
    r"""Mean over clusters of the worst ratio of spread to separation: lower is better.

    %(parameters)s

    Returns
    -------
    float
        Zero or more; 0 when every cluster is a single repeated point.

    Notes
    -----
    .. math:: c_k = \frac{1}{|C_k|} \sum_{i \in C_k} x_i                           \tag{1}
    .. math:: S_k = \frac{1}{|C_k|} \sum_{i \in C_k} \|x_i - c_k\|                 \tag{2}
    .. math:: M_{kl} = \|c_k - c_l\|                                                \tag{3}
    .. math:: R_{kl} = \frac{S_k + S_l}{M_{kl}}                                     \tag{4}
    .. math:: \mathrm{DB} = \frac1K \sum_k \max_{l \ne k} R_{kl}                    \tag{5}

    Two clusters with the same centroid cannot be told apart by it: :math:`M_{kl} = 0` and
    :math:`R_{kl} = \infty`, so the index is infinite. (scikit-learn counts such a pair as
    0 instead.) The centroid distances are computed from their differences, a block of rows
    at a time, in float64.

    References
    ----------
    D. L. Davies and D. W. Bouldin, "A cluster separation measure", IEEE Transactions on
    Pattern Analysis and Machine Intelligence 1(2), 1979, pp. 224-227.
    """
    X, clusters, n_clusters = _check_data_and_labels(X, labels)
    sizes = np.bincount(clusters)
    centroids = _cluster_means(X, clusters, sizes)                                # eq. (1)
    distance_to_centroid = np.linalg.norm(X - centroids[clusters], axis=1)
    spread = np.bincount(clusters, weights=distance_to_centroid) / sizes          # eq. (2)
    worst_ratio = np.empty(n_clusters)
    for rows in _row_blocks(n_clusters, n_clusters * X.shape[1]):
        block = np.arange(rows.stop - rows.start)
        separation = np.linalg.norm(centroids[rows, None] - centroids[None], axis=2)  # eq. (3)
        combined_spread = spread[rows, None] + spread[None, :]
        ratio = np.divide(combined_spread, separation,                                # eq. (4)
                          out=np.full_like(separation, np.inf), where=separation > 0)
        ratio[block, rows.start + block] = -np.inf  # leave out l = k
        worst_ratio[rows] = ratio.max(axis=1)
    return float(worst_ratio.mean())                                              # eq. (5)


@shared_parameters(DATA_PARAMETERS)
def calinski_harabasz_score(X, labels):
    r"""Variance ratio: spread between clusters over spread within them, higher is better.

    %(parameters)s

    Returns
    -------
    float
        Zero or more; infinite when every cluster is a single repeated point.

    Notes
    -----
    With :math:`c` the mean of all samples and :math:`c_k` the mean of cluster :math:`k`:

    .. math:: B = \sum_k |C_k|\, \|c_k - c\|^2                                      \tag{1}
    .. math:: W = \sum_k \sum_{i \in C_k} \|x_i - c_k\|^2                            \tag{2}
    .. math:: \mathrm{CH} = \frac{B / (K - 1)}{W / (n - K)}                          \tag{3}

    :math:`B + W` is the total scatter :math:`\sum_i \|x_i - c\|^2`; CH is the ratio of the
    between-cluster and within-cluster parts, each divided by its degrees of freedom. When
    :math:`W = 0` the index is infinite (scikit-learn returns 1 there).

    References
    ----------
    T. Caliński and J. Harabasz, "A dendrite method for cluster analysis", Communications in
    Statistics 3(1), 1974, pp. 1-27.
    """
    X, clusters, n_clusters = _check_data_and_labels(X, labels)
    n_samples = X.shape[0]
    sizes = np.bincount(clusters)
    centre = X.mean(axis=0)
    centroids = _cluster_means(X, clusters, sizes)
    between = float((sizes * ((centroids - centre) ** 2).sum(axis=1)).sum())      # eq. (1)
    within = float(((X - centroids[clusters]) ** 2).sum())                        # eq. (2)
    if within == 0:
        return float("inf")
    return (between / (n_clusters - 1)) / (within / (n_samples - n_clusters))     # eq. (3)


def _cluster_means(X, clusters, sizes):
    """Mean of the samples in each cluster, shape (n_clusters, n_features)."""
    sums = np.zeros((sizes.shape[0], X.shape[1]))
    np.add.at(sums, clusters, X)
    return sums / sizes[:, None]


def _euclidean_distances(A, B):
    """Euclidean distances between the rows of ``A`` and of ``B``, via one matrix product."""
    squared = (A * A).sum(axis=1)[:, None] - 2 * (A @ B.T) + (B * B).sum(axis=1)[None, :]
    return np.sqrt(np.maximum(squared, 0.0))  # rounding can make a square slightly negative
