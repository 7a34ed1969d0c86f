r"""Adam's update of one parameter array in plain NumPy: the math, and the compiled kernel's oracle.

The chain: ``neuroclust/nn/optimizers.py`` (:class:`~neuroclust.nn.Adam`, which keeps the
moments and the step count and calls this kernel for every parameter) -> this file ->
``csrc/optim.pyx`` (the compiled twin: all of the update in one pass over the arrays, wrapped
by ``neuroclust/backend/cython.py``) -> ``docs/algorithms/autoencoder.md``.

For a parameter :math:`\theta` with gradient :math:`g` at step :math:`t` (1 at the first step),
with the moments :math:`m` and :math:`v` (zero before it) (Kingma & Ba 2015, Alg. 1;
Loshchilov & Hutter 2019 for the decoupled decay :math:`\lambda`):

.. math:: m \leftarrow \beta_1 m + (1 - \beta_1)\, g,                               \tag{1}

.. math:: v \leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g,                       \tag{2}

.. math:: \hat m = \frac{m}{1 - \beta_1^t},                                        \tag{3}

.. math:: \hat v = \frac{v}{1 - \beta_2^t},                                        \tag{4}

.. math:: \theta \leftarrow \theta - \eta \left( \frac{\hat m}{\sqrt{\hat v} + \epsilon}
          + \lambda \theta \right).                                                 \tag{5}

Every operation is done in the parameter's own precision (float32 for a float32 network, as
PyTorch does); the two bias corrections are computed once, in double precision, and rounded to
it. NumPy needs a pass over the arrays for each operation (about a dozen); the compiled twin
reads :math:`\theta, g, m, v` once and writes :math:`\theta, m, v` once.
"""
from ..._validation import array_module
from .._checks import check_adam_step

__all__ = ["adam_step"]


def adam_step(theta, g, m, v, step, learning_rate, beta1, beta2, eps, weight_decay,
              scratch=None):
    """Apply eqs. (1)-(5) to ``theta``, ``m`` and ``v`` in place.

    Parameters
    ----------
    theta : ndarray of float (any shape)
        INOUT: the parameter.
    g : ndarray of theta's shape and dtype
        IN: its gradient.
    m, v : ndarray of theta's shape and dtype
        INOUT: the first and second moments.
    step : int >= 1
        :math:`t`, the number of this step.
    learning_rate, beta1, beta2, eps, weight_decay : float
        :math:`\\eta > 0`, :math:`\\beta_1, \\beta_2 \\in [0, 1)`, :math:`\\epsilon > 0` and
        :math:`\\lambda \\ge 0`.
    scratch : two ndarrays of theta's shape and dtype, optional
        Working space for the temporaries (an optimizer passes buffers it reuses for every
        parameter, so that no large array is allocated per step).

    Returns
    -------
    theta : ndarray
        The same array, updated.
    """
    check_adam_step(theta, g, m, v, step, learning_rate, beta1, beta2, eps, weight_decay)
    xp = array_module(theta)
    a, b = scratch if scratch is not None else (xp.empty_like(theta), xp.empty_like(theta))
    m *= beta1
    m += xp.multiply(g, 1 - beta1, out=a)                                           # eq. (1)
    v *= beta2
    v += xp.multiply(xp.multiply(g, g, out=a), 1 - beta2, out=a)                    # eq. (2)
    dtype = theta.dtype.type
    m_hat = xp.divide(m, dtype(1 - beta1 ** step), out=a)                           # eq. (3)
    v_hat = xp.divide(v, dtype(1 - beta2 ** step), out=b)                           # eq. (4)
    update = xp.divide(m_hat, xp.add(xp.sqrt(v_hat, out=b), eps, out=b), out=a)
    if weight_decay:    # (adding 0 * theta changes no number but the sign of a zero)
        update += xp.multiply(theta, weight_decay, out=b)                           # eq. (5)
    theta -= xp.multiply(update, learning_rate, out=a)                              # eq. (5)
    return theta

