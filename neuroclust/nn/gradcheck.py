r"""Numerical gradient checking: compare every ``backward`` with central differences.

Notes
-----
For a layer, :func:`gradcheck` turns the output into a scalar with a fixed random
projection :math:`R` (standard normal, drawn from ``seed``),

.. math:: f(\theta) = \sum_k R_k\, y_k(\theta) + \sum_t w_t\, v_t(\theta)            \tag{1}

so that :math:`\partial f / \partial y = R` is the upstream gradient handed to ``backward``.
The second sum is over the terms :math:`w_t v_t` a layer adds to the loss itself
(:meth:`~neuroclust.nn.Layer.extra_losses`, such as the KL divergence of
:class:`~neuroclust.nn.VariationalBottleneck`), whose gradient its ``backward`` adds; it is
empty for most layers.
For a loss, :math:`f` is the loss itself and ``backward()`` gives its gradient. Every entry
:math:`\theta_i` of the input and of every parameter is then moved by :math:`\pm\epsilon`,

.. math:: \hat g_i = \frac{f(\theta + \epsilon e_i) - f(\theta - \epsilon e_i)}{2\epsilon}, \tag{2}

whose truncation error is :math:`O(\epsilon^2)`. The analytic gradient :math:`g` (from
``backward``) and :math:`\hat g` are compared entry by entry with the relative error

.. math:: r = \max_i \frac{|g_i - \hat g_i|}{\max(|g_i|, |\hat g_i|, \tau)},
          \qquad \tau = \text{tiny} \cdot \max_k \max(|g_k|, |\hat g_k|),           \tag{3}

one number per tensor (the input, each parameter). The floor :math:`\tau` is relative to the
tensor's largest entry: eq. (2) in float64 carries an absolute rounding error of about
:math:`10^{-16} |f| / \epsilon \approx 10^{-10} |f|`, so an entry that is nearly zero
because of cancellation (:math:`\sigma(z) - y` with :math:`\sigma(z) \approx y`, say) would
show a large *relative* error with a correct backward. With the default ``tiny = 1e-2``,
entries below 1 % of the tensor's largest are judged against that 1 %; a correct backward
then gives :math:`r` below :math:`10^{-6}` on inputs of order one, while a wrong one (a
missing factor, a sign, a transposed product) gives :math:`r` of order one. ``tiny=0``
gives the plain entrywise relative error (entries zero in both count as zero error).

Entries of a layer's output that do not depend on :math:`\theta_i` cancel exactly in
eq. (2) when the difference is taken output by output before the projection (that is how it
is computed here), so the rounding error of the sum over unrelated outputs never enters.

References
----------
CS231n (Stanford), "Gradient checks", https://cs231n.github.io/neural-networks-3/
"""
import numpy as np

from .._validation import check_scalar
from .layer import Layer
from .losses import Loss

__all__ = ["gradcheck", "check_gradients"]


def gradcheck(obj, x, target=None, *, eps=1e-6, seed=0, training=False, tiny=1e-2):
    """Largest relative error, eq. (3), between ``backward`` and central differences.

    Parameters
    ----------
    obj : Layer or Loss
        The layer (its parameters must be float64; build it with ``dtype=np.float64``) or
        the loss to check.
    x : array-like
        The input of the layer, or the prediction given to the loss; converted to float64.
    target : array-like, optional
        The loss's target; required for a loss, not allowed for a layer.
    eps : float, default=1e-6
        The step :math:`\\epsilon` of eq. (2).
    seed : int, default=0
        Seeds the projection :math:`R` of eq. (1) (layers only).
    training : bool, default=False
        Passed to the layer's ``forward``. A layer that draws randomness in training mode
        (Dropout) cannot be checked with ``training=True``.
    tiny : float, default=1e-2
        The floor of eq. (3), as a fraction of the tensor's largest gradient entry.

    Returns
    -------
    dict of str to float
        The error per tensor: ``"x"`` for the input (``"prediction"`` for a loss), then one
        entry per name in ``obj.params``.
    """
    return {name: _relative_error(g, g_hat, tiny)[0]
            for name, (g, g_hat) in _gradients(obj, x, target, eps, seed, training).items()}


def check_gradients(obj, x, target=None, *, tol=1e-6, eps=1e-6, seed=0, training=False,
                    tiny=1e-2):
    """Raise ``AssertionError`` when any tensor's error, eq. (3), is above ``tol``.

    The arguments are those of :func:`gradcheck`. The message names the tensor, its error,
    and the worst entry with both gradients. Returns the errors when all pass.
    """
    check_scalar(tol, "tol", low=0, low_inclusive=False)
    errors = {}
    for name, (g, g_hat) in _gradients(obj, x, target, eps, seed, training).items():
        error, worst = _relative_error(g, g_hat, tiny)
        if error > tol:
            raise AssertionError(
                f"The gradient of {name} in {type(obj).__name__}.backward differs from central "
                f"differences: max relative error {error:.3g} > tol {tol:g} (worst entry "
                f"{worst}: backward gives {g[worst]:.10g}, differences give {g_hat[worst]:.10g}).")
        errors[name] = error
    return errors


def _relative_error(g, g_hat, tiny):
    """Eq. (3) and the index of the worst entry."""
    check_scalar(tiny, "tiny", low=0)
    size = np.maximum(np.abs(g), np.abs(g_hat))
    tau = tiny * size.max() if size.size else 0.0
    with np.errstate(invalid="ignore"):
        ratio = np.abs(g - g_hat) / np.maximum(size, tau)                         # eq. (3)
    ratio = np.nan_to_num(ratio, nan=0.0)                                        # 0 / 0: both zero
    worst = np.unravel_index(np.argmax(ratio), ratio.shape) if ratio.size else ()
    return (float(ratio[worst]) if ratio.size else 0.0), tuple(int(i) for i in worst)


def _gradients(obj, x, target, eps, seed, training):
    """Analytic and numerical gradients: dict of name to (g, g_hat)."""
    check_scalar(eps, "eps", low=0, low_inclusive=False)
    x = np.array(x, dtype=np.float64)
    if isinstance(obj, Loss):
        if target is None:
            raise ValueError("target is required to check a loss.")
        return _loss_gradients(obj, x, target, eps)
    if not isinstance(obj, Layer):
        raise ValueError(f"obj must be a Layer or a Loss, got {type(obj).__name__}.")
    if target is not None:
        raise ValueError("target is only for a loss; a layer is checked through a random "
                         "projection of its output.")
    for name, value in obj.params.items():
        if np.asarray(value).dtype != np.float64:
            raise ValueError(f"gradcheck needs float64 parameters, but {name} is "
                             f"{np.asarray(value).dtype}; build the layer with dtype=np.float64.")
    return _layer_gradients(obj, x, eps, seed, training)


def _loss_gradients(loss, x, target, eps):
    loss.forward(x, target)
    g = np.asarray(loss.backward(), dtype=np.float64).copy()

    def f():
        return np.float64(loss.forward(x, target))

    return {"prediction": (g, _central_differences(f, x, eps, lambda plus, minus: plus - minus))}


def _layer_gradients(layer, x, eps, seed, training):
    y = layer.forward(x, training=training)
    R = np.random.default_rng(seed).standard_normal(np.shape(y))
    grads = {"x": np.asarray(layer.backward(R), dtype=np.float64).copy()}
    grads.update({name: np.asarray(g, dtype=np.float64).copy()
                  for name, g in layer.grads.items()})

    def f():
        y = np.array(layer.forward(x, training=training), dtype=np.float64)    # a copy
        return y, sum(weight * value for weight, value in layer.extra_losses().values())

    def difference(plus, minus):
        return np.sum((plus[0] - minus[0]) * R) + (plus[1] - minus[1])          # eq. (1)

    tensors = {"x": x, **layer.params}
    return {name: (grads[name], _central_differences(f, tensor, eps, difference))
            for name, tensor in tensors.items()}


def _central_differences(f, theta, eps, difference):
    """Eq. (2) for every entry of ``theta``, which ``f`` reads; ``theta`` is restored."""
    g_hat = np.zeros(theta.shape, dtype=np.float64)
    for i in np.ndindex(theta.shape):
        original = theta[i]
        theta[i] = original + eps
        plus = f()
        theta[i] = original - eps
        minus = f()
        theta[i] = original
        g_hat[i] = difference(plus, minus) / (2 * eps)                          # eq. (2)
    return g_hat
