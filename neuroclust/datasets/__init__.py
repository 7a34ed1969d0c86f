r"""Data sets for the tutorials and demos: synthetic generators and a small embedded real set.

* **Synthetic**: :func:`make_blobs` (Gaussian clusters around centres),
  :func:`make_five_centroids` (the classic competitive-learning demo in 3-D),
  :func:`make_moons` and :func:`make_circles` (two clusters no set of centroids can separate),
  :func:`make_signals` (noisy sine, square and sawtooth time series, for convolutional models).
* **Real**: :func:`load_digits`, 1797 handwritten digits as 8x8 images, shipped inside the
  package (no download).
* **By name**: :func:`load` (``"five_centroids"``, ``"blobs"``, ``"moons"``, ``"circles"``,
  ``"digits"``), and :func:`load_file` for your own ``.csv`` or ``.npy`` file.

Every function returns ``(X, y)``: ``X`` a float64 array of shape (n_samples, n_features),
``y`` the int64 true label of each sample (``None`` where a file has no labels). The labels are
for judging a clustering afterwards; no model in neuroclust looks at them while it trains.

A parameter that would push the data beyond the float64 range (``cluster_std=1e308``,
``noise=1e308``, ``frequency=1e308``) is refused with a ValueError naming it: each generator
checks its output for infinities and NaN before it returns it.

Randomness comes only from ``random_state`` (None, an int, or a ``numpy.random.Generator``):
the same int gives the same data every time.

The files: ``datasets/synthetic.py`` (blobs, five centroids, moons, circles),
``datasets/signals.py`` (time series), this file (the digits, :func:`load` and
:func:`load_file`), ``datasets/_checks.py`` (the checks the generators share),
``neuroclust/_csv.py`` (the csv reader, which the command line uses too) and
``neuroclust/data/`` (the embedded digits).
"""
import inspect
import os
from pathlib import Path

import numpy as np

from .._csv import check_file, read_csv
from ._checks import _check_bool
from .signals import SIGNAL_KINDS, make_signals
from .synthetic import FIVE_CENTROIDS, make_blobs, make_circles, make_five_centroids, make_moons

__all__ = [
    "FIVE_CENTROIDS",
    "BUILTIN_DATASETS",
    "RANDOM_DATASETS",
    "make_blobs",
    "make_five_centroids",
    "make_moons",
    "make_circles",
    "make_signals",
    "SIGNAL_KINDS",
    "load_digits",
    "load",
    "load_file",
]

#: The names :func:`load` knows.
BUILTIN_DATASETS = ("five_centroids", "blobs", "moons", "circles", "digits")

#: Those of :data:`BUILTIN_DATASETS` drawn at random, whose draw ``random_state`` fixes.
RANDOM_DATASETS = ("five_centroids", "blobs", "moons", "circles")

_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


# ----------------------------------------------------------------------------- real
def load_digits(return_images=False):
    """Handwritten digits: 1797 images of 8x8 pixels, values 0..16, ten classes.

    The test set of "Optical Recognition of Handwritten Digits" by E. Alpaydin and
    C. Kaynak, UCI Machine Learning Repository, 1998 (https://doi.org/10.24432/C50P49),
    licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Each image is
    a 32x32 bitmap of a digit written by one of 13 people, cut into 4x4 blocks whose "on"
    pixels were counted. The data are stored unchanged inside the package
    (``neuroclust/data/digits.npz``), so loading needs no network; it is the same set that
    scikit-learn ships.

    Parameters
    ----------
    return_images : bool, default=False
        Also return the samples as 8x8 images.

    Returns
    -------
    X : ndarray of shape (1797, 64), float64
        One image per row, the pixels row by row, values 0..16.
    y : ndarray of shape (1797,), int64
        The digit, 0..9 (about 180 of each).
    images : ndarray of shape (1797, 8, 8), float64
        The same pixels as images (a copy); only when ``return_images`` is True.

    Examples
    --------
    >>> X, y = load_digits()
    >>> X.shape, int(X.max()), len(np.unique(y))
    ((1797, 64), 16, 10)
    """
    _check_bool(return_images, "return_images")
    path = _DATA_DIR / "digits.npz"
    if not path.is_file():
        raise FileNotFoundError(f"The embedded digits file {path.name!r} is missing from the "
                                "neuroclust installation; reinstall neuroclust.")
    with np.load(path, allow_pickle=False) as archive:
        pixels, labels = archive["pixels"], archive["labels"]
    X = pixels.astype(np.float64)  # (1797, 64)
    y = labels.astype(np.int64)  # (1797,)
    if return_images:
        return X, y, X.reshape(-1, 8, 8).copy()
    return X, y

# ------------------------------------------------------------------------- by name
_LOADERS = {
    "five_centroids": make_five_centroids,
    "blobs": make_blobs,
    "moons": make_moons,
    "circles": make_circles,
    "digits": load_digits,
}


def load(name, **kwargs):
    """A built-in data set by name.

    Parameters
    ----------
    name : {"five_centroids", "blobs", "moons", "circles", "digits"}
        The data set (see :data:`BUILTIN_DATASETS`): :func:`make_five_centroids`,
        :func:`make_blobs`, :func:`make_moons`, :func:`make_circles` or :func:`load_digits`.
    **kwargs
        Passed on to that function, e.g. ``random_state=0`` or ``n_samples=200``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), int64
        (and whatever else the function returns with the options given).

    Examples
    --------
    >>> X, y = load("moons", n_samples=200, random_state=0)
    >>> X.shape
    (200, 2)
    """
    if not isinstance(name, str) or name not in _LOADERS:
        listed = ", ".join(repr(known) for known in BUILTIN_DATASETS)
        raise ValueError(f"name must be one of {listed} (use load_file for a .csv or .npy "
                         f"file), got {name!r}.")
    function = _LOADERS[name]
    accepted = list(inspect.signature(function).parameters)
    unknown = [key for key in kwargs if key not in accepted]
    if unknown:
        raise ValueError(f"load({name!r}) got the unknown argument(s) "
                         f"{', '.join(repr(key) for key in unknown)}; {function.__name__} "
                         f"takes {', '.join(accepted)}.")
    return function(**kwargs)


def load_file(path):
    """Read your own data from a ``.csv`` or ``.npy`` file.

    * ``.npy``: one 2-D numeric array, one sample per row (saved with ``numpy.save``). It is
      read with ``allow_pickle=False``, so opening a file never runs code. No labels.
    * ``.csv``: numbers separated by commas (semicolons or tabs are recognised too), one
      sample per line. The first line is a header when any of its cells is not a number. The
      labels, not part of ``X``, are the column named ``label``, ``labels``, ``class``,
      ``species``, ``target`` or ``category`` (or ``y``, unless there is also an ``x``
      column, in which case ``x`` and ``y`` are coordinates), else the one column of repeated
      names that holds no number (iris's species); whole numbers, or names numbered 0, 1,
      ... in sorted order. Blank lines are skipped.

    Parameters
    ----------
    path : str or os.PathLike
        The file, whose extension (``.csv`` or ``.npy``, any case) says how to read it.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
        The data.
    y : ndarray of shape (n_samples,), int64, or None
        The labels from a csv label column; None when there is none.

    Raises
    ------
    ValueError
        When the file is missing, has another extension, or holds anything other than a
        table of numbers; the message names the file and, for a csv, the line and column.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path must be a file name (a str or pathlib.Path), got {path!r}.")
    path = os.fspath(path)
    extension = os.path.splitext(path)[1].lower()
    if extension not in (".csv", ".npy"):
        raise ValueError(f"File {path!r} has the extension {extension or '(none)'!r}, but "
                         "load_file reads only .csv and .npy files.")
    check_file(path)
    if extension == ".npy":
        return _read_npy(path), None
    return read_csv(path)

def _read_npy(path):
    with open(path, "rb") as handle:
        magic = handle.read(6)
    if magic != b"\x93NUMPY":
        raise ValueError(f"File {path!r} is not a NumPy .npy file (it lacks the .npy header); "
                         "write it with numpy.save.")
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise ValueError(f"File {path!r} holds Python objects, which are not loaded "
                             "because unpickling can run code; save a numeric array.") from None
        raise ValueError(f"File {path!r} could not be read as a .npy array ({error}).") from None
    except (OSError, EOFError) as error:
        raise ValueError(f"File {path!r} could not be read as a .npy array ({error}).") from None
    if array.dtype.kind not in "biuf":
        what = "text" if array.dtype.kind in "US" else f"dtype {array.dtype}"
        raise ValueError(f"File {path!r} holds {what}, not real numbers.")
    if array.ndim != 2:
        hint = " (save one feature as X.reshape(-1, 1))" if array.ndim == 1 else ""
        raise ValueError(f"File {path!r} holds a {array.ndim}-D array of shape {array.shape}, "
                         f"but a 2-D array (n_samples, n_features) is needed{hint}.")
    if array.size == 0:
        raise ValueError(f"File {path!r} holds an empty array of shape {array.shape}.")
    return array.astype(np.float64)
