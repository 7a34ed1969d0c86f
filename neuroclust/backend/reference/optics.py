r"""OPTICS in plain NumPy: core distances, the ordering, and the two ways to cut it into clusters.

The chain: ``neuroclust/models/optics.py`` (the estimator) -> this file (and the compiled
ordering loop of ``csrc/density.pyx``, wrapped by ``neuroclust/backend/cython.py``) ->
``neuroclust/plotting/density.py`` (the reachability plot) -> ``docs/algorithms/density.md``.
The neighbourhoods within ``max_eps`` come from ``radius_neighbors`` of ``density.py``, the
search DBSCAN uses.

OPTICS (Ankerst, Breunig, Kriegel and Sander, 1999) orders the samples so that every density
threshold's DBSCAN clusters are runs of consecutive samples. The *core distance* of sample
:math:`i` is the distance to its ``min_samples``-th nearest sample, itself counted first (so
with ``min_samples`` = k it is the radius at which :math:`i` becomes a DBSCAN core sample),
undefined (inf) beyond ``max_eps``:

.. math:: c(i) = \begin{cases} d_{(k)}(x_i) & d_{(k)}(x_i) \le \varepsilon_{\max} \\
          \infty & \text{otherwise.} \end{cases}                                     \tag{1}

Samples are taken one at a time. Each processed core sample :math:`p` offers every
unprocessed sample :math:`q` within :math:`\varepsilon_{\max}` the *reachability*

.. math:: r(q) \leftarrow \min\bigl(r(q),\; \max(c(p),\, \|x_p - x_q\|)\bigr),        \tag{2}

and :math:`p` becomes the *predecessor* of :math:`q` when the offer is strictly lower. The next
sample is the unprocessed one of the lowest reachability, the lowest index among equals (every
reachability starts at inf, so a new run starts at the lowest unprocessed index):

.. math:: p_{t+1} = \operatorname{arg\,min}_{q\ \text{unprocessed}}\ \bigl(r(q),\ q\bigr). \tag{3}

Core distances and reachabilities are rounded to 15 decimals, as scikit-learn rounds them,
so that two offers equal but for the last bits of rounding tie, and ties break by index. Both
are measured from the differences in float64, features summed in order, so that this
reference and the compiled loop agree to the bit.

The clusters are then read off the *reachability plot*, :math:`r` in the order of the
ordering: ``optics_dbscan_labels`` cuts it at one height (eq. (4)); ``optics_xi_clusters``
finds its steep slopes (eq. (5)), the method of the OPTICS paper with scikit-learn's
corrections.
"""
import numpy as np

from ..._validation import to_host as _to_host
from .._checks import check_optics_core_distances, check_optics_ordering

__all__ = ["optics_core_distances", "optics_ordering", "optics_dbscan_labels",
           "optics_xi_clusters", "optics_xi_labels"]

#: Distances held at once when the core distances are found: a block of rows against all n.
BLOCK_ENTRIES = 1 << 22
#: The decimals core distances and reachabilities are rounded to (float64's precision).
DECIMALS = 15


def _distances(X, point, others):
    """Distances from row ``point`` to rows ``others``, features summed one after another."""
    squared = np.zeros(len(others))
    for feature in range(X.shape[1]):
        difference = X[others, feature] - X[point, feature]
        squared += difference * difference
    return np.sqrt(squared)


def optics_core_distances(X, min_samples, max_eps):
    r"""Eq. (1): the distance from every row of ``X`` to its ``min_samples``-th nearest row.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    min_samples : int in [1, n_samples]
        The row itself counts as its first neighbour.
    max_eps : float >= 0, or inf

    Returns
    -------
    ndarray of float64, shape (n_samples,)
        Rounded to 15 decimals; inf where the distance exceeds ``max_eps``.
    """
    min_samples, max_eps = check_optics_core_distances(X, min_samples, max_eps)
    X = np.asarray(_to_host(X), dtype=np.float64)
    n_samples = X.shape[0]
    block = max(1, BLOCK_ENTRIES // max(n_samples, 1))
    core = np.empty(n_samples)
    for start in range(0, n_samples, block):
        rows = X[start:start + block]
        squared = np.zeros((rows.shape[0], n_samples))
        for feature in range(X.shape[1]):
            difference = rows[:, feature, None] - X[None, :, feature]
            squared += difference * difference
        kth = np.partition(squared, min_samples - 1, axis=1)[:, min_samples - 1]
        core[start:start + block] = np.sqrt(kth)
    core[core > max_eps] = np.inf                                                   # eq. (1)
    return np.around(core, DECIMALS)


def optics_ordering(X, core_distances, indptr=None, indices=None):
    r"""Eqs. (2) and (3): the OPTICS ordering, with each sample's reachability and predecessor.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    core_distances : ndarray of shape (n_samples,)
        Those of :func:`optics_core_distances` (inf: not a core sample).
    indptr, indices : ndarray of int64, or None
        The neighbourhoods within ``max_eps`` (``radius_neighbors``' compressed rows); None
        for both when ``max_eps`` is inf, every sample then being a neighbour of every other.

    Returns
    -------
    ordering : ndarray of int64, shape (n_samples,)
        The samples in the order they are processed.
    reachability : ndarray of float64, shape (n_samples,)
        Indexed by sample (not by position in the ordering); inf where no core sample
        reached it (the first sample of each run).
    predecessor : ndarray of int64, shape (n_samples,)
        The core sample that set each reachability; -1 where none did.
    """
    if indptr is not None and indices is not None:
        indptr, indices = np.asarray(_to_host(indptr)), np.asarray(_to_host(indices))
    core, indptr, indices = check_optics_ordering(X, np.asarray(_to_host(core_distances)),
                                                  indptr, indices)
    X = np.asarray(_to_host(X), dtype=np.float64)
    n_samples = X.shape[0]
    reachability = np.full(n_samples, np.inf)
    predecessor = np.full(n_samples, -1, dtype=np.int64)
    processed = np.zeros(n_samples, dtype=bool)
    ordering = np.empty(n_samples, dtype=np.int64)
    everyone = np.arange(n_samples)
    for step in range(n_samples):
        waiting = np.flatnonzero(~processed)
        point = waiting[np.argmin(reachability[waiting])]                      # eq. (3)
        processed[point] = True
        ordering[step] = point
        if core[point] == np.inf:
            continue
        near = everyone if indptr is None else indices[indptr[point]:indptr[point + 1]]
        near = near[~processed[near]]
        offer = np.around(np.maximum(_distances(X, point, near), core[point]), DECIMALS)
        better = offer < reachability[near]                                      # eq. (2)
        reachability[near[better]] = offer[better]
        predecessor[near[better]] = point
    return ordering, reachability, predecessor


def optics_dbscan_labels(reachability, core_distances, ordering, eps):
    r"""DBSCAN's clusters at radius ``eps`` <= ``max_eps``, read off the reachability plot.

    Walking the ordering, a sample that no core sample reaches within ``eps`` starts a new
    cluster when it is itself a core sample at ``eps``, and is noise otherwise:

    .. math:: \text{new}(t) = [\,r(p_t) > \varepsilon \wedge c(p_t) \le \varepsilon\,],\quad
              \text{noise}(t) = [\,r(p_t) > \varepsilon \wedge c(p_t) > \varepsilon\,]. \tag{4}

    Every other sample joins the cluster last started. Up to border samples within ``eps``
    of two clusters (here they join the one met first in the ordering), the labels are
    DBSCAN's at ``eps``, exactly as scikit-learn's ``cluster_optics_dbscan`` gives them.

    Returns
    -------
    ndarray of int64, shape (n_samples,)
        The label of each sample (indexed by sample), -1 for noise.
    """
    reachability = np.asarray(reachability, dtype=np.float64)
    core = np.asarray(core_distances, dtype=np.float64)
    ordering = np.asarray(ordering, dtype=np.int64)
    far = reachability > eps
    new = far & (core <= eps)                                                    # eq. (4)
    labels = np.empty(reachability.shape[0], dtype=np.int64)
    labels[ordering] = np.cumsum(new[ordering]) - 1
    labels[far & ~new] = -1                                                      # eq. (4)
    return labels


def _extend_area(steep, against, start, min_samples):
    """The last index of the steep area that starts at ``start``: it goes on through steep
    points and through at most ``min_samples`` non-steep ones in a row, and stops at the first
    point that goes the other way (``against``)."""
    end = start
    flat = 0
    for index in range(start, steep.shape[0]):
        if steep[index]:
            flat, end = 0, index
        elif against[index]:
            break
        else:
            flat += 1
            if flat > min_samples:
                break
    return end


def _correct_by_predecessor(plot, predecessor_plot, ordering, start, end):
    """Schubert and Gertz (2018): shrink the cluster [start, end] from the right until its last
    sample's predecessor lies inside it (or the left edge is higher than the right one);
    ``(None, None)`` when nothing is left."""
    while start < end:
        if plot[start] > plot[end]:
            return start, end
        if predecessor_plot[end] in ordering[start:end]:
            return start, end
        end -= 1
    return None, None


def optics_xi_clusters(reachability, predecessor, ordering, min_samples, min_cluster_size, xi,
                       predecessor_correction=True):
    r"""The clusters of the xi method: valleys of the reachability plot between steep slopes.

    With :math:`r_t` the plot (``reachability[ordering]``, one inf appended), position
    :math:`t` is *xi-steep upward* or *downward* when the next value is higher, or lower, by at
    least a fraction ``xi``:

    .. math:: \text{up}(t) = \bigl[\, r_t \le (1 - \xi)\, r_{t+1} \,\bigr],\qquad
              \text{down}(t) = \bigl[\, (1 - \xi)\, r_t \ge r_{t+1} \,\bigr].         \tag{5}

    A steep area is a run of steep points in one direction with at most ``min_samples``
    non-steep points in a row and none going back. Each steep-up area closes a cluster with
    every steep-down area before it whose start stands above everything since, once the
    cluster's edges are brought to the same height (definition 11 of the paper, with the
    corrections scikit-learn's ``cluster_optics_xi`` makes to it), optionally shrunk by the
    predecessors, and kept when it holds ``min_cluster_size`` samples or more.

    Returns
    -------
    ndarray of int64, shape (n_clusters, 2)
        Each cluster as ``[start, end]``, inclusive positions in the ordering; smaller
        clusters before the larger ones that hold them (ordered by end, then by -start).
    """
    ordering = np.asarray(ordering, dtype=np.int64)
    plot = np.append(np.asarray(reachability, dtype=np.float64)[ordering], np.inf)
    predecessor_plot = np.asarray(predecessor, dtype=np.int64)[ordering]
    keep = 1 - xi
    with np.errstate(invalid="ignore", divide="ignore"):   # inf / inf, x / 0
        ratio = plot[:-1] / plot[1:]
    up, down = ratio <= keep, ratio >= 1 / keep                                  # eq. (5)
    rising, falling = ratio < 1, ratio > 1
    downs = []          # the steep-down areas still open: [start, end, highest value since]
    clusters = []
    index, between = 0, 0.0
    for steep in np.flatnonzero(up | down):
        if steep < index:               # inside an area already walked
            continue
        between = max(between, float(plot[index:steep + 1].max()))
        if np.isinf(between):
            downs = []
        else:
            downs = [area for area in downs if between <= plot[area[0]] * keep]
            for area in downs:
                area[2] = max(area[2], between)
        if down[steep]:
            end = _extend_area(down, rising, steep, min_samples)
            downs.append([steep, end, 0.0])
            index = end + 1
            between = float(plot[index])
            continue
        up_end = _extend_area(up, falling, steep, min_samples)
        index = up_end + 1
        between = float(plot[index])
        found = []
        for down_start, down_end, down_between in downs:
            start, end = down_start, up_end
            if plot[end + 1] * keep < down_between:
                continue
            top = plot[down_start]
            if top * keep >= plot[end + 1]:        # the left edge is higher: move it right
                while plot[start + 1] > plot[end + 1] and start < down_end:
                    start += 1
            elif plot[end + 1] * keep >= top:      # the right edge is higher: move it left
                while plot[end - 1] > top and end > steep:
                    end -= 1
            if predecessor_correction:
                start, end = _correct_by_predecessor(plot, predecessor_plot, ordering,
                                                     start, end)
                if start is None:
                    continue
            if end - start + 1 < min_cluster_size or start > down_end or end < steep:
                continue
            found.append((start, end))
        clusters.extend(reversed(found))
    return np.array(clusters, dtype=np.int64).reshape(-1, 2)


def optics_xi_labels(ordering, clusters):
    """Labels from the xi clusters: each cluster that holds no smaller one already labelled
    takes the next label (the clusters come smallest first); the rest is noise, -1.

    Returns
    -------
    ndarray of int64, shape (n_samples,), indexed by sample.
    """
    ordering = np.asarray(ordering, dtype=np.int64)
    by_position = np.full(ordering.shape[0], -1, dtype=np.int64)
    label = 0
    for start, end in np.asarray(clusters, dtype=np.int64).reshape(-1, 2):
        if (by_position[start:end + 1] == -1).all():
            by_position[start:end + 1] = label
            label += 1
    labels = np.empty_like(by_position)
    labels[ordering] = by_position
    return labels
