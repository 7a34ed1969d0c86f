r"""Adaptive resonance theory in plain NumPy: the math, and the oracle for the fast kernels.

Fuzzy ART (``fuzzy_art_online``, ``fuzzy_art_choice``, ``fuzzy_art_predict``) and ART1
(``art1_online``, ``art1_bottom_up``). The chain: ``neuroclust/models/art.py`` (FuzzyART and
ART1) -> this file -> ``csrc/art.pyx`` (the compiled twin, wrapped by
``neuroclust/backend/cython.py``; the sums in ``csrc/art.h``) -> ``neuroclust/plotting/art.py``
-> ``docs/algorithms/art.md`` -> ``tutorials/plot_04_adaptive_resonance_theory.py``.

Written against the array module of its inputs, so it runs on NumPy and CuPy arrays alike (the
search over a handful of categories runs on the host).
"""
import numpy as np

from ..._validation import array_module, to_host
from .._checks import check_art1_online, check_art_online, check_art_predict

__all__ = ["fuzzy_art_online", "fuzzy_art_choice", "fuzzy_art_predict", "art1_online",
           "art1_bottom_up"]


def fuzzy_art_online(X, W, n_categories, order, rho, alpha, beta):
    r"""Fuzzy ART (Carpenter, Grossberg and Rosen): present the samples in ``order``, learning.

    Each step is one pass of the network's cycle: the input :math:`x` (the F1 *comparison
    field* holds it) sends its activity up to the F2 *recognition field*, whose categories
    compete; lateral inhibition leaves the one with the largest choice value active; its
    template comes back down and F1 compares it with :math:`x` (the *vigilance test*); a
    mismatch resets that category (it is inhibited for the rest of this step) and the search
    goes on with the next; a match is *resonance*, and only then does the category learn.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The inputs, already prepared: values in [0, 1], complement coded by the estimator
        (``n_features`` is then twice the original number), and no row all zeros.
    W : ndarray of shape (capacity, n_features)
        The category templates :math:`w_j`, rows ``0 .. n_categories - 1`` committed, the rows
        beyond them free; updated in place.
    n_categories : int
        How many categories are committed before the first step.
    order : ndarray of int64, shape (n_steps,)
        The row of ``X`` presented at each step.
    rho : float
        The vigilance :math:`\rho \in [0, 1]`.
    alpha : float
        The choice parameter :math:`\alpha > 0`.
    beta : float
        The learning rate :math:`\beta \in (0, 1]`; 1 is fast learning.

    Returns
    -------
    categories : ndarray of int64, shape (n_steps,)
        The category that resonated with (and learned) the sample of each step; -1 where no
        category resonated and all ``capacity`` rows were committed already (the sample is
        then not learned).
    n_categories : int
        How many categories are committed afterwards.

    Notes
    -----
    With :math:`|a| = \sum_i |a_i|` (the L1 norm) and :math:`(a \wedge b)_i = \min(a_i, b_i)`
    (the fuzzy AND), each category :math:`j` receives the choice value

    .. math:: T_j = \frac{|x \wedge w_j|}{\alpha + |w_j|}                              \tag{1}

    The categories are tried in decreasing order of :math:`T_j` (a tie goes to the lowest
    index): the winner of the competition first, then, after each reset, the best one left,

    .. math:: J = \arg\max_{j \notin \text{reset}} T_j                                  \tag{2}

    Category :math:`J` resonates when it passes the vigilance (match) test

    .. math:: \frac{|x \wedge w_J|}{|x|} \ge \rho                                        \tag{3}

    and then learns, fast (:math:`\beta = 1`) or slowly,

    .. math:: w_J \leftarrow \beta\, (x \wedge w_J) + (1 - \beta)\, w_J                  \tag{4}

    When every committed category is reset, a new one is committed with the input as its
    template (a fresh category's all-ones template would learn exactly :math:`x` in one fast
    step):

    .. math:: w_{\text{new}} = x                                                           \tag{5}

    Since the vigilance test (3) of a category does not depend on which others were tried,
    the search (2)-(3) ends at the category of largest :math:`T_j` among those that pass (3);
    the compiled kernel finds it in one pass. Sums are taken in float64, so the choice and the
    match do not depend on the summation order in float32.

    References
    ----------
    G. A. Carpenter, S. Grossberg and D. B. Rosen, "Fuzzy ART: Fast stable learning and
    categorization of analog patterns by an adaptive resonance system", Neural Networks 4(6),
    1991, pp. 759-771.
    """
    n_categories, order = check_art_online(X, W, n_categories, order, rho, alpha, beta)[:2]
    xp = array_module(X)
    capacity = W.shape[0]
    categories = xp.empty(len(order), dtype=xp.int64)
    for step, i in enumerate(order.tolist()):
        x = X[i]
        committed = W[:n_categories]
        matched = xp.minimum(x, committed).sum(axis=1, dtype=xp.float64)   # eqs. (1), (3)
        sizes = committed.sum(axis=1, dtype=xp.float64)
        choice = to_host(matched / (alpha + sizes))                           # eq. (1)
        match = to_host(matched / x.sum(dtype=xp.float64))                    # eq. (3)
        winner = -1
        for j in np.argsort(-choice, kind="stable").tolist():               # eq. (2)
            if match[j] >= rho:                                             # eq. (3)
                winner = j
                break
        if winner >= 0:
            w = W[winner]
            W[winner] = beta * xp.minimum(x, w) + (1 - beta) * w            # eq. (4)
        elif n_categories < capacity:
            winner, n_categories = n_categories, n_categories + 1
            W[winner] = x                                                   # eq. (5)
        categories[step] = winner
    return categories, n_categories


def fuzzy_art_choice(X, W, alpha):
    r"""The choice value of every category for every sample, and their match values.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Prepared inputs, as for :func:`fuzzy_art_online`.
    W : ndarray of shape (n_categories, n_features)
        The committed templates.
    alpha : float
        The choice parameter :math:`\alpha`.

    Returns
    -------
    choice : ndarray of float64, shape (n_samples, n_categories)
        :math:`T_j(x_i)`, eq. (1).
    match : ndarray of float64, shape (n_samples, n_categories)
        :math:`|x_i \wedge w_j| / |x_i|`, the left side of the vigilance test, eq. (2).

    Notes
    -----
    .. math:: T_j(x) = \frac{|x \wedge w_j|}{\alpha + |w_j|}                            \tag{1}
    .. math:: M_j(x) = \frac{|x \wedge w_j|}{|x|}                                        \tag{2}

    Computed a block of samples at a time, so the (samples, categories, features) array of
    minima stays small.
    """
    xp = array_module(X)
    sizes = W.sum(axis=1, dtype=xp.float64)
    choice = xp.empty((X.shape[0], W.shape[0]), dtype=xp.float64)
    match = xp.empty_like(choice)
    rows_per_block = max(1, (1 << 21) // max(1, W.shape[0] * W.shape[1]))
    for start in range(0, X.shape[0], rows_per_block):
        rows = slice(start, start + rows_per_block)
        matched = xp.minimum(X[rows, None, :], W[None, :, :]).sum(axis=2, dtype=xp.float64)
        choice[rows] = matched / (alpha + sizes)                                     # eq. (1)
        match[rows] = matched / X[rows].sum(axis=1, dtype=xp.float64)[:, None]       # eq. (2)
    return choice, match


def fuzzy_art_predict(X, W, alpha, rho=0.0):
    r"""The category each sample would resonate with, without learning.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Prepared inputs, as for :func:`fuzzy_art_online`.
    W : ndarray of shape (n_categories, n_features)
        The committed templates.
    alpha : float
        The choice parameter :math:`\alpha`.
    rho : float, default=0.0
        The vigilance; 0 lets every category pass, so the answer is the winner of the choice
        competition alone.

    Returns
    -------
    ndarray of int64, shape (n_samples,)
        The category of largest choice value among those that pass the vigilance test (a tie
        goes to the lowest index); -1 where none passes.

    Notes
    -----
    The search of :func:`fuzzy_art_online` with the weights held fixed: with the choice
    :math:`T_j` and match :math:`M_j` of :func:`fuzzy_art_choice`,

    .. math:: J(x) = \arg\max_{j \,:\, M_j(x) \ge \rho} T_j(x)                           \tag{1}
    """
    check_art_predict(X, W, alpha, rho)
    xp = array_module(X)
    if W.shape[0] == 0:  # no category committed yet: none to choose
        return xp.full(X.shape[0], -1, dtype=xp.int64)
    choice, match = fuzzy_art_choice(X, W, alpha)
    passes = match >= rho
    best = xp.where(passes, choice, -xp.inf).argmax(axis=1)                          # eq. (1)
    return xp.where(passes.any(axis=1), best, -1).astype(xp.int64)


def art1_online(X, W, n_categories, order, rho, L):
    r"""ART1 (Carpenter and Grossberg, 1987) on binary inputs, fast learning, in ``order``.

    The same cycle as :func:`fuzzy_art_online` (choice in the F2 recognition field, lateral
    inhibition, the vigilance test in the F1 comparison field, reset and search, resonance),
    in ART1's own terms: binary top-down templates :math:`w_j` and bottom-up weights
    :math:`b_j` that fast learning keeps at their equilibrium.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Binary inputs (0 and 1), each with at least one 1.
    W : ndarray of shape (capacity, n_features)
        The binary top-down templates, rows ``0 .. n_categories - 1`` committed; updated in
        place.
    n_categories : int
    order : ndarray of int64, shape (n_steps,)
    rho : float
        The vigilance :math:`\rho \in [0, 1]`.
    L : float
        The bottom-up learning parameter :math:`L > 1`.

    Returns
    -------
    categories : ndarray of int64, shape (n_steps,)
        As in :func:`fuzzy_art_online` (-1: no category resonated and none was free).
    n_categories : int

    Notes
    -----
    With :math:`|a|` the number of ones and :math:`x \cap w` the elementwise AND, the input
    reaches category :math:`j` through its bottom-up weights
    :math:`b_j = L\, w_j / (L - 1 + |w_j|)` (:func:`art1_bottom_up`), so the choice values are

    .. math:: T_j = x \cdot b_j = \frac{L\, |x \cap w_j|}{L - 1 + |w_j|}                  \tag{1}

    the search goes through the categories in decreasing :math:`T_j` (ties: lowest index),

    .. math:: J = \arg\max_{j \notin \text{reset}} T_j                                    \tag{2}

    the vigilance test (here :math:`|x|` counts the active inputs) is

    .. math:: \frac{|x \cap w_J|}{|x|} \ge \rho                                             \tag{3}

    and fast learning keeps only the features the input and the template share (the
    bottom-up weights follow), or commits a new category with :math:`w = x`:

    .. math:: w_J \leftarrow x \cap w_J                                                     \tag{4}
    .. math:: w_{\text{new}} = x                                                            \tag{5}

    Uncommitted categories are tried after all committed ones (the limit of small initial
    bottom-up weights). Since :math:`T_j` is :math:`L` times Fuzzy ART's choice with
    :math:`\alpha = L - 1`, and (3)-(5) are Fuzzy ART's vigilance test and learning with
    :math:`\beta = 1` on binary data, this is :func:`fuzzy_art_online` without complement
    coding, with :math:`\alpha = L - 1` and :math:`\beta = 1`; the compiled backend runs that
    kernel. (The factor :math:`L` does not change the order of the search.)

    References
    ----------
    G. A. Carpenter and S. Grossberg, "A massively parallel architecture for a
    self-organizing neural pattern recognition machine", Computer Vision, Graphics, and Image
    Processing 37, 1987, pp. 54-115.
    """
    n_categories, order = check_art1_online(X, W, n_categories, order, rho, L)[:2]
    xp = array_module(X)
    capacity = W.shape[0]
    categories = xp.empty(len(order), dtype=xp.int64)
    for step, i in enumerate(order.tolist()):
        x = X[i]
        templates = W[:n_categories]
        common = (x * templates).sum(axis=1, dtype=xp.float64)               # eqs. (1), (3)
        sizes = templates.sum(axis=1, dtype=xp.float64)
        choice = to_host(L * common / (L - 1 + sizes))                         # eq. (1)
        match = to_host(common / x.sum(dtype=xp.float64))                      # eq. (3)
        winner = -1
        for j in np.argsort(-choice, kind="stable").tolist():                # eq. (2)
            if match[j] >= rho:                                              # eq. (3)
                winner = j
                break
        if winner >= 0:
            W[winner] = x * W[winner]                                        # eq. (4)
        elif n_categories < capacity:
            winner, n_categories = n_categories, n_categories + 1
            W[winner] = x                                                    # eq. (5)
        categories[step] = winner
    return categories, n_categories


def art1_bottom_up(W, L):
    r"""ART1's bottom-up weights from its top-down templates, at fast-learning equilibrium.

    Parameters
    ----------
    W : ndarray of shape (n_categories, n_features)
        Binary templates :math:`w_j`.
    L : float
        :math:`L > 1`.

    Returns
    -------
    ndarray of shape (n_categories, n_features)

    Notes
    -----
    .. math:: b_j = \frac{L\, w_j}{L - 1 + |w_j|}                                         \tag{1}

    A template with few ones gets large bottom-up weights: this is what lets a small category
    win for the inputs it codes, against a larger one that also contains them (Carpenter and
    Grossberg's "Weber law" rule; the 2/3 rule is another part of ART1: it makes F1's
    activity, and so what a committed category learns, the intersection :math:`I \wedge w_j`).
    """
    xp = array_module(W)
    sizes = W.sum(axis=1, keepdims=True, dtype=xp.float64)
    return (L * W / (L - 1 + sizes)).astype(W.dtype)                                   # eq. (1)
