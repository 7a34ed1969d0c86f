"""The options of the ``neuroclust`` command and their checks, before any data is read.

``build_parser`` builds the parser (``demo``, ``fit``, ``predict``, ``info``); ``fit``'s
model options are parsed with the default None, so that one given to a model that does not
take it is an error, and :func:`_fit_options` fills in each model's default and checks every
range, naming the option (``--random-state``, not ``random_state``). The commands are in
``_demo.py``, ``_fit.py`` and ``_predict.py``; ``main`` in ``__init__.py``.
"""
import argparse
import math
import os

from ..backend import BACKENDS, available_backends, resolve_backend
from ._errors import UsageError

MODELS = ("competitive", "kmeans", "som", "gng", "fuzzy_art", "art1", "autoencoder")

#: --learning-rate when it is not given: eta of competitive learning, Adam's step size for
#: the autoencoder.
DEFAULT_LEARNING_RATES = {"competitive": 0.05, "autoencoder": 1e-3}

#: The options of ``fit`` that only some models take: {dest: (those models, the default)}.
#: They are parsed with the default None, so that one given to another model is an error,
#: not silently ignored. --learning-rate's default depends on the model (see above).
MODEL_OPTIONS = {
    "epochs": (("competitive", "som", "gng", "fuzzy_art", "art1", "autoencoder"), 20),
    "learning_rate": (("competitive", "autoencoder"), None),
    "mode": (("competitive", "som"), "online"),
    "conscience": (("competitive",), True),
    "n_init": (("kmeans", "autoencoder"), None),
    "shape": (("som",), (10, 10)),
    "topology": (("som",), "rectangular"),
    "max_nodes": (("gng",), 100),
    "rho": (("fuzzy_art", "art1"), 0.75),
    "hidden": (("autoencoder",), (256, 64)),
    "latent_dim": (("autoencoder",), 10),
    "batch_size": (("autoencoder",), 64),
}

#: The help of DATA (``fit`` and ``predict``): what is read, and when a csv has a header.
DATA_HELP = ("a built-in data set name, or a .csv / .npy file; the first line of a .csv file is "
             "read as column names only when none of its cells is, or begins like, a number "
             "(a digit, or a sign or point before one), and then a column named label, "
             "labels, class, species, target or category (or y, when there is no x), or else "
             "the one column of text, holds the labels (names are numbered in sorted order) "
             "and the other column names name the features in the figures; every other cell "
             "must be a plain decimal number (such as 3, -0.25 or 1.5e-3), separated by "
             "commas, or by semicolons or tabs throughout the file")

#: The largest --learning-rate of each model that has one (competitive learning's eta is a
#: fraction of the distance to move; Adam's step size has no upper bound).
LEARNING_RATE_MAXIMUMS = {"competitive": 1.0}

#: The smallest value of each integer option of ``fit``.
INT_MINIMUMS = {"n_clusters": 1, "epochs": 1, "n_init": 1, "shape": 1, "max_nodes": 2,
                "hidden": 1, "latent_dim": 1, "batch_size": 1, "random_state": 0}

#: Larger integers than this are refused: no option needs more, and much larger ones
#: overflow the integer types the models compute with.
INT_MAXIMUM = 2**31 - 1

#: The options to make smaller when a model runs out of memory.
MEMORY_OPTIONS = {"competitive": "--n-clusters", "kmeans": "--n-clusters or --n-init",
                  "som": "--shape or --epochs", "gng": "--max-nodes",
                  "fuzzy_art": "--rho (fewer categories)", "art1": "--rho (fewer categories)",
                  "autoencoder": "--hidden, --latent-dim or --batch-size"}


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
    demo.add_argument("--random-state", type=int, default=0,
                      help="the seed of the data and the models (default: 0)")

    _add_fit_parser(commands)

    predict = commands.add_parser("predict", help="assign the rows of a data set to clusters")
    predict.add_argument("model_file", help="a model saved by `neuroclust fit` (any model: "
                         "the autoencoder is saved with the k-means that clusters its codes)")
    predict.add_argument("data", help=DATA_HELP)
    predict.add_argument("--output", "-o", default=None,
                         help="write the labels to this file (one per line) instead of stdout")

    commands.add_parser("info", help="version and available backends")
    return parser


def _add_fit_parser(commands):
    fit = commands.add_parser("fit", help="fit a model on a data set and save it")
    fit.add_argument("model", choices=MODELS, help="the model to train")
    fit.add_argument("data", help=DATA_HELP)
    fit.add_argument("--n-clusters", type=int, default=None,
                     help="number of clusters (default: the number of classes when the data "
                          "has labels, else 8)")
    fit.add_argument("--epochs", type=int, default=None,
                     help="epochs (competitive, som, gng, fuzzy_art, art1, autoencoder; "
                          "default: 20)")
    fit.add_argument("--learning-rate", type=float, default=None,
                     help="eta (competitive; default: 0.05), or Adam's step size "
                          "(autoencoder; default: 1e-3)")
    fit.add_argument("--mode", choices=("online", "batch"), default=None,
                     help="online or batch updates (competitive, som; default: online)")
    fit.add_argument("--shape", type=int, nargs=2, default=None, metavar=("ROWS", "COLS"),
                     help="rows and columns of the map (som; default: 10 10)")
    fit.add_argument("--topology", choices=("rectangular", "hexagonal"), default=None,
                     help="the map's grid (som; default: rectangular)")
    fit.add_argument("--max-nodes", type=int, default=None,
                     help="the most nodes the graph may grow to (gng; default: 100)")
    fit.add_argument("--rho", type=float, default=None,
                     help="the vigilance (fuzzy_art, art1; default: 0.75): higher, more "
                          "categories")
    fit.add_argument("--hidden", type=int, nargs="+", default=None, metavar="WIDTH",
                     help="the widths of the encoder's hidden layers, input side first "
                          "(autoencoder; default: 256 64)")
    fit.add_argument("--latent-dim", type=int, default=None,
                     help="the size of the code that k-means clusters (autoencoder; "
                          "default: 10)")
    fit.add_argument("--batch-size", type=int, default=None,
                     help="samples per mini-batch (autoencoder; default: 64)")
    fit.add_argument("--conscience", action=argparse.BooleanOptionalAction, default=None,
                     help="DeSieno's conscience: every unit gets its share of the wins "
                          "(competitive; default: on)")
    fit.add_argument("--n-init", type=int, default=None,
                     help="seedings of k-means (kmeans; default: auto; autoencoder, for the "
                          "k-means on the codes: default 10)")
    shown = fit.add_mutually_exclusive_group()
    shown.add_argument("--verbose", dest="verbose", action="store_const", const=2,
                       default="auto", help="a progress bar and a line per epoch (default: a "
                       "progress bar on a terminal once training has run a few seconds)")
    shown.add_argument("--quiet", dest="verbose", action="store_const", const=False,
                       help="no progress bar")
    fit.add_argument("--standardize", action="store_true",
                     help="scale each feature to zero mean and unit variance first")
    fit.add_argument("--random-state", type=int, default=0)
    fit.add_argument("--backend", default="auto", choices=BACKENDS,
                     help="the kernels: auto (the compiled ones when built), numpy, cython "
                          "or cupy (default: auto)")
    fit.add_argument("--output", "-o", default=None,
                     help="where to save the model (default: MODEL.npz)")
    fit.add_argument("--plot", default=None, metavar="DIR",
                     help="also save figures of the result to this folder")


# ----------------------------------------------------------------- checks
def _fit_options(args):
    """A copy of the ``fit`` arguments with each model option's default filled in.

    Raises
    ------
    UsageError
        If an option was given that the model does not take, or a value is out of range.
    """
    args = argparse.Namespace(**vars(args))
    for name, (models, default) in MODEL_OPTIONS.items():
        value = getattr(args, name)
        if args.model not in models:
            if value is not None:
                raise UsageError(f"{_flag(name)} does not apply to {args.model}; it is an "
                                 f"option of {', '.join(models)}.")
        elif value is None:
            setattr(args, name, default)
    if args.n_clusters is not None and args.model in ("gng", "fuzzy_art", "art1"):
        raise UsageError(_NO_N_CLUSTERS[args.model == "gng"].format(model=args.model))
    if args.learning_rate is None and args.model in DEFAULT_LEARNING_RATES:
        args.learning_rate = DEFAULT_LEARNING_RATES[args.model]
    _check_ranges(args)
    return args


_NO_N_CLUSTERS = ("--n-clusters does not apply to {model}: adaptive resonance commits as many "
                  "categories as the vigilance asks for; use --rho (higher, more categories).",
                  "--n-clusters does not apply to gng: growing neural gas finds the number of "
                  "clusters itself (the connected components of its graph); use --max-nodes "
                  "to set the size of the graph.")


def _flag(name):
    return "--" + name.replace("_", "-")


def _check_ranges(args):
    """UsageError naming the option unless every number given is in its range (the options
    a command does not have are skipped: ``demo`` has only --random-state)."""
    for name, low in INT_MINIMUMS.items():
        value = getattr(args, name, None)
        for number in (value if isinstance(value, (list, tuple)) else [value]):
            if number is None:
                continue
            each = "each value of " if isinstance(value, (list, tuple)) else ""
            if number < low:
                raise UsageError(f"{each}{_flag(name)} must be >= {low}, got {number}.")
            if number > INT_MAXIMUM:
                raise UsageError(f"{each}{_flag(name)} must be <= {INT_MAXIMUM}, got {number}.")
    _check_learning_rate(getattr(args, "learning_rate", None), getattr(args, "model", None))
    rho = getattr(args, "rho", None)
    if rho is not None and not 0 <= rho <= 1:  # (also refuses nan)
        raise UsageError(f"--rho must be between 0 and 1, got {rho}.")


def _check_learning_rate(rate, model):
    """UsageError unless ``rate`` (when given) is finite, > 0 and at most the model's maximum."""
    if rate is None:
        return
    if not (math.isfinite(rate) and rate > 0):
        raise UsageError(f"--learning-rate must be a finite number > 0, got {rate}.")
    if rate > LEARNING_RATE_MAXIMUMS.get(model, math.inf):
        raise UsageError(f"--learning-rate must be <= {LEARNING_RATE_MAXIMUMS[model]:g} for "
                         f"{model} (the fraction of the way to the sample a winner moves), "
                         f"got {rate:g}.")


def _check_backend(backend):
    """UsageError unless this machine can run ``backend`` (the NEUROCLUST_BACKEND variable,
    which overrides the option, is checked by the library in its own words)."""
    if os.environ.get("NEUROCLUST_BACKEND"):
        resolve_backend(backend)
    elif backend != "auto" and backend not in available_backends():
        raise UsageError(f"--backend {backend} cannot run on this machine (it runs "
                         f"{', '.join(available_backends())}); use --backend auto.")
