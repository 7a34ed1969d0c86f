"""Figures of growing neural gas (:class:`neuroclust.GrowingNeuralGas`), drawn in input space.

* :func:`plot_gng`: the nodes and edges over the 2-D data, coloured by cluster (the connected
  components of the graph).
* :func:`animate_gng` and :func:`gng_snapshot_callback`: the graph growing during training.
* :func:`standard_figures`: the figures of a fitted graph, as ``neuroclust fit --plot`` saves
  them.

The chain of GNG: ``models/gng.py`` -> ``backend/reference/gng.py`` -> ``csrc/gng.pyx`` ->
``plotting/gng.py`` (this module) -> ``docs/algorithms/gng.md`` ->
``tutorials/plot_03_growing_neural_gas.py``. The shared style is in ``plotting/_style.py``.
"""
import numbers

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from .._validation import NotFittedError, check_array, check_scalar, to_host
from ..models import GrowingNeuralGas
from ._style import (COLORS, _FONT, _GRID_LINK, _MAX_LEGEND_CLUSTERS, _check_gif_path,
                     _finish, _input_axes, _input_limits, _proxy, _sample_labels,
                     _save_animation, _scatter_samples, _shared_doc, _snapshots, _standard_data,
                     _style)
from .history import _history_series, plot_history

# ------------------------------------------------------------------- growing neural gas
_GNG_NODE_SIZE = 70


@_shared_doc
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
    {ax}
    title : str, default=None
        The title; None writes the number of nodes and clusters, "" writes none.

    {returns_figure_or_ax}

    Examples
    --------
    >>> from neuroclust import GrowingNeuralGas, datasets
    >>> X, _ = datasets.make_moons(n_samples=500, random_state=0)
    >>> fig = plot_gng(GrowingNeuralGas(max_nodes=40, random_state=0).fit(X), X)
    """
    nodes, edges, components = _gng_graph(model)
    X = _gng_data(X, "plot_gng")
    labels = _sample_labels(X, labels)
    ax, created = _input_axes(ax, 2)
    handles = _scatter_samples(ax, X, labels, model, _scatter_components)
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
        store.append({"nodes": np.array(to_host(model.nodes_), copy=True),
                      "edges": np.array(model.edges_, copy=True),
                      "unit_labels": np.array(model.unit_labels_, copy=True)})

    snapshot.snapshots = store
    return snapshot


def animate_gng(snapshots, X, path=None, interval=200, labels=None):
    """The graph growing over the data during training, one frame per snapshot.

    Each frame is drawn like :func:`plot_gng`, the nodes coloured by their cluster at that
    epoch and, without ``labels``, each sample by the cluster of its nearest node *in that
    frame*, so that the colours always match the frame's title (a graph still in one piece
    shows one colour). Snapshot ``i`` is titled "epoch i + 1": the callbacks of
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
        A fixed colour per sample (its true class, say) for every frame; None colours each
        sample by the cluster of its nearest node in each frame.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        The animation. Keep a reference to it while it plays (in a notebook, display it
        with ``IPython.display.HTML(animation.to_jshtml())``).
    """
    frames = _gng_frames(snapshots)
    X = _gng_data(X, "animate_gng")
    labels = _sample_labels(X, labels)
    check_scalar(interval, "interval", numbers.Real, low=0, low_inclusive=False)
    _check_gif_path(path)
    ax, _created = _input_axes(None, 2, figsize=(8, 6.5))
    per_frame = X is not None and labels is None
    if per_frame:
        samples = ax.scatter(*X.T, s=16, alpha=0.45, linewidths=0)
        handles = [_proxy("o", COLORS[0], "samples (colour: nearest node's cluster)")]
    else:
        handles = _scatter_samples(ax, X, labels)
    links, units = _draw_graph(ax, *frames[0])
    _input_limits(ax, [frame[0] for frame in frames] + ([X] if X is not None else []))
    _finish(ax, handles + _graph_handles(), "Growing neural gas", loc="best")

    def draw_frame(i):
        nodes, edges, components = frames[i]
        links.set_segments(nodes[edges])
        units.set_offsets(nodes)
        units.set_facecolors(_component_colors(components))
        if per_frame:
            nearest = ((X[:, None, :] - nodes[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
            samples.set_facecolors(_component_colors(components[nearest]))
        ax.set_title(f"Growing neural gas: epoch {i + 1} of {len(frames)}, {len(nodes)} nodes, "
                     f"{_clusters_text(components)}", fontsize=_FONT["title"])
        return links, units

    animation = FuncAnimation(ax.figure, draw_frame, frames=len(frames), interval=interval)
    if path is not None:
        _save_animation(animation, path, interval)
    return animation


def _gng_graph(model):
    """The fitted graph: nodes (n_nodes, 2), edges (n_edges, 2) and each node's component."""
    nodes = getattr(model, "nodes_", None)
    if nodes is None or getattr(model, "edges_", None) is None:
        raise NotFittedError(f"This {type(model).__name__} is not fitted yet (it has no "
                             "nodes_); call fit(X) before plotting it.")
    nodes = np.asarray(to_host(nodes), dtype=np.float64)
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
        nodes = np.asarray(to_host(snapshot["nodes"]), dtype=np.float64)
        if nodes.ndim != 2 or nodes.shape[1] != 2:
            raise ValueError(f"snapshots[{i}]['nodes'] must have shape (n_nodes, 2), but its "
                             f"shape is {nodes.shape}; animate_gng draws 2-D graphs.")
        frames.append(_checked_graph(nodes, snapshot["edges"], snapshot["unit_labels"],
                                     f"snapshots[{i}]"))
    return frames


def _gng_data(X, function):
    if X is None:
        return None
    X = to_host(check_array(X, "X"))
    if X.shape[1] != 2:
        raise ValueError(f"X has {X.shape[1]} features, but {function} draws 2-D data under "
                         "the graph.")
    return X


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


# -------------------------------------------------------------------- standard figures
@_shared_doc
def standard_figures(model, X, y=None, labels=None):
    """The standard figures of a fitted growing neural gas, by file stem.

    * ``"gng_graph"``: the graph over the data (2-D data only), the samples coloured by the
      cluster of their nearest node;
    * ``"history"``: the quantization error per epoch, when ``history_`` recorded it;
    * ``"growing"``: the graph growing (an animation, saved as a GIF), on 2-D data, when the
      model was fit with a :func:`gng_snapshot_callback`.

    Parameters
    ----------
    model : fitted neuroclust.GrowingNeuralGas
    X : array-like of shape (n_samples, n_features)
        The samples, with as many features as the graph was grown on.
    {standard_y_unused}
    labels : array-like of shape (n_samples,), default=None
        Not used: the animation colours each sample by its nearest node's cluster in each
        frame (the final clusters would contradict the early frames).

    {standard_returns_animation}
    """
    X, _y, _labels = _standard_data(model, (GrowingNeuralGas,), "nodes_", X, y, labels)
    figures = {}
    if X.shape[1] == 2:
        figures["gng_graph"] = plot_gng(model, X)
    errors = _history_series(model).get("quantization_error")
    if errors is not None:
        figures["history"] = plot_history(errors)
    snapshots = _snapshots(model)
    if X.shape[1] == 2 and snapshots:
        figures["growing"] = animate_gng(snapshots, X)
    return figures
