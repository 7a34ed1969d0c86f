r"""External measures: a clustering against known classes.

:func:`contingency_matrix` counts the samples of each class in each cluster;
:func:`adjusted_rand_score`, :func:`normalized_mutual_info_score`, :func:`clustering_accuracy`
and :func:`purity_score` are functions of that table; :func:`match_clusters` renames the
clusters by the matching behind the accuracy. All are importable from
:mod:`neuroclust.metrics`, whose docstring gives the notation. The page
docs/algorithms/metrics.md derives them; the chain: metrics/external.py -> metrics/internal.py
-> tests/metrics/test_metrics.py.
"""
from fractions import Fraction

import numpy as np

from ._labels import LABELS_PARAMETERS, _check_labels, _encode, shared_parameters

__all__ = ["contingency_matrix", "adjusted_rand_score", "normalized_mutual_info_score",
           "clustering_accuracy", "match_clusters", "purity_score"]


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


@shared_parameters(LABELS_PARAMETERS)
def adjusted_rand_score(labels_true, labels_pred):
    r"""Rand index adjusted for chance: agreement on which pairs of samples go together.

    %(parameters)s

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


@shared_parameters(LABELS_PARAMETERS)
def normalized_mutual_info_score(labels_true, labels_pred):
    r"""Mutual information between classes and clusters, divided by their mean entropy.

    %(parameters)s

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


@shared_parameters(LABELS_PARAMETERS)
def match_clusters(labels_true, labels_pred, noise=None):
    r"""Rename each cluster after the class it is matched to, one to one.

    Cluster ids are arbitrary: k-means may call the digit 3 "cluster 7". Drawn beside the
    true labels in one palette, or read as a confusion table, they mislead until each
    cluster carries the name of its class. This applies the matching that
    :func:`clustering_accuracy` scores; there may be more or fewer clusters than classes.

    %(parameters)s
    noise : int or str, default=None
        The label that means "in no cluster" (-1 for :class:`neuroclust.DBSCAN` and
        :class:`neuroclust.OPTICS`): its samples keep it and take no part in the matching.
        None: every label is a cluster.

    Returns
    -------
    ndarray of shape (n_samples,)
        ``labels_pred`` with every matched cluster renamed to its class. With more clusters
        than classes, the clusters left without a class get new names that no class has:
        ``max(labels_true) + 1, + 2, ...`` (largest cluster first) when the classes are
        integers, ``"unmatched 1", "unmatched 2", ...`` otherwise (primed, ``"unmatched 1'"``,
        where a class already has that name). The samples grouped
        together are unchanged, so every other measure of the clustering is too.

    Notes
    -----
    .. math:: \hat m = \arg\max_m \sum_j n_{m(j)\,j}, \qquad
              \tilde y_s = \hat m(\hat y_s)                                            \tag{1}

    over the one-to-one maps :math:`m` from clusters to classes (the Hungarian algorithm on
    the contingency table, as in :func:`clustering_accuracy`), so that
    :math:`\mathrm{ACC} = \frac1n \sum_s [\,y_s = \tilde y_s\,]`.

    References
    ----------
    H. W. Kuhn, "The Hungarian method for the assignment problem", Naval Research Logistics
    Quarterly 2, 1955, pp. 83-97.
    """
    contingency_matrix(labels_true, labels_pred)        # checks both, and their lengths
    labels_true, labels_pred = np.asarray(labels_true), np.asarray(labels_pred)
    in_cluster = np.ones(labels_pred.shape[0], dtype=bool) if noise is None else (
        labels_pred != noise)
    if not in_cluster.any():
        return labels_pred.copy()
    renamed = _renamed_clusters(labels_true[in_cluster], labels_pred[in_cluster])  # eq. (1)
    if in_cluster.all():
        return renamed
    result = np.empty(labels_pred.shape[0], dtype=np.result_type(renamed.dtype, labels_pred.dtype)
                      if renamed.dtype != object else object)
    result[in_cluster], result[~in_cluster] = renamed, labels_pred[~in_cluster]
    return result


def _renamed_clusters(labels_true, labels_pred):
    """The renaming of :func:`match_clusters`, every label a cluster."""
    table = contingency_matrix(labels_true, labels_pred)
    classes, clusters = np.unique(labels_true), np.unique(labels_pred)
    from scipy.optimize import linear_sum_assignment  # imported here: it is slow to load

    rows, columns = linear_sum_assignment(table, maximize=True)
    name = dict(zip(columns.tolist(), classes[rows].tolist()))
    unmatched = sorted(set(range(clusters.shape[0])) - set(name), key=lambda j: -table[:, j].sum())
    integer_classes = classes.dtype.kind in "iu"
    taken = set(classes.tolist())
    for count, j in enumerate(unmatched, start=1):
        name[j] = int(classes.max()) + count if integer_classes else f"unmatched {count}"
        while name[j] in taken:          # a class may be called "unmatched 1" too
            name[j] = f"{name[j]}'"
        taken.add(name[j])
    codes = np.searchsorted(clusters, np.asarray(labels_pred))
    renamed = np.array([name[j] for j in range(clusters.shape[0])],
                       dtype=classes.dtype if integer_classes else object)
    return renamed[codes]


@shared_parameters(LABELS_PARAMETERS)
def purity_score(labels_true, labels_pred):
    r"""Fraction of samples that belong to the most common class of their cluster.

    %(parameters)s

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
