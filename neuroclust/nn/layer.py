"""The layer protocol every layer of ``neuroclust.nn`` follows."""
from abc import ABC, abstractmethod

__all__ = ["Layer"]


class Layer(ABC):
    """Base class: holds ``params`` and ``grads``, and names the two passes.

    ``forward(x, training=False)`` returns the output and caches what ``backward`` needs;
    ``backward(dy)`` returns the gradient with respect to the input and overwrites
    ``grads[name]`` for every ``params[name]`` (no gradient is ever accumulated across calls,
    so there is nothing to zero).
    """

    def __init__(self):
        self.params = {}
        self.grads = {}

    @abstractmethod
    def forward(self, x, training=False):
        """Compute the layer's output for ``x`` of shape (n_samples, n_inputs)."""

    @abstractmethod
    def backward(self, dy):
        """Gradient of the loss with respect to the input, given ``dy`` for the output."""

    def __call__(self, x, training=False):
        return self.forward(x, training=training)
