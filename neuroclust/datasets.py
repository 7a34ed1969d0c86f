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
"""
import csv
import inspect
import io
import numbers
import os
from pathlib import Path

import numpy as np

from ._validation import check_array, check_random_state, check_scalar

__all__ = [
    "FIVE_CENTROIDS",
    "BUILTIN_DATASETS",
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

#: The five true centres of :func:`make_five_centroids`, one row per cluster (shape (5, 3),
#: float64, read-only): [1, 2, 1], [2, 5, 2], [-3, 3, 0], [5, -1, -1], [-2, -2, -2].
#:
#: :meta hide-value:
FIVE_CENTROIDS = np.array(
    [[1.0, 2.0, 1.0],
     [2.0, 5.0, 2.0],
     [-3.0, 3.0, 0.0],
     [5.0, -1.0, -1.0],
     [-2.0, -2.0, -2.0]]
)
FIVE_CENTROIDS.flags.writeable = False

#: The names :func:`load` knows.
BUILTIN_DATASETS = ("five_centroids", "blobs", "moons", "circles", "digits")

_DATA_DIR = Path(__file__).resolve().parent / "data"


# ------------------------------------------------------------------------ synthetic
def make_blobs(n_samples=500, centers=None, n_features=2, cluster_std=1.0,
               center_box=(-10, 10), shuffle=True, random_state=None, return_centers=False):
    r"""Isotropic Gaussian clusters around given or random centres.

    Sample :math:`i` belongs to cluster :math:`y_i` and is its centre plus Gaussian noise:

    .. math::
        x_i = c_{y_i} + \sigma_{y_i} z_i, \qquad z_i \sim \mathcal{N}(0, I).
        \tag{1}

    Parameters
    ----------
    n_samples : int or sequence of int, default=500
        An int is the total number of samples, split between the clusters as evenly as
        possible (the first clusters get one more when it does not divide). A sequence gives
        the size of each cluster; every size must be at least 1.
    centers : int or array-like of shape (n_clusters, n_features), default=None
        An int is the number of clusters, whose centres are drawn uniformly from
        ``center_box`` in every coordinate. An array gives the centres themselves (then
        ``n_features`` is ignored). None means 3 random centres, or one per entry when
        ``n_samples`` is a sequence.
    n_features : int, default=2
        The number of features of random centres.
    cluster_std : float or sequence of float, default=1.0
        The standard deviation :math:`\sigma` of every coordinate, for all clusters or one per
        cluster. Zero puts every sample on its centre.
    center_box : (float, float), default=(-10, 10)
        The interval (low, high) random centres are drawn from.
    shuffle : bool, default=True
        Shuffle the samples. When False they come cluster by cluster.
    random_state : None, int or numpy.random.Generator, default=None
        The source of randomness; an int gives the same data every time.
    return_centers : bool, default=False
        Also return the centres.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
        The samples.
    y : ndarray of shape (n_samples,), int64
        The cluster of each sample, 0 .. n_clusters - 1.
    centers : ndarray of shape (n_clusters, n_features), float64
        The centres; only when ``return_centers`` is True.

    Examples
    --------
    >>> X, y = make_blobs(n_samples=[50, 100], centers=[[0, 0], [5, 5]], random_state=0)
    >>> X.shape, list(np.bincount(y))
    ((150, 2), [50, 100])
    """
    _check_bool(shuffle, "shuffle")
    _check_bool(return_centers, "return_centers")
    sizes = _cluster_sizes_or_none(n_samples)
    rng = check_random_state(random_state)

    if centers is None or _is_int(centers):
        if centers is None:
            n_clusters = 3 if sizes is None else len(sizes)
        else:
            n_clusters = check_scalar(centers, "centers", numbers.Integral, low=1)
        check_scalar(n_features, "n_features", numbers.Integral, low=1)
        low, high = _check_box(center_box)
        centres = rng.uniform(low, high, size=(n_clusters, n_features))  # (k, d)
    else:
        if isinstance(centers, (numbers.Number, str, bytes)):
            raise ValueError("centers must be an integer (the number of clusters) or an array "
                             f"of centres, got {centers!r}.")
        centres = np.array(check_array(centers, "centers"), dtype=np.float64)  # (k, d)
        n_clusters = centres.shape[0]

    if sizes is None:
        if n_samples < n_clusters:
            raise ValueError(f"n_samples must be at least the number of clusters ({n_clusters}) "
                             f"so that every cluster gets a sample, got {n_samples}.")
        sizes = np.full(n_clusters, n_samples // n_clusters, dtype=np.int64)
        sizes[: n_samples % n_clusters] += 1
    elif len(sizes) != n_clusters:
        raise ValueError(f"n_samples lists {len(sizes)} cluster sizes, but there are "
                         f"{n_clusters} centres.")
    sigma = _cluster_stds(cluster_std, n_clusters)  # (k,)

    y = np.repeat(np.arange(n_clusters, dtype=np.int64), sizes)  # (n,)
    Z = rng.standard_normal((y.shape[0], centres.shape[1]))  # (n, d)
    with np.errstate(over="ignore", invalid="ignore"):
        X = centres[y] + sigma[y, None] * Z  # eq. (1)
    _check_finite(X, "cluster_std", cluster_std, "spreads the samples")
    if shuffle:
        order = rng.permutation(y.shape[0])
        X, y = X[order], y[order]
    if return_centers:
        return X, y, centres
    return X, y


def make_five_centroids(n_samples=500, cluster_std=0.8, random_state=None,
                        return_centers=False):
    r"""The classic competitive-learning demo: five Gaussian clusters in 3-D.

    The centres are :data:`FIVE_CENTROIDS`: [1, 2, 1], [2, 5, 2], [-3, 3, 0], [5, -1, -1] and
    [-2, -2, -2]. Each sample is its centre plus Gaussian noise with standard deviation
    ``cluster_std`` in every coordinate (:func:`make_blobs`, eq. (1)). The clusters are well
    separated but close enough that a bad initialisation leaves a unit dead, which is what
    makes it a good first data set for winner-take-all learning.

    Parameters
    ----------
    n_samples : int or sequence of 5 ints, default=500
        The total number of samples (split evenly, 100 per cluster by default) or the size of
        each cluster.
    cluster_std : float or sequence of 5 floats, default=0.8
        The spread: the standard deviation of every coordinate.
    random_state : None, int or numpy.random.Generator, default=None
        The source of randomness; an int gives the same data every time.
    return_centers : bool, default=False
        Also return the true centres (a writable copy of :data:`FIVE_CENTROIDS`).

    Returns
    -------
    X : ndarray of shape (n_samples, 3), float64
        The samples, shuffled.
    y : ndarray of shape (n_samples,), int64
        The cluster of each sample, 0..4, in the order of :data:`FIVE_CENTROIDS`.
    centers : ndarray of shape (5, 3), float64
        The true centres; only when ``return_centers`` is True.

    Examples
    --------
    >>> X, y, centres = make_five_centroids(random_state=0, return_centers=True)
    >>> X.shape, centres.shape
    ((500, 3), (5, 3))
    """
    return make_blobs(n_samples=n_samples, centers=FIVE_CENTROIDS, cluster_std=cluster_std,
                      random_state=random_state, return_centers=return_centers)


def make_moons(n_samples=1000, noise=0.05, random_state=None):
    r"""Two interleaving half circles: clusters that are not blobs.

    The upper moon (label 0) and the lower moon (label 1) follow the angles
    :math:`t \in [0, \pi]`, evenly spaced:

    .. math::
        x = (\cos t, \; \sin t)
        \tag{1}

    .. math::
        x = (1 - \cos t, \; \tfrac{1}{2} - \sin t)
        \tag{2}

    and every coordinate gets Gaussian noise, with :math:`z \sim \mathcal{N}(0, I)`:

    .. math::
        x \leftarrow x + \text{noise} \cdot z
        \tag{3}

    A prototype method (k-means, competitive learning) cuts each moon in two, because the
    nearest-prototype regions are convex; a SOM or growing neural gas can follow the arcs.

    Parameters
    ----------
    n_samples : int, default=1000
        The total number of samples, at least 2; the upper moon gets one more when it is odd.
    noise : float, default=0.05
        The standard deviation of the Gaussian noise; 0 gives points exactly on the arcs.
    random_state : None, int or numpy.random.Generator, default=None
        The source of randomness; an int gives the same data every time.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
        The samples, shuffled.
    y : ndarray of shape (n_samples,), int64
        0 for the upper moon, 1 for the lower one.
    """
    check_scalar(n_samples, "n_samples", numbers.Integral, low=2)
    check_scalar(noise, "noise", numbers.Real, low=0)
    rng = check_random_state(random_state)
    n_lower = n_samples // 2
    n_upper = n_samples - n_lower
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])  # eq. (1)
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])  # eq. (2)
    X = np.vstack([upper, lower])  # (n, 2)
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n_upper, n_lower])
    with np.errstate(over="ignore", invalid="ignore"):
        X = X + noise * rng.standard_normal(X.shape)  # eq. (3)
    _check_finite(X, "noise", noise, "moves the samples")
    return _shuffled(X, y, rng)


def make_circles(n_samples=1000, noise=0.05, factor=0.5, random_state=None):
    r"""Two concentric circles: one cluster inside the other.

    The outer circle (label 0) has radius 1 and the inner circle (label 1) radius ``factor``;
    the angles :math:`t` are evenly spaced around each circle:

    .. math::
        x = (\cos t, \; \sin t)
        \tag{1}

    .. math::
        x = \text{factor} \cdot (\cos t, \; \sin t)
        \tag{2}

    and every coordinate gets Gaussian noise with :math:`z \sim \mathcal{N}(0, I)`:

    .. math::
        x \leftarrow x + \text{noise} \cdot z
        \tag{3}

    Both clusters have the same mean (the origin), so no method that describes a cluster by
    its centre can separate them; this is the standard counter-example for k-means.

    Parameters
    ----------
    n_samples : int, default=1000
        The total number of samples, at least 2; the outer circle gets one more when it is odd.
    noise : float, default=0.05
        The standard deviation of the Gaussian noise; 0 gives points exactly on the circles.
    factor : float, default=0.5
        The radius of the inner circle relative to the outer one, strictly between 0 and 1.
    random_state : None, int or numpy.random.Generator, default=None
        The source of randomness; an int gives the same data every time.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
        The samples, shuffled.
    y : ndarray of shape (n_samples,), int64
        0 for the outer circle, 1 for the inner one.
    """
    check_scalar(n_samples, "n_samples", numbers.Integral, low=2)
    check_scalar(noise, "noise", numbers.Real, low=0)
    check_scalar(factor, "factor", numbers.Real, low=0, high=1,
                 low_inclusive=False, high_inclusive=False)
    rng = check_random_state(random_state)
    n_inner = n_samples // 2
    n_outer = n_samples - n_inner
    t_outer = np.linspace(0.0, 2.0 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2.0 * np.pi, n_inner, endpoint=False)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])  # eq. (1)
    inner = factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)])  # eq. (2)
    X = np.vstack([outer, inner])  # (n, 2)
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n_outer, n_inner])
    with np.errstate(over="ignore", invalid="ignore"):
        X = X + noise * rng.standard_normal(X.shape)  # eq. (3)
    _check_finite(X, "noise", noise, "moves the samples")
    return _shuffled(X, y, rng)


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
      sample per line. The first line is a header when any of its cells is not a number; a
      header column named ``label`` (or ``y``, unless there is also an ``x`` column, in which
      case ``x`` and ``y`` are taken to be coordinates) holds the labels, which must be whole
      numbers, and is not part of ``X``. Blank lines are skipped.

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
    if not os.path.exists(path):
        raise ValueError(f"File {path!r} does not exist.")
    if os.path.isdir(path):
        raise ValueError(f"File {path!r} is a folder, not a file.")
    if extension == ".npy":
        return _read_npy(path), None
    return _read_csv(path)


# ------------------------------------------------------------------------- helpers
def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}.")


def _cluster_sizes_or_none(n_samples):
    """None when ``n_samples`` is a total (checked); else the int64 array of cluster sizes."""
    if _is_int(n_samples):
        check_scalar(n_samples, "n_samples", numbers.Integral, low=1)
        return None
    if isinstance(n_samples, (str, bytes, bool, numbers.Number)) or n_samples is None:
        raise ValueError("n_samples must be an integer or a list of cluster sizes, "
                         f"got {n_samples!r}.")
    try:
        sizes = np.asarray(n_samples)
    except (TypeError, ValueError):
        sizes = None
    if (sizes is None or sizes.ndim != 1 or sizes.size == 0 or sizes.dtype.kind not in "iu"
            or np.any(sizes < 1)):
        raise ValueError("n_samples must be an integer or a list of cluster sizes, each a "
                         f"whole number >= 1, got {n_samples!r}.")
    return sizes.astype(np.int64)


def _check_box(center_box):
    try:
        low, high = center_box
    except (TypeError, ValueError):
        low = high = None
    valid = all(isinstance(end, numbers.Real) and not isinstance(end, bool)
                and np.isfinite(end) for end in (low, high))
    if not valid or not low < high:
        raise ValueError("center_box must be a pair (low, high) of finite numbers with "
                         f"low < high, got {center_box!r}.")
    if not np.isfinite(float(high) - float(low)):
        raise ValueError(f"center_box={center_box!r} is wider than the float64 range (its "
                         "width high - low overflows); choose a narrower box.")
    return float(low), float(high)


def _cluster_stds(cluster_std, n_clusters):
    """The standard deviation of each cluster as a float64 array of shape (n_clusters,)."""
    if isinstance(cluster_std, (numbers.Number, str, bytes)):
        check_scalar(cluster_std, "cluster_std", numbers.Real, low=0)
        return np.full(n_clusters, float(cluster_std))
    try:
        sigma = np.asarray(cluster_std, dtype=np.float64)
    except (TypeError, ValueError):
        sigma = None
    if (sigma is None or sigma.shape != (n_clusters,) or not np.all(np.isfinite(sigma))
            or np.any(sigma < 0)):
        raise ValueError(f"cluster_std must be a number >= 0 or a list of {n_clusters} such "
                         f"numbers (one per cluster), got {cluster_std!r}.")
    return sigma


def _check_finite(values, argument, value, what):
    """ValueError naming ``argument`` when ``values``, the samples it produced, hold
    infinities or NaN: the generators check their output (exact, whatever the other
    arguments) rather than bound each parameter."""
    if not np.isfinite(values).all():
        raise ValueError(f"{argument}={value!r} is too large: it {what} beyond the float64 "
                         f"range (about {np.finfo(np.float64).max:.3g}), so the data would "
                         f"hold infinities or NaN; choose a smaller {argument}.")


def _shuffled(X, y, rng):
    order = rng.permutation(y.shape[0])
    return X[order], y[order]


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


def _guess_delimiter(line):
    """The most frequent of comma, semicolon and tab in ``line``; comma on a tie or none."""
    counts = {delimiter: line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > counts[","] else ","


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _read_csv(path):
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise ValueError(f"File {path!r} is not a UTF-8 text file.") from None
    except OSError as error:
        raise ValueError(f"File {path!r} could not be read ({error.strerror}).") from None
    first_line = next((line for line in text.splitlines() if line.strip()), None)
    if first_line is None:
        raise ValueError(f"File {path!r} is empty.")
    reader = csv.reader(io.StringIO(text), delimiter=_guess_delimiter(first_line),
                        skipinitialspace=True)
    rows, line_numbers = [], []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append([cell.strip() for cell in row])
                line_numbers.append(reader.line_num)
    except csv.Error as error:
        raise ValueError(f"File {path!r} is not valid csv near line {reader.line_num} "
                         f"({error}).") from None

    header = None
    if not all(_is_number(cell) for cell in rows[0]):
        header, rows, first_number = rows[0], rows[1:], line_numbers[0]
        line_numbers = line_numbers[1:]
        if not rows:
            raise ValueError(f"File {path!r} has a header line but no data.")
    width = len(header) if header is not None else len(rows[0])
    for row, number in zip(rows, line_numbers):
        if len(row) != width:
            first = first_number if header is not None else line_numbers[0]
            raise ValueError(f"File {path!r} has {len(row)} values on line {number}, but "
                             f"{width} on line {first}.")

    try:
        table = np.array(rows, dtype=np.float64)  # (n, width)
    except ValueError:
        _raise_first_bad_cell(path, rows, line_numbers, header)

    label_column = _label_column(header)
    if label_column is None:
        return table, None
    if width == 1:
        raise ValueError(f"File {path!r} has only the label column {header[label_column]!r} "
                         "and no features.")
    labels = table[:, label_column]
    whole = np.isfinite(labels) & (labels == np.round(labels))
    if not whole.all():
        bad = int(np.argmin(whole))
        raise ValueError(f"File {path!r} has the label {rows[bad][label_column]!r} on line "
                         f"{line_numbers[bad]}, but labels must be whole numbers.")
    X = np.delete(table, label_column, axis=1)
    return X, labels.astype(np.int64)


def _raise_first_bad_cell(path, rows, line_numbers, header):
    for row, number in zip(rows, line_numbers):
        for column, cell in enumerate(row):
            if not _is_number(cell):
                where = f"column {column + 1}"
                if header is not None:
                    where += f" ({header[column]!r})"
                problem = "is empty" if cell == "" else f"holds {cell!r}, which is not a number"
                raise ValueError(f"File {path!r}, line {number}, {where} {problem}.")
    raise ValueError(f"File {path!r} could not be read as a table of numbers.")


def _label_column(header):
    """The index of the label column of a csv header, or None."""
    if header is None:
        return None
    names = [name.strip().lower() for name in header]
    if "label" in names:
        return names.index("label")
    if "y" in names and "x" not in names:
        return names.index("y")
    return None


# ------------------------------------------------------------------ time series
#: The waveforms :func:`make_signals` knows, in the order of their default labels.
SIGNAL_KINDS = ("sine", "square", "sawtooth")


def make_signals(n_samples=600, length=128, kinds=SIGNAL_KINDS, noise=0.1, frequency=4.0,
                 random_state=None, return_kinds=False):
    r"""Noisy periodic time series of a few waveforms: one cluster per waveform.

    Sample :math:`i` is a waveform :math:`w` (its kind, the label) read at the
    ``length`` times :math:`t_j = j / \text{length}`, :math:`j = 0, \dots, \text{length} - 1`,
    with a frequency :math:`f_i` (cycles per signal: ``frequency``, or drawn from
    :math:`U(f_{lo}, f_{hi})` for ``frequency=(f_lo, f_hi)``), a random phase
    :math:`\phi_i \sim U(0, 1)` (in cycles) and a random amplitude
    :math:`a_i \sim U(0.8, 1.2)`. With the position in the cycle
    :math:`u_{ij} = f_i t_j + \phi_i`,

    .. math::
        \text{sine}: \; a_i \sin(2 \pi u_{ij}), \qquad
        \text{square}: \; a_i \operatorname{sgn}\big(\sin(2 \pi u_{ij})\big), \qquad
        \text{sawtooth}: \; a_i \big(2 (u_{ij} \bmod 1) - 1\big)
        \tag{1}

    (:math:`\operatorname{sgn}(0) = 1`, so a square wave takes exactly the two values
    :math:`\pm a_i`), and every value gets Gaussian noise, :math:`z_{ij} \sim \mathcal N(0, 1)`:

    .. math::
        x_{ij} \leftarrow x_{ij} + \text{noise} \cdot z_{ij}.
        \tag{2}

    The random phase makes samples of one kind far apart point by point (two sines half a
    cycle apart are each other's negatives), so k-means on the raw values separates the kinds
    no better than chance; a description blind to the phase is needed (see the time-series
    tutorial). With an integer ``frequency`` every signal holds whole cycles, so a phase shift
    is exactly a circular shift in time; random frequencies add a second nuisance that
    a phase-blind description still sees.

    Parameters
    ----------
    n_samples : int, default=600
        The number of signals, at least ``len(kinds)``; the kinds get equal shares, the first
        ones one more when it does not divide evenly.
    length : int, default=128
        The number of time steps of each signal, at least 2.
    kinds : sequence of str, default=("sine", "square", "sawtooth")
        The waveforms, distinct names from :data:`SIGNAL_KINDS`; label ``k`` is ``kinds[k]``.
    noise : float >= 0, default=0.1
        The standard deviation of the Gaussian noise of eq. (2).
    frequency : float > 0 or (float, float), default=4.0
        The number of cycles in each signal: the same for all, or a (low, high) range from
        which each signal draws its own, uniformly.
    random_state : None, int or numpy.random.Generator, default=None
        The source of randomness; an int gives the same data every time.
    return_kinds : bool, default=False
        Also return the tuple of kind names, so that ``kinds[y[i]]`` names sample ``i``.

    Returns
    -------
    X : ndarray of shape (n_samples, length), float64
        The signals, shuffled.
    y : ndarray of shape (n_samples,), int64
        The index of each signal's kind in ``kinds``.
    kinds : tuple of str
        Only with ``return_kinds=True``.
    """
    if isinstance(kinds, str):
        kinds = (kinds,)
    try:
        kinds = tuple(kinds)
    except TypeError:
        kinds = None
    if (not kinds or len(set(kinds)) != len(kinds)
            or not all(isinstance(k, str) and k in SIGNAL_KINDS for k in kinds)):
        raise ValueError(f"kinds must be a non-empty sequence of distinct names from "
                         f"{SIGNAL_KINDS}, got {kinds!r}.")
    check_scalar(n_samples, "n_samples", numbers.Integral, low=len(kinds))
    check_scalar(length, "length", numbers.Integral, low=2)
    check_scalar(noise, "noise", numbers.Real, low=0)
    _check_bool(return_kinds, "return_kinds")
    rng = check_random_state(random_state)
    _frequencies(frequency, 1, np.random.default_rng(0))          # checks it before any draw
    n_samples, length, n_kinds = int(n_samples), int(length), len(kinds)
    sizes = np.full(n_kinds, n_samples // n_kinds)
    sizes[:n_samples % n_kinds] += 1
    y = np.repeat(np.arange(n_kinds, dtype=np.int64), sizes)
    given_frequency, frequency = frequency, _frequencies(frequency, n_samples, rng)
    phase = rng.uniform(0.0, 1.0, size=(n_samples, 1))
    amplitude = rng.uniform(0.8, 1.2, size=(n_samples, 1))
    u = frequency * (np.arange(length) / length) + phase                        # (n, length)
    with np.errstate(over="ignore"):
        _check_finite(2 * np.pi * u, "frequency", given_frequency, "turns the phases")
    waves = {"sine": lambda u: np.sin(2 * np.pi * u),
             "square": lambda u: np.where(np.sin(2 * np.pi * u) >= 0, 1.0, -1.0),
             "sawtooth": lambda u: 2.0 * np.mod(u, 1.0) - 1.0}
    X = np.empty((n_samples, length))
    for k, name in enumerate(kinds):
        rows = y == k
        X[rows] = amplitude[rows] * waves[name](u[rows])                            # eq. (1)
    with np.errstate(over="ignore", invalid="ignore"):
        X = X + noise * rng.standard_normal(X.shape)                              # eq. (2)
    _check_finite(X, "noise", noise, "moves the values")
    X, y = _shuffled(X, y, rng)
    return (X, y, kinds) if return_kinds else (X, y)


def _frequencies(frequency, n_samples, rng):
    """The (n_samples, 1) cycles per signal of :func:`make_signals`, after checking them."""
    if isinstance(frequency, numbers.Real) and not isinstance(frequency, bool):
        check_scalar(frequency, "frequency", numbers.Real, low=0, low_inclusive=False)
        return np.full((n_samples, 1), float(frequency))
    try:
        low, high = (float(f) for f in frequency)
    except (TypeError, ValueError):
        raise ValueError(f"frequency must be a positive number or a (low, high) pair of "
                         f"them, got {frequency!r}.") from None
    if not 0 < low <= high < np.inf:
        raise ValueError(f"frequency=(low, high) needs 0 < low <= high, finite; got "
                         f"{frequency!r}.")
    return rng.uniform(low, high, size=(n_samples, 1))
