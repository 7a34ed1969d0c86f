"""The ``neuroclust`` command: ``demo``, ``fit``, ``predict`` and ``info``.

Every error a user can cause (a bad file, a bad option) is printed as one line on stderr with
exit code 2, never as a traceback.
"""
import argparse
import os
import sys
import time

import numpy as np

__all__ = ["main"]

MODELS = ("competitive", "kmeans", "som", "gng", "fuzzy_art", "art1", "autoencoder")

#: --learning-rate when it is not given: eta of competitive learning, Adam's step size for
#: the autoencoder.
DEFAULT_LEARNING_RATES = {"competitive": 0.05, "autoencoder": 1e-3}


class UsageError(ValueError):
    """A mistake in the command line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser():
    """The argument parser of the ``neuroclust`` command."""
    parser = _Parser(prog="neuroclust", description="Clustering with neural networks, "
                     "from scratch. Run `neuroclust demo` for a first look.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = commands.add_parser("demo", help="train competitive learning and k-means on the "
                               "five-centroid blobs and the digits; print a table, save figures")
    demo.add_argument("--out", default="neuroclust-demo",
                      help="folder for the figures (default: ./neuroclust-demo)")
    demo.add_argument("--random-state", type=int, default=0)

    fit = commands.add_parser("fit", help="fit a model on a data set and save it")
    fit.add_argument("model", choices=MODELS, help="the model to train")
    fit.add_argument("data", help="a built-in data set name, or a .csv / .npy file")
    fit.add_argument("--n-clusters", type=int, default=None,
                     help="number of clusters (default: the number of classes when the data "
                          "has labels, else 8)")
    fit.add_argument("--epochs", type=int, default=20,
                     help="epochs (competitive, som, gng, fuzzy_art, art1, autoencoder; "
                          "default: 20)")
    fit.add_argument("--learning-rate", type=float, default=None,
                     help="eta (competitive; default: 0.05), or Adam's step size "
                          "(autoencoder; default: 1e-3)")
    fit.add_argument("--mode", choices=("online", "batch"), default="online")
    fit.add_argument("--shape", type=int, nargs=2, default=(10, 10), metavar=("ROWS", "COLS"),
                     help="rows and columns of the map (som; default: 10 10)")
    fit.add_argument("--topology", choices=("rectangular", "hexagonal"), default="rectangular",
                     help="the map's grid (som)")
    fit.add_argument("--max-nodes", type=int, default=100,
                     help="the most nodes the graph may grow to (gng; default: 100)")
    fit.add_argument("--rho", type=float, default=0.75,
                     help="the vigilance (fuzzy_art, art1; default: 0.75): higher, more "
                          "categories")
    fit.add_argument("--hidden", type=int, nargs="+", default=(256, 64), metavar="WIDTH",
                     help="the widths of the encoder's hidden layers, input side first "
                          "(autoencoder; default: 256 64)")
    fit.add_argument("--latent-dim", type=int, default=10,
                     help="the size of the code that k-means clusters (autoencoder; "
                          "default: 10)")
    fit.add_argument("--batch-size", type=int, default=64,
                     help="samples per mini-batch (autoencoder; default: 64)")
    fit.add_argument("--conscience", action="store_true", help="DeSieno's conscience")
    fit.add_argument("--n-init", type=int, default=None, help="seedings (kmeans)")
    fit.add_argument("--standardize", action="store_true",
                     help="scale each feature to zero mean and unit variance first")
    fit.add_argument("--random-state", type=int, default=0)
    fit.add_argument("--backend", default="auto", help="auto, numpy, cython or cupy")
    fit.add_argument("--output", "-o", default=None,
                     help="where to save the model (default: MODEL.npz)")
    fit.add_argument("--plot", default=None, metavar="DIR",
                     help="also save figures of the result to this folder")

    predict = commands.add_parser("predict", help="assign the rows of a data set to clusters")
    predict.add_argument("model_file", help="a model saved by `neuroclust fit`")
    predict.add_argument("data", help="a built-in data set name, or a .csv / .npy file")
    predict.add_argument("--output", "-o", default=None,
                         help="write the labels to this file (one per line) instead of stdout")

    commands.add_parser("info", help="version and available backends")
    return parser


def main(argv=None):
    """Run the command line; returns the exit code (0 ok, 2 user error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return {"demo": run_demo, "fit": run_fit, "predict": run_predict,
                "info": run_info}[args.command](args)
    except (UsageError, ValueError, OSError) as error:
        print(f"neuroclust: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("neuroclust: interrupted", file=sys.stderr)
        return 130


# --------------------------------------------------------------------- data
def load_data(name):
    """A built-in data set by name, or a .csv / .npy file; returns (X, y or None)."""
    from . import datasets

    if name in datasets.BUILTIN_DATASETS:
        return datasets.load(name)
    if os.path.splitext(name)[1].lower() in (".csv", ".npy"):
        return datasets.load_file(name)
    raise ValueError(f"DATA {name!r} is neither a built-in data set "
                     f"({', '.join(datasets.BUILTIN_DATASETS)}) nor a .csv or .npy file.")


def _standardize(X):
    scale = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(scale > 0, scale, 1.0)


def _label_scores(y, labels):
    from . import metrics

    return {"ARI": metrics.adjusted_rand_score(y, labels),
            "NMI": metrics.normalized_mutual_info_score(y, labels),
            "accuracy": metrics.clustering_accuracy(y, labels)}


# ------------------------------------------------------------------- demo
def run_demo(args):
    """Train both models on both data sets, print the table, save the figures."""
    from . import datasets

    print("neuroclust demo: competitive learning, k-means and a self-organizing map, no labels "
          "used for training\n")
    blobs_X, blobs_y, centres = datasets.make_five_centroids(
        n_samples=1000, random_state=args.random_state, return_centers=True)
    digits_X, digits_y = datasets.load_digits()
    runs = [("five centroids (3-D)", blobs_X, blobs_y, 5),
            ("digits (8x8 images)", digits_X, digits_y, 10)]
    rows, fitted = [], {}
    for data_name, X, y, k in runs:
        for model_name, model in _demo_models(k, args.random_state):
            start = time.perf_counter()
            labels = model.fit_predict(X)
            seconds = time.perf_counter() - start
            rows.append((model_name, data_name, _label_scores(y, labels), seconds))
            fitted[(model_name, data_name)] = model
    _print_table(rows)
    paths = _demo_figures(args.out, blobs_X, blobs_y, centres, fitted)
    print("\nfigures written:")
    for path in paths:
        print(f"  {path}")
    return 0


def _demo_models(n_clusters, random_state):
    from .models import SOM, CompetitiveLearning, KMeans

    return [("competitive learning",
             CompetitiveLearning(n_clusters, learning_rate=0.05, epochs=20,
                                 learning_rate_final=0.005, init="k-means++",
                                 random_state=random_state)),
            ("k-means", KMeans(n_clusters, n_init=10, random_state=random_state)),
            ("self-organizing map",  # the two-level SOM: k-means on a 10x10 map's prototypes
             SOM(shape=(10, 10), epochs=20, n_clusters=n_clusters, history=False,
                 random_state=random_state))]


def _print_table(rows):
    header = f"{'model':<22}{'data':<22}{'ARI':>7}{'NMI':>7}{'accuracy':>10}{'seconds':>9}"
    print(header)
    print("-" * len(header))
    for model_name, data_name, scores, seconds in rows:
        print(f"{model_name:<22}{data_name:<22}{scores['ARI']:>7.3f}{scores['NMI']:>7.3f}"
              f"{scores['accuracy']:>10.3f}{seconds:>9.3f}")


def _demo_figures(folder, blobs_X, blobs_y, centres, fitted):
    import matplotlib

    matplotlib.use("Agg")
    from . import plotting

    model = fitted[("competitive learning", "five centroids (3-D)")]
    figure = plotting.plot_centroids_3d(
        blobs_X, model.labels_, centers_true=centres, centers_learned=model.cluster_centers_,
        title="Competitive learning: learned (circles) vs true (crosses) centroids")
    first = plotting.save_figure(figure, os.path.join(folder, "five_centroids.png"))
    digits_model = fitted[("competitive learning", "digits (8x8 images)")]
    figure = plotting.plot_prototype_images(digits_model.cluster_centers_, image_shape=(8, 8))
    second = plotting.save_figure(figure, os.path.join(folder, "digit_prototypes.png"))
    som = fitted[("self-organizing map", "digits (8x8 images)")]
    figure = plotting.plot_som_prototypes(som, image_shape=(8, 8))
    third = plotting.save_figure(figure, os.path.join(folder, "digits_som.png"))
    figure = plotting.plot_umatrix(som, title="U-matrix of the digits map (dark: borders)")
    fourth = plotting.save_figure(figure, os.path.join(folder, "digits_umatrix.png"))
    return [os.path.abspath(path) for path in (first, second, third, fourth)]


# -------------------------------------------------------------------- fit
def run_fit(args):
    """``neuroclust fit MODEL DATA``: train, report, save."""
    X, y = load_data(args.data)
    if args.standardize:
        X = _standardize(X)
    n_clusters = args.n_clusters
    if n_clusters is None:
        n_clusters = len(np.unique(y)) if y is not None else 8
    model = _build_model(args, n_clusters)
    start = time.perf_counter()
    labels = model.fit_predict(X)
    seconds = time.perf_counter() - start
    n_clusters = getattr(model, "n_clusters_", n_clusters)  # found by the model (gng)
    n_clusters = getattr(model, "n_categories_", n_clusters)  # committed by the model (ART)
    print(f"{args.model} on {args.data}: {X.shape[0]} samples, {X.shape[1]} features, "
          f"{n_clusters} clusters, {seconds:.3f} s")
    if y is not None:
        for name, value in _label_scores(y, labels).items():
            print(f"  {name:<9} {value:.4f}")
    output = model.save(args.output or f"{args.model}.npz")
    print(f"model saved to {output}")
    if args.plot:
        for path in _fit_figures(args.plot, X, labels, model, y=y):
            print(f"figure written: {path}")
    return 0


def _build_model(args, n_clusters):
    from .models import SOM, CompetitiveLearning, KMeans

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
            import matplotlib

            matplotlib.use("Agg")
            from .plotting import som_snapshot_callback

            callbacks = [som_snapshot_callback([])]
        return SOM(shape=tuple(args.shape), topology=args.topology, epochs=args.epochs,
                   mode=args.mode, n_clusters=n_clusters, random_state=args.random_state,
                   backend=args.backend, callbacks=callbacks)
    if args.model == "kmeans":
        return KMeans(n_clusters, n_init=args.n_init or "auto", random_state=args.random_state,
                      backend=args.backend)
    return CompetitiveLearning(n_clusters, learning_rate=_learning_rate(args),
                               epochs=args.epochs, mode=args.mode, conscience=args.conscience,
                               random_state=args.random_state, backend=args.backend)


def _learning_rate(args):
    """--learning-rate as given, else the default of the model (0.05 or 1e-3)."""
    if args.learning_rate is not None:
        return args.learning_rate
    return DEFAULT_LEARNING_RATES[args.model]


def _build_latent(args, n_clusters):
    """An autoencoder trained on the data, then k-means on its codes (LatentClustering)."""
    from .models import Autoencoder, KMeans, LatentClustering

    autoencoder = Autoencoder(hidden=tuple(args.hidden), latent_dim=args.latent_dim,
                              epochs=args.epochs, learning_rate=_learning_rate(args),
                              batch_size=args.batch_size, random_state=args.random_state)
    clusterer = KMeans(n_clusters, n_init=10, random_state=args.random_state,
                       backend=args.backend)
    return LatentClustering(autoencoder=autoencoder, clusterer=clusterer, n_clusters=n_clusters,
                            random_state=args.random_state)  # (checked before training)


def _latent_figures(X, labels, model, save, y=None):
    """The autoencoder's training curves, the codes in 2-D by cluster (and by true label when
    known), and inputs next to their reconstructions (as images for square images)."""
    from . import plotting

    save(plotting.plot_training_curves(model.autoencoder_.history_), "training_curves.png")
    save(plotting.plot_latent_space(model.codes_, labels, true_labels=y), "latent_space.png")
    side = int(round(np.sqrt(X.shape[1])))
    image_shape = (side, side) if side * side == X.shape[1] and side > 3 else None
    save(plotting.plot_reconstructions(model.autoencoder_, X, image_shape=image_shape),
         "reconstructions.png")


def _build_gng(args):
    """Growing neural gas: it finds the number of clusters itself, so --n-clusters is an error."""
    from .models import GrowingNeuralGas

    if args.n_clusters is not None:
        raise UsageError("--n-clusters does not apply to gng: growing neural gas finds the "
                         "number of clusters itself (the connected components of its graph); "
                         "use --max-nodes to set the size of the graph.")
    callbacks = None
    if args.plot:  # keep the graph after each epoch for the animation of its growth
        import matplotlib

        matplotlib.use("Agg")
        from .plotting import gng_snapshot_callback

        callbacks = [gng_snapshot_callback([])]
    return GrowingNeuralGas(max_nodes=args.max_nodes, epochs=args.epochs,
                            random_state=args.random_state, backend=args.backend,
                            callbacks=callbacks)


def _gng_figures(folder, X, labels, model, save):
    """The graph over the data and the animation of its growth (2-D data), and the history."""
    import matplotlib.pyplot as plt

    from . import plotting

    paths = []
    if X.shape[1] == 2:
        save(plotting.plot_gng(model, X), "gng_graph.png")
        snapshots = [callback.snapshots for callback in model.callbacks or ()
                     if hasattr(callback, "snapshots")]
        if snapshots and snapshots[0]:
            path = os.path.join(folder, "growing.gif")
            plotting.animate_gng(snapshots[0], X, path=path, labels=labels)
            plt.close("all")
            paths.append(path)
    errors = model.history_.get("quantization_error") if model.history_ else None
    if errors:
        save(plotting.plot_history(errors), "history.png")
    return paths


def _build_art(args):
    """Fuzzy ART (the data scaled to [0, 1] by its range) or ART1 (binary data): the vigilance,
    not --n-clusters, decides how many categories there are."""
    from .models import ART1, FuzzyART

    if args.n_clusters is not None:
        raise UsageError(f"--n-clusters does not apply to {args.model}: adaptive resonance "
                         "commits as many categories as the vigilance asks for; use --rho "
                         "(higher, more categories).")
    if args.model == "art1":
        return ART1(rho=args.rho, epochs=args.epochs, backend=args.backend)
    return FuzzyART(rho=args.rho, scale=True, epochs=args.epochs, backend=args.backend)


def _art_figures(X, model, save):
    """The category boxes (Fuzzy ART on 2-D data), the templates as images, the history."""
    from . import plotting

    side = int(round(np.sqrt(X.shape[1])))
    if X.shape[1] == 2 and hasattr(model, "category_boxes"):
        save(plotting.plot_fuzzy_art_boxes(model, X), "categories.png")
    if side * side == X.shape[1] and side > 3:  # ART1's templates, Fuzzy ART's box centres
        templates = np.asarray(model.weights_)
        if hasattr(model, "category_boxes"):
            lower, upper = model.category_boxes()
            templates = (np.asarray(lower) + np.asarray(upper)) / 2
        save(plotting.plot_prototype_images(templates[:64], image_shape=(side, side)),
             "templates.png")
    save(plotting.plot_history(model.history_["n_categories"], ylabel="categories"),
         "history.png")


def _fit_figures(folder, X, labels, model, y=None):
    """Save the figures of a fitted model; ``y``, the true labels, adds a SOM's labels map."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import plotting

    paths = []

    def save(figure, name):
        paths.append(plotting.save_figure(figure, os.path.join(folder, name)))
        plt.close(figure)

    if hasattr(model, "n_categories_"):  # adaptive resonance: boxes, templates, history
        _art_figures(X, model, save)
        return [os.path.abspath(path) for path in paths]
    if hasattr(model, "autoencoder_"):  # clustering in a latent space: curves, codes, images
        _latent_figures(X, labels, model, save, y=y)
        return [os.path.abspath(path) for path in paths]
    if hasattr(model, "edges_"):  # a growing neural gas: the graph figures
        paths += _gng_figures(folder, X, labels, model, save)
        return [os.path.abspath(path) for path in paths]
    side = int(round(np.sqrt(X.shape[1])))
    is_image = side * side == X.shape[1] and side > 3
    if hasattr(model, "weights_"):  # a self-organizing map: the map figures
        save(plotting.plot_umatrix(model), "umatrix.png")
        save(plotting.plot_hit_map(model, X), "hit_map.png")
        if X.shape[1] <= 16:
            save(plotting.plot_component_planes(model), "component_planes.png")
        if y is not None:
            save(plotting.plot_labels_map(model, X, y), "labels_map.png")
        if is_image:
            save(plotting.plot_som_prototypes(model, image_shape=(side, side)),
                 "prototypes.png")
        if X.shape[1] in (2, 3):
            save(plotting.plot_som_grid(model, X, labels), "som_grid.png")
            snapshots = [callback.snapshots for callback in model.callbacks or ()
                         if hasattr(callback, "snapshots")]
            if snapshots and snapshots[0]:
                path = os.path.join(folder, "unfolding.gif")
                plotting.animate_som(snapshots[0], X, model, path=path, labels=labels)
                plt.close("all")
                paths.append(path)
        errors = model.history_.get("quantization_error") if model.history_ else None
        if errors:
            save(plotting.plot_history(errors), "history.png")
        return [os.path.abspath(path) for path in paths]
    centres = model.cluster_centers_
    if X.shape[1] == 2:
        save(plotting.plot_centroids_2d(X, labels, centers=centres), "clusters.png")
    elif X.shape[1] == 3:
        save(plotting.plot_centroids_3d(X, labels, centers_learned=centres), "clusters.png")
    if is_image:
        save(plotting.plot_prototype_images(centres, image_shape=(side, side)),
             "prototypes.png")
    if getattr(model, "history_", None):
        save(plotting.plot_history(model.history_), "history.png")
    return [os.path.abspath(path) for path in paths]


# ---------------------------------------------------------------- predict
def run_predict(args):
    """``neuroclust predict MODEL_FILE DATA``: write one label per row."""
    from .persistence import load

    model = load(args.model_file)
    X, _ = load_data(args.data)
    labels = model.predict(X)
    text = "\n".join(str(int(label)) for label in labels) + "\n"
    if args.output:
        with open(args.output, "w") as handle:
            handle.write(text)
        print(f"{len(labels)} labels written to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


# ------------------------------------------------------------------- info
def run_info(args):
    """Print the version and the backends this machine can run."""
    from . import __version__
    from .backend import available_backends

    print(f"neuroclust {__version__}")
    print(f"backends available: {', '.join(available_backends())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
