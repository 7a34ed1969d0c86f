"""Checks and steps the data set generators share (``synthetic.py``, ``signals.py`` and
``load_digits`` in ``__init__.py``): booleans, whole numbers, finite output, shuffling."""
import numbers

import numpy as np


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}.")

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
