"""Drawing a self-organizing map's grid: cells, their frame, texts, and the map in input space.

The private helpers of ``plotting/som.py`` (the figures of :class:`neuroclust.SOM`): one
polygon per unit (a square on a rectangular grid, a hexagon on a hexagonal one) with row 0 at
the top and column 0 at the left, like the rows and columns of ``som.weights_``; the grid's
links for the map drawn in input space. The grid's geometry itself is ``neuroclust/grid.py``;
the shared style is ``plotting/_style.py``.
"""
import numbers

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D
from mpl_toolkits.mplot3d.art3d import Line3DCollection

from .._validation import NotFittedError, check_array, to_host
from ._style import _FONT, _GRID_LINK, _LEARNED_EDGE, COLORS

_HEX_RADIUS = 1.0 / np.sqrt(3.0)  # centre to corner of a hexagon whose neighbours are 1 apart
_CELL_EDGE = "#D0D0D0"
_UNIT_COLOR = _LEARNED_EDGE
_MAX_TEXT_SIDE = 15             # write numbers in the cells of maps up to 15 x 15
# ---------------------------------------------------------------------------- the map
def _som_map(som):
    """The fitted map's weights (rows, cols, n_features), unit positions (n_units, 2), topology."""
    weights = getattr(som, "weights_", None)
    positions = getattr(som, "grid_positions_", None)
    if weights is None or positions is None:
        raise NotFittedError(f"This {type(som).__name__} is not fitted yet (it has no weights_); "
                             "call fit(X) before plotting it.")
    weights = np.asarray(to_host(weights))
    if weights.ndim != 3:
        raise ValueError(f"som.weights_ must have shape (rows, cols, n_features), but its shape "
                         f"is {weights.shape}; pass a fitted neuroclust.SOM.")
    positions = np.asarray(to_host(positions), dtype=np.float64)
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
    values = np.asarray(to_host(values), dtype=np.float64)
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


# ----------------------------------------------------------------------- input space
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
    X = to_host(check_array(X, "X"))
    if X.shape[1] != n_dims:
        raise ValueError(f"X has {X.shape[1]} features, but the SOM was fit on {n_dims}-D data; "
                         f"{function} draws X and the map in the same {n_dims}-D space.")
    return X


def _snapshot_arrays(snapshots, shape):
    if isinstance(snapshots, np.ndarray) and snapshots.ndim == 3:
        snapshots = [snapshots]
    try:
        frames = [np.asarray(to_host(frame), dtype=np.float64) for frame in snapshots]
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
                 for j in np.asarray(to_host(neighbours)).ravel() if i < j]
        pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    else:
        squared = ((positions[:, None, :] - positions[None, :, :]) ** 2).sum(axis=-1)
        pairs = np.argwhere(np.triu(np.abs(squared - 1.0) < 1e-6, k=1))
    apart = np.linalg.norm(positions[pairs[:, 0]] - positions[pairs[:, 1]], axis=1)
    return pairs[apart < 1.0 + 1e-6]


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


def _map_handles():
    return [Line2D([], [], linestyle="none", marker="o", markersize=9,
                   markerfacecolor=_UNIT_COLOR, markeredgecolor=_GRID_LINK, label="prototypes"),
            Line2D([], [], color=_GRID_LINK, linewidth=1.6, label="grid neighbours")]
