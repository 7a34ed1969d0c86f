"""The ``neuroclust`` command: ``demo``, ``fit``, ``predict`` and ``info``.

Every failure is printed as one line on stderr, ``neuroclust: error: <sentence>``, with exit
code 2, never as a traceback: a bad option, a bad file, a request too large for memory, and
also an unexpected exception (a bug), which names its type; set the environment variable
``NEUROCLUST_DEBUG=1`` to see the traceback instead. Ctrl-C exits with code 130 (after saving
the model trained so far, when the model kept one); a closed stdout (``neuroclust ... | head``)
exits quietly with code 141, as Unix tools do. Options and output paths are checked before any
data is loaded or any model trained, and named as options (``--random-state``, not
``random_state``). A .csv DATA whose first line is read as column names says so in one line on
stderr, ``neuroclust: note: ...``; when no cell of that line begins like a number it is names,
else data, whose every cell must be a number (see DATA_HELP).
"""
import argparse
import contextlib
import csv
import math
import os
import re
import signal
import stat
import threading
import sys
import tempfile
import time
import warnings

import numpy as np

from ..backend import BACKENDS

__all__ = ["main"]

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
    "conscience": (("competitive",), False),
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
             "(a digit, or a sign or point before one), and then a column named label (or y, "
             "when there is no x) holds the labels; every cell of the data must be a plain "
             "decimal number (such as 3, -0.25 or 1.5e-3), separated by commas, or by "
             "semicolons or tabs throughout the file")

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

#: Set this environment variable to see the traceback of an error instead of one line.
DEBUG_VARIABLE = "NEUROCLUST_DEBUG"

#: The longest error message printed, in characters (a message can quote a huge csv cell).
MAX_MESSAGE = 1000

#: Exit codes: a user error, Ctrl-C (128 + SIGINT) and a closed stdout (128 + SIGPIPE).
EXIT_ERROR, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 2, 130, 141


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
    fit.add_argument("--conscience", action="store_const", const=True, default=None,
                     help="DeSieno's conscience (competitive)")
    fit.add_argument("--n-init", type=int, default=None,
                     help="seedings of k-means (kmeans; default: auto; autoencoder, for the "
                          "k-means on the codes: default 10)")
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


# ------------------------------------------------------------------- main
def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``neuroclust``; default: ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit code: 0 done, 2 an error (one line on stderr), 130 interrupted by Ctrl-C,
        141 stdout was closed before everything was written.
    """
    _STDOUT["closed"] = False
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            code = _run(argv)
            sys.stdout.flush()  # a closed pipe shows here, not at exit
        except BrokenPipeError:
            _silence_stdout()
            return EXIT_BROKEN_PIPE
        except KeyboardInterrupt as error:
            _error(f"interrupted by Ctrl-C{_detail(error)}.")
            return EXIT_INTERRUPTED
        except Exception as error:  # noqa: BLE001 - every failure must be one line
            if _debugging() and not isinstance(error, UsageError):
                raise
            _error(_sentence(error))
            return EXIT_ERROR
    return EXIT_BROKEN_PIPE if _STDOUT["closed"] else code


def _debugging():
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def _run(argv):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return {"demo": run_demo, "fit": run_fit, "predict": run_predict,
            "info": run_info}[args.command](args)


def _sentence(error):
    """The one-line message of an exception that ended the command."""
    try:
        text = str(error)
    except Exception:  # noqa: BLE001 - an exception whose message itself fails
        text = ""
    if isinstance(error, MemoryError):
        return f"not enough memory: {text or 'a request larger than this machine can hold'}"
    if isinstance(error, OSError):
        return _os_error(error)
    if isinstance(error, ValueError) and text:
        return text
    detail = f": {text}" if text else ""
    return (f"unexpected {type(error).__name__}{detail} (probably a bug in neuroclust; "
            f"run again with {DEBUG_VARIABLE}=1 to see the traceback, and report it).")


def _os_error(error):
    """``[Errno 2] No such file or directory: 'x'`` as ``'x': no such file or directory``."""
    if not error.strerror:
        return str(error)
    reason = error.strerror[0].lower() + error.strerror[1:]
    if error.filename is None:
        return f"{reason}."
    return f"{os.fsdecode(error.filename)!r}: {reason}."


def _detail(error):
    return f": {error}" if str(error) else ""


def _one_line(text):
    """``text`` on one line and at most MAX_MESSAGE characters long."""
    text = " ".join(str(text).splitlines())
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE - 5] + " ..."
    return text


def _error(message):
    _print_stderr(f"neuroclust: error: {message}")


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """A warning as one line (no file name, no source line), e.g. Ctrl-C kept the model."""
    _print_stderr(f"neuroclust: warning: {message}")


def _print_stderr(text):
    try:
        print(_one_line(text), file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr closed too: nowhere left to say it
        pass


#: Whether stdout was found closed (a reader such as ``head`` that stopped reading).
_STDOUT = {"closed": False}


def _say(text=""):
    """Print to stdout; a closed stdout stops the printing, not the work (the model is saved)."""
    try:
        print(text)
    except BrokenPipeError:
        _silence_stdout()


def _silence_stdout():
    """Send what is left to print, and Python's flush at exit, to the null device."""
    _STDOUT["closed"] = True
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (tests capture stdout)
        sys.stdout = os.fdopen(devnull, "w")
        return
    os.close(devnull)


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
    from ..backend import available_backends, resolve_backend

    if os.environ.get("NEUROCLUST_BACKEND"):
        resolve_backend(backend)
    elif backend != "auto" and backend not in available_backends():
        raise UsageError(f"--backend {backend} cannot run on this machine (it runs "
                         f"{', '.join(available_backends())}); use --backend auto.")


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


def _check_output_file(path, option):
    """Make sure ``path`` can be written, before any work that would be lost if it cannot.

    The folder is created if needed and a temporary file is created and removed in it; an
    existing ``path`` must be a regular file that can be opened for writing (it is not
    changed); a new one is created and removed.

    Parameters
    ----------
    path : str
        The file to write.
    option : str
        The option that gave it, for the message (``"--output"``).

    Raises
    ------
    UsageError
        Naming ``option``, when ``path`` is empty, a folder, a FIFO, a device or a socket, or
        when it or its folder cannot be written.
    """
    if not path:
        raise UsageError(f"{option} is empty; give a file name.")
    if os.path.isdir(path):
        raise UsageError(f"{option} {path!r} is a folder; give a file name.")
    if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
        raise UsageError(f"{option} {path!r} is not a regular file (a FIFO, a device or a "
                         "socket); give the name of a file.")
    _check_output_folder(os.path.dirname(path) or os.curdir, option, path)
    existed = os.path.exists(path)
    try:
        with open(path, "ab" if existed else "xb"):  # an existing file is opened, not changed
            pass
        if not existed:  # (the name itself may be refused: too long, or not valid there)
            os.remove(path)
    except OSError as error:
        raise UsageError(f"{option} {path!r} cannot be written ({_reason(error)}).") from None


def _check_output_folder(folder, option, given=None):
    """Create ``folder`` if needed and make sure a file can be created in it.

    Parameters
    ----------
    folder : str
        The folder.
    option : str
        The option that gave it (or a file in it), for the message.
    given : str, optional
        The file of ``option`` when it is a file in ``folder``, for the message.

    Raises
    ------
    UsageError
        Naming ``option``, when ``folder`` is not a folder, cannot be created, or does not
        accept new files.
    """
    what = f"{option} {given!r}" if given is not None else f"{option} {folder!r}"
    if not folder:
        raise UsageError(f"{option} is empty; give a folder.")
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise UsageError(f"{what} cannot be written: {folder!r} is a file, not a folder.")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{what} cannot be written: the folder {folder!r} cannot be created "
                         f"({_reason(error)}).") from None
    try:
        handle, probe = tempfile.mkstemp(prefix=".neuroclust-", dir=folder)
        os.close(handle)
        os.remove(probe)
    except OSError as error:
        raise UsageError(f"{what} cannot be written: the folder {folder!r} does not accept "
                         f"new files ({_reason(error)}).") from None


def _reason(error):
    return (error.strerror or str(error)).lower()


def _check_regular_file(path, what):
    """UsageError unless ``path`` (when it exists) is a regular file: reading a FIFO or a
    device such as /dev/zero would wait, or read, forever."""
    if os.path.exists(path) and not os.path.isdir(path) and not stat.S_ISREG(
            os.stat(path).st_mode):
        raise UsageError(f"{what} {path!r} is not a regular file (a FIFO, a device or a "
                         "socket); give a file.")


# --------------------------------------------------------------------- data
def load_data(name):
    """A built-in data set by name, or a .csv / .npy file; returns (X, y or None)."""
    from .. import datasets

    if name in datasets.BUILTIN_DATASETS:
        return datasets.load(name)
    extension = os.path.splitext(name)[1].lower()
    if extension in (".csv", ".npy"):
        _check_regular_file(name, "DATA")
        try:
            return _load_csv(name) if extension == ".csv" else datasets.load_file(name)
        except MemoryError:
            raise MemoryError(f"DATA {name!r} ({_size(name)}) does not fit in memory.") from None
    raise ValueError(f"DATA {name!r} is neither a built-in data set "
                     f"({', '.join(datasets.BUILTIN_DATASETS)}) nor a .csv or .npy file.")


#: A cell that is, or begins like, a number: a digit, or a sign or a point before one. A first
#: line with such a cell is data, never column names (``0x10``, ``1+2j``, ``1 2 3`` included).
_NUMBER_START = re.compile(r"[+-]?\.?[0-9]")

#: The separators a csv file may use, as the messages name them.
_SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs", " ": "spaces"}

#: The column names a note lists; more are counted.
_NAMES_SHOWN = 10


def _load_csv(path):
    """X and y (or None) of a csv file, read by ``datasets.load_file`` once its first line is
    known to be column names or data (see DATA_HELP).

    A first line that is data must hold numbers only; column names are said in a note on
    stderr. A cell that is not a plain decimal number is named by line and column, with what
    the reader expects, whether on the first line or on a later one.
    """
    from .. import datasets

    delimiter = _csv_delimiter(path)
    first = next(_csv_rows(path, delimiter), None) if delimiter else None
    header = first is not None and not any(map(_begins_like_a_number, first[1]))
    if first is not None and not header:
        _raise_bad_cell(path, delimiter, [first], first_line=True)
    try:
        X, y = datasets.load_file(path)
    except ValueError as error:
        rows = _csv_rows(path, delimiter) if delimiter else iter(())
        if header:
            next(rows, None)
        _raise_bad_cell(path, delimiter, rows, cause=error)
        raise
    if header:
        label_column = datasets._label_column(first[1]) if y is not None else None
        _note_column_names(first[1], label_column)
    return X, y


def _begins_like_a_number(cell):
    from ..datasets import _is_number

    return bool(_NUMBER_START.match(cell)) or _is_number(cell)


def _csv_delimiter(path):
    """The separator ``datasets.load_file`` uses for ``path`` (guessed from its first
    non-blank line), or None when the file cannot be read as UTF-8 text (the loader says so)."""
    from ..datasets import _guess_delimiter

    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return _guess_delimiter(next((line for line in handle if line.strip()), ""))
    except (OSError, UnicodeDecodeError):
        return None


def _csv_rows(path, delimiter):
    """The non-blank rows of a csv file as the loader reads them: (line number, the cells
    stripped of spaces); stops quietly where the file stops being readable csv (the loader
    then says why)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter, skipinitialspace=True)
            for row in reader:
                cells = [cell.strip() for cell in row]
                if any(cells):
                    yield reader.line_num, cells
    except (OSError, UnicodeDecodeError, csv.Error):
        return


def _raise_bad_cell(path, delimiter, rows, first_line=False, cause=None):
    """ValueError naming the first cell of ``rows`` that is not a number, if there is one."""
    from ..datasets import _is_number

    for line, cells in rows:
        for column, cell in enumerate(cells, start=1):
            if not _is_number(cell):
                where = f"DATA {path!r}, line {line}, column {column}"
                message = _bad_cell_sentence(where, cell, delimiter, first_line)
                raise ValueError(message) from cause


def _bad_cell_sentence(where, cell, delimiter, first_line):
    """What is wrong with ``cell`` and what the reader expects, in one sentence."""
    expected = _SEPARATORS[delimiter]
    if not cell:
        return f"{where} is empty; every cell must hold a number."
    shown = cell if len(cell) <= 40 else cell[:37] + "..."
    for separator, name in _SEPARATORS.items():
        parts = cell.split(separator)
        if separator != delimiter and len(parts) > 1 and all(map(_begins_like_a_number, parts)):
            return (f"{where} holds {shown!r}, numbers separated by {name}, but the reader "
                    f"expects them separated by {expected} (the separator of the first line).")
    why = (" (the first line is read as column names only when none of its cells begins "
           "like a number)" if first_line else "")
    return (f"{where} holds {shown!r}, which is not a plain decimal number{why}; the reader "
            f"expects numbers such as 3, -0.25 or 1.5e-3, separated by {expected}.")


def _note_column_names(names, label_column):
    """Say on stderr, in one line, that the first line of DATA was read as column names (and
    which of them, if any, holds the labels)."""
    listed = ", ".join(name or "(empty)" for name in names[:_NAMES_SHOWN])
    if len(names) > _NAMES_SHOWN:
        listed += f", ... ({len(names)} in all)"
    labels = "" if label_column is None else (f"; column {names[label_column]!r} holds the "
                                              "labels")
    _print_stderr(f"neuroclust: note: the first line of DATA was read as column names: "
                  f"{listed}{labels}")


def _size(path):
    return f"{os.path.getsize(path) / 2**20:.1f} MiB on disk"


def _standardize(X):
    scale = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(scale > 0, scale, 1.0)


def _label_scores(y, labels):
    from .. import metrics

    return {"ARI": metrics.adjusted_rand_score(y, labels),
            "NMI": metrics.normalized_mutual_info_score(y, labels),
            "accuracy": metrics.clustering_accuracy(y, labels)}


# ------------------------------------------------------------------- demo
def run_demo(args):
    """Train both models on both data sets, print the table, save the figures."""
    from .. import datasets

    _check_ranges(args)
    _check_output_folder(args.out, "--out")
    _say("neuroclust demo: competitive learning, k-means and a self-organizing map, no labels "
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
    _say("\nfigures written:")
    for path in paths:
        _say(f"  {path}")
    return 0


def _demo_models(n_clusters, random_state):
    from ..models import SOM, CompetitiveLearning, KMeans

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
    _say(header)
    _say("-" * len(header))
    for model_name, data_name, scores, seconds in rows:
        _say(f"{model_name:<22}{data_name:<22}{scores['ARI']:>7.3f}{scores['NMI']:>7.3f}"
              f"{scores['accuracy']:>10.3f}{seconds:>9.3f}")


def _demo_figures(folder, blobs_X, blobs_y, centres, fitted):
    import matplotlib

    matplotlib.use("Agg")
    from .. import plotting

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
    X, y = load_data(args.data)
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
             f"{n_clusters} clusters, {seconds:.3f} s")
        if y is not None:
            for name, value in _label_scores(y, labels).items():
                _say(f"  {name:<9} {value:.4f}")
        _say(f"model saved to {model.save(output)}")
    if args.plot is not None:
        for path in _fit_figures(args.plot, X, labels, model, y=y):
            _say(f"figure written: {path}")
    return EXIT_INTERRUPTED if interrupted else 0


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
    from ..base import TrainingInterruptedWarning

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


def _build_model(args, n_clusters):
    """The model ``fit`` trains, from its arguments (defaults filled in, ranges checked)."""
    from ..models import SOM, CompetitiveLearning, KMeans

    args = _fit_options(args)
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
            from ..plotting import som_snapshot_callback

            callbacks = [som_snapshot_callback([])]
        return SOM(shape=tuple(args.shape), topology=args.topology, epochs=args.epochs,
                   mode=args.mode, n_clusters=n_clusters, random_state=args.random_state,
                   backend=args.backend, callbacks=callbacks)
    if args.model == "kmeans":
        n_init = "auto" if args.n_init is None else args.n_init
        return KMeans(n_clusters, n_init=n_init, random_state=args.random_state,
                      backend=args.backend)
    return CompetitiveLearning(n_clusters, learning_rate=args.learning_rate,
                               epochs=args.epochs, mode=args.mode, conscience=args.conscience,
                               random_state=args.random_state, backend=args.backend)


def _build_latent(args, n_clusters):
    """An autoencoder trained on the data, then k-means on its codes (LatentClustering)."""
    from ..models import Autoencoder, KMeans, LatentClustering

    autoencoder = Autoencoder(hidden=tuple(args.hidden), latent_dim=args.latent_dim,
                              epochs=args.epochs, learning_rate=args.learning_rate,
                              batch_size=args.batch_size, random_state=args.random_state)
    n_init = 10 if args.n_init is None else args.n_init
    clusterer = KMeans(n_clusters, n_init=n_init, random_state=args.random_state,
                       backend=args.backend)
    return LatentClustering(autoencoder=autoencoder, clusterer=clusterer, n_clusters=n_clusters,
                            random_state=args.random_state)  # (checked before training)


def _latent_figures(X, labels, model, save, y=None):
    """The autoencoder's training curves, the codes in 2-D by cluster (and by true label when
    known), and inputs next to their reconstructions (as images for square images)."""
    from .. import plotting

    save(plotting.plot_training_curves(model.autoencoder_.history_), "training_curves.png")
    save(plotting.plot_latent_space(model.codes_, labels, true_labels=y), "latent_space.png")
    side = int(round(np.sqrt(X.shape[1])))
    image_shape = (side, side) if side * side == X.shape[1] and side > 3 else None
    save(plotting.plot_reconstructions(model.autoencoder_, X, image_shape=image_shape),
         "reconstructions.png")


def _build_gng(args):
    """Growing neural gas: it finds the number of clusters itself (see _fit_options)."""
    from ..models import GrowingNeuralGas

    callbacks = None
    if args.plot:  # keep the graph after each epoch for the animation of its growth
        import matplotlib

        matplotlib.use("Agg")
        from ..plotting import gng_snapshot_callback

        callbacks = [gng_snapshot_callback([])]
    return GrowingNeuralGas(max_nodes=args.max_nodes, epochs=args.epochs,
                            random_state=args.random_state, backend=args.backend,
                            callbacks=callbacks)


def _gng_figures(folder, X, labels, model, save):
    """The graph over the data and the animation of its growth (2-D data), and the history."""
    import matplotlib.pyplot as plt

    from .. import plotting

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
    from ..models import ART1, FuzzyART

    if args.model == "art1":
        return ART1(rho=args.rho, epochs=args.epochs, backend=args.backend)
    return FuzzyART(rho=args.rho, scale=True, epochs=args.epochs, backend=args.backend)


def _art_figures(X, model, save):
    """The category boxes (Fuzzy ART on 2-D data), the templates as images, the history."""
    from .. import plotting

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

    from .. import plotting

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
    """``neuroclust predict MODEL_FILE DATA``: write one label per row.

    The output file is checked before the model and the data are read.
    """
    if args.output is not None:
        _check_output_file(args.output, "--output")
        _check_not_an_input(args.output, {"MODEL_FILE": args.model_file, "DATA": args.data})
    model = _load_model(args.model_file)
    X, _ = load_data(args.data)
    try:
        labels = model.predict(X)
    except ValueError as error:  # e.g. another number of features than the model was fit on
        raise ValueError(f"DATA {args.data!r} cannot be predicted by MODEL_FILE "
                         f"{args.model_file!r}: {error}") from error
    text = "".join(f"{int(label)}\n" for label in labels)
    if args.output is None:
        _say(text[:-1])
        return 0
    with open(args.output, "w") as handle:
        handle.write(text)
    _say(f"{len(labels)} labels written to {args.output}")
    return 0


def _load_model(path):
    """The model saved in ``path``, refused in one sentence unless it can predict clusters.

    Parameters
    ----------
    path : str
        A file written by ``neuroclust fit`` (or by a model's ``save``).

    Returns
    -------
    BaseEstimator
        The model; it has a ``predict`` method.

    Raises
    ------
    ValueError
        If the file is missing, not a regular file, not a neuroclust model file (whatever
        went wrong reading it), or holds a model that has no clusters to predict.
    MemoryError
        If the arrays the file declares do not fit in memory.
    """
    from ..persistence import load

    _check_regular_file(path, "MODEL_FILE")
    if os.path.isdir(path):
        raise UsageError(f"MODEL_FILE {path!r} is a folder, not a model file.")
    try:
        model = load(path)
    except ValueError:
        raise
    except MemoryError as error:
        raise MemoryError(f"MODEL_FILE {path!r} ({_size(path)}) declares arrays larger than "
                          f"memory{_detail(error)}; is it a corrupt or hostile file?") from error
    except Exception as error:  # noqa: BLE001 - a crafted file can raise anything
        raise ValueError(f"MODEL_FILE {path!r} is not a valid neuroclust model file "
                         f"({type(error).__name__}{_detail(error)}).") from error
    if not callable(getattr(model, "predict", None)):
        raise ValueError(
            f"MODEL_FILE {path!r} holds a {type(model).__name__} model, which has no clusters "
            "to predict; `neuroclust predict` takes a model saved by `neuroclust fit` "
            f"({', '.join(MODELS)}; `fit autoencoder` saves the autoencoder together with "
            "the k-means that clusters its codes, a LatentClustering).")
    return model


def _check_not_an_input(path, inputs):
    """UsageError if writing ``path`` would overwrite one of ``inputs`` ({what: path})."""
    for what, given in inputs.items():
        if os.path.exists(path) and os.path.exists(given) and os.path.samefile(path, given):
            raise UsageError(f"--output {path!r} is the {what}; writing the labels there "
                             "would destroy it.")


# ------------------------------------------------------------------- info
def run_info(args):
    """Print the version and the backends this machine can run."""
    from .. import __version__
    from ..backend import available_backends

    _say(f"neuroclust {__version__}")
    _say(f"backends available: {', '.join(available_backends())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
