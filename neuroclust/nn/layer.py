"""The layer protocol every layer of ``neuroclust.nn`` follows."""
import inspect
from abc import ABC, abstractmethod

from .._validation import array_module, to_module

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

    def backward_params(self, dy):
        """Fill ``grads`` as :meth:`backward` does, without the gradient with respect to the
        input, and return None.

        :func:`~neuroclust.nn.train` calls it on the whole network, whose input (the data)
        needs no gradient. A layer that would spend work on that gradient (the matrix product
        of :class:`~neuroclust.nn.Dense`) overrides it; by default it runs ``backward``.
        """
        self.backward(dy)

    def __call__(self, x, training=False):
        return self.forward(x, training=training)

    def extra_losses(self):
        """The terms the last ``forward`` added to the loss: ``{name: (weight, value)}``.

        A layer that charges a cost of its own (the KL divergence of
        :class:`~neuroclust.nn.VariationalBottleneck`) adds ``weight * value`` to the loss
        and the gradient of that term in its ``backward``; :func:`~neuroclust.nn.train` adds
        it to the loss it reports and records ``value`` per epoch under ``name``, and
        :func:`~neuroclust.nn.gradcheck` includes it. Most layers add nothing: ``{}``.
        """
        return {}

    def config(self):
        """The constructor arguments that rebuild this layer's architecture, not its weights.

        ``type(layer)(**layer.config())`` is a layer of the same shapes and settings, with
        fresh weights; the values are plain numbers, strings and lists (JSON), so a model can
        save the architecture of a network it was given. Layers without arguments return
        ``{}``; a layer with arguments must override this.
        """
        arguments = [name for name in inspect.signature(type(self).__init__).parameters
                     if name != "self"]
        if arguments:
            raise ValueError(f"{type(self).__name__} cannot describe its architecture (it "
                             "has no config()), so a model holding it cannot be saved.")
        return {}

    def _follow(self, x):
        """Move ``params`` and ``grads`` to the array module of ``x`` (NumPy or CuPy).

        A layer is built on the host; given device data it moves its arrays to the device
        (and back for host data). Each moved array is a new one: a view into a larger vector
        stops being one, so bind views on the data's module first (as ``Autoencoder`` does).
        """
        xp = array_module(x)
        for arrays in (self.params, self.grads):
            for name, value in arrays.items():
                arrays[name] = to_module(value, xp)
