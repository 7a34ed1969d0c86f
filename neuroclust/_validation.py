"""Input checks shared by every public entry point.

Each check fails with one sentence that names the argument and says what is wrong, so a
student sees ``X contains 3 NaN values (first at row 7)`` instead of a stack of NumPy frames.
"""
import numbers

import numpy as np

__all__ = [
    "NotFittedError",
    "NonFiniteError",
    "check_array",
    "check_n_features",
    "check_random_state",
    "check_scalar",
    "check_choice",
    "check_bool",
    "check_is_fitted",
    "array_module",
    "to_module",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when ``predict``/``transform`` is called before ``fit``."""


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
        The data. Lists, tuples and NumPy or CuPy arrays are accepted.
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
        "float" keeps float32 and float64 and turns every other numeric type into float64;
        "int" requires integer-valued data and returns int64.

    Returns
    -------
    ndarray
        The validated array, of the same array module as the input (NumPy or CuPy).
    """
    xp = array_module(X)
    if xp is np and not isinstance(X, np.ndarray):
        try:
            X = np.asarray(X)
        except (ValueError, TypeError) as error:
            raise ValueError(f"{name} could not be read as an array: {error}.") from None
    if X.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold numbers, but its dtype is {X.dtype} "
            f"({_dtype_description(X.dtype)})."
        )
    if X.ndim != ndim:
        raise ValueError(_ndim_message(X, name, ndim))
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}); at least one sample is needed.")
    if X.size == 0:
        raise ValueError(f"{name} has no features (shape {X.shape}); at least one is needed.")
    if X.shape[0] < min_samples:
        raise ValueError(
            f"{name} has {X.shape[0]} samples but at least {min_samples} are needed"
            f"{min_samples_reason}."
        )
    if dtype == "int":
        return _as_integer(X, name, xp)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if not allow_nan:
        _check_finite(X, name, xp)
    return X


def _as_integer(X, name, xp):
    if X.dtype.kind == "f":
        _check_finite(X, name, xp)
        if bool(xp.any(X != xp.round(X))):
            raise ValueError(f"{name} must hold whole numbers (labels), but it has fractions.")
    return X.astype(np.int64)


def _dtype_description(dtype):
    if dtype.kind in "US":
        return "text"
    if dtype.kind == "c":
        return "complex numbers are not supported"
    if dtype.kind == "O":
        return "Python objects; convert the data to a numeric array first"
    return "not a real number type"


def _ndim_message(X, name, ndim):
    message = f"{name} must be a {ndim}-D array, but it has {X.ndim} dimension(s), shape {X.shape}."
    if ndim == 2 and X.ndim == 1:
        message += (
            f" Use {name}.reshape(-1, 1) if it holds one feature, "
            f"or {name}.reshape(1, -1) if it holds one sample."
        )
    return message


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


def check_n_features(X, n_features_in, name="X"):
    """Fail when ``X`` has another number of features than the data the model was fit on."""
    if X.shape[1] != n_features_in:
        raise ValueError(
            f"{name} has {X.shape[1]} features, but the model was fit on data with "
            f"{n_features_in} features."
        )


def check_random_state(random_state, name="random_state"):
    """Turn ``None``, an int or a ``numpy.random.Generator`` into a Generator.

    ``None`` gives fresh entropy; an int gives the same stream every time.
    """
    if isinstance(random_state, (bool, np.bool_)):
        raise ValueError(f"{name} must be None, an int or a numpy.random.Generator, "
                         f"got {random_state!r}.")
    if random_state is None or isinstance(random_state, (numbers.Integral, np.integer)):
        if random_state is not None and random_state < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {random_state}.")
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    raise ValueError(
        f"{name} must be None, an int or a numpy.random.Generator, got {random_state!r}."
    )


def check_scalar(value, name, kind=numbers.Real, *, low=None, high=None,
                 low_inclusive=True, high_inclusive=True):
    """Check a hyper-parameter's type and range; return it unchanged.

    ``kind`` is ``numbers.Real`` or ``numbers.Integral``; booleans are never numbers here.
    """
    if isinstance(value, bool) or not isinstance(value, kind):
        wanted = "an integer" if kind is numbers.Integral else "a number"
        raise ValueError(f"{name} must be {wanted}, got {value!r}.")
    if isinstance(value, numbers.Real) and not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        raise ValueError(f"{name} must be {_range_text(low, high, low_inclusive, high_inclusive)}, "
                         f"got {value!r}.")
    return value


def _range_text(low, high, low_inclusive, high_inclusive):
    parts = []
    if low is not None:
        parts.append(f"{'>=' if low_inclusive else '>'} {low}")
    if high is not None:
        parts.append(f"{'<=' if high_inclusive else '<'} {high}")
    return " and ".join(parts)


def check_bool(value, name):
    """Check that a flag is True or False (not a string such as "no")."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def check_choice(value, name, choices):
    """Check that ``value`` is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}.")
    return value


def check_is_fitted(estimator, attribute):
    """Fail with a clear sentence when ``estimator`` has not been fit yet."""
    if not hasattr(estimator, attribute):
        name = type(estimator).__name__
        raise NotFittedError(
            f"This {name} is not fitted yet; call fit(X) before using it."
        )
