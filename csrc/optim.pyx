# cython: language_level=3
"""Adam's update of one parameter array, compiled: ``adam_step``.

The chain: ``neuroclust/nn/optimizers.py`` (:class:`~neuroclust.nn.Adam`) ->
``neuroclust/backend/reference/optim.py`` (the same update in NumPy, with eqs. (1)-(5): read it
for the math) -> this file.

NumPy runs the update as a dozen whole-array operations, each a pass over memory; here each
element is read once (theta, g, m, v) and written once (theta, m, v), with the operations in
the reference's order and precision (``floating``: float32 for a float32 network). The wrapper
in ``neuroclust/backend/cython.py`` checks the arguments (the checks of ``_checks.py``),
flattens the arrays and computes the two bias corrections; this kernel checks the lengths
again before it releases the GIL.
"""
from cython cimport floating
from libc.math cimport sqrt, sqrtf

from _common cimport NEUROCLUST_BOUNDSCHECK

#: True in the build made with ``NEUROCLUST_BOUNDSCHECK=1`` (see setup.py).
BOUNDSCHECK = bool(NEUROCLUST_BOUNDSCHECK)


def adam_step(floating[::1] theta,          # INOUT (n,) the parameter, flattened
              const floating[::1] g,        # IN    (n,) its gradient
              floating[::1] m,              # INOUT (n,) the first moment
              floating[::1] v,              # INOUT (n,) the second moment
              double correction1,           # 1 - beta1^t
              double correction2,           # 1 - beta2^t
              double learning_rate, double beta1, double beta2, double eps,
              double weight_decay):
    """Eqs. (1)-(5) of ``backend/reference/optim.py`` on every element, in place."""
    cdef Py_ssize_t i, n = theta.shape[0]
    if g.shape[0] != n or m.shape[0] != n or v.shape[0] != n:
        raise ValueError(f"adam_step: g, m and v must have {n} entries like theta, got "
                         f"{g.shape[0]}, {m.shape[0]} and {v.shape[0]}.")
    if not (correction1 > 0 and correction2 > 0):
        raise ValueError("adam_step: the bias corrections 1 - beta^t must be > 0.")
    # every constant rounded to the parameter's precision once, as NumPy rounds a Python
    # float that meets a float32 array
    cdef floating b1 = <floating> beta1, b2 = <floating> beta2
    cdef floating one_minus_b1 = <floating> (1 - beta1), one_minus_b2 = <floating> (1 - beta2)
    cdef floating c1 = <floating> correction1, c2 = <floating> correction2
    cdef floating rate = <floating> learning_rate, epsilon = <floating> eps
    cdef floating decay = <floating> weight_decay
    cdef floating gi, mi, vi, update
    with nogil:
        for i in range(n):
            gi = g[i]
            mi = m[i] * b1 + gi * one_minus_b1                                    # eq. (1)
            vi = v[i] * b2 + (gi * gi) * one_minus_b2                             # eq. (2)
            m[i] = mi
            v[i] = vi
            if floating is float:                                           # eqs. (3), (4)
                update = (mi / c1) / (sqrtf(vi / c2) + epsilon)
            else:
                update = (mi / c1) / (sqrt(vi / c2) + epsilon)
            if weight_decay != 0:
                update = update + theta[i] * decay                                # eq. (5)
            theta[i] = theta[i] - update * rate                                   # eq. (5)
