"""The training curve of any model: one value per epoch, from ``model.history_``.

Every estimator records ``history_``, a dict of lists keyed by the metric's name with one
entry per epoch (``quantization_error``, ``inertia``, ``n_nodes``, ``loss``, ...).
:func:`plot_history` draws one such series; ``_history_series`` reads a history (or a
model's) into its per-epoch series, for the standard figures of every family module
(``plotting/competitive.py``, ``plotting/som.py``, ``plotting/gng.py``, ``plotting/art.py``,
``plotting/autoencoder.py``). The shared style is in ``plotting/_style.py``.
"""
import numbers

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import grid
from .._validation import check_array, to_host
from ._style import _FONT, COLORS, _axes_or_new, _shared_doc

#: The vertical axis's label for a plain sequence of values (a history without names).
_DEFAULT_YLABEL = "quantization error"
@_shared_doc
def plot_history(history, ylabel=None, ax=None, label=None, title=None):
    """The training curve: one value per epoch (e.g. ``model.history_["quantization_error"]``).

    Call it again with the same ``ax`` and another ``label`` to compare runs; each curve gets
    the next colour.

    Parameters
    ----------
    history : array-like of shape (n_epochs,), dict, or a fitted model
        The value after each epoch. NaN (a diverged run) leaves a gap. A dict of per-epoch
        lists keyed by the metric's name (a model's ``history_``), or a fitted model itself,
        is drawn when it holds one metric; with several, pass the one to draw
        (``model.history_["n_nodes"]``).
    ylabel : str, default=None
        The label of the vertical axis; None writes the metric's name ("quantization
        error" for a sequence of values, which has none).
    {ax}
    label : str, default=None
        The curve's name in the legend; None draws no legend entry.
    title : str, default=None
        None writes "<the metric> after each epoch" on an Axes that has no title yet.

    {returns_figure_or_ax}

    Notes
    -----
    A curve of values that are never negative (errors, losses, counts) is drawn on an axis
    that starts at zero, so that a change of 1% looks like one, not like a collapse.
    """
    if isinstance(history, dict) or hasattr(history, "history_"):
        name, values = _one_series(history)
    else:
        name, values = None, to_host(check_array(history, "history", ndim=1, allow_nan=True))
    if ylabel is None:
        ylabel = _DEFAULT_YLABEL if name is None else name.replace("_", " ")
    ax, created = _axes_or_new(ax, (7.5, 4.8))
    epochs = np.arange(1, values.shape[0] + 1)
    color = COLORS[len(ax.lines) % len(COLORS)]
    ax.plot(epochs, values, color=color, linewidth=2.4, label=label,
            marker="o" if values.shape[0] <= 40 else None, markersize=6)
    ax.set_xlabel("epoch", fontsize=_FONT["label"])
    ax.set_ylabel(ylabel, fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["tick"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _start_at_zero(ax, values)
    if title is not None or not ax.get_title():
        ax.set_title(title if title is not None else f"{ylabel} after each epoch",
                     fontsize=_FONT["title"])
    ax.grid(True, alpha=0.3)
    if any(line.get_label() and not line.get_label().startswith("_") for line in ax.lines):
        ax.legend(fontsize=_FONT["legend"])
    return ax.figure if created else ax


def _start_at_zero(ax, values):
    """Let the vertical axis start at zero when no value drawn on it is negative."""
    finite = values[np.isfinite(values)]
    lines = [line.get_ydata() for line in ax.lines]
    drawn = np.concatenate([np.asarray(y, dtype=float) for y in lines]) if lines else finite
    drawn = drawn[np.isfinite(drawn)]
    if drawn.size and drawn.min() >= 0:
        top = drawn.max() * 1.08 if drawn.max() > 0 else 1.0
        ax.set_ylim(0, top)


def _history_series(history):
    """The per-epoch series of a history: ``{metric name: values}``, in its order.

    Parameters
    ----------
    history : dict, sequence, or a fitted model
        A dict of per-epoch lists keyed by the metric's name (entries that are not
        sequences, such as a ``best_epoch`` index, are skipped); a plain sequence of values
        (one series, named None, as older models stored ``history_``); or a model, whose
        ``history_`` is read (None, or no ``history_``, is no series).

    Returns
    -------
    dict
        ``{name or None: ndarray of shape (n_epochs,)}``; empty series are left out.
    """
    if not isinstance(history, dict) and (hasattr(history, "history_")
                                          or hasattr(history, "get_params")):
        history = getattr(history, "history_", None)  # an unfitted estimator has none
    if history is None:
        return {}
    if isinstance(history, dict):
        items = [(name, values) for name, values in history.items()
                 if values is not None and not isinstance(values, (str, bytes, numbers.Number))]
    else:
        items = [(None, history)]
    series = {}
    for name, values in items:
        if len(values) == 0:
            continue
        what = "history" if name is None else f"history[{name!r}]"
        series[name] = np.asarray(to_host(check_array(values, what, ndim=1, allow_nan=True)),
                                  dtype=np.float64)
    return series


def _one_series(history):
    """(name, values) of a history that holds exactly one per-epoch metric."""
    series = _history_series(history)
    if not series:
        raise ValueError("history has no values to plot: the model recorded no epoch (was it "
                         "fit with its history turned off?).")
    if len(series) > 1:
        names = ", ".join(repr(name) for name in series)
        raise ValueError(f"history holds several metrics ({names}); pass the one to plot, "
                         f"e.g. history[{next(iter(series))!r}].")
    return next(iter(series.items()))


def plot_schedule(model, n_samples, title=None):
    """What training will do, before it runs: the learning rate, the radius and the
    neighbourhood over time, from ``model.schedule(n_samples)``.

    Parameters
    ----------
    model : SOM or CompetitiveLearning
        A model with a ``schedule`` method; it need not be fitted.
    n_samples : int
        Rows of the data it will be fitted on (the steps per epoch).
    title : str, default=None
        The figure's title; None names the model.

    Returns
    -------
    matplotlib.figure.Figure
        Left: :math:`\\eta` (and :math:`\\sigma`, on its own axis) against the epoch. Right,
        for a map: the neighbourhood :math:`h` against the grid distance to the winner at the
        start, the middle and the end of training (how many units learn from each sample).
    """
    if not hasattr(model, "schedule"):
        raise TypeError(f"plot_schedule draws a model with a schedule (SOM, "
                        f"CompetitiveLearning); got {type(model).__name__}.")
    values = model.schedule(n_samples)
    with_map = values["sigma"] is not None
    fig, axes = plt.subplots(1, 2 if with_map else 1, figsize=(14 if with_map else 8.5, 4.8),
                             squeeze=False)
    _draw_rates(axes[0, 0], values)
    if with_map:
        _draw_neighbourhoods(axes[0, 1], model, values)
    fig.suptitle(title or f"{type(model).__name__} on {int(n_samples):,} samples: the "
                 "schedule, before training",
                 fontsize=_FONT["title"] if with_map else _FONT["label"])
    fig.tight_layout()
    return fig


def _draw_rates(ax, values):
    """eta (left axis, when there is one) and sigma (right axis) against the epoch."""
    epochs = values["epoch"]
    lines = []
    if values["learning_rate"] is not None:
        lines += ax.plot(epochs, values["learning_rate"], color=COLORS[0], linewidth=2.4,
                         label="learning rate $\\eta$")
        ax.set_ylabel("learning rate $\\eta$", fontsize=_FONT["label"])
        ax.set_ylim(0, 1.05 * float(np.max(values["learning_rate"])))
    if values["sigma"] is not None:
        sigma_ax = ax.twinx() if lines else ax
        lines += sigma_ax.plot(epochs, values["sigma"], color=COLORS[5], linewidth=2.4,
                               linestyle="--", label="radius $\\sigma$ (grid cells)")
        sigma_ax.set_ylabel("radius $\\sigma$ (grid cells)", fontsize=_FONT["label"])
        sigma_ax.set_ylim(0, 1.05 * float(np.max(values["sigma"])))
    ax.set_xlabel("epoch", fontsize=_FONT["label"])
    ax.set_title("How far each step moves" + (", and how many units learn"
                                              if values["sigma"] is not None else ""),
                 fontsize=_FONT["label"])
    ax.legend(lines, [line.get_label() for line in lines], fontsize=_FONT["legend"])
    ax.grid(True, alpha=0.3)


def _draw_neighbourhoods(ax, model, values):
    """h(d) at the first, middle and last reported point of the schedule."""
    sigmas, epochs = values["sigma"], values["epoch"]
    distance = np.linspace(0, max(3.0, 3 * float(np.max(sigmas))), 300)
    for index, color in zip((0, len(sigmas) // 2, len(sigmas) - 1), (COLORS[0], COLORS[2],
                                                                       COLORS[5])):
        h = grid.neighbourhood(distance ** 2, sigmas[index], model.neighbourhood)
        ax.plot(distance, h, color=color, linewidth=2.4,
                label=f"epoch {epochs[index]:.3g}: $\\sigma$ = {sigmas[index]:.2f}")
    ax.axhline(0, color="k", linewidth=1)
    ax.set_xlabel("grid distance to the winner (cells)", fontsize=_FONT["label"])
    ax.set_ylabel("$h$: share of the winner's step", fontsize=_FONT["label"])
    ax.set_title(f"The {model.neighbourhood.replace('_', ' ')} neighbourhood shrinks",
                 fontsize=_FONT["label"])
    ax.legend(fontsize=_FONT["legend"])
    ax.grid(True, alpha=0.3)
