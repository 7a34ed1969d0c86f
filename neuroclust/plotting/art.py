"""Figures of adaptive resonance theory (:class:`neuroclust.FuzzyART`, :class:`neuroclust.ART1`).

* :func:`plot_fuzzy_art_boxes`: each Fuzzy ART category's box over the 2-D samples.
* :func:`plot_fuzzy_art_categories`: on data of any dimension, the samples per category and
  each category's interval on every feature.
* :func:`standard_figures`: the figures of a fitted ART model, as ``neuroclust fit --plot``
  saves them.

The chain of ART: ``models/art.py`` -> ``backend/reference/art.py`` -> ``csrc/art.pyx`` ->
``plotting/art.py`` (this module) -> ``docs/algorithms/art.md`` ->
``tutorials/plot_04_adaptive_resonance_theory.py``. The shared style is in
``plotting/_style.py``.
"""
import numbers

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch, Rectangle

from .._validation import NotFittedError, check_is_fitted, check_scalar, to_host
from ..models import ART1, FuzzyART
from ._style import (_FONT, _MAX_LEGEND_CLUSTERS, _NOISE_COLOR, _finish, _image_side, _input_axes,
                     _input_limits, _points, _proxy, _sample_labels, _scatter_samples, _shared_doc,
                     _standard_data, _style)
from .competitive import plot_prototype_images
from .history import _history_series, plot_history

#: Up to this many features the standard figures draw each category's box feature by feature
#: (more bars than that cannot be read; images are drawn as templates instead).
MAX_FEATURES_FOR_BOXES = 20

# ----------------------------------------------------------------- adaptive resonance theory
@_shared_doc
def plot_fuzzy_art_boxes(model, X=None, labels=None, ax=None, title=None):
    """The categories of a Fuzzy ART on 2-D data: one box per category, over the samples.

    A complement-coded template :math:`w = (u, 1 - v)` is the box with lower corner :math:`u`
    and upper corner :math:`v` (eq. (3) of :class:`neuroclust.FuzzyART`); a category that has
    learned one sample is a point, drawn as a cross. Each box has the colour of its category,
    and by default each sample the colour of the category it chooses (``model.predict(X)``).

    Parameters
    ----------
    model : fitted neuroclust.FuzzyART
        Fit on 2-D data with complement coding.
    X : array-like of shape (n_samples, 2), default=None
        The samples, drawn under the boxes; None draws the boxes alone.
    labels : array-like of shape (n_samples,), default=None
        The cluster (or class) of each sample, which sets its colour; None colours each sample
        by its category.
    {ax}
    title : str, default=None
        The title; None writes the vigilance and the number of categories, "" writes none.

    {returns_figure_or_ax}

    Examples
    --------
    >>> from neuroclust import FuzzyART, datasets
    >>> X, _ = datasets.make_blobs(n_samples=300, random_state=0)
    >>> fig = plot_fuzzy_art_boxes(FuzzyART(rho=0.8, scale=True).fit(X), X)
    """
    lower, upper = _art_boxes(model)
    X = None if X is None else _points(X, "X", 2)
    labels = _sample_labels(X, labels)
    ax, created = _input_axes(ax, 2)
    handles = _scatter_samples(ax, X, labels, model, _scatter_categories)
    _draw_boxes(ax, lower, upper)
    _input_limits(ax, [lower, upper] + ([X] if X is not None else []))
    handles.append(Patch(facecolor="none", edgecolor="black", linewidth=2,
                         label="category boxes"))
    if title is None:
        title = f"Fuzzy ART categories (rho = {model.rho:g}): {len(lower)} boxes"
    _finish(ax, handles, title or None, loc="best")
    return ax.figure if created else ax


def _art_boxes(model):
    """The boxes' corners, each (n_categories, 2), of a fitted 2-D complement-coded FuzzyART."""
    if getattr(model, "weights_", None) is None:
        raise NotFittedError(f"This {type(model).__name__} is not fitted yet (it has no "
                             "weights_); call fit(X) before plotting it.")
    if not callable(getattr(model, "category_boxes", None)):
        raise ValueError(f"model must be a fitted neuroclust.FuzzyART, got "
                         f"{type(model).__name__}.")
    if model.n_features_in_ != 2:
        raise ValueError(f"plot_fuzzy_art_boxes draws boxes on 2-D data, but the model was fit "
                         f"on {model.n_features_in_} features.")
    lower, upper = model.category_boxes()
    return (np.asarray(to_host(lower), dtype=np.float64),
            np.asarray(to_host(upper), dtype=np.float64))


def _scatter_categories(ax, X, categories):
    """Samples in the colour of their category (the colour of its box); legend up to 10."""
    values = np.unique(categories)
    handles = []
    for value in values:
        color, marker = (_NOISE_COLOR, "o") if value < 0 else _style(int(value))
        members = categories == value
        ax.scatter(*X[members].T, s=16, color=color, marker=marker, alpha=0.65, linewidths=0)
        if len(values) <= _MAX_LEGEND_CLUSTERS:
            handles.append(_proxy(marker, color, "no category" if value < 0
                                  else f"category {value}"))
    return handles


def _draw_boxes(ax, lower, upper):
    """One unfilled rectangle per category, a cross for a category that is still a point."""
    for index, (low, high) in enumerate(zip(lower, upper)):
        color = _style(index)[0]
        width, height = high - low
        if width <= 0 and height <= 0:
            ax.plot(*low, marker="x", markersize=9, markeredgewidth=2.5, color=color, zorder=6)
            continue
        ax.add_patch(Rectangle(tuple(low), width, height, facecolor=color, alpha=0.12,
                               zorder=4))
        ax.add_patch(Rectangle(tuple(low), width, height, facecolor="none", edgecolor=color,
                               linewidth=2.2, zorder=5))


def plot_fuzzy_art_categories(model, X=None, feature_names=None, max_categories=8,
                              title=None):
    """The categories of a Fuzzy ART on data of any dimension: how many samples each holds,
    and each one's box, one interval per feature.

    A complement-coded template :math:`w = (u, 1 - v)` is a box: on feature :math:`f` it
    holds the values from :math:`u_f` to :math:`v_f` (eq. (3) of
    :class:`neuroclust.FuzzyART`). Left, the number of samples of each category, largest
    first; right, the boxes of the largest ``max_categories`` categories as vertical bars,
    feature by feature, on the [0, 1] scale Fuzzy ART works in (after ``scale``). A short bar
    is a feature on which the category is tight; a bar from 0 to 1 a feature it ignores.

    Parameters
    ----------
    model : fitted neuroclust.FuzzyART
        Fit with complement coding.
    X : array-like of shape (n_samples, n_features), default=None
        The samples whose categories are counted (``model.predict(X)``); None counts the
        training samples (``model.labels_``).
    feature_names : list of str, default=None
        The names of the features, for the horizontal axis; None numbers them.
    max_categories : int, default=8
        How many of the largest categories to draw.
    title : str, default=None
        The figure's title; None writes the vigilance and the number of categories.

    Returns
    -------
    matplotlib.figure.Figure
    """
    lower, upper = _unit_boxes(model)
    d = lower.shape[1]
    names = _feature_names(feature_names, d)
    check_scalar(max_categories, "max_categories", numbers.Integral, low=1)
    categories = np.asarray(to_host(model.labels_ if X is None else model.predict(X)))
    sizes = np.bincount(categories[categories >= 0], minlength=len(lower))
    largest = np.argsort(-sizes, kind="stable")[:int(max_categories)]
    fig, (count_ax, box_ax) = plt.subplots(
        1, 2, figsize=(15, 5.5), gridspec_kw={"width_ratios": [1, max(1.5, d / 4)]})
    _draw_category_sizes(count_ax, sizes, largest)
    width = 0.8 / len(largest)
    for k, j in enumerate(largest):
        x = np.arange(d) + (k - (len(largest) - 1) / 2) * width
        color = _style(int(j))[0]
        box_ax.bar(x, np.maximum(upper[j] - lower[j], 0.01), bottom=lower[j], width=width * 0.9,
                   color=color, alpha=0.75, label=f"category {j} ({sizes[j]})")
    box_ax.set_xticks(np.arange(d), names, rotation=30 if d > 6 else 0, ha="right" if d > 6
                      else "center", fontsize=_FONT["tick"])
    box_ax.set(ylim=(-0.02, 1.02), xlim=(-0.6, d - 0.4))
    box_ax.set_ylabel("feature value, scaled to [0, 1]", fontsize=_FONT["label"])
    box_ax.set_title("Each category's box: its interval on every feature",
                     fontsize=_FONT["label"])
    box_ax.legend(fontsize=_FONT["small"], loc="upper left", bbox_to_anchor=(1.0, 1.0))
    box_ax.grid(True, axis="y", alpha=0.3)
    fig.suptitle(title or f"Fuzzy ART categories (rho = {model.rho:g}): {len(lower)} in all",
                 fontsize=_FONT["title"])
    fig.tight_layout()
    return fig


def _unit_boxes(model):
    """The boxes' corners on Fuzzy ART's own [0, 1] scale, each (n_categories, n_features)."""
    if not isinstance(model, FuzzyART):
        raise TypeError(f"this figure draws a FuzzyART, got {type(model).__name__}.")
    check_is_fitted(model, "weights_")
    if not model.complement_coding:
        raise ValueError("the boxes need complement_coding=True: without it a template holds "
                         "only the lower corner of a box.")
    W = np.asarray(to_host(model.weights_), dtype=np.float64)
    d = W.shape[1] // 2
    return W[:, :d], 1 - W[:, d:]


def _feature_names(feature_names, d):
    if feature_names is None:
        return [f"feature {f}" for f in range(d)]
    names = [str(name) for name in feature_names]
    if len(names) != d:
        raise ValueError(f"feature_names has {len(names)} names, but the data have {d} "
                         "features.")
    return names


def _draw_category_sizes(ax, sizes, largest):
    ax.bar(np.arange(len(largest)), sizes[largest],
           color=[_style(int(j))[0] for j in largest])
    ax.set_xticks(np.arange(len(largest)), [str(j) for j in largest], fontsize=_FONT["tick"])
    ax.set_xlabel("category (largest first)", fontsize=_FONT["label"])
    ax.set_ylabel("samples", fontsize=_FONT["label"])
    others = int(sizes.sum() - sizes[largest].sum())
    ax.set_title("Samples per category" + (f" ({others} more in the others)" if others else ""),
                 fontsize=_FONT["label"])
    ax.grid(True, axis="y", alpha=0.3)


# -------------------------------------------------------------------- standard figures
@_shared_doc
def standard_figures(model, X, y=None, labels=None):
    """The standard figures of a fitted Fuzzy ART or ART1, by file stem.

    * ``"categories"``: Fuzzy ART's category boxes, over 2-D data, or on data of 3 to
      ``MAX_FEATURES_FOR_BOXES`` (20) features the samples per category and each box's
      interval on every feature (:func:`plot_fuzzy_art_categories`);
    * ``"templates"``: the first 64 categories as images, when each sample is a square image
      of 4 x 4 pixels or more (ART1's templates, the centres of Fuzzy ART's boxes);
    * ``"history"``: the number of categories after each epoch.

    Parameters
    ----------
    model : fitted neuroclust.FuzzyART or neuroclust.ART1
    {standard_X}
    {standard_y_unused}
    labels : array-like of shape (n_samples,), default=None
        The category of each sample; None computes ``model.predict(X)``. The boxes colour
        each sample by its category themselves.

    {standard_returns}
    """
    X, _y, labels = _standard_data(model, (FuzzyART, ART1), "weights_", X, y, labels)
    figures = {}
    if isinstance(model, FuzzyART) and model.complement_coding:
        if X.shape[1] == 2:
            figures["categories"] = plot_fuzzy_art_boxes(model, X)
        elif X.shape[1] <= MAX_FEATURES_FOR_BOXES:
            figures["categories"] = plot_fuzzy_art_categories(model, X)
    side = _image_side(X.shape[1])
    if side is not None:
        templates = np.asarray(to_host(model.weights_))
        if isinstance(model, FuzzyART):
            lower, upper = model.category_boxes()
            templates = (np.asarray(to_host(lower)) + np.asarray(to_host(upper))) / 2
        figures["templates"] = plot_prototype_images(templates[:64], image_shape=(side, side))
        shown = f"the first 64 of {len(templates)}" if len(templates) > 64 else "all"
        what = "box centres" if isinstance(model, FuzzyART) else "templates"
        figures["templates"].suptitle(f"{type(model).__name__}: the categories' {what} as "
                                      f"images ({shown})", fontsize=_FONT["title"])
    counts = _history_series(model).get("n_categories")
    if counts is not None:
        figures["history"] = plot_history(counts, ylabel="categories")
    return figures
