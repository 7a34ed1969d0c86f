"""Input checks shared by every public entry point.

Each check fails with one sentence that names the argument and says what is wrong, so a
student sees ``X contains 3 NaN values (first at row 7)`` instead of a stack of NumPy frames.
"""
import decimal
import math
import numbers
import sys
import threading
from contextlib import contextmanager

import numpy as np

from ._memory import InsufficientMemoryError, available_memory, check_memory, format_bytes

__all__ = [
    "MAX_COUNT",
    "NotFittedError",
    "NonFiniteError",
    "InsufficientMemoryError",
    "check_array",
    "as_float_dtype",
    "check_fits_dtype",
    "check_n_features",
    "check_random_state",
    "check_seed",
    "check_scalar",
    "check_count",
    "check_choice",
    "check_bool",
    "check_is_fitted",
    "check_verbose",
    "check_callbacks",
    "check_memory",
    "check_init_array",
    "available_memory",
    "format_bytes",
    "array_module",
    "to_host",
    "to_module",
    "check_prototypes_shape",
    "ndim_of",
    "shape_of",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when ``predict``/``transform`` is called before ``fit``.

    A ``ValueError`` and an ``AttributeError``, as scikit-learn's own ``NotFittedError``.
    When scikit-learn is loaded in the process (``sklearn.exceptions`` imported by anyone),
    the error raised is also an instance of scikit-learn's class, so
    ``except sklearn.exceptions.NotFittedError`` and scikit-learn's estimator checks catch
    it; neuroclust itself never imports scikit-learn for that (whoever can name
    scikit-learn's class has loaded it).
    """

    def __new__(cls, *args, **kwargs):
        if cls is NotFittedError:
            cls = _not_fitted_error_class()
        return super().__new__(cls, *args, **kwargs)

    def __reduce__(self):
        # rebuilt through __new__, so the copy matches the process it is loaded in
        return NotFittedError, self.args, self.__dict__ or None


_SKLEARN_NOT_FITTED = {}   # scikit-learn's NotFittedError class -> neuroclust's subclass of it


def _not_fitted_error_class():
    """:class:`NotFittedError`, or a subclass that is also scikit-learn's ``NotFittedError``
    when ``sklearn.exceptions`` is already imported (read from ``sys.modules``, never
    imported here)."""
    foreign = getattr(sys.modules.get("sklearn.exceptions"), "NotFittedError", None)
    if not (isinstance(foreign, type) and issubclass(foreign, Exception)):
        return NotFittedError
    if foreign not in _SKLEARN_NOT_FITTED:
        _SKLEARN_NOT_FITTED[foreign] = type(
            "NotFittedError", (NotFittedError, foreign),
            {"__module__": NotFittedError.__module__, "__doc__": NotFittedError.__doc__})
    return _SKLEARN_NOT_FITTED[foreign]


class NonFiniteError(ValueError):
    """An array holds NaN or infinite values. Inside training it means divergence: the
    epoch loop (``neuroclust.base.run_epochs``) stops and keeps the last good weights."""


def array_module(X):
    """Return the array module (``numpy`` or ``cupy``) that owns ``X``."""
    module = type(X).__module__
    if module.startswith("cupy"):
        import cupy

        return cupy
    return np


def ndim_of(x):
    """The number of dimensions of ``x``: a NumPy or CuPy array, or a (nested) list."""
    return x.ndim if hasattr(x, "ndim") else np.ndim(x)


def shape_of(x):
    """The shape of ``x``: a NumPy or CuPy array, or a (nested) list."""
    return x.shape if hasattr(x, "shape") else np.shape(x)


def to_host(a):
    """``a`` as a NumPy array when it is a CuPy one (a copy, by ``.get()``: CuPy refuses an
    implicit ``np.asarray``); anything else is returned as it is."""
    return a.get() if array_module(a) is not np else a


def to_module(a, xp):
    """``a`` as an array of the array module ``xp`` (NumPy or CuPy), copied only if it
    lives in the other one: to the device by ``xp.asarray``, to the host by ``.get()``
    (CuPy refuses an implicit ``np.asarray``)."""
    if array_module(a) is xp:
        return a
    return a.get() if hasattr(a, "get") else xp.asarray(a)    # only device arrays have get


def check_array(X, name="X", *, ndim=2, min_samples=1, allow_nan=False, dtype="float",
                min_samples_reason=""):
    """Validate a data array and return it as a float32 or float64 array.

    Parameters
    ----------
    X : array-like
        The data: lists, tuples, NumPy or CuPy arrays, or anything with ``__array__``
        (a pandas DataFrame of numbers). An ``np.matrix``, a memory map or another ndarray
        subclass becomes a plain ndarray (a view, not a copy); a masked array is accepted
        only when no value is masked. Sparse matrices are refused: call ``.toarray()``.
    name : str
        The argument's name, used in error messages.
    ndim : int
        The required number of dimensions.
    min_samples : int
        The least number of rows (samples) allowed.
    min_samples_reason : str
        Why, appended to the message, e.g. " (one per cluster, n_clusters=5)".
    allow_nan : bool
        Whether NaN and infinity are allowed.
    dtype : {"float", "int"}
        "float" keeps float32 and float64 (in the machine's byte order) and turns every
        other real type into float64: integers, booleans (0 and 1), float16 and long
        double (refused if a value lies beyond the float64 range). Object arrays are
        refused, even of numbers (a list holding an int beyond 64 bits becomes one): the
        message says how to convert them. "int" requires integer-valued data and returns
        int64.

    Returns
    -------
    ndarray
        The validated array, of the same array module as the input (NumPy or CuPy). A
        read-only input stays read-only when no conversion was needed.
    """
    _refuse_sparse(X, name)
    xp = array_module(X)
    if xp is np:
        X = _as_ndarray(X, name)
    if X.dtype.kind == "O" and xp is np:
        raise ValueError(_object_message(X, name))
    if X.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold numbers, but its dtype is {X.dtype} "
            f"({_dtype_description(X.dtype, name)})."
        )
    if X.ndim != ndim:
        raise ValueError(_ndim_message(X, name, ndim))
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}); at least one sample is needed.")
    if X.size == 0:
        # (scikit-learn's wording, which its users and its estimator checks know)
        raise ValueError(f"{name} has 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
                         "required.")
    if X.shape[0] < min_samples:
        raise ValueError(
            f"{name} has {X.shape[0]} samples but at least {min_samples} are needed"
            f"{min_samples_reason}."
        )
    if dtype == "int":
        return _as_integer(X, name, xp)
    X = _as_float(X, name, xp)
    if not allow_nan:
        _check_finite(X, name, xp)
    return X


def _refuse_sparse(X, name):
    """SciPy's and CuPy's sparse matrices, and anything else with ``nnz`` and a dense view."""
    module = type(X).__module__
    dense = "toarray" if hasattr(X, "toarray") else "todense"
    if module.startswith(("scipy.sparse", "cupyx.scipy.sparse")) or (
            hasattr(X, "nnz") and hasattr(X, dense)):
        shape = " x ".join(str(n) for n in getattr(X, "shape", ()))
        raise ValueError(f"{name} is a sparse matrix ({type(X).__name__}, {shape}), but "
                         f"neuroclust needs a dense array; pass {name}.{dense}() if it fits "
                         "in memory.")


def _as_ndarray(X, name):
    """X as a plain ndarray (not a subclass), masked arrays only without masked values."""
    if isinstance(X, np.ma.MaskedArray):
        n_masked = int(np.ma.count_masked(X))
        if n_masked:
            raise ValueError(f"{name} is a masked array with {n_masked} masked value(s); fill "
                             f"or drop them first (e.g. {name}.filled(value)).")
        X = X.data
    try:
        X = np.asarray(X)
    except (ValueError, TypeError, OverflowError) as error:
        if "inhomogeneous" in str(error):
            raise ValueError(f"{name} could not be read as an array: it is a ragged nested "
                             "sequence (its rows do not all have the same length).") from None
        raise ValueError(f"{name} could not be read as an array: "
                         f"{str(error).rstrip('.')}.") from None
    return X


def _object_message(X, name):
    """Why an object array is refused, naming its first element that is not a number."""
    hint = f"convert the data to a numeric array first, e.g. np.asarray({name}, dtype=float)"
    for index, value in enumerate(X.flat):
        if not isinstance(value, (numbers.Real, decimal.Decimal)):
            return (f"{name} must hold numbers, but its dtype is object (Python objects, "
                    f"e.g. {shown(value)} at {_position(X, index)}); {hint}.")
    return f"{name} must hold numbers, but its dtype is object (Python objects); {hint}."


def _position(X, flat_index):
    if X.ndim == 0:
        return "its only position"
    where = np.unravel_index(flat_index, X.shape)
    return f"row {where[0]}" + (f", column {where[1]}" if X.ndim == 2 else "")


def _as_float(X, name, xp):
    """float32 and float64 kept (in native byte order); every other real type as float64."""
    if X.dtype.kind == "f" and X.dtype.itemsize in (4, 8):
        return X if X.dtype.isnative else X.astype(X.dtype.newbyteorder("="))
    if X.dtype.kind == "f" and X.dtype.itemsize > 8:      # long double
        _check_range(X, np.float64, name, xp, "")
    return X.astype(np.float64)


def as_float_dtype(X, dtype, name="X", owner="this model", advice=None):
    """``X`` converted to the float ``dtype``; refused if a value lies beyond its range.

    A cast from float64 to float32 turns values above 3.4e38 into infinity, which a later
    check would report as infinite values that the caller never passed.

    Parameters
    ----------
    X : ndarray
        A validated float array (NumPy or CuPy).
    dtype : str or numpy.dtype
        "float32" or "float64".
    name : str
        The argument's name, used in the message.
    owner : str
        Whose dtype it is, e.g. "this model".
    advice : str, optional
        What to do instead; by default "scale the data or use dtype='float64'".
    """
    dtype = np.dtype(dtype)
    if X.dtype == dtype:
        return X
    check_fits_dtype(X, dtype, name, owner, advice)
    return X.astype(dtype)


def check_fits_dtype(X, dtype, name="X", owner="this model", advice=None):
    """Refuse ``X`` if a cast to the float ``dtype`` would turn its values into infinity
    (see :func:`as_float_dtype`, which also converts); nothing is copied."""
    dtype = np.dtype(dtype)
    if dtype.itemsize < X.dtype.itemsize:
        tail = f" of {owner}" if owner else ""
        _check_range(X, dtype, name, array_module(X), tail, advice)


def _check_range(X, dtype, name, xp, owner_text, advice=None):
    dtype = np.dtype(dtype)
    limit = float(np.finfo(dtype).max)
    magnitude = xp.abs(X)
    largest = xp.where(xp.isfinite(magnitude), magnitude, 0).max()
    if not isinstance(largest, np.generic):   # a CuPy 0-d array
        largest = float(largest)
    if largest > limit:
        advice = advice or ("scale the data or use dtype='float64'" if dtype == np.float32
                            else "scale the data first")
        raise ValueError(f"{name} holds values up to {_scientific(largest)}, beyond the "
                         f"{dtype.name} range ({limit:.2g}){owner_text}; {advice}.")


def _scientific(value):
    """``value`` as e.g. "1e+39", also for a long double beyond the float64 range."""
    return np.format_float_scientific(value, precision=2, trim="-").replace("e+0", "e+")


def _as_integer(X, name, xp):
    if X.dtype.kind == "f":
        _check_finite(X, name, xp)
        if bool(xp.any(X != xp.round(X))):
            raise ValueError(f"{name} must hold whole numbers (labels), but it has fractions.")
        if bool((xp.abs(X) >= 2.0 ** 63).any()):
            raise ValueError(f"{name} holds whole numbers beyond the int64 range (about "
                             "9.2e+18).")
    elif X.dtype.kind == "u" and X.dtype.itemsize == 8 and bool((X >= 2 ** 63).any()):
        raise ValueError(f"{name} holds whole numbers beyond the int64 range (about 9.2e+18).")
    return X.astype(np.int64)


def _dtype_description(dtype, name):
    if dtype.kind in "US":
        return "text"
    if dtype.kind == "c":   # scikit-learn's words for it, which its estimator checks look for
        return (f"Complex data not supported: pass {name}.real for the real parts or "
                f"np.abs({name}) for the magnitudes")
    if dtype.kind == "O":
        return "Python objects; convert the data to a numeric array first"
    return "not a real number type"


def _ndim_message(X, name, ndim):
    message = f"{name} must be a {ndim}-D array, but it has {X.ndim} dimension(s), shape {X.shape}"
    if ndim == 2 and X.ndim == 1:   # "Reshape your data": the words scikit-learn's users know
        message += (
            f": Reshape your data with {name}.reshape(-1, 1) if it holds one feature, "
            f"or {name}.reshape(1, -1) if it holds one sample"
        )
    return message + "."


def _check_finite(X, name, xp):
    finite = xp.isfinite(X)
    if bool(finite.all()):
        return
    bad = ~finite
    n_nan = int(xp.isnan(X).sum())
    n_inf = int(bad.sum()) - n_nan
    first_row = int(xp.argmax(bad.reshape(X.shape[0], -1).any(axis=1)))
    parts = []
    if n_nan:
        parts.append(f"{n_nan} NaN value(s)")
    if n_inf:
        parts.append(f"{n_inf} infinite value(s)")
    raise NonFiniteError(
        f"{name} contains {' and '.join(parts)} (first at row {first_row}); "
        "remove or impute them before fitting."
    )


def check_n_features(X, n_features_in, name="X", owner="the model"):
    """Fail when ``X`` has another number of features than the data the model was fit on.

    ``owner`` names the model, e.g. "SOM"; the sentence is the one scikit-learn's users
    know: "X has 2 features, but SOM is expecting 3 features as input (...)".
    """
    if X.shape[1] != n_features_in:
        raise ValueError(
            f"{name} has {X.shape[1]} features, but {owner} is expecting {n_features_in} "
            "features as input (the number it was fit on)."
        )


def check_random_state(random_state, name="random_state"):
    """Turn ``None``, an int or a ``numpy.random.Generator`` into a Generator.

    ``None`` gives fresh entropy; an int gives the same stream every time.
    """
    check_seed(random_state, name)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    return np.random.default_rng(random_state)


def check_seed(random_state, name="random_state"):
    """Check a ``random_state`` argument without drawing from it; return it unchanged.

    For ``_check_params``: a legacy ``RandomState`` would advance if turned into a Generator
    twice.
    """
    if isinstance(random_state, (bool, np.bool_)):
        raise ValueError(f"{name} must be None, an int or a numpy.random.Generator, "
                         f"got {shown(random_state)}.")
    if isinstance(random_state, (int, np.integer)):
        if random_state < 0:
            raise ValueError(f"{name} must be a non-negative integer, got "
                             f"{shown(random_state)}.")
        return random_state
    if random_state is None or isinstance(random_state, (np.random.Generator,
                                                         np.random.RandomState)):
        return random_state
    raise ValueError(
        f"{name} must be None, an int or a numpy.random.Generator, got {shown(random_state)}."
    )


def check_scalar(value, name, kind=numbers.Real, *, low=None, high=None,
                 low_inclusive=True, high_inclusive=True):
    """Check a hyper-parameter's type and range; return it unchanged.

    ``kind`` is ``numbers.Real`` or ``numbers.Integral``. Accepted are Python and NumPy ints
    (of any size) and, for ``numbers.Real``, floats; never booleans. A ``Fraction``, a
    ``Decimal`` or a 0-d array is refused with a hint to convert it, since the models mix
    hyper-parameters with float arrays, which such objects would turn into object arrays.
    Floats must be finite.
    """
    integral = kind is numbers.Integral
    wanted = "an integer" if integral else "a number"
    plain = (int, np.integer) if integral else (int, float, np.integer, np.floating)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, plain):
        raise ValueError(f"{name} must be {wanted}, got {shown(value)}"
                         f"{_conversion_hint(value)}.")
    if not integral:
        try:
            finite = math.isfinite(float(value))
        except OverflowError:           # an int beyond any float
            raise ValueError(f"{name} must lie within the float64 range (about 1.8e+308), "
                             f"got {shown(value)}.") from None
        if not finite:
            raise ValueError(f"{name} must be finite, got {shown(value)}.")
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        raise ValueError(f"{name} must be {_range_text(low, high, low_inclusive, high_inclusive)}, "
                         f"got {shown(value)}.")
    return value


def shown(value, limit=60):
    """``repr(value)`` for a message, cut to about ``limit`` characters (an int of
    millions of digits has no affordable repr)."""
    if isinstance(value, int) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _conversion_hint(value):
    """What to do with a value that is a number of an unsupported kind."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        return "; pass a plain number, e.g. value.item()"
    if isinstance(value, (numbers.Real, decimal.Decimal)) and not isinstance(
            value, (bool, int, float, np.number)):       # a Fraction, a Decimal
        return "; convert it with int() or float()"
    return ""


#: The most epochs, iterations or steps a count parameter may ask for: far more than any run
#: can take, and small enough for ``range`` and progress bars, which need a C ssize_t.
MAX_COUNT = 10 ** 15


def check_count(value, name, low=1):
    """Check a count of epochs, iterations or steps: an integer >= ``low`` and at most
    :data:`MAX_COUNT`; return it unchanged. A huge count is refused only because ``range``
    and progress bars cannot hold it: a run that would merely take long is allowed."""
    check_scalar(value, name, numbers.Integral, low=low)
    if value > MAX_COUNT:
        raise ValueError(f"{name} must be at most {_bound_text(MAX_COUNT)}, got "
                         f"{shown(value)}.")
    return value


def _range_text(low, high, low_inclusive, high_inclusive):
    parts = []
    if low is not None:
        parts.append(f"{'>=' if low_inclusive else '>'} {_bound_text(low)}")
    if high is not None:
        parts.append(f"{'<=' if high_inclusive else '<'} {_bound_text(high)}")
    return " and ".join(parts)


def _bound_text(bound):
    return f"{bound:,}" if isinstance(bound, int) and abs(bound) >= 10 ** 6 else f"{bound}"


def check_bool(value, name):
    """Check that a flag is True or False (not a string such as "no")."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {shown(value)}.")
    return bool(value)


def check_choice(value, name, choices):
    """Check that ``value`` is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name} must be one of {listed}, got {shown(value)}.")
    return value


def is_dask_array(X):
    """True when ``X`` is a Dask array (checked without importing Dask, which only a user of
    :mod:`neuroclust.distributed` needs)."""
    return type(X).__module__.split(".")[0] == "dask" and hasattr(X, "to_delayed")


def check_is_fitted(estimator, attribute):
    """Fail with a clear sentence when ``estimator`` has not been fit yet."""
    if not hasattr(estimator, attribute):
        name = type(estimator).__name__
        raise NotFittedError(
            f"This {name} is not fitted yet; call fit(X) before using it."
        )
    unchanged = getattr(estimator, "_check_params_unchanged", None)
    if callable(unchanged):   # set_params after fit must not silently change a fitted model
        unchanged()


def check_verbose(verbose, name="verbose"):
    """Check a verbosity level: "auto", True, False or an integer >= 0; return "auto" or an
    int ("auto": a progress bar on an interactive screen once training has run a few seconds,
    never in a pipe or a log file; see ``_epochs.progress_settings``)."""
    if isinstance(verbose, str) and verbose == "auto":
        return "auto"
    if isinstance(verbose, (bool, np.bool_)):
        return int(verbose)
    if isinstance(verbose, (int, np.integer)) and verbose >= 0:
        return int(verbose)
    raise ValueError(f"{name} must be \"auto\", True, False or an integer >= 0, got "
                     f"{shown(verbose)}.")


def check_callbacks(callbacks, name="callbacks"):
    """Check that ``callbacks`` is None or a list (or tuple) of callables; return a tuple."""
    wanted = f"{name} must be a list of functions callback(model, epoch)"
    if callbacks is None:
        return ()
    if callable(callbacks):
        raise ValueError(f"{wanted}, got a single {type(callbacks).__name__}; wrap it in a "
                         "list.")
    if not isinstance(callbacks, (list, tuple)):
        raise ValueError(f"{wanted}, got {shown(callbacks)}.")
    for callback in callbacks:
        if not callable(callback):
            raise ValueError(f"{wanted}, but it holds {shown(callback)}.")
    return tuple(callbacks)


def check_init_array(init, n_units, name="init"):
    """Check an ``init`` given as an array (a string is checked by the model): numbers,
    finite, 2-D, one row per prototype. The width is checked against X in ``fit``."""
    if isinstance(init, str):
        return init
    init = check_array(init, name=name)
    check_prototypes_shape(init, n_units, name=name)
    return init


def check_prototypes_shape(W, n_units, n_features=None, name="init", grid_shape=None):
    """Refuse a prototype array ``W`` whose shape is not (n_units, n_features), in the one
    sentence every model and layer uses.

    Parameters
    ----------
    W : array
        The prototypes, one row per unit (already checked to be an array of numbers).
    n_units : int
    n_features : int, optional
        The width wanted; by default W's own (only the number of rows is checked).
    name : str
        The argument's name, used in the message.
    grid_shape : tuple of int, optional
        A map's (rows, cols): then (rows, cols, n_features) is accepted too.
    """
    shape = tuple(int(size) for size in shape_of(W))
    width = n_features if n_features is not None else (shape[-1] if shape else 0)
    accepted = [(n_units, width)]
    if grid_shape is not None:
        accepted.append((*grid_shape, width))
    if shape in accepted:
        return
    wanted = " or ".join(str(option) for option in accepted)
    raise ValueError(f"{name} has shape {shape}, but {n_units} prototypes of {width} features, "
                     f"shape {wanted}, are needed.")


# ------------------------------------------------------------- data checked once, upstream
_checked_scope = threading.local()


@contextmanager
def data_already_checked():
    """Inside, layer inputs and augmentations are checked for shape and type but not scanned
    for NaN and infinity: the training loop has checked its data once, and a NaN or infinity
    that arises later (a diverging network, a transform that makes one) reaches the loss,
    which the loop stops on. A scan of every layer's input at every batch cost about a tenth
    of a DEC epoch, and the scans of a contrastive step's two views a twentieth of the step."""
    previous = getattr(_checked_scope, "checked", False)
    _checked_scope.checked = True
    try:
        yield
    finally:
        _checked_scope.checked = previous


def nan_scan_skipped():
    """True inside :func:`data_already_checked`."""
    return getattr(_checked_scope, "checked", False)
