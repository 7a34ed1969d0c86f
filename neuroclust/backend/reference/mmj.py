r"""The min-max-jump (MMJ) distance in plain NumPy: the math, and the compiled kernel's oracle.

The chain: ``neuroclust/models/cnni.py`` (the estimator that trains on MMJ distances) -> this
file -> ``csrc/mmj.pyx`` (the compiled twin, wrapped by ``neuroclust/backend/cython.py``) ->
``neuroclust/nn/indices.py`` (the silhouette computed on them) ->
``docs/algorithms/cnni.md`` -> ``tutorials/plot_11_cnni.py``.

The MMJ distance of two points (Liu, arXiv:2301.05994) is the minimax path distance of the
complete graph on the samples, its edges weighted by Euclidean distance: among all paths from
:math:`x_i` to :math:`x_j` through the samples, the smallest possible largest jump,

.. math:: M_{ij} = \min_{\text{paths } i = p_0, p_1, \dots, p_m = j}\;
          \max_{t=1}^{m} \|x_{p_{t-1}} - x_{p_t}\| .                                \tag{1}

The best path always runs along a minimum spanning tree (MST), so :math:`M_{ij}` is the largest
edge on the tree path between :math:`i` and :math:`j` (the "cut property": an edge of a path
that is longer than every tree edge joining its two sides could be swapped for one of them).
Both steps here cost :math:`O(n^2)`:

1. **Prim's algorithm** on the dense Euclidean distances, computed a row at a time (no
   :math:`n \times n` Euclidean matrix is stored): start from sample 0; keep for every sample
   outside the tree its squared distance to the nearest tree sample; add the closest one,
   :math:`v`, with the tree sample it is closest to, :math:`u`, as its parent, and refresh the
   others from :math:`v`'s row:

   .. math:: \beta_j \leftarrow \min\big(\beta_j,\; \|x_j - x_v\|^2\big) ;              \tag{2}

2. **the path maxima, in the order Prim added the samples.** When :math:`v` joins through the
   edge :math:`(u, v)` of length :math:`w_v`, it is a leaf of the tree built so far, so its
   path to any earlier sample :math:`t` is that edge followed by the path from :math:`u`:

   .. math:: M_{vt} = M_{tv} = \max(w_v,\; M_{ut}) .                                    \tag{3}

   One pass over the rows fills the matrix, each entry written once from an entry already
   known (:math:`M_{uu} = 0`). This needs no adjacency lists and no search: a breadth-first
   search from each node gives the same maxima in the same :math:`O(n^2)` time, but walks the
   tree :math:`n` times; adding the edges in increasing order (Kruskal) also gives them, but
   needs the members of every component at each merge.

Ties between equal distances go to the lowest index, as in every kernel; the MST may then
depend on that choice, but the minimax distances of eq. (1) do not.
"""
import numpy as np

from ..._validation import array_module
from .._checks import check_mmj, check_n_threads

__all__ = ["minimum_spanning_tree", "mmj_distances"]


def minimum_spanning_tree(X):
    r"""Prim's minimum spanning tree of the samples, on Euclidean distances, eq. (2).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    order : ndarray of int64, shape (n_samples,)
        The samples in the order they joined the tree; ``order[0]`` is 0.
    parent : ndarray of int64, shape (n_samples,)
        The tree sample each one joined through; -1 for ``order[0]``.
    weight : ndarray of shape (n_samples,)
        The Euclidean length of that edge (0 for ``order[0]``), in X's floating dtype.
    """
    check_mmj(X)
    xp = array_module(X)
    X = X if X.dtype.kind == "f" else X.astype(xp.float64)
    n = X.shape[0]
    order = np.empty(n, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    weight = xp.zeros(n, dtype=X.dtype)
    best = xp.full(n, xp.inf, dtype=X.dtype)       # squared distance to the tree
    link = xp.zeros(n, dtype=xp.int64)             # the tree sample that distance is to
    in_tree = xp.zeros(n, dtype=bool)
    v = 0
    for step in range(n):
        order[step] = v
        in_tree[v] = True
        if step == n - 1:
            break
        diff = X - X[v]
        d = (diff * diff).sum(axis=1)
        closer = (d < best) & ~in_tree
        best = xp.where(closer, d, best)                                          # eq. (2)
        link = xp.where(closer, v, link)
        v = int(xp.argmin(xp.where(in_tree, xp.inf, best)))   # ties: the lowest index
        parent[v] = int(link[v])
        weight[v] = xp.sqrt(best[v])
    return order, parent, weight


def mmj_distances(X, n_threads=None):
    r"""The min-max-jump distance between every two samples, eqs. (1)-(3).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_threads : int >= 1 or None
        Checked and ignored here (the compiled kernel shares its rows between threads).

    Returns
    -------
    ndarray of shape (n_samples, n_samples)
        Symmetric, zero on the diagonal, in X's floating dtype (float64 for integers).
    """
    check_n_threads(n_threads)
    order, parent, weight = minimum_spanning_tree(X)
    xp = array_module(X)
    n = X.shape[0]
    M = xp.zeros((n, n), dtype=weight.dtype)
    for step in range(1, n):
        v = int(order[step])
        earlier = xp.asarray(order[:step])
        row = xp.maximum(M[int(parent[v]), earlier], weight[v])                    # eq. (3)
        M[v, earlier] = row
        M[earlier, v] = row
    # the tree's path maxima are the minimax distances
    return M                                                                      # eq. (1)
