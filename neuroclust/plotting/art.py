"""Figures of adaptive resonance theory (:class:`neuroclust.FuzzyART`, :class:`neuroclust.ART1`).

* :func:`plot_fuzzy_art_boxes`: each Fuzzy ART category's box over the 2-D samples.
* :func:`standard_figures`: the figures of a fitted ART model, as ``neuroclust fit --plot``
  saves them.

The chain of ART: ``models/art.py`` -> ``backend/reference/art.py`` -> ``csrc/art.pyx`` ->
``plotting/art.py`` (this module) -> ``docs/algorithms/art.md`` ->
``tutorials/plot_04_adaptive_resonance_theory.py``. The shared style is in
``plotting/_style.py``.
"""
import numpy as np
from matplotlib.patches import Patch, Rectangle

from .._validation import NotFittedError, to_host
from ..models import ART1, FuzzyART
from ._style import (_MAX_LEGEND_CLUSTERS, _NOISE_COLOR, _finish, _image_side, _input_axes,
                     _input_limits, _points, _proxy, _sample_labels, _scatter_samples, _shared_doc,
                     _standard_data, _style)
from .competitive import plot_prototype_images
from .history import _history_series, plot_history

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


# -------------------------------------------------------------------- standard figures
@_shared_doc
def standard_figures(model, X, y=None, labels=None):
    """The standard figures of a fitted Fuzzy ART or ART1, by file stem.

    * ``"categories"``: Fuzzy ART's category boxes over 2-D data;
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
    if X.shape[1] == 2 and isinstance(model, FuzzyART):
        figures["categories"] = plot_fuzzy_art_boxes(model, X)
    side = _image_side(X.shape[1])
    if side is not None:
        templates = np.asarray(to_host(model.weights_))
        if isinstance(model, FuzzyART):
            lower, upper = model.category_boxes()
            templates = (np.asarray(to_host(lower)) + np.asarray(to_host(upper))) / 2
        figures["templates"] = plot_prototype_images(templates[:64], image_shape=(side, side))
    counts = _history_series(model).get("n_categories")
    if counts is not None:
        figures["history"] = plot_history(counts, ylabel="categories")
    return figures
