"""Figures of density clustering (:class:`neuroclust.DBSCAN`, :class:`neuroclust.OPTICS`).

* :func:`plot_reachability`: OPTICS's reachability plot, one bar per sample in the order
  OPTICS processed them, coloured by cluster, noise in grey; valleys are clusters.
* :func:`plot_density_clusters`: the 2-D samples coloured by cluster, noise in grey, the
  core samples drawn larger than the others.
* :func:`standard_figures`: the figures of a fitted DBSCAN or OPTICS, as ``neuroclust fit
  --plot`` saves them.

The chains: ``models/dbscan.py`` -> ``backend/reference/density.py`` -> ``csrc/density.pyx``
-> ``plotting/density.py`` (this module) -> ``docs/algorithms/density.md``; and
``models/optics.py`` -> ``backend/reference/optics.py`` -> ``csrc/density.pyx`` -> this
module -> the same page. The shared style is in ``plotting/_style.py``.
"""
import numpy as np

from .._validation import check_is_fitted
from ..models import DBSCAN, OPTICS
from ._style import (_FONT, _NOISE_COLOR, _axes_or_new, _check_model, _finish, _input_axes,
                     _input_limits, _proxy, _shared_doc, _standard_data, _style)

#: How far above the highest finite bar an infinite one is drawn, as a fraction of it.
_INF_HEADROOM = 0.12


@_shared_doc
def plot_reachability(model, ax=None, title="Reachability plot"):
    """OPTICS's reachability plot: ``model.reachability_[model.ordering_]`` as bars.

    Each bar is a sample, in the order OPTICS processed it; its height is the distance at
    which a sample processed before it reached it. A valley is a cluster (dense samples
    reach each other at small distances), a peak the gap to the next one. Bars take the
    colour of their sample's cluster (``model.labels_``); noise is grey. A sample no one
    reached (reachability inf: the first of each run) is drawn as a hatched bar a little
    above the highest finite one. With ``cluster_method="dbscan"``, a dashed line marks the
    ``eps`` the labels were cut at.

    Parameters
    ----------
    model : fitted neuroclust.OPTICS
    {ax}
    title : str or None, default="Reachability plot"

    {returns_figure_or_ax}
    """
    _check_model(model, (OPTICS,), "reachability_")
    ax, created = _axes_or_new(ax, (10, 4.5))
    heights = np.asarray(model.reachability_)[model.ordering_]
    labels = np.asarray(model.labels_)[model.ordering_]
    finite = np.isfinite(heights)
    top = float(heights[finite].max()) if finite.any() else 1.0
    top = top if top > 0 else 1.0
    drawn = np.where(finite, heights, top * (1 + _INF_HEADROOM))
    positions = np.arange(heights.shape[0])
    handles, index = [], 0
    for value in np.unique(labels):
        members = labels == value
        if value < 0:
            color, name = _NOISE_COLOR, "noise"
        else:
            color, name = _style(index)[0], f"cluster {value}"
            index += 1
        ax.bar(positions[members & finite], drawn[members & finite], width=1.0, color=color,
               linewidth=0)
        ax.bar(positions[members & ~finite], drawn[members & ~finite], width=1.0, color=color,
               alpha=0.35, hatch="//", edgecolor=color, linewidth=0)
        if len(handles) < 10:
            handles.append(_proxy("s", color, name))
    if getattr(model, "cluster_method", None) == "dbscan":
        eps = model.max_eps if model.eps is None else model.eps
        if np.isfinite(eps):
            ax.axhline(eps, color="black", linestyle="--", linewidth=1.5)
            handles.append(_proxy("_", "black", f"eps = {eps:g}"))
    ax.set_xlim(-0.5, heights.shape[0] - 0.5)
    ax.set_ylim(0, top * (1 + 2 * _INF_HEADROOM))
    ax.set_xlabel("samples in OPTICS order", fontsize=_FONT["label"])
    ax.set_ylabel("reachability distance", fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["tick"])
    _finish(ax, handles, title, "upper right")
    return ax.figure if created else ax


@_shared_doc
def plot_density_clusters(model, X, ax=None, title=None):
    """The 2-D samples DBSCAN or OPTICS was fit on, coloured by cluster, noise in grey; the
    core samples (``model.core_sample_indices_``) are drawn larger than the border ones.

    Parameters
    ----------
    model : fitted neuroclust.DBSCAN or neuroclust.OPTICS
    X : array-like of shape (n_samples, 2)
        The samples the model was fit on, in the same order.
    {ax}
    title : str, default=None
        None: the model, its number of clusters and its share of noise.

    {returns_figure_or_ax}
    """
    X, _y, labels = _training_data(model, X, None, None)
    if title is None:
        n_found = len(set(np.unique(labels).tolist()) - {-1})
        title = (f"{type(model).__name__}: {n_found} cluster{'s' * (n_found != 1)}, "
                 f"{np.mean(labels < 0):.0%} noise (large dots: core samples)")
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 columns (features) for this 2-D plot, but it has "
                         f"{X.shape[1]} (project other data first, e.g. with PCA).")
    ax, created = _input_axes(ax, 2, data=None)
    core = np.zeros(X.shape[0], dtype=bool)
    core[model.core_sample_indices_] = True
    handles, index = [], 0
    for value in np.unique(labels):
        members = labels == value
        if value < 0:
            (color, marker), name = (_NOISE_COLOR, "o"), "noise"
        else:
            (color, marker), name = _style(index), f"cluster {value}"
            index += 1
        for is_core, size in ((True, 30), (False, 10)):
            chosen = members & (core == is_core)
            ax.scatter(X[chosen, 0], X[chosen, 1], s=size, color=color, marker=marker,
                       alpha=0.75, linewidths=0)
        if len(handles) < 10:
            handles.append(_proxy(marker, color, name))
    _input_limits(ax, [X])
    _finish(ax, handles, title, "best")
    return ax.figure if created else ax


def _training_data(model, X, y, labels):
    """X, y and each sample's cluster for a density model, which labels only the samples it
    was fit on: ``labels`` or ``model.labels_``, one per row of X."""
    X, y, _none = _standard_data(model, (DBSCAN, OPTICS), "labels_", X, y, None,
                                 clusters=False)
    check_is_fitted(model, "labels_")
    if labels is None:
        if X.shape[0] != model.labels_.shape[0]:
            raise ValueError(f"X must be the {model.labels_.shape[0]} samples the model was fit "
                             f"on (it has no predict), got {X.shape[0]}.")
        labels = model.labels_
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels must hold one label per sample ({X.shape[0]}), but its shape "
                         f"is {labels.shape}.")
    return X, y, labels


@_shared_doc
def standard_figures(model, X, y=None, labels=None):
    """The standard figures of a fitted DBSCAN or OPTICS, by file stem.

    * ``"reachability"``: the reachability plot (OPTICS only);
    * ``"clusters"``: the samples coloured by cluster, core samples larger (2-D data only).

    Parameters
    ----------
    model : fitted neuroclust.DBSCAN or neuroclust.OPTICS
    X : array-like of shape (n_samples, n_features)
        The samples the model was fit on, in the same order (neither model has ``predict``).
    {standard_y_unused}
    labels : array-like of shape (n_samples,), default=None
        The cluster of each sample; None takes ``model.labels_``.

    {standard_returns}
    """
    X, _y, labels = _training_data(model, X, y, labels)
    figures = {}
    if isinstance(model, OPTICS):
        figures["reachability"] = plot_reachability(model)
    if X.shape[1] == 2:
        figures["clusters"] = plot_density_clusters(model, X)
    return figures
