"""``neuroclust predict MODEL_FILE DATA`` (one label per row) and ``neuroclust info``.

A model file is read with :func:`neuroclust.load` (``persistence``), which never runs code
from the file; whatever goes wrong reading it is one sentence naming MODEL_FILE.
"""
import os

from .. import __version__
from ..backend import available_backends
from ..persistence import load
from ._data import _check_output_file, _check_regular_file, _size, load_data
from ._errors import UsageError, _detail, _say
from ._parser import MODELS

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
    _say(f"neuroclust {__version__}")
    _say(f"backends available: {', '.join(available_backends())}")
    return 0
