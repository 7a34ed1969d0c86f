"""The checks a model runs on its fitted attributes after :func:`neuroclust.load` set them.

Each class's ``_check_fitted_state`` (in ``neuroclust/models/``) reads its attributes through a
:class:`FittedState`, which names the attribute in every sentence it raises and stores each
value back in its normal form. ``neuroclust/persistence/__init__.py`` calls the check;
``_archive.py`` has already made sure the arrays are plain numbers of a sane size.
"""
import math
import numbers

import numpy as np

from ._text import _shorten

__all__ = ["FittedState", "MAX_COUNT"]

#: The largest whole number a loaded model may hold (a count of steps, iterations, nodes):
#: int64, as the kernels take it, with room to go on counting.
MAX_COUNT = (1 << 62) - 1


class FittedState:
    """Checks of a model's fitted attributes, for the ``_check_fitted_state`` of each class.

    Each method reads one attribute from the model, raises ValueError with a sentence naming
    it when it is required and missing (or None) or when its type, shape or range is wrong,
    stores it back in its normal form (an integer as ``int``, an index array as int64, every
    array C-contiguous) and returns it; an absent optional attribute gives None.

    Parameters
    ----------
    model : estimator
        A model whose attributes were just set, typically by :func:`load`.
    """

    BACKENDS = ("numpy", "cython", "cupy")

    def __init__(self, model):
        self.model = model

    def _get(self, name, required):
        attributes = vars(self.model)
        value = attributes.get(name)
        if value is None and required:
            if name in attributes:
                raise ValueError(f"{name} is None, but a fitted {type(self.model).__name__} "
                                 "always has one.")
            raise ValueError(f"{name} is missing.")
        return value

    def n_features(self):
        """``n_features_in_``, a positive integer (required)."""
        return self.integer("n_features_in_", low=1, required=True)

    def integer(self, name, low=None, high=None, required=False):
        """A whole number (not a bool) in ``[low, high]``, and never beyond
        :data:`MAX_COUNT` in magnitude."""
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise ValueError(f"{name} must be an integer, got {_shorten(repr(value))}.")
        value = int(value)
        if abs(value) > MAX_COUNT:
            raise ValueError(f"{name} must be at most 2**62 - 1 in magnitude (a count the "
                             f"kernels can go on with in int64), got {_shorten(value)}.")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{name} must be {_range(low, high)}, got {value}.")
        setattr(self.model, name, value)
        return value

    def number(self, name, low=None, high=None, finite=False, required=False):
        """A real number (not a bool, never NaN) in ``[low, high]``; infinities only when
        ``finite`` is False."""
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} must be a number, got {_shorten(repr(value))}.")
        value = float(value)
        if math.isnan(value) or (finite and not math.isfinite(value)):
            raise ValueError(f"{name} must be a {'finite ' if finite else ''}number, got "
                             f"{value}.")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{name} must be {_range(low, high)}, got {value}.")
        setattr(self.model, name, value)
        return value

    def choice(self, name, choices, required=False):
        """One of the strings ``choices``."""
        value = self._get(name, required)
        if value is not None and (not isinstance(value, str) or value not in choices):
            raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got "
                             f"{_shorten(repr(value))}.")
        return value

    def backend(self, required=True):
        """``backend_``: the name of a backend (every fit sets it)."""
        return self.choice("backend_", self.BACKENDS, required=required)

    def array(self, name, shape, kind="float", finite=True, low=None, high=None,
              required=False):
        """An array of the given shape and kind, its values in ``[low, high]``.

        Parameters
        ----------
        name : str
        shape : list of (str, int or None)
            One ``(description, size)`` per dimension, e.g. ``("n_clusters", 3)``; a size of
            None accepts any length.
        kind : {"float", "index"}
            "float": float32 or float64 numbers; "index": whole numbers of any integer dtype,
            returned as int64.
        finite : bool
            Refuse NaN and infinities (float arrays).
        low, high : number, optional
            Inclusive bounds of the values.
        """
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, np.ndarray):
            raise ValueError(f"{name} must be an array, got {type(value).__name__}.")
        if kind == "float" and value.dtype not in (np.float32, np.float64):
            raise ValueError(f"{name} must hold float32 or float64 numbers, got {value.dtype}.")
        if kind == "index" and value.dtype.kind not in "iu":
            raise ValueError(f"{name} must hold integers, got {value.dtype}.")
        _check_shape(name, value.shape, [shape])
        if kind == "float" and finite and value.size and not np.isfinite(value).all():
            raise ValueError(f"{name} holds NaN or infinite values.")
        if value.size and (low is not None or high is not None):
            smallest, largest = value.min(), value.max()
            if (low is not None and smallest < low) or (high is not None and largest > high):
                raise ValueError(f"{name} holds values from {smallest} to {largest}, but they "
                                 f"must be {_range(low, high)}.")
        if kind == "index":
            if value.dtype == np.uint64 and value.size and value.max() > np.iinfo(np.int64).max:
                raise ValueError(f"{name} holds integers too large for int64.")
            value = value.astype(np.int64, copy=False)
        if not value.flags.c_contiguous:
            value = value.copy(order="C")
        setattr(self.model, name, value)
        return value

    def parameter_vector(self, dtype=None):
        """``parameters_``: one finite float vector, in ``dtype`` when the model fixes one."""
        theta = self.array("parameters_", [("n_params", None)], required=True)
        if dtype is not None and theta.dtype != np.dtype(dtype):
            raise ValueError(f"parameters_ holds {theta.dtype} numbers, but dtype={dtype!r}.")
        return theta

    def labels(self, low=0, high=None, n_samples=None, min_samples=1):
        """``labels_`` (required: ``save`` always writes it): a 1-D array of cluster indices
        in ``[low, high]``, ``n_samples`` of them when known, else at least ``min_samples``
        (a fit sees at least one sample)."""
        labels = self.array("labels_", [("n_samples", n_samples)], kind="index", low=low,
                            high=high, required=True)
        if len(labels) < min_samples:
            raise ValueError(f"labels_ holds {len(labels)} label(s), but a fitted "
                             f"{type(self.model).__name__} labels at least {min_samples} "
                             "training sample(s).")
        return labels

    def init_array(self, shapes):
        """The parameter ``init`` when it is an array (its values were checked with the other
        parameters): it must have one of ``shapes``, given as for :meth:`array`, such as
        ``[("n_clusters", 3), ("n_features_in_", 4)]``."""
        init = vars(self.model).get("init")
        if init is None or isinstance(init, str):
            return init
        _check_shape("init", np.shape(init), shapes)
        return init

    def history(self, lists=None, length=None, may_be_empty=(), index=None, required=True):
        """``history_`` as ``fit`` writes it, a record of the epochs.

        Parameters
        ----------
        lists : dict of {str: {"number", "count"}}, optional
            A dict holding exactly these keys (and ``index``), each a list of "number"s (ints
            or floats; NaN and infinities too, as they were recorded) or "count"s (integers
            from 0 to :data:`MAX_COUNT`), all of one length. Without it, a list of "number"s
            for each key of the class's ``_history_keys``, or, when the class declares none,
            a plain list of numbers.
        length : (str, int), optional
            The attribute that counts the entries and its value, such as ``("n_iter_", 7)``:
            each list must have that many.
        may_be_empty : tuple of str
            Keys of ``lists`` that may be empty instead (a validation loss without a
            validation split).
        index : str, optional
            A key holding None or the index of an entry (such as the best epoch).
        required : bool
        """
        value = self._get("history_", required)
        if value is None:
            return None
        if lists is None and getattr(type(self.model), "_history_keys", ()):
            lists = {key: "number" for key in type(self.model)._history_keys}
        if lists is None:
            _check_entries("history_", value, "number")
            entries = value
        else:
            entries = self._check_history_dict(value, lists, may_be_empty, index)
        if length is not None and len(entries) != length[1]:
            raise ValueError(f"history_ holds {len(entries)} entries, but {length[0]}="
                             f"{length[1]} counts the entries it records.")
        return value

    @staticmethod
    def _check_history_dict(value, lists, may_be_empty, index):
        """The checks of a history kept as a dict of lists; returns its longest list."""
        keys = set(lists) | ({index} if index else set())
        if not isinstance(value, dict) or set(value) != keys:
            found = sorted(map(str, value)) if isinstance(value, dict) else \
                type(value).__name__
            raise ValueError(f"history_ must be a dict with the keys {sorted(keys)}, got "
                             f"{_shorten(found)}.")
        for key, kind in lists.items():
            _check_entries(f"history_[{key!r}]", value[key], kind)
        longest = max((value[key] for key in lists), key=len)
        for key in lists:
            if len(value[key]) != len(longest) and not (key in may_be_empty
                                                       and not value[key]):
                raise ValueError(f"history_[{key!r}] holds {len(value[key])} entries, but "
                                 f"the other lists of history_ hold {len(longest)}.")
        best = value.get(index)
        if index and best is not None and not (
                isinstance(best, int) and not isinstance(best, bool)
                and 0 <= best < len(longest)):
            raise ValueError(f"history_[{index!r}] must be None or the index of an entry, "
                             f"from 0 to {len(longest) - 1}, got {_shorten(repr(best))}.")
        return longest


def _check_entries(name, values, kind):
    """ValueError unless ``values`` is a list of numbers (``kind`` "number") or of counts
    (``kind`` "count": integers from 0 to MAX_COUNT)."""
    wanted = "numbers" if kind == "number" else f"integers from 0 to {MAX_COUNT}"
    if not isinstance(values, list):
        raise ValueError(f"{name} must be a list of {wanted}, got {type(values).__name__}.")
    for value in values:
        good = _is_real(value) if kind == "number" else (
            isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT)
        if not good:
            raise ValueError(f"{name} must be a list of {wanted}, but it holds "
                             f"{_shorten(repr(value))}.")


def _check_shape(name, found, shapes):
    """ValueError unless the shape ``found`` matches one of ``shapes`` (each a list of
    ``(description, size or None)``)."""
    for shape in shapes:
        if len(found) == len(shape) and all(size is None or found[axis] == size
                                            for axis, (_, size) in enumerate(shape)):
            return
    wanted = []
    for shape in shapes:
        text = "(" + ", ".join(label for label, _ in shape) + ("," if len(shape) == 1 else "") \
            + ")"
        if any(size is not None for _, size in shape) and len(found) == len(shape):
            sizes = tuple(found[axis] if size is None else int(size)
                          for axis, (_, size) in enumerate(shape))
            text += f" = {sizes}"
        wanted.append(text)
    raise ValueError(f"{name} has shape {tuple(found)}, but it must have shape "
                     f"{' or '.join(wanted)}.")


def _is_real(value):
    return isinstance(value, (int, float, np.integer, np.floating)) \
        and not isinstance(value, (bool, np.bool_))


def _range(low, high):
    if low is not None and high is not None:
        return f"between {low} and {high}"
    return f">= {low}" if low is not None else f"<= {high}"
