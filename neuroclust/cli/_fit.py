"""``neuroclust fit MODEL DATA``: check the options and outputs, train, report, save.

The options and the output paths are checked before the data is read (``_parser.py``,
``_data.py``); the first Ctrl-C stops the training and the model trained so far is saved; the
figures of ``--plot`` are the model's standard figures, drawn by
:func:`neuroclust.plotting.standard_figures` (one module per model family under
``neuroclust/plotting/``) and saved here.
"""
import contextlib
import os
import signal
import threading
import time
import warnings

import numpy as np

from .. import metrics
from ..base import TrainingInterruptedWarning
from ..models import (ART1, SOM, Autoencoder, CompetitiveLearning, FuzzyART, GrowingNeuralGas,
                      KMeans, LatentClustering)
from ._data import _check_output_file, _check_output_folder, load_named_data
from ._errors import EXIT_INTERRUPTED, UsageError, _print_stderr, _say, _show_warning
from ._parser import MEMORY_OPTIONS, _check_backend, _fit_options

def run_fit(args):
    """``neuroclust fit MODEL DATA``: check, train, report, save.

    The options and the output paths are checked before the data is read: no training is
    lost to an output that cannot be written. Ctrl-C during training saves the model trained
    so far (when the model kept one) and exits with code 130.
    """
    args = _fit_options(args)
    _check_backend(args.backend)
    output = _model_path(args.output if args.output is not None else f"{args.model}.npz")
    _check_output_file(output, "--output")
    if args.plot is not None:
        _check_output_folder(args.plot, "--plot")
    X, y, feature_names = load_named_data(args.data, args.random_state)
    if args.standardize:
        X = _standardize(X)
    n_clusters = args.n_clusters
    if n_clusters is None:
        n_clusters = len(np.unique(y)) if y is not None else 8
    if args.model not in ("gng", "fuzzy_art", "art1"):
        _check_cluster_count(args, n_clusters, X.shape[0])
    model = _build_model(args, n_clusters)
    with _one_ctrl_c_until_saved():
        start = time.perf_counter()
        labels, interrupted = _train(model, X, args)
        seconds = time.perf_counter() - start
        n_clusters = getattr(model, "n_clusters_", n_clusters)  # found by the model (gng)
        n_clusters = getattr(model, "n_categories_", n_clusters)  # committed by it (ART)
        _say(f"{args.model} on {args.data}: {X.shape[0]} samples, {X.shape[1]} features, "
             f"{n_clusters} cluster{'' if n_clusters == 1 else 's'}, {seconds:.3f} s")
        hint = degenerate_result_hint(args, model, labels, X.shape[0])
        if hint:
            _print_stderr(f"neuroclust: note: {hint}")
        if y is not None:
            for name, value in _label_scores(y, labels).items():
                _say(f"  {name:<9} {value:.4f}")
        _say(f"model saved to {model.save(output)}")
    if args.plot is not None:
        for path in _fit_figures(args.plot, X, labels, model, y=y,
                                 feature_names=feature_names):
            _say(f"figure written: {path}")
    return EXIT_INTERRUPTED if interrupted else 0


def _check_cluster_count(args, n_clusters, n_samples):
    """UsageError if there are more clusters than samples (or than units of the map)."""
    asked = (f"--n-clusters is {n_clusters}" if args.n_clusters is not None else
             f"{n_clusters} clusters are asked for (the default: the number of classes, "
             "else 8; set --n-clusters)")
    if args.model == "som":
        rows, cols = args.shape
        if n_clusters > rows * cols:
            raise UsageError(f"{asked}, more than the {rows * cols} units of the {rows}x{cols} "
                             "map (--shape) that they group.")
    elif n_clusters > n_samples:
        raise UsageError(f"{asked}, but DATA {args.data!r} has only {n_samples} "
                         f"sample{'s' if n_samples > 1 else ''}.")


def _standardize(X):
    scale = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(scale > 0, scale, 1.0)


def _label_scores(y, labels):
    return {"ARI": metrics.adjusted_rand_score(y, labels),
            "NMI": metrics.normalized_mutual_info_score(y, labels),
            "accuracy": metrics.clustering_accuracy(y, labels)}


@contextlib.contextmanager
def _one_ctrl_c_until_saved():
    """The first Ctrl-C stops the training (the model keeps what it learned); the presses
    after it, as a held key repeats, are ignored until the model is saved, so they cannot
    throw that model away. Outside the main thread (no signals there) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    presses = []

    def first_press_only(signum, frame):
        presses.append(signum)
        if len(presses) == 1:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, first_press_only)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _model_path(path):
    """The file ``save`` writes for ``path`` (it adds ``.npz`` when missing)."""
    return path if not path or path.endswith(".npz") else path + ".npz"


def _train(model, X, args):
    """``model.fit_predict(X)``; returns the labels and whether Ctrl-C stopped the training.

    A model that runs out of memory raises MemoryError naming the options to make smaller.
    """
    with warnings.catch_warnings(record=True) as caught:
        try:
            labels = model.fit_predict(X)
        except MemoryError as error:
            said = _without_advice(str(error).rstrip(". ")) or (
                f"{args.model} on {args.data!r} needs more memory than there is")
            raise MemoryError(f"{said}; the options to lower are "
                              f"{MEMORY_OPTIONS[args.model]}.") from error
        finally:
            for warning in caught:
                _show_warning(warning.message, warning.category, warning.filename,
                              warning.lineno)
    interrupted = any(issubclass(warning.category, TrainingInterruptedWarning)
                      for warning in caught)
    return labels, interrupted


def _without_advice(text):
    """A model's memory message without its advice (``...; use a smaller max_nodes``), which
    names the Python parameters: the command names its options instead."""
    head, separator, advice = text.rpartition("; ")
    return head if separator and advice.startswith("use ") else text


def degenerate_result_hint(args, model, labels, n_samples):
    """A sentence when the result is degenerate (one cluster, units or clusters left empty,
    nearly every sample its own category), saying which option to change; else None."""
    found = len(np.unique(labels[labels >= 0])) if len(labels) else 0
    if args.model == "gng" and found <= 1 < n_samples:
        scale = "" if args.standardize else ", and --standardize features on different scales"
        return ("the graph is still one connected piece, so every sample is in one cluster; "
                "train longer (--epochs, e.g. 50 or 100) so that the edges between clouds "
                f"age out{scale}.")
    if args.model in ("fuzzy_art", "art1"):
        if found <= 1 < n_samples:
            return ("one category holds every sample: raise the vigilance --rho (closer to "
                    "1) for finer categories.")
        if found > n_samples / 2:
            return (f"{found} categories for {n_samples} samples, nearly one per sample: "
                    "lower the vigilance --rho for coarser categories.")
    if args.model in ("competitive", "kmeans", "som"):
        wanted = getattr(model, "n_clusters", None)
        if wanted and found < min(wanted, n_samples):
            fix = {"competitive": "switch the conscience on (--conscience) or train longer",
                   "kmeans": "use more seedings (--n-init)",
                   "som": "use a larger map (--shape) or fewer clusters"}[args.model]
            return (f"only {found} of the {wanted} clusters hold samples (the others are "
                    f"empty or their units never win); {fix}.")
    return None


def _build_model(args, n_clusters):
    """The model ``fit`` trains, from its arguments (defaults filled in, ranges checked), with
    --verbose / --quiet given to it and to the models inside it."""
    model = _build_configured_model(_fit_options(args), n_clusters)
    verbosity = {name: args.verbose for name in model.get_params(deep=True)
                 if name == "verbose" or name.endswith("__verbose")}
    return model.set_params(**verbosity)


def _build_configured_model(args, n_clusters):
    if args.model == "gng":
        return _build_gng(args)
    if args.model in ("fuzzy_art", "art1"):
        return _build_art(args)
    if args.model == "autoencoder":
        return _build_latent(args, n_clusters)
    if args.model == "som":
        # The map's units are grouped into n_clusters by k-means (the two-level SOM), so
        # that, as for the other models, the labels and the scores are clusters, not units.
        callbacks = None
        if args.plot:  # keep the weights after each epoch for the unfolding animation
            callbacks = [_plotting().som_snapshot_callback([])]
        return SOM(shape=tuple(args.shape), topology=args.topology, epochs=args.epochs,
                   mode=args.mode, n_clusters=n_clusters, random_state=args.random_state,
                   backend=args.backend, callbacks=callbacks)
    if args.model == "kmeans":
        n_init = "auto" if args.n_init is None else args.n_init
        return KMeans(n_clusters, n_init=n_init, random_state=args.random_state,
                      backend=args.backend)
    # The demo's settings, which do not need a lucky seed: a k-means++ start and the rate
    # decaying to a tenth of --learning-rate over the epochs.
    return CompetitiveLearning(n_clusters, learning_rate=args.learning_rate,
                               learning_rate_final=args.learning_rate / 10, init="k-means++",
                               epochs=args.epochs, mode=args.mode, conscience=args.conscience,
                               random_state=args.random_state, backend=args.backend)


def _build_latent(args, n_clusters):
    """An autoencoder trained on the data, then k-means on its codes (LatentClustering)."""
    autoencoder = Autoencoder(hidden=tuple(args.hidden), latent_dim=args.latent_dim,
                              epochs=args.epochs, learning_rate=args.learning_rate,
                              batch_size=args.batch_size, random_state=args.random_state)
    n_init = 10 if args.n_init is None else args.n_init
    clusterer = KMeans(n_clusters, n_init=n_init, random_state=args.random_state,
                       backend=args.backend)
    return LatentClustering(autoencoder=autoencoder, clusterer=clusterer, n_clusters=n_clusters,
                            random_state=args.random_state)  # (checked before training)


def _build_gng(args):
    """Growing neural gas: it finds the number of clusters itself (see _fit_options)."""
    callbacks = None
    if args.plot:  # keep the graph after each epoch for the animation of its growth
        callbacks = [_plotting().gng_snapshot_callback([])]
    return GrowingNeuralGas(max_nodes=args.max_nodes, epochs=args.epochs,
                            random_state=args.random_state, backend=args.backend,
                            callbacks=callbacks)


def _build_art(args):
    """Fuzzy ART (the data scaled to [0, 1] by its range) or ART1 (binary data): the vigilance,
    not --n-clusters, decides how many categories there are."""
    if args.model == "art1":
        return ART1(rho=args.rho, epochs=args.epochs, backend=args.backend)
    return FuzzyART(rho=args.rho, scale=True, epochs=args.epochs, backend=args.backend)



# ------------------------------------------------------------------ figures
def _plotting():
    """:mod:`neuroclust.plotting`, imported on first use: matplotlib is slow to import, and
    must be told to draw off-screen (Agg) before pyplot is imported."""
    import matplotlib

    matplotlib.use("Agg")
    from .. import plotting

    return plotting


def _fit_figures(folder, X, labels, model, y=None, feature_names=None):
    """Save the standard figures of a fitted model in ``folder``; ``y``, the true labels, adds
    the figures that compare with them (a SOM's labels map); ``feature_names`` (a csv file's
    header) name the features in them. Returns the absolute paths."""
    figures = _plotting().standard_figures(model, X, y=y, labels=labels,
                                          feature_names=feature_names)
    return _save_figures(figures, folder)


def _save_figures(figures, folder):
    """Write ``{stem: figure}`` as ``folder/stem.png`` (an animation as ``stem.gif``), closing
    each figure once saved; returns the absolute paths, in order."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import Animation

    plotting = _plotting()
    paths = []
    for stem, figure in figures.items():
        animated = isinstance(figure, Animation)
        path = os.path.join(folder, stem + (".gif" if animated else ".png"))
        paths.append(plotting.save_figure(figure, path))
        if not animated:
            plt.close(figure)
    if len(plt.get_fignums()):  # an animation's figure (matplotlib gives no handle on it)
        plt.close("all")
    return [os.path.abspath(path) for path in paths]
