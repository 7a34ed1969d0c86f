"""Figures for the tutorials, the demo and lectures: one function per picture.

* :func:`plot_centroids_3d` and :func:`plot_centroids_2d`: the samples coloured by cluster,
  with the true centres (black crosses) and the learned ones (circles with a vermillion rim).
* :func:`plot_prototype_images`: each prototype drawn as a small image (digit prototypes).
* :func:`plot_history`: the training error per epoch.

Autoencoders (:class:`neuroclust.Autoencoder`, :class:`neuroclust.LatentClustering`):

* :func:`plot_training_curves`: ``loss`` and ``val_loss`` per epoch.
* :func:`plot_latent_space`: the codes in 2-D (PCA beyond two dimensions), by cluster.
* :func:`plot_reconstructions`: inputs next to their reconstructions (images or signals).
* :func:`plot_signals_by_cluster`: a few member signals and the mean of each cluster.
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

Growing neural gas (:class:`neuroclust.GrowingNeuralGas`) is drawn in input space:

* :func:`plot_gng`: the nodes and edges over the 2-D data, coloured by cluster (the connected
  components of the graph).
* :func:`animate_gng` and :func:`gng_snapshot_callback`: the graph growing during training.

Fuzzy ART (:class:`neuroclust.FuzzyART`) on 2-D data:

* :func:`plot_fuzzy_art_boxes`: each category's box over the samples.

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
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize, to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator
from mpl_toolkits.mplot3d.art3d import Line3DCollection

from ._validation import NotFittedError, array_module, check_array, check_scalar

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
    "plot_fuzzy_art_boxes",
    "plot_gng",
    "gng_snapshot_callback",
    "animate_gng",
    "plot_elbow",
    "plot_training_curves",
    "plot_latent_space",
    "plot_reconstructions",
    "plot_signals_by_cluster",
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


# ---------------------------------------------------------------- self-organizing maps
_HEX_RADIUS = 1.0 / np.sqrt(3.0)  # centre to corner of a hexagon whose neighbours are 1 apart
_CELL_EDGE = "#D0D0D0"
_GRID_LINK = "#222222"
_UNIT_COLOR = _LEARNED_EDGE
_SEPARATOR = "#BFE1F6"          # the thin lines between the prototype images
_MAX_TEXT_SIDE = 15             # write numbers in the cells of maps up to 15 x 15


def plot_umatrix(som, ax=None, cmap="bone_r", title=None):
    """The U-matrix: how far each unit's prototype is from its grid neighbours' prototypes.

    Inside a cluster neighbouring prototypes are close (light cells); a ridge of dark cells
    is a border between clusters, where neighbouring units have learned distant prototypes.

    Parameters
    ----------
    som : fitted neuroclust.SOM
        The map; its ``distance_map()`` gives the value of each cell.
    ax : matplotlib Axes, default=None
        Draw into this Axes; None makes a new figure.
    cmap : str or matplotlib Colormap, default="bone_r"
        The colour map; "bone_r" draws large distances dark.
    title : str, default=None
        The title; None writes "U-matrix", "" writes none.

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.

    Examples
    --------
    >>> from neuroclust import SOM, datasets
    >>> X, y = datasets.make_five_centroids(random_state=0)
    >>> som = SOM(shape=(10, 10), topology="hexagonal", random_state=0).fit(X)
    >>> fig = plot_umatrix(som)
    """
    weights, positions, topology = _som_map(som)
    distances = _unit_values(som.distance_map(), weights, "som.distance_map()")
    ax, created = _map_axes(ax, positions, topology, weights.shape[:2])
    cells = _draw_cells(ax, positions, topology, values=distances, cmap=cmap)
    _colorbar(ax, cells, "mean distance to neighbours")
    _map_title(ax, "U-matrix" if title is None else title)
    return ax.figure if created else ax


def plot_component_planes(som, feature_names=None, n_cols=None, cmap="viridis"):
    """One small map per feature: each unit's weight for that feature.

    Features whose planes look alike are correlated on the data the map has learned; a plane
    that matches a ridge of the U-matrix is a feature that separates clusters.

    Parameters
    ----------
    som : fitted neuroclust.SOM
        The map; plane ``f`` shows ``som.weights_[:, :, f]``.
    feature_names : sequence of str, default=None
        A name per feature for the titles; None uses "feature 0", "feature 1", ...
    n_cols : int, default=None
        Maps per row of the figure; None picks one.
    cmap : str or matplotlib Colormap, default="viridis"
        The colour map. Each plane has its own colour scale, shown by its colour bar.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with one map Axes per feature (and a colour bar beside each).
    """
    weights, positions, topology = _som_map(som)
    n_features = weights.shape[2]
    if feature_names is None:
        feature_names = [f"feature {f}" for f in range(n_features)]
    elif isinstance(feature_names, str) or len(feature_names) != n_features:
        raise ValueError(f"feature_names must be a list of {n_features} strings (one per "
                         f"feature), got {feature_names!r}.")
    if n_cols is None:
        n_cols = _default_columns(n_features)
    else:
        check_scalar(n_cols, "n_cols", numbers.Integral, low=1)
        n_cols = min(n_cols, n_features)
    n_rows = -(-n_features // n_cols)
    x0, x1, y0, y1 = _map_extent(positions, topology)
    panel = float(np.clip(12.0 / n_cols, 1.6, 3.4))  # inches per map width
    figsize = (n_cols * (panel + 0.9), n_rows * (panel * (y1 - y0) / (x1 - x0) + 0.45))
    fig, axes = plt.subplots(n_rows, n_cols, squeeze=False, figsize=figsize,
                             layout="constrained")
    for f, ax in enumerate(axes.ravel()):
        if f >= n_features:
            ax.remove()
            continue
        _map_frame(ax, positions, topology, weights.shape[:2], ticks=False)
        cells = _draw_cells(ax, positions, topology, values=weights[:, :, f], cmap=cmap)
        bar = _colorbar(ax, cells, None)
        bar.ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.set_title(str(feature_names[f]), fontsize=_FONT["legend"], pad=4)
    fig.suptitle("Component planes: each unit's weight for one feature (row 0 at the top)",
                 fontsize=_FONT["title"])
    return fig


def plot_hit_map(som, X, ax=None):
    """How many samples of ``X`` each unit wins (is the best-matching unit of).

    Units that win nothing (dead units) are white. On maps up to 15 x 15 the counts are
    written in the cells.

    Parameters
    ----------
    som : fitted neuroclust.SOM
        The map; its ``activation_response(X)`` gives the counts.
    X : array-like of shape (n_samples, n_features)
        The samples, with as many features as the map was fit on.
    ax : matplotlib Axes, default=None
        Draw into this Axes; None makes a new figure.

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.
    """
    weights, positions, topology = _som_map(som)
    hits = _unit_values(som.activation_response(X), weights, "som.activation_response(X)")
    ax, created = _map_axes(ax, positions, topology, weights.shape[:2])
    norm = Normalize(vmin=0, vmax=max(float(hits.max()), 1.0))
    cells = _draw_cells(ax, positions, topology, values=hits, cmap="Blues", norm=norm)
    bar = _colorbar(ax, cells, "samples won")
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if max(weights.shape[:2]) <= _MAX_TEXT_SIDE:
        counts = hits.ravel().astype(np.int64)
        texts = [str(count) for count in counts]
        colors = [_text_color(cells.cmap(norm(count))) for count in counts]
        fontsize = _cell_fontsize(ax, positions, topology, max(len(text) for text in texts))
        _write_in_cells(ax, positions, texts, colors, fontsize)
    _map_title(ax, f"Hit map: samples won by each unit ({int(hits.sum())} in all)")
    return ax.figure if created else ax


def plot_labels_map(som, X, y, ax=None, label_names=None):
    """The most common true label among the samples each unit wins.

    Each cell is coloured by its unit's majority label and, on maps up to 15 x 15, the label
    is written in it; units that win no sample are left blank. The labels are used only to
    draw this figure, never to train: it shows whether the map has put each class in a
    region of its own. A tie goes to the smallest label.

    Parameters
    ----------
    som : fitted neuroclust.SOM
        The map; its ``labels_map(X, y)`` counts the labels each unit wins.
    X : array-like of shape (n_samples, n_features)
        The samples.
    y : array-like of shape (n_samples,)
        The true label (class) of each sample.
    ax : matplotlib Axes, default=None
        Draw into this Axes; None makes a new figure.
    label_names : sequence or dict, default=None
        The name of each label: a dict ``{label: name}``, or a sequence with the name of
        label ``k`` at index ``k``. When every name has at most three characters the names
        are written in the cells; otherwise the labels are, and a legend names them.

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.
    """
    weights, positions, topology = _som_map(som)
    X = check_array(X, "X")
    y = _labels(y, X.shape[0])
    if y is None:
        raise ValueError("y must hold the label of each sample, got None.")
    classes = np.unique(y).tolist()
    names = _label_names(label_names, classes)
    counters = som.labels_map(X, y)
    rows, cols = weights.shape[:2]
    class_index = {label: k for k, label in enumerate(classes)}
    short = all(len(name) <= 3 for name in names)  # write the names, else the labels
    faces, texts, colors, present = [], [], [], set()
    for j in range(rows * cols):
        counter = counters.get(divmod(j, cols))
        if not counter:
            faces.append("white")
            texts.append("")
            colors.append("black")
            continue
        label = max(sorted(counter), key=counter.__getitem__)  # sorted: ties go to the smallest
        k = class_index[label]
        present.add(k)
        face = _class_color(k)
        faces.append(face)
        texts.append(names[k] if short else str(label))
        colors.append(_text_color(face))
    ax, created = _map_axes(ax, positions, topology, (rows, cols), legend=True)
    _draw_cells(ax, positions, topology, facecolors=faces)
    written = max(rows, cols) <= _MAX_TEXT_SIDE
    if written:
        fontsize = _cell_fontsize(ax, positions, topology, max(len(text) for text in texts))
        _write_in_cells(ax, positions, texts, colors, fontsize)
    if label_names is not None or not written:
        handles = [Patch(facecolor=_class_color(k), edgecolor=_CELL_EDGE,
                         label=names[k] if short or not written
                         else f"{classes[k]}: {names[k]}")
                   for k in sorted(present)]
        ax.legend(handles=handles[:3 * _MAX_LEGEND_CLUSTERS], fontsize=_FONT["legend"],
                  loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
                  title="majority label", title_fontsize=_FONT["legend"])
    _map_title(ax, "Labels map: the majority label of each unit")
    return ax.figure if created else ax


def plot_som_prototypes(som, image_shape=(8, 8), cmap="gray_r"):
    """Every prototype of the map drawn as a small image, laid out like the grid.

    For a map trained on images (e.g. :func:`neuroclust.datasets.load_digits`) this shows the
    whole map at once: neighbouring units hold similar images, and the images change
    gradually across the map. On a hexagonal map odd rows are shifted right by half an
    image, as the units are.

    Parameters
    ----------
    som : fitted neuroclust.SOM
        The map; ``som.weights_[row, col]`` is drawn at (row, col), row 0 at the top.
    image_shape : (int, int), default=(8, 8)
        The (height, width) of one image; height * width must equal the number of features.
    cmap : str or matplotlib Colormap, default="gray_r"
        The colour map; "gray_r" draws high values dark, like ink on paper. All images share
        one colour scale.

    Returns
    -------
    matplotlib.figure.Figure
        The figure: one Axes holding all the images, and a colour bar.
    """
    weights, _positions, topology = _som_map(som)
    rows, cols, n_features = weights.shape
    height, width = _image_shape(image_shape)
    if height * width != n_features:
        raise ValueError(f"image_shape {(height, width)} holds {height * width} pixels, but the "
                         f"SOM's prototypes have {n_features} features.")
    step_y, step_x = height + 1, width + 1  # one pixel of separator between images
    shift = step_x // 2 if topology == "hexagonal" and rows > 1 else 0
    canvas = np.full((1 + rows * step_y, 1 + cols * step_x + shift), np.nan)  # NaN: separator
    for row in range(rows):
        for col in range(cols):
            top, left = 1 + row * step_y, 1 + col * step_x + shift * (row % 2)
            canvas[top:top + height, left:left + width] = weights[row, col].reshape(height, width)
    low, high = np.nanmin(weights), np.nanmax(weights)
    if not high > low:
        low, high = low - 0.5, high + 0.5
    scale = min(0.8, 9.0 / canvas.shape[1] * step_x, 8.0 / canvas.shape[0] * step_y)
    figsize = (canvas.shape[1] / step_x * scale + 1.8, canvas.shape[0] / step_y * scale + 1.1)
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    colormap = plt.get_cmap(cmap).with_extremes(bad=_SEPARATOR)
    image = ax.imshow(canvas, cmap=colormap, vmin=low, vmax=high, interpolation="nearest")
    col_ticks = _tick_indices(cols)
    row_ticks = _tick_indices(rows)
    ax.set_xticks(1 + col_ticks * step_x + (width - 1) / 2, [str(c) for c in col_ticks])
    ax.set_yticks(1 + row_ticks * step_y + (height - 1) / 2, [str(r) for r in row_ticks])
    _map_labels(ax)
    for spine in ax.spines.values():
        spine.set_visible(False)
    _colorbar(ax, image, "prototype value")
    _map_title(ax, f"SOM prototypes ({rows} x {cols} map)")
    return fig


def plot_som_grid(som, X=None, labels=None, ax=None, title=None):
    """The map drawn in input space: each prototype a dot, joined to its grid neighbours.

    This is the classic picture of a SOM: the grid is a net laid over the data, stretched
    so that its knots (the prototypes) follow the data while neighbouring knots stay close.
    A toroidal map's wrap-around links are not drawn (they would cross the whole picture).

    Parameters
    ----------
    som : fitted neuroclust.SOM
        A map fit on 2-D or 3-D data.
    X : array-like of shape (n_samples, 2 or 3), default=None
        The samples, drawn under the map; None draws the map alone.
    labels : array-like of shape (n_samples,), default=None
        The cluster (or class) of each sample, which sets its colour.
    ax : matplotlib Axes, default=None
        Draw into this Axes (made with ``projection="3d"`` for 3-D data); None makes a new
        figure.
    title : str, default=None
        The title; None writes "SOM in input space", "" writes none.

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.
    """
    weights, positions, _topology = _som_map(som)
    n_dims = _input_dims(weights, "plot_som_grid")
    X = _som_data(X, n_dims, "plot_som_grid")
    if labels is not None and X is None:
        raise ValueError("labels colour the samples, so they need X; got labels without X.")
    labels = _labels(labels, X.shape[0]) if X is not None else None
    prototypes = weights.reshape(-1, n_dims)  # (n_units, n_dims), row by row
    ax, created = _input_axes(ax, n_dims)
    handles = _scatter_clusters(ax, X, labels, size=16) if X is not None else []
    edges = _grid_edges(som, positions)
    _draw_map_in_input_space(ax, prototypes, edges)
    _input_limits(ax, [prototypes] + ([X] if X is not None else []))
    handles += _map_handles()
    _finish(ax, handles, "SOM in input space" if title is None else (title or None),
            loc="upper left" if n_dims == 3 else "best")
    return ax.figure if created else ax


def som_snapshot_callback(store):
    """A training callback that appends a copy of the map's weights to ``store`` each epoch.

    Parameters
    ----------
    store : list
        Receives one array of shape (rows, cols, n_features) after every epoch. The callback
        keeps it as its attribute ``snapshots``.

    Returns
    -------
    callable
        ``callback(model, epoch)``, for the ``callbacks`` argument of :class:`neuroclust.SOM`.

    Examples
    --------
    >>> from neuroclust import SOM, datasets
    >>> X, _ = datasets.make_moons(n_samples=300, random_state=0)
    >>> snapshots = []
    >>> som = SOM(shape=(8, 8), epochs=15, random_state=0,
    ...           callbacks=[som_snapshot_callback(snapshots)]).fit(X)
    >>> len(snapshots), snapshots[0].shape
    (15, (8, 8, 2))
    >>> animation = animate_som(snapshots, X, som, path="unfolding.gif")  # doctest: +SKIP
    """
    if not hasattr(store, "append"):
        raise ValueError(f"store must be a list to append the snapshots to, got {store!r}.")

    def snapshot(model, epoch):
        store.append(np.array(_to_numpy(model.weights_), copy=True))

    snapshot.snapshots = store
    return snapshot


def animate_som(snapshots, X, som, path=None, interval=200, labels=None):
    """The map unfolding over the data during training, one frame per snapshot.

    Each frame is drawn like :func:`plot_som_grid`. Snapshot ``i`` is titled "epoch i + 1":
    the callbacks of :func:`som_snapshot_callback` run after each epoch.

    Parameters
    ----------
    snapshots : list of ndarray of shape (rows, cols, n_features)
        The weights during training, e.g. collected by :func:`som_snapshot_callback`.
    X : array-like of shape (n_samples, 2 or 3)
        The training samples, drawn under the map (None draws the map alone).
    som : fitted neuroclust.SOM
        The map the snapshots come from (its grid gives the links between units).
    path : str or os.PathLike, default=None
        Where to save the animation; it must end with ``.gif`` (written with Pillow).
        Missing folders are created. None saves nothing.
    interval : float, default=200
        Milliseconds per frame.
    labels : array-like of shape (n_samples,), default=None
        The cluster (or class) of each sample, which sets its colour.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        The animation. Keep a reference to it while it plays (in a notebook, display it
        with ``IPython.display.HTML(animation.to_jshtml())``).
    """
    from matplotlib.animation import FuncAnimation, PillowWriter

    weights, positions, _topology = _som_map(som)
    n_dims = _input_dims(weights, "animate_som")
    frames = _snapshot_arrays(snapshots, weights.shape)
    X = _som_data(X, n_dims, "animate_som")
    if labels is not None and X is None:
        raise ValueError("labels colour the samples, so they need X; got labels without X.")
    labels = _labels(labels, X.shape[0]) if X is not None else None
    check_scalar(interval, "interval", numbers.Real, low=0, low_inclusive=False)
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise ValueError(f"path must be a file name (a str or pathlib.Path), got {path!r}.")
        if not os.fspath(path).lower().endswith(".gif"):
            raise ValueError(f"path must end with .gif (animations are saved with Pillow), got "
                             f"{os.fspath(path)!r}; for a video call animation.save() yourself.")
    edges = _grid_edges(som, positions)
    ax, _created = _input_axes(None, n_dims, figsize=(8, 6.5))
    fig = ax.figure
    handles = _scatter_clusters(ax, X, labels, size=16) if X is not None else []
    links, units = _draw_map_in_input_space(ax, frames[0].reshape(-1, n_dims), edges)
    _input_limits(ax, [frame.reshape(-1, n_dims) for frame in frames]
                  + ([X] if X is not None else []))
    _finish(ax, handles + _map_handles(), "SOM unfolding",
            loc="upper left" if n_dims == 3 else "best")

    def draw_frame(i):
        _move_map_in_input_space(links, units, frames[i].reshape(-1, n_dims), edges)
        ax.set_title(f"SOM unfolding: epoch {i + 1} of {len(frames)}", fontsize=_FONT["title"])
        return links, units

    animation = FuncAnimation(fig, draw_frame, frames=len(frames), interval=interval)
    if path is not None:
        folder = os.path.dirname(os.fspath(path))
        if folder:
            os.makedirs(folder, exist_ok=True)
        animation.save(path, writer=PillowWriter(fps=1000.0 / interval), dpi=80)
    return animation


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


# ------------------------------------------------------------------------- SOM helpers
def _som_map(som):
    """The fitted map's weights (rows, cols, n_features), unit positions (n_units, 2), topology."""
    weights = getattr(som, "weights_", None)
    positions = getattr(som, "grid_positions_", None)
    if weights is None or positions is None:
        raise NotFittedError(f"This {type(som).__name__} is not fitted yet (it has no weights_); "
                             "call fit(X) before plotting it.")
    weights = np.asarray(_to_numpy(weights))
    if weights.ndim != 3:
        raise ValueError(f"som.weights_ must have shape (rows, cols, n_features), but its shape "
                         f"is {weights.shape}; pass a fitted neuroclust.SOM.")
    positions = np.asarray(_to_numpy(positions), dtype=np.float64)
    rows, cols = weights.shape[:2]
    if positions.shape != (rows * cols, 2):
        raise ValueError(f"som.grid_positions_ must have shape ({rows * cols}, 2), one (x, y) "
                         f"per unit, but its shape is {positions.shape}.")
    topology = getattr(som, "topology", "rectangular")
    if topology not in ("rectangular", "hexagonal"):
        raise ValueError(f"som.topology must be 'rectangular' or 'hexagonal', got {topology!r}.")
    return weights, positions, topology


def _unit_values(values, weights, name):
    """One value per unit from the SOM, as a float NumPy array of shape (rows, cols)."""
    values = np.asarray(_to_numpy(values), dtype=np.float64)
    if values.shape != weights.shape[:2]:
        raise ValueError(f"{name} must have the map's shape {weights.shape[:2]}, but its shape "
                         f"is {values.shape}.")
    return values


def _cell_corners(positions, topology):
    """The corners of every unit's cell, shape (n_units, 4 or 6, 2).

    A square of side 1, or a hexagon standing on a corner whose six neighbours (1 apart)
    touch it along an edge: its corners are 1/sqrt(3) from its centre.
    """
    if topology == "hexagonal":
        angles = np.pi / 2 + np.arange(6) * np.pi / 3
        radius = _HEX_RADIUS
    else:
        angles = np.pi / 4 + np.arange(4) * np.pi / 2
        radius = np.sqrt(0.5)
    corners = radius * np.column_stack([np.cos(angles), np.sin(angles)])  # (k, 2)
    return positions[:, None, :] + corners[None, :, :]                     # (n_units, k, 2)


def _map_extent(positions, topology):
    """(x0, x1, y0, y1): the smallest box that holds every cell."""
    half = np.array([0.5, _HEX_RADIUS if topology == "hexagonal" else 0.5])
    (x0, y0), (x1, y1) = positions.min(axis=0) - half, positions.max(axis=0) + half
    return x0, x1, y0, y1


def _map_axes(ax, positions, topology, shape, legend=False):
    """A new figure sized to the map (or the given Axes), framed for it; returns (ax, created)."""
    created = ax is None
    if created:
        x0, x1, y0, y1 = _map_extent(positions, topology)
        scale = min(8.0 / (x1 - x0), 6.0 / (y1 - y0))  # inches per grid step
        extra = 3.4 if legend else 1.8                  # room for a colour bar or a legend
        _fig, ax = plt.subplots(figsize=((x1 - x0) * scale + extra, (y1 - y0) * scale + 1.1),
                                layout="constrained")
    _map_frame(ax, positions, topology, shape)
    return ax, created


def _map_frame(ax, positions, topology, shape, ticks=True):
    """Limits, equal aspect, row 0 at the top; row and column numbers as ticks."""
    x0, x1, y0, y1 = _map_extent(positions, topology)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y1, y0)  # row 0 at the top, like the rows of som.weights_
    ax.set_aspect("equal")
    for spine in ax.spines.values():
        spine.set_visible(False)
    if not ticks:
        ax.set_xticks([])
        ax.set_yticks([])
        return
    rows, cols = shape
    col_ticks, row_ticks = _tick_indices(cols), _tick_indices(rows)
    ax.set_xticks(positions[col_ticks, 0], [str(c) for c in col_ticks])       # units of row 0
    ax.set_yticks(positions[row_ticks * cols, 1], [str(r) for r in row_ticks])  # of column 0
    _map_labels(ax)


def _map_labels(ax):
    ax.set_xlabel("column", fontsize=_FONT["label"])
    ax.set_ylabel("row", fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["small"], length=0)


def _tick_indices(n):
    """Every index for short axes, else every 2nd, 5th or 10th."""
    step = next((step for step in (1, 2, 5, 10, 20, 50) if n / step <= 12), 100)
    return np.arange(0, n, step)


def _draw_cells(ax, positions, topology, values=None, cmap=None, norm=None, facecolors=None):
    """One polygon per unit, coloured by ``values`` (rows, cols) or by ``facecolors``."""
    cells = PolyCollection(_cell_corners(positions, topology), edgecolors=_CELL_EDGE,
                           linewidths=0.6)
    if values is None:
        cells.set_facecolor(facecolors)
    else:
        cells.set_array(np.ma.masked_invalid(np.ravel(values)))  # row by row, like the units
        cells.set_cmap(cmap)
        if norm is not None:
            cells.set_norm(norm)
    ax.add_collection(cells, autolim=False)
    return cells


def _colorbar(ax, mappable, label):
    bar = ax.figure.colorbar(mappable, ax=ax, shrink=0.85, pad=0.03)
    if label:
        bar.set_label(label, fontsize=_FONT["label"])
    bar.ax.tick_params(labelsize=_FONT["small"])
    return bar


def _map_title(ax, title):
    if title:
        ax.set_title(title, fontsize=_FONT["title"])


def _cell_fontsize(ax, positions, topology, n_chars):
    """A font size that fits ``n_chars`` characters in one cell of the drawn map."""
    x0, x1, y0, y1 = _map_extent(positions, topology)
    box, fig = ax.get_position(), ax.figure
    inches = min(box.width * fig.get_figwidth() / (x1 - x0),
                 box.height * fig.get_figheight() / (y1 - y0))  # per grid step
    cell = 72.0 * inches * 0.85  # points; the colour bar takes some of the width
    width = 0.6 * max(n_chars, 1)  # the text's width in font sizes; it may fill 3/4 of a cell
    return float(np.clip(cell * min(0.45, 0.75 / width), 7.0, 16.0))


def _write_in_cells(ax, positions, texts, colors, fontsize):
    for (x, y), text, color in zip(positions, texts, colors):
        if text:
            ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=color)


def _text_color(face):
    """Black on light cells, white on dark ones."""
    red, green, blue = to_rgb(face)
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"


def _class_color(index):
    """The Okabe-Ito colours, then the same colours paler for classes 7 to 13, and so on."""
    base = np.array(to_rgb(COLORS[index % len(COLORS)]))
    if (index // len(COLORS)) % 2:
        base = 0.45 * base + 0.55  # mixed with white
    return tuple(base)


def _label_names(label_names, classes):
    """A name (str) for each of the sorted ``classes``."""
    if label_names is None:
        return [str(label) for label in classes]
    if isinstance(label_names, dict):
        missing = [label for label in classes if label not in label_names]
        if missing:
            raise ValueError(f"label_names has no name for the label(s) {missing[:5]}.")
        return [str(label_names[label]) for label in classes]
    if isinstance(label_names, str) or not hasattr(label_names, "__getitem__"):
        raise ValueError(f"label_names must be a dict {{label: name}} or a list of names, got "
                         f"{label_names!r}.")
    bad = [label for label in classes if not isinstance(label, numbers.Integral)
           or not 0 <= label < len(label_names)]
    if bad:
        raise ValueError(f"label_names is a list of {len(label_names)} names, so the labels "
                         f"must be integers from 0 to {len(label_names) - 1}, but y has "
                         f"{bad[:5]}; pass a dict {{label: name}} instead.")
    return [str(label_names[label]) for label in classes]


def _input_dims(weights, function):
    n_dims = weights.shape[2]
    if n_dims not in (2, 3):
        raise ValueError(f"{function} draws the map in input space, so the SOM must be fit on "
                         f"2-D or 3-D data, but its prototypes have {n_dims} features; use "
                         "plot_umatrix or plot_component_planes, or fit the SOM on a 2-D "
                         "projection (e.g. PCA).")
    return n_dims


def _som_data(X, n_dims, function):
    if X is None:
        return None
    X = _to_numpy(check_array(X, "X"))
    if X.shape[1] != n_dims:
        raise ValueError(f"X has {X.shape[1]} features, but the SOM was fit on {n_dims}-D data; "
                         f"{function} draws X and the map in the same {n_dims}-D space.")
    return X


def _snapshot_arrays(snapshots, shape):
    if isinstance(snapshots, np.ndarray) and snapshots.ndim == 3:
        snapshots = [snapshots]
    try:
        frames = [np.asarray(_to_numpy(frame), dtype=np.float64) for frame in snapshots]
    except (TypeError, ValueError):
        raise ValueError("snapshots must be a list of weight arrays, one per epoch, e.g. "
                         "collected with som_snapshot_callback.") from None
    if not frames:
        raise ValueError("snapshots is empty; collect them during fit with "
                         "callbacks=[som_snapshot_callback(snapshots)].")
    for i, frame in enumerate(frames):
        if frame.shape != shape:
            raise ValueError(f"snapshots[{i}] has shape {frame.shape}, but the map's weights_ "
                             f"have shape {shape}.")
    return frames


def _grid_edges(som, positions):
    """Pairs (i, j), i < j, of units adjacent on the grid, shape (n_links, 2).

    A toroidal map's wrap-around pairs (far apart in the drawing) are left out.
    """
    if hasattr(som, "grid_neighbours"):
        pairs = [(i, int(j)) for i, neighbours in enumerate(som.grid_neighbours())
                 for j in np.asarray(_to_numpy(neighbours)).ravel() if i < j]
        pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    else:
        squared = ((positions[:, None, :] - positions[None, :, :]) ** 2).sum(axis=-1)
        pairs = np.argwhere(np.triu(np.abs(squared - 1.0) < 1e-6, k=1))
    apart = np.linalg.norm(positions[pairs[:, 0]] - positions[pairs[:, 1]], axis=1)
    return pairs[apart < 1.0 + 1e-6]


def _input_axes(ax, n_dims, figsize=None):
    created = ax is None
    if created:
        if n_dims == 3:
            fig = plt.figure(figsize=figsize or (8.5, 7))
            ax = fig.add_subplot(projection="3d")
            fig.subplots_adjust(left=0.0, right=0.98, bottom=0.02, top=0.95)
        else:
            _fig, ax = plt.subplots(figsize=figsize or (8, 6.5), layout="constrained")
    elif n_dims == 3 and getattr(ax, "name", None) != "3d":
        raise ValueError("ax must be a 3-D Axes, made with projection='3d', for a map fit on "
                         "3-D data.")
    elif n_dims == 2 and getattr(ax, "name", None) == "3d":
        raise ValueError("ax must be a 2-D Axes for a map fit on 2-D data, got a 3-D Axes.")
    names = ("$x_1$", "$x_2$", "$x_3$")
    if n_dims == 3:
        ax.computed_zorder = False  # the map over the samples, in drawing order
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
    return ax, created


def _draw_map_in_input_space(ax, prototypes, edges):
    """Links between grid neighbours, then the prototypes as dots; returns both artists."""
    segments = prototypes[edges]  # (n_links, 2, n_dims): the two ends of each link
    style = {"colors": _GRID_LINK, "linewidths": 1.4, "zorder": 5}
    if prototypes.shape[1] == 3:
        links = Line3DCollection(segments, **style)
        ax.add_collection3d(links)
    else:
        links = LineCollection(segments, **style)
        ax.add_collection(links, autolim=False)
    (units,) = ax.plot(*prototypes.T, linestyle="none", marker="o", markersize=7,
                       markerfacecolor=_UNIT_COLOR, markeredgecolor=_GRID_LINK,
                       markeredgewidth=1.0, zorder=6)
    return links, units


def _move_map_in_input_space(links, units, prototypes, edges):
    links.set_segments(prototypes[edges])
    if prototypes.shape[1] == 3:
        units.set_data_3d(*prototypes.T)
    else:
        units.set_data(*prototypes.T)


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


def _map_handles():
    return [Line2D([], [], linestyle="none", marker="o", markersize=9,
                   markerfacecolor=_UNIT_COLOR, markeredgecolor=_GRID_LINK, label="prototypes"),
            Line2D([], [], color=_GRID_LINK, linewidth=1.6, label="grid neighbours")]


# ------------------------------------------------------------------- growing neural gas
_GNG_NODE_SIZE = 70


def plot_gng(model, X=None, labels=None, ax=None, title=None):
    """A growing neural gas in input space: its nodes and edges over the 2-D data.

    Each node is coloured by its cluster, the connected component it belongs to
    (``model.unit_labels_``); the edges are drawn in black. By default the samples take the
    colour of the cluster of their nearest node (``model.predict(X)``), so a gap in the graph
    shows as a change of colour in the data.

    Parameters
    ----------
    model : fitted neuroclust.GrowingNeuralGas
        A graph grown on 2-D data.
    X : array-like of shape (n_samples, 2), default=None
        The samples, drawn under the graph; None draws the graph alone.
    labels : array-like of shape (n_samples,), default=None
        The cluster (or class) of each sample, which sets its colour; None colours each sample
        by the model's cluster of it.
    ax : matplotlib Axes, default=None
        Draw into this Axes; None makes a new figure.
    title : str, default=None
        The title; None writes the number of nodes and clusters, "" writes none.

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.

    Examples
    --------
    >>> from neuroclust import GrowingNeuralGas, datasets
    >>> X, _ = datasets.make_moons(n_samples=500, random_state=0)
    >>> fig = plot_gng(GrowingNeuralGas(max_nodes=40, random_state=0).fit(X), X)
    """
    nodes, edges, components = _gng_graph(model)
    X = _gng_data(X, "plot_gng")
    if labels is not None and X is None:
        raise ValueError("labels colour the samples, so they need X; got labels without X.")
    ax, created = _input_axes(ax, 2)
    handles = []
    if X is not None and labels is None:
        handles = _scatter_components(ax, X, _to_numpy(model.predict(X)))
    elif X is not None:
        handles = _scatter_clusters(ax, X, _labels(labels, X.shape[0]), size=16)
    _draw_graph(ax, nodes, edges, components)
    _input_limits(ax, [nodes] + ([X] if X is not None else []))
    default = f"Growing neural gas: {len(nodes)} nodes, {_clusters_text(components)}"
    _finish(ax, handles + _graph_handles(), default if title is None else (title or None),
            loc="best")
    return ax.figure if created else ax


def gng_snapshot_callback(store):
    """A training callback that appends the graph to ``store`` after each epoch.

    Parameters
    ----------
    store : list
        Receives one dict per epoch with copies of ``"nodes"`` (n_nodes, n_features),
        ``"edges"`` (n_edges, 2) and ``"unit_labels"`` (n_nodes,). The callback keeps it as
        its attribute ``snapshots``.

    Returns
    -------
    callable
        ``callback(model, epoch)``, for the ``callbacks`` argument of
        :class:`neuroclust.GrowingNeuralGas`.

    Examples
    --------
    >>> from neuroclust import GrowingNeuralGas, datasets
    >>> X, _ = datasets.make_moons(n_samples=300, random_state=0)
    >>> snapshots = []
    >>> gng = GrowingNeuralGas(epochs=15, random_state=0,
    ...                        callbacks=[gng_snapshot_callback(snapshots)]).fit(X)
    >>> len(snapshots)
    15
    >>> animation = animate_gng(snapshots, X, path="growing.gif")  # doctest: +SKIP
    """
    if not hasattr(store, "append"):
        raise ValueError(f"store must be a list to append the snapshots to, got {store!r}.")

    def snapshot(model, epoch):
        store.append({"nodes": np.array(_to_numpy(model.nodes_), copy=True),
                      "edges": np.array(model.edges_, copy=True),
                      "unit_labels": np.array(model.unit_labels_, copy=True)})

    snapshot.snapshots = store
    return snapshot


def animate_gng(snapshots, X, path=None, interval=200, labels=None):
    """The graph growing over the data during training, one frame per snapshot.

    Each frame is drawn like :func:`plot_gng`, the nodes coloured by their cluster at that
    epoch. Snapshot ``i`` is titled "epoch i + 1": the callbacks of
    :func:`gng_snapshot_callback` run after each epoch.

    Parameters
    ----------
    snapshots : list of dict
        The graph after each epoch, as collected by :func:`gng_snapshot_callback`.
    X : array-like of shape (n_samples, 2)
        The training samples, drawn under the graph (None draws the graph alone).
    path : str or os.PathLike, default=None
        Where to save the animation; it must end with ``.gif`` (written with Pillow). Missing
        folders are created. None saves nothing.
    interval : float, default=200
        Milliseconds per frame.
    labels : array-like of shape (n_samples,), default=None
        The cluster (or class) of each sample, which sets its colour; None draws every sample
        in one colour.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        The animation. Keep a reference to it while it plays (in a notebook, display it
        with ``IPython.display.HTML(animation.to_jshtml())``).
    """
    from matplotlib.animation import FuncAnimation, PillowWriter

    frames = _gng_frames(snapshots)
    X = _gng_data(X, "animate_gng")
    if labels is not None and X is None:
        raise ValueError("labels colour the samples, so they need X; got labels without X.")
    labels = _labels(labels, X.shape[0]) if X is not None else None
    check_scalar(interval, "interval", numbers.Real, low=0, low_inclusive=False)
    _check_gif_path(path)
    ax, _created = _input_axes(None, 2, figsize=(8, 6.5))
    handles = _scatter_clusters(ax, X, labels, size=16) if X is not None else []
    links, units = _draw_graph(ax, *frames[0])
    _input_limits(ax, [frame[0] for frame in frames] + ([X] if X is not None else []))
    _finish(ax, handles + _graph_handles(), "Growing neural gas", loc="best")

    def draw_frame(i):
        nodes, edges, components = frames[i]
        links.set_segments(nodes[edges])
        units.set_offsets(nodes)
        units.set_facecolors(_component_colors(components))
        ax.set_title(f"Growing neural gas: epoch {i + 1} of {len(frames)}, {len(nodes)} nodes, "
                     f"{_clusters_text(components)}", fontsize=_FONT["title"])
        return links, units

    animation = FuncAnimation(ax.figure, draw_frame, frames=len(frames), interval=interval)
    if path is not None:
        folder = os.path.dirname(os.fspath(path))
        if folder:
            os.makedirs(folder, exist_ok=True)
        animation.save(path, writer=PillowWriter(fps=1000.0 / interval), dpi=80)
    return animation


def _gng_graph(model):
    """The fitted graph: nodes (n_nodes, 2), edges (n_edges, 2) and each node's component."""
    nodes = getattr(model, "nodes_", None)
    if nodes is None or getattr(model, "edges_", None) is None:
        raise NotFittedError(f"This {type(model).__name__} is not fitted yet (it has no "
                             "nodes_); call fit(X) before plotting it.")
    nodes = np.asarray(_to_numpy(nodes), dtype=np.float64)
    if nodes.ndim != 2 or nodes.shape[1] != 2:
        raise ValueError(f"plot_gng draws the graph over 2-D data, but the model's nodes have "
                         f"shape {nodes.shape}; fit it on 2-D data (or project the data first).")
    return _checked_graph(nodes, model.edges_, model.unit_labels_, "model")


def _checked_graph(nodes, edges, components, name):
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    components = np.asarray(components, dtype=np.int64)
    if len(edges) and (edges.min() < 0 or edges.max() >= len(nodes)):
        raise ValueError(f"{name}'s edges must join nodes 0 to {len(nodes) - 1}, but they hold "
                         f"indices from {edges.min()} to {edges.max()}.")
    if components.shape != (len(nodes),):
        raise ValueError(f"{name}'s unit_labels must hold one cluster per node ({len(nodes)}), "
                         f"but its shape is {components.shape}.")
    return nodes, edges, components


def _gng_frames(snapshots):
    """The snapshots as (nodes, edges, components) triples, checked."""
    if isinstance(snapshots, dict):
        snapshots = [snapshots]
    if not isinstance(snapshots, (list, tuple)) or not snapshots:
        raise ValueError("snapshots must be a non-empty list of graphs, one per epoch, "
                         "collected with gng_snapshot_callback.")
    frames = []
    for i, snapshot in enumerate(snapshots):
        if not isinstance(snapshot, dict) or not {"nodes", "edges", "unit_labels"} <= set(snapshot):
            raise ValueError(f"snapshots[{i}] must be a dict with 'nodes', 'edges' and "
                             "'unit_labels', as gng_snapshot_callback stores them.")
        nodes = np.asarray(_to_numpy(snapshot["nodes"]), dtype=np.float64)
        if nodes.ndim != 2 or nodes.shape[1] != 2:
            raise ValueError(f"snapshots[{i}]['nodes'] must have shape (n_nodes, 2), but its "
                             f"shape is {nodes.shape}; animate_gng draws 2-D graphs.")
        frames.append(_checked_graph(nodes, snapshot["edges"], snapshot["unit_labels"],
                                     f"snapshots[{i}]"))
    return frames


def _gng_data(X, function):
    if X is None:
        return None
    X = _to_numpy(check_array(X, "X"))
    if X.shape[1] != 2:
        raise ValueError(f"X has {X.shape[1]} features, but {function} draws 2-D data under "
                         "the graph.")
    return X


def _check_gif_path(path):
    if path is None:
        return
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path must be a file name (a str or pathlib.Path), got {path!r}.")
    if not os.fspath(path).lower().endswith(".gif"):
        raise ValueError(f"path must end with .gif (animations are saved with Pillow), got "
                         f"{os.fspath(path)!r}; for a video call animation.save() yourself.")


def _component_colors(components):
    return [_style(int(c))[0] for c in components]


def _clusters_text(components):
    count = len(np.unique(components))
    return f"{count} cluster{'' if count == 1 else 's'}"


def _scatter_components(ax, X, clusters):
    """Samples coloured by their cluster number itself (the node colours use the same)."""
    handles = []
    values = np.unique(clusters)
    for value in values:
        color, marker = _style(int(value))
        members = clusters == value
        ax.scatter(*X[members].T, s=16, color=color, marker=marker, alpha=0.45, linewidths=0)
        if len(values) <= _MAX_LEGEND_CLUSTERS:
            handles.append(_proxy(marker, color, f"cluster {value}"))
    return handles


def _draw_graph(ax, nodes, edges, components):
    """Edges as black lines, then the nodes as dots in their cluster's colour."""
    links = LineCollection(nodes[edges], colors=_GRID_LINK, linewidths=1.4, zorder=5)
    ax.add_collection(links, autolim=False)
    units = ax.scatter(*nodes.T, s=_GNG_NODE_SIZE, c=_component_colors(components),
                       edgecolors=_GRID_LINK, linewidths=1.0, zorder=6)
    return links, units


def _graph_handles():
    return [Line2D([], [], linestyle="none", marker="o", markersize=9, markerfacecolor="white",
                   markeredgecolor=_GRID_LINK, label="nodes (colour: cluster)"),
            Line2D([], [], color=_GRID_LINK, linewidth=1.6, label="edges")]


# ----------------------------------------------------------------- adaptive resonance theory
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
    ax : matplotlib Axes, default=None
        Draw into this Axes; None makes a new figure.
    title : str, default=None
        The title; None writes the vigilance and the number of categories, "" writes none.

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.

    Examples
    --------
    >>> from neuroclust import FuzzyART, datasets
    >>> X, _ = datasets.make_blobs(n_samples=300, random_state=0)
    >>> fig = plot_fuzzy_art_boxes(FuzzyART(rho=0.8, scale=True).fit(X), X)
    """
    lower, upper = _art_boxes(model)
    X = None if X is None else _points(X, "X", 2)
    if labels is not None and X is None:
        raise ValueError("labels colour the samples, so they need X; got labels without X.")
    ax, created = _input_axes(ax, 2)
    handles = []
    if X is not None and labels is None:
        handles = _scatter_categories(ax, X, _to_numpy(model.predict(X)))
    elif X is not None:
        handles = _scatter_clusters(ax, X, _labels(labels, X.shape[0]), size=16)
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
    return (np.asarray(_to_numpy(lower), dtype=np.float64),
            np.asarray(_to_numpy(upper), dtype=np.float64))


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


def plot_elbow(ks, values, ax=None, ylabel="inertia", xlabel="number of clusters k"):
    """The elbow plot: a score (k-means inertia, or a reconstruction error) against k.

    Parameters
    ----------
    ks : array-like of shape (n,)
        The numbers of clusters, e.g. from :func:`neuroclust.models.elbow`.
    values : array-like of shape (n,)
        The score for each k.
    ax : matplotlib Axes, default=None
        Draw into this Axes; None makes a new figure.
    ylabel : str, default="inertia"
    xlabel : str, default="number of clusters k"
        E.g. "code size k" for ``elbow(X, autoencoder=...)``.

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.
    """
    ks = _to_numpy(check_array(ks, "ks", ndim=1))
    values = _to_numpy(check_array(values, "values", ndim=1))
    if ks.shape != values.shape:
        raise ValueError(f"ks has {ks.shape[0]} entries but values has {values.shape[0]}; "
                         "they must match.")
    created = ax is None
    if created:
        _fig, ax = plt.subplots(figsize=(7.5, 4.8), layout="constrained")
    ax.plot(ks, values, color=COLORS[0], linewidth=2.4, marker="o", markersize=6)
    ax.set_xlabel(xlabel, fontsize=_FONT["label"])
    ax.set_ylabel(ylabel, fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["tick"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    return ax.figure if created else ax


# ------------------------------------------------------------------------ autoencoders
_LOG_RANGE = 30.0      # plot_training_curves: a log scale when the losses span more than this


def plot_training_curves(history, ax=None, title=None):
    """The autoencoder's training curves: ``loss`` (and ``val_loss``) per epoch.

    The vertical axis turns logarithmic when the losses are positive and span more than a
    factor of 30 (the first epochs of a network often sit far above the rest). With early
    stopping, a dotted line marks the best epoch (the one whose weights the model kept).

    Parameters
    ----------
    history : dict, or a fitted model with ``history_``
        ``"loss"``: one value per epoch; optional ``"val_loss"`` (drawn when not empty) and
        ``"best_epoch"`` (0-based). E.g. ``Autoencoder.history_`` or the dict returned by
        :func:`neuroclust.nn.train`.
    ax : matplotlib Axes, default=None
        Draw into this Axes; None makes a new figure.
    title : str, default=None

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.
    """
    if not isinstance(history, dict) and hasattr(history, "history_"):
        history = history.history_
    if not isinstance(history, dict) or history.get("loss") is None:
        raise ValueError("history must be a dict with a 'loss' list (e.g. Autoencoder.history_ "
                         f"or the dict nn.train returns), got {type(history).__name__}.")
    loss = _to_numpy(check_array(history["loss"], "history['loss']", ndim=1, allow_nan=True))
    curves = [("loss", loss, COLORS[0], "o")]
    val = history.get("val_loss")
    if val is not None and len(val) > 0:
        val = _to_numpy(check_array(val, "history['val_loss']", ndim=1, allow_nan=True))
        curves.append(("val_loss", val, COLORS[1], "s"))
    created = ax is None
    if created:
        _fig, ax = plt.subplots(figsize=(7.5, 4.8), layout="constrained")
    for name, values, color, marker in curves:
        ax.plot(np.arange(1, values.shape[0] + 1), values, color=color, linewidth=2.4,
                label=name, marker=marker if values.shape[0] <= 40 else None, markersize=6)
    best = history.get("best_epoch")
    if best is not None:
        ax.axvline(int(best) + 1, color="#555555", linestyle=":", linewidth=1.8,
                   label=f"best epoch ({int(best) + 1})")
    finite = np.concatenate([values[np.isfinite(values)] for _n, values, _c, _m in curves])
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > _LOG_RANGE:
        ax.set_yscale("log")
    ax.set_xlabel("epoch", fontsize=_FONT["label"])
    ax.set_ylabel("loss", fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["tick"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=_FONT["legend"])
    if title is not None:
        ax.set_title(title, fontsize=_FONT["title"])
    return ax.figure if created else ax


def plot_latent_space(codes, labels=None, true_labels=None, method="pca", ax=None, title=None):
    """The codes in 2-D, coloured by cluster (e.g. ``LatentClustering.codes_`` and ``labels_``).

    Codes of more than two dimensions are projected on their first two principal components
    (``method="pca"``, computed here with NumPy) or cut to their first two coordinates
    (``method="first"``); two-dimensional codes are drawn as they are; one-dimensional codes
    as a strip plot (the code along x, one row per cluster, jittered).

    With ``true_labels``, a second panel colours the same points by true label, so the
    clusters can be compared with the classes; when ``ax`` is given there is only one panel,
    so the colour is the cluster and the marker shape the true label (not for 1-D codes,
    whose strip plot has one row per cluster).

    Parameters
    ----------
    codes : array-like of shape (n_samples, latent_dim)
    labels : array-like of shape (n_samples,), default=None
        The cluster of each sample; None draws every point in one colour.
    true_labels : array-like of shape (n_samples,), default=None
    method : {"pca", "first"}, default="pca"
        How codes of more than two dimensions are brought to two.
    ax : matplotlib Axes, default=None
        Draw into this Axes; None makes a new figure (two panels with ``true_labels``).
    title : str, default=None

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.
    """
    codes = _to_numpy(check_array(codes, "codes"))
    n_samples, latent_dim = codes.shape
    labels = _labels(labels, n_samples)
    true_labels = _named_labels(true_labels, n_samples, "true_labels")
    if method not in ("pca", "first"):
        raise ValueError(f"method must be 'pca' or 'first', got {method!r}.")
    if latent_dim == 1:
        axis_names = ("code", None)
    elif latent_dim == 2:
        axis_names = ("code 1", "code 2")
    elif method == "first":
        codes, axis_names = codes[:, :2], ("code 1", "code 2")
    else:
        codes, explained = _pca_2d(codes)
        axis_names = tuple(f"PC {j + 1} ({100 * share:.0f}% of variance)"
                           for j, share in enumerate(explained))
    created = ax is None
    if created:
        n_panels = 2 if true_labels is not None else 1
        fig, axes = plt.subplots(1, n_panels, squeeze=False, layout="constrained",
                                 figsize=(6.8 * n_panels, 5.6 if latent_dim > 1 else 4.2))
        axes = list(axes.ravel())
        panels = [(axes[0], labels, None, "clusters")]
        if true_labels is not None:
            panels.append((axes[1], true_labels, None, "true labels"))
    else:
        panels = [(ax, labels, true_labels, None)]
    size = 28 if n_samples <= 2000 else 10
    for panel, colour_by, shape_by, panel_title in panels:
        if latent_dim == 1:
            handles = _strip_plot(panel, codes[:, 0], colour_by, size)
        else:
            handles = _scatter_latent(panel, codes, colour_by, shape_by, size,
                                      prefix="true" if panel_title == "true labels" else "cluster")
        panel.set_xlabel(axis_names[0], fontsize=_FONT["label"])
        if axis_names[1] is not None:
            panel.set_ylabel(axis_names[1], fontsize=_FONT["label"])
        elif colour_by is not None:
            panel.set_ylabel("true label" if panel_title == "true labels" else "cluster",
                             fontsize=_FONT["label"])
        panel.tick_params(labelsize=_FONT["tick"])
        panel.grid(True, alpha=0.3)
        if created and len(panels) > 1:
            panel.set_title(panel_title, fontsize=_FONT["label"])
        if handles:
            panel.legend(handles=handles, fontsize=_FONT["small"], loc="best", framealpha=0.9)
    if title is not None:
        if created and len(panels) > 1:
            fig.suptitle(title, fontsize=_FONT["title"])
        else:
            panels[0][0].set_title(title, fontsize=_FONT["title"])
    return panels[0][0].figure if created else ax


def plot_reconstructions(model, X, n=8, image_shape=None, ax=None):
    """The first ``n`` samples of ``X`` next to the model's reconstructions of them.

    With ``image_shape`` (e.g. ``(8, 8)`` for the digits) the inputs are drawn as images in
    the top row and their reconstructions in the row below, on the inputs' colour scale. Without it
    each sample is a signal: the input (solid) and its reconstruction (dashed) overlaid, one
    small panel per sample (stacked one above the other when ``ax`` is given).

    Parameters
    ----------
    model : fitted autoencoder
        Anything with ``reconstruct(X)``, or with ``transform`` and ``inverse_transform``
        (e.g. :class:`neuroclust.Autoencoder`, or ``LatentClustering.autoencoder_``).
    X : array-like of shape (n_samples, n_features)
    n : int >= 1, default=8
        How many samples to show (at most ``n_samples``).
    image_shape : (int, int), default=None
        The (height, width) of one image; None draws line plots.
    ax : matplotlib Axes, default=None
        Draw into this Axes; None makes a new figure.

    Returns
    -------
    matplotlib.figure.Figure or Axes
        The new figure, or ``ax`` when one was given.
    """
    X = _to_numpy(check_array(X, "X"))
    check_scalar(n, "n", numbers.Integral, low=1)
    n = min(int(n), X.shape[0])
    X = X[:n]
    if hasattr(model, "reconstruct"):
        X_hat = model.reconstruct(X)
    elif hasattr(model, "transform") and hasattr(model, "inverse_transform"):
        X_hat = model.inverse_transform(model.transform(X))
    else:
        raise ValueError("model must have reconstruct(X), or transform and inverse_transform "
                         f"(a fitted Autoencoder), got {type(model).__name__}.")
    X_hat = _to_numpy(np.asarray(X_hat) if array_module(X_hat) is np else X_hat)
    if X_hat.shape != X.shape:
        raise ValueError(f"the model's reconstructions have shape {X_hat.shape}, but X has "
                         f"{X.shape}; is it fitted on data with {X.shape[1]} features?")
    if image_shape is not None:
        return _reconstruction_images(X, X_hat, _image_shape(image_shape), ax)
    created = ax is None
    t = np.arange(X.shape[1])
    if created:
        n_cols = min(n, 4)
        n_rows = -(-n // n_cols)
        fig, axes = plt.subplots(n_rows, n_cols, squeeze=False, sharex=True,
                                 figsize=(3.6 * n_cols, 2.4 * n_rows + 0.6),
                                 layout="constrained")
        for i, panel in enumerate(axes.ravel()):
            if i >= n:
                panel.set_axis_off()
                continue
            panel.plot(t, X[i], color=COLORS[0], linewidth=1.8)
            panel.plot(t, X_hat[i], color=COLORS[5], linewidth=1.8, linestyle="--")
            panel.set_title(f"sample {i}", fontsize=_FONT["small"], pad=3)
            panel.tick_params(labelsize=_FONT["small"])
            panel.grid(True, alpha=0.3)
        fig.legend(handles=_reconstruction_handles(), loc="outside upper center", ncols=2,
                   fontsize=_FONT["legend"])
        return fig
    step = 1.2 * max(float(np.ptp(np.concatenate([X, X_hat]))), 1e-12)
    for i in range(n):
        offset = -i * step
        ax.plot(t, X[i] + offset, color=COLORS[0], linewidth=1.6)
        ax.plot(t, X_hat[i] + offset, color=COLORS[5], linewidth=1.6, linestyle="--")
    ax.set_yticks([-i * step + float(np.mean(X[i])) for i in range(n)],
                  [f"sample {i}" for i in range(n)])
    ax.tick_params(labelsize=_FONT["small"])
    ax.set_xlabel("time step", fontsize=_FONT["label"])
    ax.legend(handles=_reconstruction_handles(), fontsize=_FONT["legend"], loc="upper right")
    return ax


def plot_signals_by_cluster(X, labels, n_per_cluster=5, ax=None):
    """For time series: one panel per cluster, a few of its member signals and their mean.

    The members are drawn thin and faint in the cluster's colour, the mean of **all** the
    cluster's members thick and black; each panel's title gives the cluster's size. Samples
    labelled ``-1`` (noise) get a grey panel of their own, last.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timesteps)
        One signal per row.
    labels : array-like of shape (n_samples,)
        The cluster of each signal.
    n_per_cluster : int >= 1, default=5
        How many members to draw per cluster (the first ones, in the order of ``X``).
    ax : sequence of matplotlib Axes, default=None
        One Axes per cluster (a single Axes when there is one cluster); None makes a new
        figure.

    Returns
    -------
    matplotlib.figure.Figure or list of Axes
        The new figure, or the Axes drawn into when ``ax`` was given.
    """
    X = _to_numpy(check_array(X, "X"))
    labels = _labels(labels, X.shape[0])
    if labels is None:
        raise ValueError("labels must hold one cluster label per signal, got None.")
    check_scalar(n_per_cluster, "n_per_cluster", numbers.Integral, low=1)
    values = list(np.unique(labels))
    noise = labels.dtype.kind in "iuf" and values[0] < 0
    if noise:
        values = values[1:] + values[:1]
    n_clusters = len(values)
    created = ax is None
    if created:
        n_cols = min(n_clusters, 3)
        n_rows = -(-n_clusters // n_cols)
        fig, axes = plt.subplots(n_rows, n_cols, squeeze=False, sharex=True, sharey=True,
                                 figsize=(4.6 * n_cols, 3.2 * n_rows), layout="constrained")
        axes = list(axes.ravel())
        for panel in axes[n_clusters:]:
            panel.set_axis_off()
    else:
        axes = [ax] if isinstance(ax, Axes) else list(np.ravel(np.asarray(ax, dtype=object)))
        if len(axes) < n_clusters or not all(isinstance(a, Axes) for a in axes):
            raise ValueError(f"ax must be a sequence of at least {n_clusters} matplotlib Axes "
                             f"(one per cluster), got {len(axes)} objects.")
    t = np.arange(X.shape[1])
    for j, (value, panel) in enumerate(zip(values, axes)):
        members = X[labels == value]
        is_noise = noise and j == n_clusters - 1
        color = _NOISE_COLOR if is_noise else _style(j)[0]
        for signal in members[:n_per_cluster]:
            panel.plot(t, signal, color=color, linewidth=1.2, alpha=0.6)
        panel.plot(t, members.mean(axis=0), color="black", linewidth=2.6)
        name = "noise" if is_noise else f"cluster {value}"
        panel.set_title(f"{name} ({members.shape[0]} signals)", fontsize=_FONT["small"], pad=3)
        panel.tick_params(labelsize=_FONT["small"])
        panel.grid(True, alpha=0.3)
    legend_owner = fig if created else axes[0]
    handles = [Line2D([], [], color=_style(0)[0], linewidth=1.2, label="members"),
               Line2D([], [], color="black", linewidth=2.6, label="cluster mean")]
    if created:
        legend_owner.legend(handles=handles, loc="outside upper center", ncols=2,
                            fontsize=_FONT["legend"])
        return fig
    legend_owner.legend(handles=handles, fontsize=_FONT["small"], loc="best")
    return axes[:n_clusters]


def _named_labels(labels, n_samples, name):
    """Like :func:`_labels`, naming the argument in the message."""
    try:
        return _labels(labels, n_samples)
    except ValueError as error:
        raise ValueError(str(error).replace("labels must", f"{name} must", 1)) from None


def _pca_2d(codes):
    """The codes on their first two principal components, and each one's share of variance."""
    centred = codes - codes.mean(axis=0)
    _u, singular, vt = np.linalg.svd(centred, full_matrices=False)
    projected = centred @ vt[:2].T
    variance = singular ** 2
    total = variance.sum()
    shares = variance[:2] / total if total > 0 else np.zeros(2)
    return projected, shares


def _point_styles(values, labels):
    """Colour index per label value, skipping noise (-1): {value: (color, marker, name)}."""
    styles, index = {}, 0
    for value in values:
        if labels.dtype.kind in "iuf" and value < 0:
            styles[value] = (_NOISE_COLOR, "o", "noise")
        else:
            styles[value] = (*_style(index), str(value))
            index += 1
    return styles


def _scatter_latent(ax, points, colour_by, shape_by, size, prefix="cluster"):
    """Scatter 2-D points, coloured by one labelling and (optionally) shaped by another."""
    if colour_by is None and shape_by is None:
        ax.scatter(*points.T, s=size, color=COLORS[0], alpha=0.6, linewidths=0)
        return []
    handles = []
    if shape_by is None:          # colour (and, past seven labels, marker) by colour_by
        styles = _point_styles(np.unique(colour_by), colour_by)
        for value, (color, marker, _name) in styles.items():
            members = colour_by == value
            ax.scatter(*points[members].T, s=size, color=color, marker=marker, alpha=0.65,
                       linewidths=0)
    else:                         # colour by colour_by, marker by shape_by
        styles = (_point_styles(np.unique(colour_by), colour_by) if colour_by is not None
                  else {})
        shapes = {value: _MARKERS[j % len(_MARKERS)]
                  for j, value in enumerate(np.unique(shape_by))}
        for shape_value, marker in shapes.items():
            chosen = shape_by == shape_value
            color = (COLORS[0] if colour_by is None
                     else [styles[value][0] for value in colour_by[chosen]])
            ax.scatter(*points[chosen].T, s=size, c=color, marker=marker, alpha=0.65,
                       linewidths=0)
        if len(shapes) <= _MAX_LEGEND_CLUSTERS:
            handles += [_proxy(marker, "#555555", f"true {value}")
                        for value, marker in shapes.items()]
    if 0 < len(styles) <= _MAX_LEGEND_CLUSTERS:
        handles = [_proxy("o" if shape_by is not None else marker, color,
                          f"{prefix} {name}" if name != "noise" else name)
                   for color, marker, name in styles.values()] + handles
    return handles


def _strip_plot(ax, values, labels, size):
    """One-dimensional codes: the code along x, one jittered row per label."""
    rng = np.random.default_rng(0)
    jitter = rng.uniform(-0.25, 0.25, size=values.shape[0])
    if labels is None:
        ax.scatter(values, jitter, s=size, color=COLORS[0], alpha=0.6, linewidths=0)
        ax.set_yticks([])
        return []
    styles = _point_styles(np.unique(labels), labels)
    for row, (value, (color, marker, name)) in enumerate(styles.items()):
        members = labels == value
        ax.scatter(values[members], row + jitter[members], s=size, color=color, marker=marker,
                   alpha=0.65, linewidths=0)
    ax.set_yticks(range(len(styles)), [name for _c, _m, name in styles.values()])
    ax.set_ylim(-0.6, len(styles) - 0.4)
    ax.invert_yaxis()
    return []


def _reconstruction_images(X, X_hat, image_shape, ax):
    """Inputs (top row) over their reconstructions (bottom row), as one mosaic image."""
    height, width = image_shape
    if height * width != X.shape[1]:
        raise ValueError(f"image_shape {(height, width)} holds {height * width} pixels, but X "
                         f"has {X.shape[1]} features.")
    n, gap = X.shape[0], 1
    mosaic = np.full((2 * height + gap, n * (width + gap) - gap), np.nan)
    for i in range(n):
        left = i * (width + gap)
        mosaic[:height, left:left + width] = X[i].reshape(height, width)
        mosaic[height + gap:, left:left + width] = X_hat[i].reshape(height, width)
    low, high = float(X.min()), float(X.max())   # the inputs' scale; reconstructions clip to it
    if not high > low:
        low, high = low - 0.5, high + 0.5
    created = ax is None
    if created:
        _fig, ax = plt.subplots(figsize=(min(1.3 * n, 14.0) + 1.2, 3.2), layout="constrained")
    cmap = plt.get_cmap("gray_r").with_extremes(bad=_SEPARATOR)
    ax.imshow(mosaic, cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
    ax.set_xticks([i * (width + gap) + (width - 1) / 2 for i in range(n)],
                  [str(i) for i in range(n)])
    ax.set_yticks([(height - 1) / 2, height + gap + (height - 1) / 2],
                  ["input", "reconstruction"])
    ax.tick_params(labelsize=_FONT["small"], length=0)
    return ax.figure if created else ax


def _reconstruction_handles():
    return [Line2D([], [], color=COLORS[0], linewidth=1.8, label="input"),
            Line2D([], [], color=COLORS[5], linewidth=1.8, linestyle="--",
                   label="reconstruction")]
