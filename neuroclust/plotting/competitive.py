"""Figures of k-means and competitive learning: clusters and centres, prototypes, the elbow.

* :func:`plot_centroids_3d` and :func:`plot_centroids_2d`: the samples coloured by cluster,
  with the true centres (black crosses) and the learned ones (circles with a vermillion rim).
* :func:`plot_prototype_images`: each prototype drawn as a small image (digit prototypes).
* :func:`plot_elbow`: a score (inertia, a reconstruction error) against the number of clusters.
* :func:`standard_figures`: the figures of a fitted :class:`neuroclust.KMeans` or
  :class:`neuroclust.CompetitiveLearning`, as ``neuroclust fit --plot`` saves them.

The chain of competitive learning and k-means: ``models/competitive.py`` and
``models/kmeans.py`` -> ``backend/reference/competitive.py`` (and
``backend/reference/distances.py`` for the winners) -> ``csrc/competitive.pyx`` ->
``plotting/competitive.py`` (this module) -> ``docs/algorithms/competitive.md`` ->
``tutorials/plot_01_competitive_learning.py``. The shared style is in ``plotting/_style.py``,
the training curve in ``plotting/history.py``.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .._validation import check_array, to_host
from ..models import CompetitiveLearning, KMeans
from ._style import (_FONT, COLORS, _axes_or_new, _columns, _draw_centres, _finish, _image_shape,
                     _image_side, _input_axes, _input_labels, _labels, _points, _scatter_clusters,
                     _shared_doc, _standard_data)
from .history import _history_series, _start_at_zero, plot_history

# ------------------------------------------------------------------ clusters and centres
@_shared_doc
def plot_centroids_3d(X, labels, centers_true=None, centers_learned=None, ax=None, title=None):
    """Samples in 3-D coloured by cluster, with true and learned centres.

    Parameters
    ----------
    X : array-like of shape (n_samples, 3)
        The samples.
    {labels_or_none}
    centers_true : array-like of shape (n_true, 3), default=None
        The true centres, drawn as large black crosses.
    centers_learned : array-like of shape (n_learned, 3), default=None
        The learned centres (e.g. ``model.cluster_centers_``), drawn as large white circles
        with a vermillion rim. A learned centre on top of a true one shows as a cross in a
        circle.
    ax : matplotlib 3-D Axes, default=None
        Draw into this Axes (made with ``projection="3d"``); None makes a new figure.
    title : str, default=None
        The title of the panel.

    {returns_figure_or_ax}

    Examples
    --------
    >>> from neuroclust import datasets
    >>> X, y, centres = datasets.make_five_centroids(random_state=0, return_centers=True)
    >>> fig = plot_centroids_3d(X, y, centers_true=centres)
    """
    X = _points(X, "X", 3)
    labels = _labels(labels, X.shape[0])
    centers_true = _points(centers_true, "centers_true", 3)
    centers_learned = _points(centers_learned, "centers_learned", 3)
    ax, created = _input_axes(ax, 3, data=None)
    handles = _scatter_clusters(ax, X, labels, size=24)
    handles += _draw_centres(ax, centers_true, centers_learned, size=320)
    _finish(ax, handles, title, loc="upper left")
    return ax.figure if created else ax


@_shared_doc
def plot_centroids_2d(X, labels, centers=None, ax=None, title=None, centers_true=None):
    """Samples in 2-D coloured by cluster, with the centres.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
        The samples.
    {labels_or_none}
    centers : array-like of shape (n_centers, 2), default=None
        The learned centres (e.g. ``model.cluster_centers_``), drawn as large white circles
        with a vermillion rim.
    {ax}
    title : str, default=None
        The title of the panel.
    centers_true : array-like of shape (n_true, 2), default=None
        The true centres, drawn as large black crosses.

    {returns_figure_or_ax}

    Examples
    --------
    >>> from neuroclust import datasets
    >>> X, y = datasets.make_moons(n_samples=300, random_state=0)
    >>> fig = plot_centroids_2d(X, y)
    """
    X = _points(X, "X", 2)
    labels = _labels(labels, X.shape[0])
    centers = _points(centers, "centers", 2)
    centers_true = _points(centers_true, "centers_true", 2)
    ax, created = _axes_or_new(ax, (8, 6.5))
    _input_labels(ax, 2)
    handles = _scatter_clusters(ax, X, labels, size=26)
    handles += _draw_centres(ax, centers_true, centers, size=280)
    ax.set_aspect("equal", adjustable="datalim")
    _finish(ax, handles, title, loc="best")
    return ax.figure if created else ax


# -------------------------------------------------------------------------- prototypes
def plot_prototype_images(prototypes, image_shape=(8, 8), n_cols=None, titles=None,
                          cmap="gray_r"):
    """Draw each prototype as a small image, in a grid.

    For prototypes learned on images (e.g. :func:`neuroclust.datasets.load_digits`) this shows
    what each unit has become: a blurred average of the images it wins.

    Parameters
    ----------
    prototypes : array-like of shape (n_prototypes, height * width)
        One prototype per row, the pixels row by row (e.g. ``model.cluster_centers_``).
    image_shape : (int, int), default=(8, 8)
        The (height, width) of one image.
    n_cols : int, default=None
        The number of images per row of the grid; None picks one (5 for 10 prototypes,
        10 for 100).
    titles : sequence of str, default=None
        A title per image; None titles them "unit 0", "unit 1", ... when there are at most
        40 (the unit's index, which need not be the digit it has learned).
    cmap : str or matplotlib Colormap, default="gray_r"
        The colour map; "gray_r" draws high values dark, like ink on paper. All images share
        one colour scale, so their intensities can be compared.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, one Axes per grid cell (cells past the last prototype are blank).

    Examples
    --------
    >>> from neuroclust import datasets
    >>> X, y = datasets.load_digits()
    >>> means = np.array([X[y == digit].mean(axis=0) for digit in range(10)])
    >>> fig = plot_prototype_images(means, titles=[str(digit) for digit in range(10)])
    """
    prototypes = to_host(check_array(prototypes, "prototypes", allow_nan=True))
    n_prototypes, n_pixels = prototypes.shape
    height, width = _image_shape(image_shape)
    if height * width != n_pixels:
        raise ValueError(f"image_shape {(height, width)} holds {height * width} pixels, but the "
                         f"prototypes have {n_pixels} features.")
    n_cols = _columns(n_cols, n_prototypes)
    if titles is None:
        titles = [f"unit {j}" for j in range(n_prototypes)] if n_prototypes <= 40 else None
    elif isinstance(titles, str) or len(titles) != n_prototypes:
        raise ValueError(f"titles must be a list of {n_prototypes} strings (one per "
                         f"prototype), got {titles!r}.")
    n_rows = -(-n_prototypes // n_cols)
    cell = min(1.6, 13.0 / n_cols)  # inches per image
    title_room = 0.3 if titles is not None else 0.0
    figsize = (n_cols * cell * max(width / height, 0.5), n_rows * (cell + title_room))
    fig, axes = plt.subplots(n_rows, n_cols, squeeze=False, figsize=figsize,
                             layout="constrained")
    low, high = np.nanmin(prototypes), np.nanmax(prototypes)
    if not high > low:
        low, high = low - 0.5, high + 0.5
    for j, ax in enumerate(axes.ravel()):
        if j >= n_prototypes:
            ax.set_axis_off()
            continue
        image = prototypes[j].reshape(height, width)  # (height, width), row by row
        ax.imshow(image, cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor("#AAAAAA")
        if titles is not None:
            ax.set_title(str(titles[j]), fontsize=_FONT["legend"], pad=3)
    return fig


# ------------------------------------------------------------------------------- elbow
@_shared_doc
def plot_elbow(ks, values, ax=None, ylabel="inertia", xlabel="number of clusters k", title=None):
    """The elbow plot: a score (k-means inertia, or a reconstruction error) against k.

    The vertical axis starts at zero when no value is negative: a bend is judged by how much
    of the whole each step removes, which an axis cut just below the smallest value hides.

    Parameters
    ----------
    ks : array-like of shape (n,)
        The numbers of clusters, e.g. from :func:`neuroclust.models.elbow`.
    values : array-like of shape (n,)
        The score for each k.
    {ax}
    ylabel : str, default="inertia"
    xlabel : str, default="number of clusters k"
        E.g. "code size k" for ``elbow(X, autoencoder=...)``.
    title : str, default=None
        None: "The elbow: <ylabel>".

    {returns_figure_or_ax}
    """
    ks = to_host(check_array(ks, "ks", ndim=1))
    values = to_host(check_array(values, "values", ndim=1))
    if ks.shape != values.shape:
        raise ValueError(f"ks has {ks.shape[0]} entries but values has {values.shape[0]}; "
                         "they must match.")
    ax, created = _axes_or_new(ax, (7.5, 4.8))
    ax.plot(ks, values, color=COLORS[0], linewidth=2.4, marker="o", markersize=6)
    ax.set_xlabel(xlabel, fontsize=_FONT["label"])
    ax.set_ylabel(ylabel, fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["tick"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"The elbow: {ylabel}" if title is None else title,
                 fontsize=_FONT["title"])
    _start_at_zero(ax, values)
    ax.grid(True, alpha=0.3)
    return ax.figure if created else ax


# -------------------------------------------------------------------- standard figures
@_shared_doc
def standard_figures(model, X, y=None, labels=None, centers_true=None):
    """The standard figures of a fitted k-means or competitive-learning model, by file stem.

    * ``"clusters"``: the samples by cluster with the learned centres (2-D or 3-D data only);
    * ``"prototypes"``: the centres as images, when each sample is a square image of 4 x 4
      pixels or more;
    * ``"history"``: the training curve, when ``history_`` recorded one.

    Parameters
    ----------
    model : fitted neuroclust.KMeans or neuroclust.CompetitiveLearning
    {standard_X}
    {standard_y_unused}
    labels : array-like of shape (n_samples,), default=None
        The cluster of each sample; None computes ``model.predict(X)``.
    centers_true : array-like of shape (n_true, n_features), default=None
        The true centres, drawn as black crosses on the clusters figure.

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        ``{file stem: figure}``, e.g. ``{"clusters": ..., "history": ...}``.
    """
    X, _y, labels = _standard_data(model, (KMeans, CompetitiveLearning), "cluster_centers_", X,
                                   y, labels)
    centres = to_host(model.cluster_centers_)
    name = "k-means" if isinstance(model, KMeans) else "Competitive learning"
    found = len(np.unique(labels))
    title = (f"{name}: {found} cluster{'' if found == 1 else 's'}, centres as circles"
             + (", true centres as crosses" if centers_true is not None else ""))
    figures = {}
    if X.shape[1] == 2:
        figures["clusters"] = plot_centroids_2d(X, labels, centers=centres,
                                                centers_true=centers_true, title=title)
    elif X.shape[1] == 3:
        figures["clusters"] = plot_centroids_3d(X, labels, centers_true=centers_true,
                                                centers_learned=centres, title=title)
    side = _image_side(X.shape[1])
    if side is not None:
        figures["prototypes"] = plot_prototype_images(
            centres, image_shape=(side, side),
            titles=[f"unit {j}" for j in range(len(centres))])
        figures["prototypes"].suptitle(f"{name}: the {len(centres)} centres as images (a "
                                       "unit's number is not a class)", fontsize=_FONT["title"])
    series = _history_series(model)
    if series:  # k-means: the inertia per iteration; competitive learning: the error per epoch
        name, values = next(iter(series.items()))
        figures["history"] = plot_history(values, ylabel=None if name is None
                                          else name.replace("_", " "))
    return figures
