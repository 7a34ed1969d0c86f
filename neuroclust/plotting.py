"""Figures for the tutorials, the demo and lectures: one function per picture.

* :func:`plot_centroids_3d` and :func:`plot_centroids_2d`: the samples coloured by cluster,
  with the true centres (black crosses) and the learned ones (circles with a vermillion rim).
* :func:`plot_prototype_images`: each prototype drawn as a small image (digit prototypes).
* :func:`plot_history`: the training error per epoch.
* :func:`save_figure`: write a figure to a file, creating its folder.

Self-organizing maps (:class:`neuroclust.SOM`) have figures of their own. The map figures draw
one cell per unit (squares on a rectangular grid, hexagons on a hexagonal one) with row 0 at
the top and column 0 at the left, like the rows and columns of ``som.weights_``:

* :func:`plot_umatrix`: the U-matrix, each unit's mean distance to its grid neighbours (dark
  ridges are the borders between clusters).
* :func:`plot_component_planes`: one small map per feature, each unit's weight for it.
* :func:`plot_hit_map`: how many samples each unit wins.
* :func:`plot_labels_map`: the most common true label among the samples each unit wins.
* :func:`plot_som_prototypes`: every prototype as a small image, laid out like the grid.
* :func:`plot_som_grid`: the map in input space, prototypes joined to their grid neighbours.
* :func:`animate_som` and :func:`som_snapshot_callback`: the map unfolding during training.

The figures are made to be read on a projector: fonts of 11 points and more, large centre
markers, and the Okabe-Ito colours, which stay distinct under the common forms of colour
blindness (beyond seven clusters the marker shape changes too). A function that draws one
panel takes ``ax=``: without it, it makes a new figure and returns the ``Figure``; with it,
it draws into that Axes and returns the Axes. Nothing here calls ``plt.show()``; in a script
call it yourself or save the figure with :func:`save_figure`.
"""
import numbers
import os

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ._validation import array_module, check_array, check_scalar

__all__ = [
    "plot_centroids_3d",
    "plot_centroids_2d",
    "plot_prototype_images",
    "plot_history",
    "save_figure",
    "plot_umatrix",
    "plot_component_planes",
    "plot_hit_map",
    "plot_labels_map",
    "plot_som_prototypes",
    "plot_som_grid",
    "animate_som",
    "som_snapshot_callback",
]

#: Okabe & Ito's colour-blind-safe palette, without black (kept for the true centres) and
#: reordered so that vermillion, the colour of the learned centres' rim, comes late.
COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
_MARKERS = ("o", "s", "^", "D", "v", "P", "*")
_NOISE_COLOR = "#999999"
_LEARNED_EDGE = "#D55E00"
_FONT = {"title": 15, "label": 13, "tick": 12, "legend": 12, "small": 11}
_MAX_LEGEND_CLUSTERS = 10


# ------------------------------------------------------------------ clusters and centres
def plot_centroids_3d(X, labels, centers_true=None, centers_learned=None, ax=None, title=None):
    """Samples in 3-D coloured by cluster, with true and learned centres.

    Parameters
    ----------
    X : array-like of shape (n_samples, 3)
        The samples.
    labels : array-like of shape (n_samples,) or None
        The cluster (or class) of each sample, which sets its colour; None draws every sample
        in one colour. Negative labels (noise) are drawn in grey.
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

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.

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
    created = ax is None
    if created:
        fig = plt.figure(figsize=(8.5, 7))
        ax = fig.add_subplot(projection="3d")
        fig.subplots_adjust(left=0.0, right=0.98, bottom=0.02, top=0.95)
    elif getattr(ax, "name", None) != "3d":
        raise ValueError("ax must be a 3-D Axes, made with projection='3d'.")
    ax.computed_zorder = False  # keep each true centre's cross above its learned circle
    handles = _scatter_clusters(ax, X, labels, size=24)
    handles += _draw_centres(ax, centers_true, centers_learned, size=320)
    ax.set_xlabel("$x_1$", fontsize=_FONT["label"], labelpad=10)
    ax.set_ylabel("$x_2$", fontsize=_FONT["label"], labelpad=10)
    ax.set_zlabel("$x_3$", fontsize=_FONT["label"], labelpad=8)
    ax.tick_params(labelsize=_FONT["small"])
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_major_locator(MaxNLocator(nbins=5))
    ax.view_init(elev=22, azim=-55)
    _finish(ax, handles, title, loc="upper left")
    return ax.figure if created else ax


def plot_centroids_2d(X, labels, centers=None, ax=None, title=None, centers_true=None):
    """Samples in 2-D coloured by cluster, with the centres.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
        The samples.
    labels : array-like of shape (n_samples,) or None
        The cluster (or class) of each sample, which sets its colour; None draws every sample
        in one colour. Negative labels (noise) are drawn in grey.
    centers : array-like of shape (n_centers, 2), default=None
        The learned centres (e.g. ``model.cluster_centers_``), drawn as large white circles
        with a vermillion rim.
    ax : matplotlib Axes, default=None
        Draw into this Axes; None makes a new figure.
    title : str, default=None
        The title of the panel.
    centers_true : array-like of shape (n_true, 2), default=None
        The true centres, drawn as large black crosses.

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.

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
    created = ax is None
    if created:
        _fig, ax = plt.subplots(figsize=(8, 6.5), layout="constrained")
    handles = _scatter_clusters(ax, X, labels, size=26)
    handles += _draw_centres(ax, centers_true, centers, size=280)
    ax.set_xlabel("$x_1$", fontsize=_FONT["label"])
    ax.set_ylabel("$x_2$", fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["tick"])
    ax.set_aspect("equal", adjustable="datalim")
    ax.grid(True, alpha=0.3)
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
    prototypes = _to_numpy(check_array(prototypes, "prototypes", allow_nan=True))
    n_prototypes, n_pixels = prototypes.shape
    height, width = _image_shape(image_shape)
    if height * width != n_pixels:
        raise ValueError(f"image_shape {(height, width)} holds {height * width} pixels, but the "
                         f"prototypes have {n_pixels} features.")
    if n_cols is None:
        n_cols = _default_columns(n_prototypes)
    else:
        check_scalar(n_cols, "n_cols", numbers.Integral, low=1)
        n_cols = min(n_cols, n_prototypes)
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


# ----------------------------------------------------------------------------- history
def plot_history(history, ylabel="quantization error", ax=None, label=None):
    """The training curve: one value per epoch (e.g. ``model.history_``).

    Call it again with the same ``ax`` and another ``label`` to compare runs; each curve gets
    the next colour.

    Parameters
    ----------
    history : array-like of shape (n_epochs,)
        The value after each epoch. NaN (a diverged run) leaves a gap.
    ylabel : str, default="quantization error"
        The label of the vertical axis.
    ax : matplotlib Axes, default=None
        Draw into this Axes; None makes a new figure.
    label : str, default=None
        The curve's name in the legend; None draws no legend entry.

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.
    """
    values = _to_numpy(check_array(history, "history", ndim=1, allow_nan=True))
    created = ax is None
    if created:
        _fig, ax = plt.subplots(figsize=(7.5, 4.8), layout="constrained")
    epochs = np.arange(1, values.shape[0] + 1)
    color = COLORS[len(ax.lines) % len(COLORS)]
    ax.plot(epochs, values, color=color, linewidth=2.4, label=label,
            marker="o" if values.shape[0] <= 40 else None, markersize=6)
    ax.set_xlabel("epoch", fontsize=_FONT["label"])
    ax.set_ylabel(ylabel, fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["tick"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    if any(line.get_label() and not line.get_label().startswith("_") for line in ax.lines):
        ax.legend(fontsize=_FONT["legend"])
    return ax.figure if created else ax


# -------------------------------------------------------------------------------- save
def save_figure(fig, path):
    """Save a figure (PNG, SVG, PDF, ... by the extension) at 120 dpi, creating its folder.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or Axes
        The figure, or an Axes of it.
    path : str or os.PathLike
        Where to write it; missing folders are created.

    Returns
    -------
    str or os.PathLike
        ``path``, unchanged.
    """
    if isinstance(fig, Axes):
        fig = fig.figure
    if not hasattr(fig, "savefig"):
        raise ValueError(f"fig must be a matplotlib Figure or Axes, got {type(fig).__name__}.")
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path must be a file name (a str or pathlib.Path), got {path!r}.")
    folder = os.path.dirname(os.fspath(path))
    if folder:
        os.makedirs(folder, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight", facecolor="white")
    return path


# ----------------------------------------------------------------------------- helpers
def _to_numpy(array):
    """A NumPy copy of a CuPy array (matplotlib draws NumPy only); other arrays unchanged."""
    if array_module(array) is not np:
        return array.get()
    return array


def _points(X, name, n_dims):
    """``X`` as a float NumPy array of shape (n, n_dims), or None when ``X`` is None."""
    if X is None:
        return None
    X = _to_numpy(check_array(X, name))
    if X.shape[1] != n_dims:
        other = {2: "plot_centroids_3d needs 3", 3: "plot_centroids_2d needs 2"}[n_dims]
        raise ValueError(f"{name} must have {n_dims} columns (features) for a {n_dims}-D plot, "
                         f"but it has {X.shape[1]} ({other}; project other data first, "
                         "e.g. with PCA).")
    return X


def _labels(labels, n_samples):
    if labels is None:
        return None
    labels = _to_numpy(labels) if array_module(labels) is not np else np.asarray(labels)
    if labels.ndim != 1 or labels.shape[0] != n_samples:
        raise ValueError(f"labels must hold one label per sample ({n_samples}), but its shape "
                         f"is {labels.shape}.")
    return labels


def _image_shape(image_shape):
    try:
        height, width = image_shape
        valid = all(isinstance(side, numbers.Integral) and not isinstance(side, bool)
                    and side >= 1 for side in (height, width))
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise ValueError(f"image_shape must be a pair (height, width) of positive integers, "
                         f"got {image_shape!r}.")
    return int(height), int(width)


def _default_columns(n_prototypes):
    """Images per row: all in one row up to 6, two rows up to 12, then a near-square grid."""
    if n_prototypes <= 6:
        return n_prototypes
    if n_prototypes <= 12:
        return -(-n_prototypes // 2)
    return int(np.ceil(np.sqrt(n_prototypes)))


def _style(index):
    """Colour and marker of the ``index``-th cluster: 7 colours, then the next marker shape."""
    return COLORS[index % len(COLORS)], _MARKERS[(index // len(COLORS)) % len(_MARKERS)]


def _scatter_clusters(ax, X, labels, size):
    """Scatter the samples, one colour per label; return the legend handles."""
    columns = X.T  # (n_dims, n): x, y (and z)
    if labels is None:
        ax.scatter(*columns, s=size, color=COLORS[0], alpha=0.6, linewidths=0)
        return [_proxy("o", COLORS[0], "samples")]
    values = np.unique(labels)
    show = len(values) <= _MAX_LEGEND_CLUSTERS
    handles, index = [], 0
    for value in values:
        members = labels == value
        if labels.dtype.kind in "iuf" and value < 0:
            color, marker, name = _NOISE_COLOR, "o", "noise"
        else:
            (color, marker), name = _style(index), f"cluster {value}"
            index += 1
        ax.scatter(*columns[:, members], s=size, color=color, marker=marker, alpha=0.65,
                   linewidths=0)
        if show:
            handles.append(_proxy(marker, color, name))
    return handles


def _draw_centres(ax, centers_true, centers_learned, size):
    """Learned centres (circles) under true ones (crosses); return the legend handles."""
    handles = []
    extra = {"depthshade": False} if ax.name == "3d" else {}
    if centers_learned is not None:
        ax.scatter(*centers_learned.T, s=size, marker="o", facecolor="white",
                   edgecolor=_LEARNED_EDGE, linewidths=3, zorder=10, **extra)
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=13,
                              markerfacecolor="white", markeredgecolor=_LEARNED_EDGE,
                              markeredgewidth=3, label="learned centres"))
    if centers_true is not None:
        ax.scatter(*centers_true.T, s=size, marker="X", facecolor="black",
                   edgecolor="white", linewidths=1.5, zorder=11, **extra)
        handles.append(Line2D([], [], linestyle="none", marker="X", markersize=13,
                              markerfacecolor="black", markeredgecolor="white",
                              label="true centres"))
    return handles


def _proxy(marker, color, name):
    return Line2D([], [], linestyle="none", marker=marker, markersize=9, color=color,
                  label=name)


def _finish(ax, handles, title, loc):
    if title is not None:
        ax.set_title(title, fontsize=_FONT["title"])
    if handles:
        ax.legend(handles=handles, fontsize=_FONT["legend"], loc=loc, framealpha=0.9)

