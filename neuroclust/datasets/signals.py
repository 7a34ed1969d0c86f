r"""Noisy periodic time series (:func:`make_signals`): one cluster per waveform, for the
convolutional models and the time-series tutorial (``tutorials/plot_06_time_series_clustering.py``).
Importable from :mod:`neuroclust.datasets`.
"""
import numbers

import numpy as np

from .._validation import check_random_state, check_scalar
from ._checks import _check_bool, _check_finite, _shuffled

__all__ = ["SIGNAL_KINDS", "make_signals"]

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
