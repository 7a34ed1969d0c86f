r"""Data augmentations: small random changes that should not change what a sample *is*.

Contrastive learning (:class:`~neuroclust.ContrastiveClustering`) trains a network to give
two randomly changed views of a sample the same representation and different samples
different ones. Which changes are drawn decides what the representation ignores: noise of
some size, a missing feature, a shift by a pixel, a delayed start. So these small objects are
a model's assumptions made explicit, and the tutorial measures which ones matter.

The files a reader follows, in order: ``models/contrastive.py`` (the estimator that draws two
views of every batch) -> ``augment.py`` (this module) -> ``nn/contrastive.py`` (the loss) ->
``docs/algorithms/contrastive.md`` -> ``tutorials/plot_10_contrastive_learning.py``.

Every augmentation is called as ``aug(X, rng) -> X_new``: ``X`` a batch of samples, one per
row, ``rng`` a ``numpy.random.Generator`` (or a seed) from which all randomness is drawn, so a
seed gives the same views on every run (and on a GPU: the draws are made on the host). Each
sample gets its own draw. The result has X's shape and dtype (float32 stays float32); ``X``
is never changed. Parameters are checked when the object is made. :class:`Compose` chains
them.

It lives beside ``datasets`` rather than in ``nn``: an augmentation changes data, it has no
parameters to learn and no gradient, and a user may call one on its own (to look at views).

Tabular data (any X of shape (n_samples, n_features)):
:class:`GaussianNoise`, :class:`FeatureMask`, :class:`RandomScaling`.
Time series (X of shape (n_samples, length), or (n_samples, channels, length); all channels
of a sample are changed together): :class:`Jitter`, :class:`Scaling`, :class:`TimeShift`,
:class:`CropResize` (Um et al. 2017). Small images (rows holding ``shape`` pixels, such as the
8 x 8 digits): :class:`ImageShift`, and :class:`GaussianNoise`.

References
----------
T. Chen, S. Kornblith, M. Norouzi and G. Hinton, "A simple framework for contrastive learning
of visual representations" (SimCLR), ICML 2020 (section 3: "composition of data augmentations
is crucial").
T. T. Um et al., "Data augmentation of wearable sensor data for Parkinson's disease monitoring
using convolutional neural networks", ICMI 2017 (jitter, scaling, cropping for time series).
D. Bahri, H. Jiang, Y. Tay and D. Metzler, "SCARF: self-supervised contrastive learning using
random feature corruption", ICLR 2022 (masking features of tabular data).
"""
import math
import numbers
from abc import ABC, abstractmethod

import numpy as np

from ._validation import (array_module, check_array, check_random_state, check_scalar,
                          nan_scan_skipped, ndim_of, to_module)

__all__ = ["Augmentation", "GaussianNoise", "FeatureMask", "RandomScaling", "Jitter",
           "Scaling", "TimeShift", "CropResize", "ImageShift", "Compose", "from_config"]


class Augmentation(ABC):
    """Base class: ``aug(X, rng)`` checks X and rng, then calls ``_apply(X, rng, xp)``.

    A subclass stores its parameters under their constructor names (so ``config()`` and
    ``repr`` can list them) and implements ``_apply``, which must return a new array.
    """

    #: the dimensions X may have
    _ndims = (2,)

    def __call__(self, X, rng=None):
        ndim = ndim_of(X) if ndim_of(X) in self._ndims else self._ndims[0]
        X = check_array(X, ndim=ndim, allow_nan=nan_scan_skipped())   # in nn.train: checked
        rng = check_random_state(rng, "rng")
        return self._apply(X, rng, array_module(X)).astype(X.dtype, copy=False)

    @abstractmethod
    def _apply(self, X, rng, xp):
        """The augmentation of checked ``X`` with generator ``rng`` on array module ``xp``."""

    def config(self):
        """The constructor's arguments, as plain JSON values: ``type(a)(**a.config())``
        is an equal augmentation."""
        return {name: list(value) if isinstance(value, tuple) else value
                for name, value in vars(self).items()}

    def __repr__(self):
        arguments = ", ".join(f"{name}={value!r}" for name, value in vars(self).items())
        return f"{type(self).__name__}({arguments})"

    def __eq__(self, other):
        return type(self) is type(other) and self.config() == other.config()

    def __hash__(self):
        return hash(repr(self))


def _draw(xp, values):
    """Host draws (the same for a seed everywhere), on X's array module."""
    return to_module(np.asarray(values), xp)


#: Pairs of normals drawn per block: a block's temporaries (a few hundred KiB) stay in the
#: cache while the transform's half-dozen passes run over them.
NORMAL_BLOCK_PAIRS = 1 << 15


def _standard_normal_float32(rng, shape):
    r"""Standard normal float32 draws by the Box-Muller transform of float32 uniforms.

    .. math:: z_1 = \sqrt{-2 \ln u_1} \cos(2 \pi u_2), \qquad
              z_2 = \sqrt{-2 \ln u_1} \sin(2 \pi u_2)                                \tag{1}

    with :math:`u_1 \in (0, 1]` and :math:`u_2 \in [0, 1)` uniform: two independent standard
    normals per pair (Box and Muller 1958). In float32, a block of ``NORMAL_BLOCK_PAIRS`` pairs
    at a time, it is about five times faster than NumPy's ziggurat; the 24-bit uniforms bound
    :math:`|z|` by :math:`\sqrt{48 \ln 2} \approx 5.8`, a tail of probability below
    :math:`10^{-8}`, which noise for augmentation does not miss.
    """
    size = int(np.prod(shape))
    z = np.empty(size, dtype=np.float32)
    for start in range(0, size, 2 * NORMAL_BLOCK_PAIRS):
        stop = min(size, start + 2 * NORMAL_BLOCK_PAIRS)
        half = (stop - start + 1) // 2
        u = rng.random((2, half), dtype=np.float32)
        radius = np.log1p(-u[0])               # log(1 - u), 1 - u in (0, 1]
        radius *= -2
        np.sqrt(radius, out=radius)
        angle = u[1]
        angle *= np.float32(2 * np.pi)
        np.multiply(radius, np.cos(angle), out=z[start:start + half])                 # eq. (1)
        np.sin(angle, out=angle)
        angle *= radius                                                              # eq. (1)
        z[start + half:stop] = angle[:stop - start - half]
    return z.reshape(shape)


class GaussianNoise(Augmentation):
    r"""Add independent noise to every value: :math:`x' = x + \sigma \varepsilon`,
    :math:`\varepsilon \sim N(0, 1)`.

    Parameters
    ----------
    std : float >= 0, default=0.1
        :math:`\sigma`, in the data's units (standardise the data, or scale it to [0, 1],
        first).
    """

    _ndims = (2, 3)

    def __init__(self, std=0.1):
        self.std = float(check_scalar(std, "std", low=0))

    def _apply(self, X, rng, xp):
        # the noise of a two-view batch was a third of a contrastive training step: float32
        # data get float32 draws, made the fast way
        if X.dtype == np.float32:
            noise = _standard_normal_float32(rng, X.shape)
        else:
            noise = rng.standard_normal(X.shape)
        noise *= self.std
        noise = _draw(xp, noise)
        noise += X
        return noise.astype(X.dtype, copy=False)


class FeatureMask(Augmentation):
    """Set each value to 0 with probability ``p``, independently (SCARF's corruption, with
    the value 0 instead of a draw from the feature's marginal: the mean of standardised data).

    Parameters
    ----------
    p : float in [0, 1), default=0.2
        The chance that a value is masked.
    """

    _ndims = (2, 3)

    def __init__(self, p=0.2):
        self.p = float(check_scalar(p, "p", low=0, high=1, high_inclusive=False))

    def _apply(self, X, rng, xp):
        keep = _draw(xp, rng.random(X.shape) >= self.p)
        return X * keep


class RandomScaling(Augmentation):
    """Multiply each value by its own factor drawn uniformly from [low, high].

    Parameters
    ----------
    low, high : float, 0 <= low <= high, default=0.8, 1.2
    """

    _ndims = (2, 3)

    def __init__(self, low=0.8, high=1.2):
        self.low = float(check_scalar(low, "low", low=0))
        self.high = float(check_scalar(high, "high", low=0))
        if self.high < self.low:
            raise ValueError(f"high must be at least low={self.low}, got {self.high}.")

    def _apply(self, X, rng, xp):
        return X * _draw(xp, rng.uniform(self.low, self.high, X.shape)).astype(X.dtype)


class Jitter(GaussianNoise):
    r"""Time series: add noise to every time step, :math:`x'_t = x_t + \sigma
    \varepsilon_t` (Um et al.'s jitter; :class:`GaussianNoise` under its time-series name).

    Parameters
    ----------
    std : float >= 0, default=0.03
        :math:`\sigma`, in the signal's units.
    """

    def __init__(self, std=0.03):
        super().__init__(std)


class Scaling(Augmentation):
    r"""Time series: multiply each whole signal by one factor, :math:`x' = a x`,
    :math:`a \sim N(1, \sigma^2)` (Um et al.'s scaling; one factor per sample, shared by its
    channels).

    Parameters
    ----------
    std : float >= 0, default=0.1
        :math:`\sigma`.
    """

    _ndims = (2, 3)

    def __init__(self, std=0.1):
        self.std = float(check_scalar(std, "std", low=0))

    def _apply(self, X, rng, xp):
        shape = (X.shape[0],) + (1,) * (X.ndim - 1)
        return X * _draw(xp, 1 + self.std * rng.standard_normal(shape)).astype(X.dtype)


class TimeShift(Augmentation):
    """Time series: rotate each signal by a whole number of steps drawn uniformly from
    ``-max_shift .. max_shift`` (circularly: what leaves at the end comes back at the start).

    Parameters
    ----------
    max_shift : int >= 0, default=10
        The largest shift; at most the signal's length minus one.
    """

    _ndims = (2, 3)

    def __init__(self, max_shift=10):
        self.max_shift = int(check_scalar(max_shift, "max_shift", numbers.Integral, low=0))

    def _apply(self, X, rng, xp):
        length = X.shape[-1]
        if self.max_shift >= length:
            raise ValueError(f"max_shift={self.max_shift} must be less than the signals' "
                             f"length {length}.")
        shifts = _draw(xp, rng.integers(-self.max_shift, self.max_shift + 1, X.shape[0]))
        index = (xp.arange(length) - shifts[:, None]) % length                 # (n, length)
        index = index.reshape((X.shape[0],) + (1,) * (X.ndim - 2) + (length,))
        return xp.take_along_axis(X, xp.broadcast_to(index, X.shape), axis=-1)


class CropResize(Augmentation):
    """Time series: cut a random window of each signal and stretch it back to full length.

    The window's share of the length is drawn uniformly from [min_fraction, 1], its start
    uniformly among the positions where it fits; linear interpolation resamples it to the
    original length (Um et al.'s cropping, resized so the shape is kept).

    Parameters
    ----------
    min_fraction : float in (0, 1], default=0.8
    """

    _ndims = (2, 3)

    def __init__(self, min_fraction=0.8):
        self.min_fraction = float(check_scalar(min_fraction, "min_fraction", low=0, high=1,
                                               low_inclusive=False))

    def _apply(self, X, rng, xp):
        n, length = X.shape[0], X.shape[-1]
        width = rng.uniform(self.min_fraction, 1, n) * (length - 1)     # window, in steps
        start = rng.random(n) * (length - 1 - width)
        # where each output step samples the input: start .. start + width, evenly
        where = start[:, None] + width[:, None] * np.linspace(0, 1, length)[None, :]
        left = np.clip(np.floor(where).astype(np.int64), 0, max(length - 2, 0))
        weight = _draw(xp, where - left).astype(X.dtype)
        left = _draw(xp, left)
        right = xp.minimum(left + 1, length - 1)
        shape = (n,) + (1,) * (X.ndim - 2) + (length,)
        a = xp.take_along_axis(X, xp.broadcast_to(left.reshape(shape), X.shape), axis=-1)
        b = xp.take_along_axis(X, xp.broadcast_to(right.reshape(shape), X.shape), axis=-1)
        w = weight.reshape(shape)
        return a + w * (b - a)


class ImageShift(Augmentation):
    """Small images: move each image by a whole number of pixels, up to ``max_pixels`` in
    each direction (drawn uniformly, rows and columns independently), filling the uncovered
    border with ``fill``.

    Parameters
    ----------
    max_pixels : int >= 0, default=1
    shape : tuple of two ints, default=(8, 8)
        The image's height and width; each row of X holds ``height * width`` pixels, row by
        row (X may also have shape (n_samples, height, width)).
    fill : float, default=0.0
        The value of the pixels shifted in (the background).
    """

    _ndims = (2, 3)

    def __init__(self, max_pixels=1, shape=(8, 8), fill=0.0):
        self.max_pixels = int(check_scalar(max_pixels, "max_pixels", numbers.Integral, low=0))
        try:
            shape = tuple(shape)
        except TypeError:
            raise ValueError(f"shape must be a pair (height, width), got {shape!r}.") from None
        if len(shape) != 2:
            raise ValueError(f"shape must be a pair (height, width), got {shape!r}.")
        self.shape = tuple(int(check_scalar(s, "each size in shape", numbers.Integral, low=1))
                           for s in shape)
        self.fill = float(check_scalar(fill, "fill"))

    def _apply(self, X, rng, xp):
        h, w = self.shape
        if math.prod(X.shape[1:]) != h * w:
            raise ValueError(f"X has samples of {math.prod(X.shape[1:])} values, but "
                             f"shape={self.shape} needs {h * w}.")
        n, m = X.shape[0], self.max_pixels
        images = X.reshape(n, h, w)
        padded = xp.full((n, h + 2 * m, w + 2 * m), self.fill, dtype=X.dtype)
        padded[:, m:m + h, m:m + w] = images
        dy, dx = (_draw(xp, rng.integers(-m, m + 1, n)) for _ in range(2))
        rows = (m - dy)[:, None] + xp.arange(h)[None, :]                           # (n, h)
        cols = (m - dx)[:, None] + xp.arange(w)[None, :]                           # (n, w)
        shifted = padded[xp.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
        return shifted.reshape(X.shape)


class Compose(Augmentation):
    """Apply several augmentations one after the other, each with its own draws.

    Parameters
    ----------
    augmentations : list of Augmentation
    """

    _ndims = (2, 3)

    def __init__(self, augmentations):
        if isinstance(augmentations, Augmentation) or not isinstance(augmentations,
                                                                     (list, tuple)):
            raise ValueError(f"augmentations must be a list of augmentations, got "
                             f"{type(augmentations).__name__}.")
        for aug in augmentations:
            if not isinstance(aug, Augmentation):
                raise ValueError(f"each entry of augmentations must be a neuroclust.augment "
                                 f"augmentation, got {type(aug).__name__}.")
        self.augmentations = list(augmentations)

    def _apply(self, X, rng, xp):
        out = X.copy()
        for aug in self.augmentations:
            out = aug(out, rng)
        return out

    def config(self):
        return {"augmentations": [[type(a).__name__, a.config()] for a in self.augmentations]}


#: The augmentations :func:`from_config` can rebuild, by class name.
_CLASSES = {cls.__name__: cls for cls in (GaussianNoise, FeatureMask, RandomScaling, Jitter,
                                          Scaling, TimeShift, CropResize, ImageShift, Compose)}


def from_config(name, config):
    """The augmentation ``type(a).__name__, a.config()`` describe (a model file stores them
    so); ValueError for an unknown name or arguments it does not accept."""
    cls = _CLASSES.get(name) if isinstance(name, str) else None
    if cls is None or not isinstance(config, dict):
        raise ValueError(f"unknown augmentation {name!r}.")
    if cls is Compose:
        parts = config.get("augmentations")
        if not isinstance(parts, list) or not all(isinstance(p, list) and len(p) == 2
                                                  for p in parts):
            raise ValueError("a Compose must list its augmentations as [name, config] pairs.")
        return Compose([from_config(*part) for part in parts])
    try:
        return cls(**config)
    except TypeError:
        raise ValueError(f"{name} does not accept the arguments {sorted(config)}.") from None
