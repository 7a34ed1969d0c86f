r"""Clustering quality measures: agreement with known classes, internal indices, map quality.

Three kinds of measure live here.

* **External** measures compare a clustering with known classes: :func:`adjusted_rand_score`,
  :func:`normalized_mutual_info_score`, :func:`clustering_accuracy` and :func:`purity_score`.
  Each is a function of the table :func:`contingency_matrix` counts.
* **Internal** measures judge a clustering from the data alone: :func:`silhouette_samples`,
  :func:`silhouette_score`, :func:`davies_bouldin_score` and :func:`calinski_harabasz_score`.
* **Map quality**: :func:`quantization_error`, how far the samples lie from their nearest
  prototype.

Labels may be integers of either sign, with gaps, or strings: only which samples share a label
matters. The values agree with scikit-learn's functions of the same names (the tests check
it), except where a docstring says otherwise.

Notation: :math:`n` samples; :math:`y_s` the class and :math:`\hat y_s` the cluster of sample
:math:`s`; :math:`n_{ij}` the contingency table, :math:`a_i` its row sums (class sizes) and
:math:`b_j` its column sums (cluster sizes); :math:`C_k` the set of samples in cluster
:math:`k`, :math:`K` the number of clusters, :math:`d(x, x')` the Euclidean distance.
"""
import math
from fractions import Fraction

import numpy as np

from ._validation import array_module, check_array

__all__ = [
    "contingency_matrix",
    "adjusted_rand_score",
    "normalized_mutual_info_score",
    "clustering_accuracy",
    "purity_score",
    "silhouette_samples",
    "silhouette_score",
    "davies_bouldin_score",
    "calinski_harabasz_score",
    "quantization_error",
]

#: Entries in one block of distances (32 MiB in float64). Functions that need distances
#: between many pairs work through the rows in blocks of this size, so memory stays bounded.
_CHUNK_ELEMENTS = 2**22


# --------------------------------------------------------------------------------------------
# External measures: a clustering against known classes
# --------------------------------------------------------------------------------------------

def contingency_matrix(labels_true, labels_pred):
    r"""Count the samples of each class that fall in each cluster.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        The known classes: integers (any sign, with gaps) or strings.
    labels_pred : array-like of shape (n_samples,)
        The clusters found: integers (any sign, with gaps) or strings.

    Returns
    -------
    ndarray of int64, shape (n_classes, n_clusters)
        The table :math:`n_{ij}`. Rows follow the sorted class labels, columns the sorted
        cluster labels.

    Notes
    -----
    .. math:: n_{ij} = |\{s : y_s = i,\ \hat y_s = j\}|                            \tag{1}

    Its row sums :math:`a_i` are the class sizes and its column sums :math:`b_j` the cluster
    sizes. The table is dense: it holds n_classes x n_clusters integers.

    References
    ----------
    L. Hubert and P. Arabie, "Comparing partitions", Journal of Classification 2, 1985,
    pp. 193-218.
    """
    labels_true = _check_labels(labels_true, "labels_true")
    labels_pred = _check_labels(labels_pred, "labels_pred")
    if labels_true.shape[0] != labels_pred.shape[0]:
        raise ValueError(
            f"labels_true and labels_pred must have the same length, but they have "
            f"{labels_true.shape[0]} and {labels_pred.shape[0]} labels."
        )
    classes, n_classes = _encode(labels_true, "labels_true")
    clusters, n_clusters = _encode(labels_pred, "labels_pred")
    cell = classes * n_clusters + clusters       # the flat index of cell (i, j)
    counts = np.bincount(cell, minlength=n_classes * n_clusters)                  # eq. (1)
    return counts.reshape(n_classes, n_clusters).astype(np.int64)


def adjusted_rand_score(labels_true, labels_pred):
    r"""Rand index adjusted for chance: agreement on which pairs of samples go together.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        The known classes: integers (any sign, with gaps) or strings.
    labels_pred : array-like of shape (n_samples,)
        The clusters found.

    Returns
    -------
    float
        1 for the same partition (whatever the label names), about 0 for a random one; it
        can be negative.

    Notes
    -----
    Count the pairs of samples that the classes, the clusters, or both put together:

    .. math:: \mathrm{Index} = \sum_{ij} \binom{n_{ij}}{2}                         \tag{1}
    .. math:: \mathrm{Expected} = \frac{\sum_i \binom{a_i}{2}\,\sum_j \binom{b_j}{2}}
                                       {\binom{n}{2}}                              \tag{2}
    .. math:: \mathrm{Max} = \tfrac12 \Big(\sum_i \binom{a_i}{2}
                                         + \sum_j \binom{b_j}{2}\Big)              \tag{3}
    .. math:: \mathrm{ARI} = \frac{\mathrm{Index} - \mathrm{Expected}}
                                  {\mathrm{Max} - \mathrm{Expected}}               \tag{4}

    Expected is the mean of Index over random labelings with the same class and cluster
    sizes. The denominator of (4) is zero only when both labelings are the same trivial
    partition (one group, or every sample alone), and for a single sample; the score is then
    1. The arithmetic is exact (integers and fractions) up to the final conversion to float.

    References
    ----------
    L. Hubert and P. Arabie, "Comparing partitions", Journal of Classification 2, 1985,
    pp. 193-218.
    """
    table = contingency_matrix(labels_true, labels_pred)
    index = _pairs_within(table)                                                  # eq. (1)
    pairs_in_classes = _pairs_within(table.sum(axis=1))
    pairs_in_clusters = _pairs_within(table.sum(axis=0))
    all_pairs = _pairs_within(table.sum())
    if all_pairs == 0:
        return 1.0  # one sample: there is no pair to disagree on
    expected = Fraction(pairs_in_classes * pairs_in_clusters, all_pairs)          # eq. (2)
    maximum = Fraction(pairs_in_classes + pairs_in_clusters, 2)                   # eq. (3)
    if maximum == expected:
        return 1.0
    return float((index - expected) / (maximum - expected))                       # eq. (4)


def _pairs_within(group_sizes):
    """Number of unordered pairs inside groups of the given sizes, as a Python int."""
    sizes = np.asarray(group_sizes, dtype=np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def normalized_mutual_info_score(labels_true, labels_pred):
    r"""Mutual information between classes and clusters, divided by their mean entropy.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        The known classes: integers (any sign, with gaps) or strings.
    labels_pred : array-like of shape (n_samples,)
        The clusters found.

    Returns
    -------
    float
        Between 0 (independent labelings) and 1 (the same partition).

    Notes
    -----
    .. math:: H(Y) = -\sum_i \frac{a_i}{n} \log \frac{a_i}{n}                      \tag{1}
    .. math:: H(\hat Y) = -\sum_j \frac{b_j}{n} \log \frac{b_j}{n}                 \tag{2}
    .. math:: I(Y; \hat Y) = \sum_{ij} \frac{n_{ij}}{n}
                             \log \frac{n\,n_{ij}}{a_i\,b_j}                       \tag{3}
    .. math:: \mathrm{NMI} = \frac{I(Y; \hat Y)}{\tfrac12 \big(H(Y) + H(\hat Y)\big)} \tag{4}

    The sum in (3) runs over the non-empty cells. The arithmetic mean in (4) is
    scikit-learn's default normalisation. When both labelings put every sample in one group
    both entropies are 0 and the score is 1; when only one does, :math:`I = 0` and the score
    is 0.

    References
    ----------
    N. X. Vinh, J. Epps and J. Bailey, "Information theoretic measures for clusterings
    comparison", Journal of Machine Learning Research 11, 2010, pp. 2837-2854.
    """
    table = contingency_matrix(labels_true, labels_pred)
    class_entropy = _entropy(table.sum(axis=1))                                   # eq. (1)
    cluster_entropy = _entropy(table.sum(axis=0))                                 # eq. (2)
    if class_entropy == 0 and cluster_entropy == 0:
        return 1.0
    information = _mutual_information(table)                                      # eq. (3)
    return information / ((class_entropy + cluster_entropy) / 2)                  # eq. (4)


def _entropy(group_sizes):
    """Entropy (in nats) of the distribution given by the group sizes."""
    p = group_sizes[group_sizes > 0] / group_sizes.sum()
    return float(-(p * np.log(p)).sum())


def _mutual_information(table):
    """Mutual information (in nats) between the rows and the columns of a contingency table."""
    n = table.sum()
    class_sizes, cluster_sizes = table.sum(axis=1), table.sum(axis=0)
    i, j = np.nonzero(table)
    n_ij = table[i, j]
    # Both products are exact integers, so a ratio of exactly 1 gives a log of exactly 0.
    ratio = (n * n_ij) / (class_sizes[i] * cluster_sizes[j])
    information = float((n_ij / n * np.log(ratio)).sum())
    return max(information, 0.0)  # rounding can leave -1e-17 where the true value is 0


def clustering_accuracy(labels_true, labels_pred):
    r"""Fraction of samples labelled right under the best one-to-one matching of clusters.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        The known classes: integers (any sign, with gaps) or strings.
    labels_pred : array-like of shape (n_samples,)
        The clusters found. Their number may differ from the number of classes.

    Returns
    -------
    float
        Between 0 and 1; 1 when the clusters are the classes under other names.

    Notes
    -----
    .. math:: \mathrm{ACC} = \max_m \frac1n \sum_s [\,y_s = m(\hat y_s)\,]
                           = \max_m \frac1n \sum_j n_{m(j)\,j}                     \tag{1}

    where :math:`m` runs over the one-to-one maps between clusters and classes. With more
    clusters than classes, the clusters left without a class count as wrong; with fewer,
    the classes left without a cluster do. The best :math:`m` is a maximum-weight matching
    on the contingency table, found by the Hungarian algorithm
    (:func:`scipy.optimize.linear_sum_assignment`) in polynomial time instead of trying all
    :math:`K!` maps.

    References
    ----------
    H. W. Kuhn, "The Hungarian method for the assignment problem", Naval Research Logistics
    Quarterly 2, 1955, pp. 83-97. J. Xie, R. Girshick and A. Farhadi, "Unsupervised deep
    embedding for clustering analysis", ICML 2016 (the measure as used for deep clustering).
    """
    table = contingency_matrix(labels_true, labels_pred)
    from scipy.optimize import linear_sum_assignment  # imported here: it is slow to load

    classes, clusters = linear_sum_assignment(table, maximize=True)
    return float(table[classes, clusters].sum() / table.sum())                    # eq. (1)


def purity_score(labels_true, labels_pred):
    r"""Fraction of samples that belong to the most common class of their cluster.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        The known classes: integers (any sign, with gaps) or strings.
    labels_pred : array-like of shape (n_samples,)
        The clusters found.

    Returns
    -------
    float
        Between 0 and 1. Purity rewards many small clusters: one cluster per sample has
        purity 1. Compare clusterings with the same number of clusters only.

    Notes
    -----
    .. math:: \mathrm{purity} = \frac1n \sum_j \max_i n_{ij}                       \tag{1}

    Unlike :func:`clustering_accuracy`, several clusters may claim the same class, so
    purity is never smaller than the accuracy.

    References
    ----------
    C. D. Manning, P. Raghavan and H. Schütze, *Introduction to Information Retrieval*,
    Cambridge University Press, 2008, section 16.3.
    """
    table = contingency_matrix(labels_true, labels_pred)
    return float(table.max(axis=0).sum() / table.sum())                           # eq. (1)


# --------------------------------------------------------------------------------------------
# Internal measures: a clustering judged from the data alone
# --------------------------------------------------------------------------------------------

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
    approximation), a block of rows at a time, so memory stays bounded; each block is one matrix product,
    :math:`d^2 = \|x\|^2 - 2\,x \cdot x' + \|x'\|^2`, on data shifted to zero mean (which
    changes no distance and keeps rounding small), in float64.

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


def silhouette_score(X, labels):
    r"""Mean silhouette over all samples: near 1 for tight, well separated clusters.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    labels : array-like of shape (n_samples,)
        The cluster of each sample, with between 2 and n_samples - 1 distinct values.

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


def davies_bouldin_score(X, labels):
    r"""Mean over clusters of the worst ratio of spread to separation: lower is better.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    labels : array-like of shape (n_samples,)
        The cluster of each sample, with between 2 and n_samples - 1 distinct values.

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


def calinski_harabasz_score(X, labels):
    r"""Variance ratio: spread between clusters over spread within them, higher is better.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    labels : array-like of shape (n_samples,)
        The cluster of each sample, with between 2 and n_samples - 1 distinct values.

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


# --------------------------------------------------------------------------------------------
# Map quality
# --------------------------------------------------------------------------------------------

def quantization_error(X, prototypes):
    r"""Mean Euclidean distance from each sample to its nearest prototype.

    Every estimator's quantization error (``history_["quantization_error"]``,
    ``SOM.quantization_error``, ``CompetitiveLearning.score``) is computed by the same code,
    given the winners its kernel found.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data (NumPy or CuPy).
    prototypes : array-like of shape (n_units, n_features)
        The prototypes :math:`w_j` (cluster centres, or a map's weight vectors).

    Returns
    -------
    float
        Zero or more, in the units of ``X``.

    Notes
    -----
    With :math:`m` the mean of the prototypes, the winner :math:`c(x)` and the error are

    .. math:: c(x) = \arg\min_j \|x - w_j\|^2
                   = \arg\min_j \left(\|w_j - m\|^2 - 2\,(x - m) \cdot (w_j - m)\right)   \tag{1}
    .. math:: \mathrm{QE} = \frac1n \sum_i \|x_i - w_{c(x_i)}\|                     \tag{2}

    The distance is not squared: this is Kohonen's (and MiniSom's) definition, so QE reads in
    the units of the data. In (1), :math:`\|x - m\|^2` is the same for every unit and drops
    out; the products for a block of rows are one matrix multiplication, and subtracting
    :math:`m` keeps the terms small so little is lost when they cancel. In (2) the winner's
    distance is computed again from the difference :math:`x_i - w_{c(x_i)}`, so it carries
    no cancellation error (a prototype equal to a sample gives exactly 0). The work is done
    in the dtype of the inputs (float32 stays float32); the sum in float64.

    References
    ----------
    T. Kohonen, *Self-Organizing Maps*, 3rd edition, Springer, 2001.
    """
    X = check_array(X, name="X")
    prototypes = check_array(prototypes, name="prototypes")
    if prototypes.shape[1] != X.shape[1]:
        raise ValueError(
            f"prototypes has {prototypes.shape[1]} features, but X has {X.shape[1]}; "
            "they must have the same number of features."
        )
    return _quantization_error(X, prototypes)


def _quantization_error(X, prototypes, winners=None, squared_distances=None):
    """:func:`quantization_error` of checked arrays (NumPy or CuPy), the estimators' too.

    ``winners``, each sample's unit when a kernel has already found it (by the model's own
    metric), skips eq. (1). ``squared_distances``, each sample's squared distance to its
    winner as that kernel computed it, skips eq. (1) and the second pass over ``X``: the
    per-epoch record of the estimators, whose winner search gives these distances anyway.
    Nothing is checked: NaN or infinity anywhere in the prototypes of a diverging model gives
    NaN or infinity, which the epoch loop reports (a unit that wins nothing would otherwise
    hide it).
    """
    if squared_distances is not None:
        xp = array_module(squared_distances)
        return float(xp.sqrt(xp.maximum(squared_distances, 0)).mean())          # eq. (2)
    dtype = np.result_type(X.dtype, prototypes.dtype)
    X, W = X.astype(dtype, copy=False), prototypes.astype(dtype, copy=False)
    largest = [float(abs(array).max()) for array in (X, W)]
    if not math.isfinite(sum(largest)):
        return sum(largest)
    scale = _power_of_two(max(largest))   # so that squares neither overflow nor underflow
    X, W = X / scale, W / scale
    n_samples = X.shape[0]
    if winners is None:
        m = W.mean(axis=0)
        Wc = W - m
        w_sq = (Wc * Wc).sum(axis=1)
    total = 0.0
    for rows in _row_blocks(n_samples, max(W.shape[0], X.shape[1])):
        if winners is None:
            chosen = (w_sq - 2 * ((X[rows] - m) @ Wc.T)).argmin(axis=1)           # eq. (1)
        else:
            chosen = winners[rows]
        difference = X[rows] - W[chosen]
        total += float(np.sqrt((difference * difference).sum(axis=1)).sum(dtype=np.float64))
    return total / n_samples * scale                                              # eq. (2)


def _power_of_two_scale(*arrays):
    """The power of two nearest the largest magnitude in ``arrays`` (1.0 when all are zero).

    Dividing by it is exact, so scores that do not depend on the data's scale (silhouette,
    Davies-Bouldin, Calinski-Harabasz) come out bit for bit the same, and squared distances
    of data near 1e300 (which overflow) or 1e-310 (which underflow) become computable.
    """
    return _power_of_two(max(float(np.abs(array).max()) for array in arrays))


def _power_of_two(largest):
    """The power of two nearest ``largest`` (1.0 for zero, NaN or infinity)."""
    if largest == 0 or not np.isfinite(largest):
        return 1.0
    return float(np.ldexp(1.0, int(np.frexp(largest)[1])))


def _row_blocks(n_rows, row_length):
    """Slices of consecutive rows, each block holding at most about ``_CHUNK_ELEMENTS`` entries."""
    step = max(1, _CHUNK_ELEMENTS // max(row_length, 1))
    for start in range(0, n_rows, step):
        yield slice(start, min(start + step, n_rows))


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------

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
