"""Figures of autoencoders (:class:`neuroclust.Autoencoder`, :class:`neuroclust.LatentClustering`)
and of time series.

* :func:`plot_training_curves`: ``loss`` and ``val_loss`` per epoch.
* :func:`plot_latent_space`: the codes in 2-D (PCA beyond two dimensions), by cluster.
* :func:`plot_reconstructions`: inputs next to their reconstructions (images or signals).
* :func:`plot_signals_by_cluster`: a few member signals and the mean of each cluster.
* :func:`standard_figures`: the figures of a fitted autoencoder, as ``neuroclust fit --plot``
  saves them.

The chain of the autoencoder: ``models/autoencoder.py`` and ``models/latent.py`` (built on
the layers of ``nn/``) -> ``plotting/autoencoder.py`` (this module) ->
``docs/algorithms/autoencoder.md`` -> ``tutorials/plot_05_autoencoder_clustering.py`` and
``tutorials/plot_06_time_series_clustering.py``. The autoencoder has no kernel of its own:
its products are NumPy's. The shared style is in ``plotting/_style.py``.
"""
import numbers

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .._validation import array_module, check_array, check_scalar, to_host
from ..models import Autoencoder, LatentClustering
from ._style import (_FONT, _MARKERS, _MAX_LEGEND_CLUSTERS, _NOISE_COLOR, _SEPARATOR, COLORS,
                     _axes_or_new, _image_shape, _image_side, _labels, _named_labels, _proxy,
                     _shared_doc, _standard_data, _style, matched_colour_order)

#: The title of the cluster panel beside a true-label panel, whose colours follow the classes.
_MATCHED_TITLE = "clusters (coloured as their matched class)"

# ------------------------------------------------------------------------ autoencoders
_LOG_RANGE = 30.0      # plot_training_curves: a log scale when the losses span more than this


@_shared_doc
def plot_training_curves(history, ax=None, title=None):
    """The autoencoder's training curves: ``loss`` (and ``val_loss``) per epoch.

    The vertical axis turns logarithmic when the losses are positive and span more than a
    factor of 30 (the first epochs of a network often sit far above the rest); otherwise it
    starts at zero. With early stopping, a dotted line marks the best epoch (the one whose
    weights the model kept). Given a model, the axis names its loss and its units (e.g. the
    squared error per sample, summed over the features, in the data's units squared).

    Parameters
    ----------
    history : dict, or a fitted model with ``history_``
        ``"loss"``: one value per epoch; optional ``"val_loss"`` (drawn when not empty) and
        ``"best_epoch"`` (0-based). E.g. ``Autoencoder.history_`` or the dict returned by
        :func:`neuroclust.nn.train`. A model's ``best_epoch_``, when it has one, marks the
        best epoch too.
    {ax}
    title : str, default=None
        None writes "Training loss per epoch" (with the model's name, given a model) on an
        Axes that has no title yet; "" writes none.

    {returns_figure_or_ax}
    """
    best, ylabel, name = None, "loss", None
    if not isinstance(history, dict) and hasattr(history, "history_"):
        best = getattr(history, "best_epoch_", None)
        ylabel, name = _loss_label(history), type(history).__name__
        history = history.history_
    if not isinstance(history, dict) or history.get("loss") is None:
        raise ValueError("history must be a dict with a 'loss' list (e.g. Autoencoder.history_ "
                         f"or the dict nn.train returns), got {type(history).__name__}.")
    loss = to_host(check_array(history["loss"], "history['loss']", ndim=1, allow_nan=True))
    curves = [("training", loss, COLORS[0], "o")]
    val = history.get("val_loss")
    if val is not None and len(val) > 0:
        val = to_host(check_array(val, "history['val_loss']", ndim=1, allow_nan=True))
        curves.append(("validation (held-out samples)", val, COLORS[1], "s"))
    ax, created = _axes_or_new(ax, (7.5, 4.8))
    for label, values, color, marker in curves:
        ax.plot(np.arange(1, values.shape[0] + 1), values, color=color, linewidth=2.4,
                label=label, marker=marker if values.shape[0] <= 40 else None, markersize=6)
    if history.get("best_epoch") is not None:
        best = history["best_epoch"]
    if best is not None:
        ax.axvline(int(best) + 1, color="#555555", linestyle=":", linewidth=1.8,
                   label=f"best epoch ({int(best) + 1})")
    finite = np.concatenate([values[np.isfinite(values)] for _n, values, _c, _m in curves])
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > _LOG_RANGE:
        ax.set_yscale("log")
    elif finite.size and finite.min() >= 0:
        ax.set_ylim(0, 1.05 * float(finite.max()) or 1.0)
    ax.set_xlabel("epoch", fontsize=_FONT["label"])
    ax.set_ylabel(ylabel, fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["tick"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    if len(ax.get_legend_handles_labels()[0]) > 1:   # one curve needs no legend
        ax.legend(fontsize=_FONT["legend"])
    if title is None and not ax.get_title():
        title = f"{name}: training loss per epoch" if name else "Training loss per epoch"
    if title:
        ax.set_title(title, fontsize=_FONT["title"])
    return ax.figure if created else ax


def _loss_label(model):
    """The vertical axis of a model's training curve: what its loss measures, in which units."""
    loss = getattr(model, "loss", None)
    d = getattr(model, "n_features_in_", None)
    over = f"sum over {d} features" if d else "sum over the features"
    if loss == "mse":
        return f"squared error per sample\n({over}, in data units²)"
    if loss == "shift_mse":
        return f"squared error per sample, best shift\n({over}, in data units²)"
    if loss == "bce":
        return f"cross-entropy per sample\n({over})"
    return "loss"


@_shared_doc
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
    codes : array-like of shape (n_samples, n_dimensions)
    labels : array-like of shape (n_samples,), default=None
        The cluster of each sample; None draws every point in one colour.
    true_labels : array-like of shape (n_samples,), default=None
    method : {"pca", "first"}, default="pca"
        How codes of more than two dimensions are brought to two.
    ax : matplotlib Axes, default=None
        Draw into this Axes; None makes a new figure (two panels with ``true_labels``).
    title : str, default=None

    {returns_figure_or_ax}
    """
    codes = to_host(check_array(codes, "codes"))
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
            # each cluster in the colour of the class it is matched to (Hungarian)
            matched = (_MATCHED_TITLE if labels is not None else "clusters")
            panels = [(axes[0], labels, None, matched),
                      (axes[1], true_labels, None, "true labels")]
    else:
        panels = [(ax, labels, true_labels, None)]
    orders = {"true labels": None}
    if true_labels is not None and labels is not None and latent_dim > 1:
        orders[_MATCHED_TITLE] = matched_colour_order(labels, true_labels)
    size = 28 if n_samples <= 2000 else 10
    for panel, colour_by, shape_by, panel_title in panels:
        if latent_dim == 1:
            handles = _strip_plot(panel, codes[:, 0], colour_by, size)
        else:
            handles = _scatter_latent(panel, codes, colour_by, shape_by, size,
                                      prefix="true" if panel_title == "true labels" else "cluster",
                                      colour_order=orders.get(panel_title))
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


@_shared_doc
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
    {ax}

    {returns_figure_or_ax}
    """
    X = to_host(check_array(X, "X"))
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
    X_hat = to_host(np.asarray(X_hat) if array_module(X_hat) is np else X_hat)
    if X_hat.shape != X.shape:
        raise ValueError(f"the model's reconstructions have shape {X_hat.shape}, but X has "
                         f"{X.shape}; is it fitted on data with {X.shape[1]} features?")
    title = f"{type(model).__name__}: the first {n} inputs and their reconstructions"
    if image_shape is not None:
        drawn = _reconstruction_images(X, X_hat, _image_shape(image_shape), ax)
        (drawn.axes[0] if ax is None else drawn).set_title(title, fontsize=_FONT["title"])
        return drawn
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
        fig.legend(handles=_reconstruction_handles(), loc="outside lower center", ncols=2,
                   fontsize=_FONT["legend"])
        fig.suptitle(title, fontsize=_FONT["title"])
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
    ax.set_title(title, fontsize=_FONT["title"])
    ax.legend(handles=_reconstruction_handles(), fontsize=_FONT["legend"], loc="upper right")
    return ax


def plot_signals_by_cluster(X, labels, n_per_cluster=5, ax=None, title=None,
                            group_name="cluster"):
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
    title : str, default=None
        The new figure's title; None: "Signals by <group_name>: a few members and the mean".
        Not used when ``ax`` is given.
    group_name : str, default="cluster"
        What a group is called in the panel titles: "cluster" for clusters found, "class"
        (or "kind") when ``labels`` are the true classes.

    Returns
    -------
    matplotlib.figure.Figure or list of Axes
        The new figure, or the Axes drawn into when ``ax`` was given.
    """
    X = to_host(check_array(X, "X"))
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
        name = "noise" if is_noise else f"{group_name} {value}"
        panel.set_title(f"{name} ({members.shape[0]} signals)", fontsize=_FONT["small"], pad=3)
        panel.tick_params(labelsize=_FONT["small"])
        panel.grid(True, alpha=0.3)
    legend_owner = fig if created else axes[0]
    handles = [Line2D([], [], color=_style(0)[0], linewidth=1.2, label="members"),
               Line2D([], [], color="black", linewidth=2.6, label=f"{group_name} mean")]
    if created:
        legend_owner.legend(handles=handles, loc="outside lower center", ncols=2,
                            fontsize=_FONT["legend"])
        fig.suptitle(f"Signals by {group_name}: a few members and the mean" if title is None
                     else title, fontsize=_FONT["title"])
        return fig
    legend_owner.legend(handles=handles, fontsize=_FONT["small"], loc="best")
    return axes[:n_clusters]


def _pca_2d(codes):
    """The codes on their first two principal components, and each one's share of variance."""
    centred = codes - codes.mean(axis=0)
    _u, singular, vt = np.linalg.svd(centred, full_matrices=False)
    projected = centred @ vt[:2].T
    variance = singular ** 2
    total = variance.sum()
    shares = variance[:2] / total if total > 0 else np.zeros(2)
    return projected, shares


def _point_styles(values, labels, colour_order=None):
    """{value: (color, marker, name)}: noise (-1) grey; the others in turn, or at the colour
    index ``colour_order`` gives them (:func:`matched_colour_order`)."""
    styles, index = {}, 0
    for value in values:
        if labels.dtype.kind in "iuf" and value < 0:
            styles[value] = (_NOISE_COLOR, "o", "noise")
        else:
            position = index if colour_order is None else colour_order[value]
            styles[value] = (*_style(position), str(value))
            index += 1
    return styles


def _scatter_latent(ax, points, colour_by, shape_by, size, prefix="cluster", colour_order=None):
    """Scatter 2-D points, coloured by one labelling and (optionally) shaped by another."""
    if colour_by is None and shape_by is None:
        ax.scatter(*points.T, s=size, color=COLORS[0], alpha=0.6, linewidths=0)
        return []
    handles = []
    if shape_by is None:          # colour (and, past twelve labels, marker) by colour_by
        styles = _point_styles(np.unique(colour_by), colour_by, colour_order)
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
    ax, created = _axes_or_new(ax, (min(1.3 * n, 14.0) + 1.2, 3.2))
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


# -------------------------------------------------------------------- standard figures
@_shared_doc
def standard_figures(model, X, y=None, labels=None):
    """The standard figures of a fitted autoencoder, or of clustering in its latent space.

    * ``"training_curves"``: the loss (and validation loss) per epoch;
    * ``"latent_space"``: the codes of ``X`` in 2-D, coloured by cluster (a LatentClustering),
      with a second panel by true label when ``y`` is given;
    * ``"reconstructions"``: the first samples next to their reconstructions, as images when
      each sample is a square image of 4 x 4 pixels or more, else as signals.

    Parameters
    ----------
    model : fitted neuroclust.LatentClustering or neuroclust.Autoencoder
    {standard_X}
    y : array-like of shape (n_samples,), default=None
        The true labels, for the latent space's second panel (an Autoencoder alone, which
        has no clusters, draws its codes by true label in one panel).
    labels : array-like of shape (n_samples,), default=None
        The cluster of each sample (LatentClustering); None computes ``model.predict(X)``.

    {standard_returns}
    """
    clusters = isinstance(model, LatentClustering)
    X, y, labels = _standard_data(model, (LatentClustering, Autoencoder), "n_features_in_", X, y,
                                  labels, clusters=clusters)
    autoencoder = model.autoencoder_ if clusters else model
    codes = to_host(model.transform(X))
    figures = {"training_curves": plot_training_curves(autoencoder)}
    if labels is None and y is not None:  # no clusters: one panel, the marker is the label
        figure, ax = plt.subplots(figsize=(6.8, 5.6), layout="constrained")
        figures["latent_space"] = plot_latent_space(codes, true_labels=y, ax=ax).figure
    else:
        figures["latent_space"] = plot_latent_space(codes, labels, true_labels=y)
    side = _image_side(X.shape[1])
    figures["reconstructions"] = plot_reconstructions(
        autoencoder, X, image_shape=None if side is None else (side, side))
    return figures
