r"""Inverted dropout."""
from .._validation import array_module, check_random_state, check_scalar
from ._checks import check_input, check_upstream, require_forward
from .layer import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    r"""Zero each input with probability ``rate`` in training; the identity at inference.

    Parameters
    ----------
    rate : float in [0, 1), default=0.5
        The probability :math:`p` of dropping an entry.
    random_state : int, numpy.random.Generator or None
        Seeds the masks: the same seed gives the same sequence of masks.

    Notes
    -----
    In training (``forward(x, training=True)``) a fresh mask :math:`m_k \sim
    \text{Bernoulli}(1 - p)` is drawn and the kept entries are scaled up, so that the
    expected output equals the input and nothing has to change at inference ("inverted"
    dropout):

    .. math:: y = \frac{m \odot x}{1 - p}, \qquad \mathbb E[y] = x,                 \tag{1}

    .. math:: \frac{\partial L}{\partial x} = \frac{m}{1 - p} \odot
              \frac{\partial L}{\partial y}.                                        \tag{2}

    At inference (``training=False``) :math:`y = x` and the gradient passes unchanged (the
    same equations with :math:`m = 1, p = 0`).

    References
    ----------
    N. Srivastava, G. Hinton, A. Krizhevsky, I. Sutskever and R. Salakhutdinov, "Dropout: a
    simple way to prevent neural networks from overfitting", JMLR 15, 2014.
    """

    def __init__(self, rate=0.5, random_state=None):
        super().__init__()
        self.rate = check_scalar(rate, "rate", low=0, high=1, high_inclusive=False)
        self.rng = check_random_state(random_state)
        self._scale = None

    def config(self):
        """``rate`` (see :meth:`Layer.config`); a rebuilt layer draws fresh masks."""
        return {"rate": float(self.rate)}

    def forward(self, x, training=False):
        """Eq. (1) in training, the identity otherwise; output of ``x``'s shape and dtype."""
        x = check_input(x)
        xp = array_module(x)
        if training and self.rate > 0:
            # The mask is drawn on the host, so a seed gives the same masks on every device.
            keep = self.rng.random(x.shape) >= self.rate                        # m
            self._scale = xp.asarray((keep / (1 - self.rate)).astype(x.dtype))
        else:
            self._scale = xp.ones_like(x)
        return x * self._scale                                                   # eq. (1)

    def backward(self, dy):
        """Eq. (2): the upstream gradient times the last forward's scaled mask."""
        require_forward(self, self._scale)
        dy = check_upstream(dy, self._scale.shape).astype(self._scale.dtype, copy=False)
        return dy * self._scale                                                  # eq. (2)
