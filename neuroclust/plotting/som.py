"""Figures of self-organizing maps (:class:`neuroclust.SOM`).

The map figures draw one cell per unit (squares on a rectangular grid, hexagons on a
hexagonal one) with row 0 at the top and column 0 at the left, like the rows and columns of
``som.weights_``:

* :func:`plot_umatrix`: the U-matrix, each unit's mean distance to its grid neighbours (dark
  ridges are the borders between clusters).
* :func:`plot_component_planes`: one small map per feature, each unit's weight for it.
* :func:`plot_hit_map`: how many samples each unit wins.
* :func:`plot_labels_map`: the most common true label among the samples each unit wins.
* :func:`plot_som_prototypes`: every prototype as a small image, laid out like the grid.
* :func:`plot_som_grid`: the map in input space, prototypes joined to their grid neighbours.
* :func:`animate_som` and :func:`som_snapshot_callback`: the map unfolding during training.
* :func:`standard_figures`: the figures of a fitted map, as ``neuroclust fit --plot`` saves
  them.

The chain of the SOM: ``models/som.py`` -> ``backend/reference/som.py`` -> ``csrc/som.pyx``
-> ``plotting/som.py`` (this module; its cell and grid helpers are in
``plotting/_som_map.py``) -> ``docs/algorithms/som.md`` ->
``tutorials/plot_02_self_organizing_map.py``. The grid's geometry is ``neuroclust/grid.py``;
the shared style is in ``plotting/_style.py``.
"""
import numbers

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.colors import Normalize
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from .._validation import check_array, check_scalar, to_host
from ..models import SOM
from ._som_map import (_CELL_EDGE, _MAX_TEXT_SIDE, _cell_fontsize, _class_color, _colorbar,
                       _draw_cells, _draw_map_in_input_space, _grid_edges, _input_dims,
                       _label_names, _map_axes, _map_extent, _map_frame, _map_handles,
                       _map_labels, _map_title, _move_map_in_input_space, _snapshot_arrays,
                       _som_data, _som_map, _text_color, _tick_indices, _unit_values,
                       _write_in_cells)
from ._style import (_FONT, _MAX_LEGEND_CLUSTERS, _SEPARATOR, _check_gif_path, _columns, _finish,
                     _image_shape, _image_side, _input_axes, _input_limits, _labels,
                     _sample_labels, _save_animation, _scatter_samples, _shared_doc, _snapshots,
                     _standard_data)
from .history import _history_series, plot_history

# ---------------------------------------------------------------- self-organizing maps
@_shared_doc
def plot_umatrix(som, ax=None, cmap="bone_r", title=None):
    """The U-matrix: how far each unit's prototype is from its grid neighbours' prototypes.

    Inside a cluster neighbouring prototypes are close (light cells); a ridge of dark cells
    is a border between clusters, where neighbouring units have learned distant prototypes.

    Parameters
    ----------
    som : fitted neuroclust.SOM
        The map; its ``distance_map()`` gives the value of each cell.
    {ax}
    cmap : str or matplotlib Colormap, default="bone_r"
        The colour map; "bone_r" draws large distances dark.
    title : str, default=None
        The title; None writes "U-matrix", "" writes none.

    {returns_figure_or_ax}

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
    n_cols = _columns(n_cols, n_features)
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


@_shared_doc
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
    {ax}

    {returns_figure_or_ax}
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


@_shared_doc
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
    {ax}
    label_names : sequence or dict, default=None
        The name of each label: a dict ``{label: name}``, or a sequence with the name of
        label ``k`` at index ``k``. When every name has at most three characters the names
        are written in the cells; otherwise the labels are, and a legend names them.

    {returns_figure_or_ax}
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


def plot_som_prototypes(som, image_shape=(8, 8), cmap="gray_r", ax=None, title=None):
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
    ax : matplotlib Axes, default=None
        Draw into this Axes (e.g. beside the map's U-matrix); None makes a figure sized for
        the map.
    title : str, default=None
        None writes "SOM prototypes (rows x cols map)"; "" writes none.

    Returns
    -------
    matplotlib.figure.Figure or Axes
        Without ``ax``, the figure: one Axes holding all the images, and a colour bar; with
        it, that Axes.
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
    created = ax is None
    if created:
        scale = min(0.8, 9.0 / canvas.shape[1] * step_x, 8.0 / canvas.shape[0] * step_y)
        figsize = (canvas.shape[1] / step_x * scale + 1.8,
                   canvas.shape[0] / step_y * scale + 1.1)
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
    _map_title(ax, f"SOM prototypes ({rows} x {cols} map)" if title is None else title)
    return ax.figure if created else ax


@_shared_doc
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

    {returns_figure_or_ax}
    """
    weights, positions, _topology = _som_map(som)
    n_dims = _input_dims(weights, "plot_som_grid")
    X = _som_data(X, n_dims, "plot_som_grid")
    labels = _sample_labels(X, labels)
    prototypes = weights.reshape(-1, n_dims)  # (n_units, n_dims), row by row
    ax, created = _input_axes(ax, n_dims)
    handles = _scatter_samples(ax, X, labels)
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
        store.append(np.array(to_host(model.weights_), copy=True))

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
    weights, positions, _topology = _som_map(som)
    n_dims = _input_dims(weights, "animate_som")
    frames = _snapshot_arrays(snapshots, weights.shape)
    X = _som_data(X, n_dims, "animate_som")
    labels = _sample_labels(X, labels)
    check_scalar(interval, "interval", numbers.Real, low=0, low_inclusive=False)
    _check_gif_path(path)
    edges = _grid_edges(som, positions)
    ax, _created = _input_axes(None, n_dims, figsize=(8, 6.5))
    fig = ax.figure
    handles = _scatter_samples(ax, X, labels)
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
        _save_animation(animation, path, interval)
    return animation


# -------------------------------------------------------------------- standard figures
@_shared_doc
def standard_figures(model, X, y=None, labels=None):
    """The standard figures of a fitted self-organizing map, by file stem.

    * ``"umatrix"`` and ``"hit_map"``, always;
    * ``"component_planes"``, for data of at most 16 features;
    * ``"labels_map"``, when the true labels ``y`` are given;
    * ``"prototypes"``, when each sample is a square image of 4 x 4 pixels or more;
    * ``"som_grid"`` for 2-D or 3-D data, and ``"unfolding"`` (an animation, saved as a GIF)
      when the map was fit with a :func:`som_snapshot_callback`;
    * ``"history"``: the quantization error per epoch, when ``history_`` recorded it.

    Parameters
    ----------
    model : fitted neuroclust.SOM
    X : array-like of shape (n_samples, n_features)
        The samples, with as many features as the map was fit on.
    y : array-like of shape (n_samples,), default=None
        The true labels, for the labels map (never used to train).
    labels : array-like of shape (n_samples,), default=None
        The cluster of each sample, which colours it in input space; None computes
        ``model.predict(X)``.

    {standard_returns_animation}
    """
    X, y, labels = _standard_data(model, (SOM,), "weights_", X, y, labels)
    figures = {"umatrix": plot_umatrix(model), "hit_map": plot_hit_map(model, X)}
    if X.shape[1] <= 16:
        figures["component_planes"] = plot_component_planes(model)
    if y is not None:
        figures["labels_map"] = plot_labels_map(model, X, y)
    side = _image_side(X.shape[1])
    if side is not None:
        figures["prototypes"] = plot_som_prototypes(model, image_shape=(side, side))
    if X.shape[1] in (2, 3):
        figures["som_grid"] = plot_som_grid(model, X, labels)
        snapshots = _snapshots(model)
        if snapshots:
            figures["unfolding"] = animate_som(snapshots, X, model, labels=labels)
    errors = _history_series(model).get("quantization_error")
    if errors is not None:
        figures["history"] = plot_history(errors)
    return figures
