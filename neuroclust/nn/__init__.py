"""The hand-written layer stack.

A layer has ``forward(x, training=False) -> y``, ``backward(dy) -> dx`` (which fills
``grads[name]`` for every ``params[name]``), and the dicts ``params`` and ``grads``. Layers
that learn by a local rule instead of a gradient also have ``update(x)``.
"""
from .layer import Layer
from .competitive import Competitive
from .som import SelfOrganizingMap

__all__ = ["Layer", "Competitive", "SelfOrganizingMap"]
