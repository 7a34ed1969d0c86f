"""The shared style of neuroclust's figures, and the helpers every family module draws with.

The figures are made to be read on a projector: fonts of 11 points and more, large centre
markers, and the Okabe-Ito colours, which stay distinct under the common forms of colour
blindness (beyond seven clusters the marker shape changes too). :func:`save_figure` writes a
figure (or an animation, as a GIF) to a file.

The family modules draw with these helpers: ``plotting/competitive.py`` (k-means and
competitive learning), ``plotting/som.py`` (with its map helpers in ``plotting/_som_map.py``),
``plotting/gng.py``, ``plotting/art.py``, ``plotting/autoencoder.py``, and
``plotting/history.py`` (the training curve of any model).
"""
import numbers
import os
import re

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import Animation, PillowWriter
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .._validation import (check_array, check_is_fitted, check_n_features, check_scalar,
                           to_host)
from ..metrics import match_clusters

#: Okabe & Ito's colour-blind-safe palette, without black (kept for the true centres) and
#: reordered so that vermillion, the colour of the learned centres' rim, comes late.
COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
#: Five more colours after those seven (dark and distinct from them and from one another), so
#: that up to twelve clusters, the ten digits among them, differ by colour alone.
_MORE_COLORS = ("#882255", "#44AA99", "#332288", "#999933", "#6B3E1F")
_CLUSTER_COLORS = COLORS + _MORE_COLORS
_MARKERS = ("o", "s", "^", "D", "v", "P", "*")
_NOISE_COLOR = "#999999"
_LEARNED_EDGE = "#D55E00"
_FONT = {"title": 15, "label": 13, "tick": 12, "legend": 12, "small": 11}
_MAX_LEGEND_CLUSTERS = 10
_GRID_LINK = "#222222"          # the links of a map or a graph drawn in input space
_SEPARATOR = "#BFE1F6"          # the thin lines between images drawn side by side
_GIF_DPI = 80
_DEFAULT_INTERVAL = 200.0       # milliseconds per frame of the animations
# -------------------------------------------------------------------------- docstrings
#: The docstring paragraphs several figures share, each kept once here. In a docstring of a
#: function decorated with :func:`_shared_doc`, a line holding only ``{name}`` stands for the
#: paragraph ``name``, indented like that line.
_DOCS = {
    "ax": """\
ax : matplotlib Axes, default=None
    Draw into this Axes; None makes a new figure.""",
    "returns_figure_or_ax": """\
Returns
-------
matplotlib.figure.Figure or Axes
    The new figure, or ``ax`` when one was given.""",
    "labels_or_none": """\
labels : array-like of shape (n_samples,) or None
    The cluster (or class) of each sample, which sets its colour; None draws every sample
    in one colour. Negative labels (noise) are drawn in grey.""",
    "standard_X": """\
X : array-like of shape (n_samples, n_features)
    The samples, with as many features as the model was fit on.""",
    "standard_y_unused": """\
y : array-like of shape (n_samples,), default=None
    The true labels; these figures do not use them (every family takes them).""",
    "standard_returns": """\
Returns
-------
dict of str to matplotlib.figure.Figure
    ``{file stem: figure}``.""",
    "standard_returns_animation": """\
Returns
-------
dict of str to matplotlib.figure.Figure or matplotlib.animation.FuncAnimation
    ``{file stem: figure}``; :func:`save_figure` writes either kind.""",
}
_PLACEHOLDER = re.compile(r"^( *)\{(\w+)\}$", re.MULTILINE)


def _shared_doc(function):
    """Put the paragraph ``_DOCS[name]`` in place of each ``{name}`` line of the docstring."""
    def paragraph(match):
        indent, name = match.groups()
        return "\n".join(indent + line if line else line for line in _DOCS[name].split("\n"))

    if function.__doc__ is not None:  # None under python -OO
        function.__doc__ = _PLACEHOLDER.sub(paragraph, function.__doc__)
    return function


# -------------------------------------------------------------------------------- save
def save_figure(fig, path):
    """Save a figure (PNG, SVG, PDF, ... by the extension) at 120 dpi, creating its folder.

    Parameters
    ----------
    fig : matplotlib.figure.Figure, Axes or matplotlib.animation.Animation
        The figure, or an Axes of it; or an animation (e.g. from :func:`animate_som`), which is
        written as a GIF with Pillow at 80 dpi, one frame per interval of the animation.
    path : str or os.PathLike
        Where to write it; missing folders are created. An animation's path must end with
        ``.gif``.

    Returns
    -------
    str or os.PathLike
        ``path``, unchanged.
    """
    if isinstance(fig, Animation):
        if not isinstance(path, (str, os.PathLike)):
            raise ValueError(f"path must be a file name (a str or pathlib.Path), got {path!r}.")
        _check_gif_path(path)
        _save_animation(fig, path, getattr(fig.event_source, "interval", _DEFAULT_INTERVAL))
        return path
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


def _check_gif_path(path):
    if path is None:
        return
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path must be a file name (a str or pathlib.Path), got {path!r}.")
    if not os.fspath(path).lower().endswith(".gif"):
        raise ValueError(f"path must end with .gif (animations are saved with Pillow), got "
                         f"{os.fspath(path)!r}; for a video call animation.save() yourself.")


def _save_animation(animation, path, interval):
    """Write ``animation`` to the GIF ``path`` (checked), creating its folder."""
    folder = os.path.dirname(os.fspath(path))
    if folder:
        os.makedirs(folder, exist_ok=True)
    animation.save(path, writer=PillowWriter(fps=1000.0 / interval), dpi=_GIF_DPI)


# ----------------------------------------------------------------------------- helpers
def _points(X, name, n_dims):
    """``X`` as a float NumPy array of shape (n, n_dims), or None when ``X`` is None."""
    if X is None:
        return None
    X = to_host(check_array(X, name))
    if X.shape[1] != n_dims:
        other = {2: "plot_centroids_3d needs 3", 3: "plot_centroids_2d needs 2"}[n_dims]
        raise ValueError(f"{name} must have {n_dims} columns (features) for a {n_dims}-D plot, "
                         f"but it has {X.shape[1]} ({other}; project other data first, "
                         "e.g. with PCA).")
    return X


def _labels(labels, n_samples):
    if labels is None:
        return None
    labels = np.asarray(to_host(labels))
    if labels.ndim != 1 or labels.shape[0] != n_samples:
        raise ValueError(f"labels must hold one label per sample ({n_samples}), but its shape "
                         f"is {labels.shape}.")
    return labels


def _sample_labels(X, labels):
    """The labels that colour the samples ``X`` in input space, checked; None without X."""
    if labels is not None and X is None:
        raise ValueError("labels colour the samples, so they need X; got labels without X.")
    return None if X is None else _labels(labels, X.shape[0])


def _named_labels(labels, n_samples, name):
    """Like :func:`_labels`, naming the argument in the message."""
    try:
        return _labels(labels, n_samples)
    except ValueError as error:
        raise ValueError(str(error).replace("labels must", f"{name} must", 1)) from None


def _columns(n_cols, n_panels):
    """Panels per row: ``n_cols`` (checked; at most ``n_panels``), or a default for None."""
    if n_cols is None:
        return _default_columns(n_panels)
    check_scalar(n_cols, "n_cols", numbers.Integral, low=1)
    return min(n_cols, n_panels)


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
    """Colour and marker of the ``index``-th cluster: 12 colours, then the next marker shape."""
    n_colors = len(_CLUSTER_COLORS)
    return _CLUSTER_COLORS[index % n_colors], _MARKERS[(index // n_colors) % len(_MARKERS)]


def matched_colour_order(labels, true_labels):
    """``{cluster: colour index}`` that gives each cluster the colour of the class it is
    matched to, so that a cluster panel and a true-label panel drawn side by side agree.

    The true labels take colour indices 0, 1, ... in sorted order (noise, a negative label,
    none). Clusters and classes are paired one to one by
    :func:`neuroclust.metrics.match_clusters` on the samples where neither is noise; a
    cluster left without a class takes the next free index.
    """
    labels, true_labels = np.asarray(labels), np.asarray(true_labels)
    classes = [value for value in np.unique(true_labels) if not _is_noise(value, true_labels)]
    clusters = [value for value in np.unique(labels) if not _is_noise(value, labels)]
    both = ~(_noise_mask(labels) | _noise_mask(true_labels))
    name = (dict(zip(labels[both].tolist(), match_clusters(true_labels[both],
                                                           labels[both]).tolist()))
            if both.any() else {})
    index = {value: k for k, value in enumerate(classes)}
    free = iter(range(len(classes), len(classes) + len(clusters)))
    return {k: index[name[k]] if name.get(k) in index else next(free) for k in clusters}


def _is_noise(value, labels):
    return labels.dtype.kind in "iuf" and value < 0


def _noise_mask(labels):
    """Which labels mark noise (negative numbers, as DBSCAN's -1)."""
    return labels < 0 if labels.dtype.kind in "iuf" else np.zeros(labels.shape, dtype=bool)


def _scatter_samples(ax, X, labels, model=None, scatter_own=None):
    """The samples under a map, graph or boxes (none when ``X`` is None), coloured by
    ``labels``; without labels, by the model's own clusters, ``scatter_own(ax, X,
    model.predict(X))``, when it is given. Return the legend handles."""
    if X is None:
        return []
    if labels is None and scatter_own is not None:
        return scatter_own(ax, X, to_host(model.predict(X)))
    return _scatter_clusters(ax, X, labels, size=16)


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


# ------------------------------------------------------------------------- input space
def _axes_or_new(ax, figsize):
    """``(ax, created)``: ``ax`` itself, or the Axes of a new figure of ``figsize`` inches."""
    created = ax is None
    if created:
        _fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax, created


def _input_axes(ax, n_dims, figsize=None, data="a map fit on"):
    """``(ax, created)``: ``ax`` (checked) or a new figure's Axes, labelled for input space.

    ``data`` names what is drawn in the message of a wrong ``ax``; None names nothing.
    """
    created = ax is None
    suffix = "." if data is None else f", for {data} {n_dims}-D data."
    if created and n_dims == 3:
        fig = plt.figure(figsize=figsize or (8.5, 7))
        ax = fig.add_subplot(projection="3d")
        fig.subplots_adjust(left=0.0, right=0.98, bottom=0.02, top=0.95)
    elif created:
        ax, _created = _axes_or_new(None, figsize or (8, 6.5))
    elif n_dims == 3 and getattr(ax, "name", None) != "3d":
        raise ValueError("ax must be a 3-D Axes, made with projection='3d'" + suffix)
    elif n_dims == 2 and getattr(ax, "name", None) == "3d":
        raise ValueError(f"ax must be a 2-D Axes for {data} 2-D data, got a 3-D Axes.")
    _input_labels(ax, n_dims)
    return ax, created


def _input_labels(ax, n_dims):
    """The axis names x_1, x_2 (and x_3), tick sizes and, in 2-D, a light grid."""
    names = ("$x_1$", "$x_2$", "$x_3$")
    if n_dims == 3:
        ax.computed_zorder = False  # in drawing order: the map over the samples, x over o
        ax.set_xlabel(names[0], fontsize=_FONT["label"], labelpad=10)
        ax.set_ylabel(names[1], fontsize=_FONT["label"], labelpad=10)
        ax.set_zlabel(names[2], fontsize=_FONT["label"], labelpad=8)
        ax.tick_params(labelsize=_FONT["small"])
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_major_locator(MaxNLocator(nbins=5))
        ax.view_init(elev=22, azim=-55)
    else:
        ax.set_xlabel(names[0], fontsize=_FONT["label"])
        ax.set_ylabel(names[1], fontsize=_FONT["label"])
        ax.tick_params(labelsize=_FONT["tick"])
        ax.grid(True, alpha=0.3)


def _input_limits(ax, arrays):
    """Limits that hold every point of ``arrays`` (the samples and the map), with a margin."""
    points = np.vstack(arrays)
    low, high = points.min(axis=0), points.max(axis=0)
    margin = 0.05 * np.where(high > low, high - low, 1.0)
    low, high = low - margin, high + margin
    if points.shape[1] == 3:
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        ax.set_zlim(low[2], high[2])
    else:  # the data limits, not fixed ones, so that equal aspect may widen one axis
        ax.update_datalim(np.array([low, high]))
        ax.set_aspect("equal", adjustable="datalim")
        ax.autoscale_view()


# ----------------------------------------------------------------------- standard figures
def _check_model(model, classes, attribute):
    """ValueError unless ``model`` is one of ``classes``; NotFittedError unless it is fitted."""
    if not isinstance(model, classes):
        names = " or ".join(f"neuroclust.{cls.__name__}" for cls in classes)
        raise ValueError(f"model must be a fitted {names}, got {type(model).__name__}.")
    check_is_fitted(model, attribute)


def _standard_data(model, classes, attribute, X, y, labels, clusters=True):
    """The preamble of every ``standard_figures``: check that ``model`` is a fitted one of
    ``classes`` (fitted: it has ``attribute``); return X (NumPy), the true labels y (or None)
    and each sample's cluster (``labels``, or ``model.predict(X)``; None for a model without
    ``clusters``), checked against the fitted model."""
    _check_model(model, classes, attribute)
    X = check_array(X, "X")
    check_n_features(X, model.n_features_in_)
    X = to_host(X)
    y = _named_labels(y, X.shape[0], "y")
    if not clusters:
        return X, y, None
    labels = to_host(model.predict(X)) if labels is None else labels
    return X, y, _labels(labels, X.shape[0])


def _image_side(n_features):
    """The side of a square image of ``n_features`` pixels (at least 4 x 4), else None."""
    side = int(round(np.sqrt(n_features)))
    return side if side * side == n_features and side > 3 else None


def _snapshots(model):
    """The snapshots collected during fit by the model's first snapshot callback, or []."""
    for callback in getattr(model, "callbacks", None) or ():
        if hasattr(callback, "snapshots"):
            return callback.snapshots
    return []
