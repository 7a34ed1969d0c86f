r"""A stack of layers applied one after another: the network is the composition of its layers."""
import numpy as np

from .layer import Layer

__all__ = ["Sequential"]


class Sequential(Layer):
    r"""Chain layers: ``forward`` runs them in order, ``backward`` in reverse order.

    A ``Sequential`` is itself a layer, so it can be checked with
    :func:`~neuroclust.nn.gradcheck`, nested in another ``Sequential``, and stepped by an
    optimizer.

    Parameters
    ----------
    layers : list of Layer
        The layers, input side first.

    Attributes
    ----------
    layers : list of Layer
    params : dict
        A view across the layers: ``params["0.W"]`` *is* ``layers[0].params["W"]`` (the same
        array, not a copy), so changing it in place changes the layer. Rebuilt at each access.
    grads : dict
        The same names, for the gradients of the last ``backward``.

    Notes
    -----
    For layers :math:`f_1, \dots, f_K` the network is
    :math:`y = f_K(\cdots f_2(f_1(x)))`; forward keeps every intermediate output
    :math:`h_k = f_k(h_{k-1})`, :math:`h_0 = x`, in the layers' own caches. Backward applies
    the chain rule from the output down, each layer turning the gradient with respect to its
    output into the gradient with respect to its input (and filling its ``grads`` on the way):

    .. math:: \frac{\partial L}{\partial h_{k-1}} =
              \left(\frac{\partial h_k}{\partial h_{k-1}}\right)^{\!\top}
              \frac{\partial L}{\partial h_k}, \qquad k = K, \dots, 1.              \tag{1}
    """

    def __init__(self, layers):
        try:
            layers = list(layers)
        except TypeError:
            raise ValueError(f"layers must be a list of layers, got "
                             f"{type(layers).__name__}.") from None
        if not layers:
            raise ValueError("layers must hold at least one layer, got an empty list.")
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ValueError(f"layers[{index}] must be a Layer, got "
                                 f"{type(layer).__name__}.")
        self.layers = layers

    @property
    def params(self):
        return {f"{i}.{name}": value for i, layer in enumerate(self.layers)
                for name, value in layer.params.items()}

    @property
    def grads(self):
        return {f"{i}.{name}": value for i, layer in enumerate(self.layers)
                for name, value in layer.grads.items()}

    def layers_with_params(self):
        """The layers that hold parameters, input side first (nested Sequentials flattened)."""
        found = []
        for layer in self.layers:
            if hasattr(layer, "layers_with_params"):
                found.extend(layer.layers_with_params())
            elif layer.params:
                found.append(layer)
        return found

    def extra_losses(self):
        """The terms the layers' last ``forward`` added to the loss (see
        :meth:`Layer.extra_losses`), input side first; a name used again gets ``_2``,
        ``_3``, ... appended."""
        terms = {}
        for layer in self.layers:
            for name, term in layer.extra_losses().items():
                key, count = name, 1
                while key in terms:
                    count += 1
                    key = f"{name}_{count}"
                terms[key] = term
        return terms

    def forward(self, x, training=False):
        """Run every layer in order; ``training`` is passed to each (Dropout uses it).

        A layer that returns a new array only the next layer sees (``_new_output``:
        :class:`~neuroclust.nn.Dense`) lets a next layer that can work in place
        (``_forward_in_place``: :class:`~neuroclust.nn.ReLU`) overwrite it."""
        new = False
        for layer in self.layers:
            if new and hasattr(layer, "_forward_in_place"):
                x = layer._forward_in_place(x)
            else:
                x = layer.forward(x, training=training)
            new = getattr(layer, "_new_output", False)
        return x

    def backward(self, dy):
        """Eq. (1) for every layer from the last to the first; returns dL/dx."""
        return _backward_through(self.layers, dy)                                 # eq. (1)

    def backward_params(self, dy):
        """Eq. (1) down to the first layer that holds parameters, which only fills its
        ``grads``; the layers before it (no parameters) and the gradient with respect to
        the input are skipped (see :meth:`Layer.backward_params`)."""
        first = next((i for i, layer in enumerate(self.layers) if _has_params(layer)), None)
        if first is None:
            return
        self.layers[first].backward_params(_backward_through(self.layers[first + 1:], dy))

    def n_params(self):
        """The number of trainable numbers across all layers."""
        return int(sum(np.size(value) for value in self.params.values()))

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, index):
        return self.layers[index]

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self):
        inner = ",\n".join(f"    {type(layer).__name__}" for layer in self.layers)
        return f"Sequential([\n{inner}\n])"


def _has_params(layer):
    """Whether ``layer`` (or a layer nested in it) holds parameters."""
    if hasattr(layer, "layers_with_params"):
        return bool(layer.layers_with_params())
    return bool(layer.params)


def _backward_through(layers, dy):
    """Eq. (1) of :class:`Sequential` through ``layers`` from the last; a gradient that is a
    new array only the next layer sees (``_new_input_gradient``: Dense) may be overwritten
    by a layer that can work in place (``_backward_in_place``: ReLU)."""
    new = False
    for layer in reversed(layers):
        if new and hasattr(layer, "_backward_in_place"):
            dy = layer._backward_in_place(dy)                                     # eq. (1)
        else:
            dy = layer.backward(dy)                                               # eq. (1)
        new = getattr(layer, "_new_input_gradient", False)
    return dy
