"""Adam's update: the compiled ``adam_step`` against its NumPy twin, and both against PyTorch.

``reference.adam_step`` states eqs. (1)-(4) of ``backend/reference/optim.py`` one array
operation at a time; ``cython.adam_step`` runs them in one pass (csrc/optim.pyx). Both must
give the same parameters and moments, step after step, for every shape, dtype, layout and
setting, and refuse the same bad arguments with the same sentence. PyTorch's ``Adam`` and
``AdamW`` (where installed) compute the same update.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from neuroclust.backend import available_backends, reference
from neuroclust.backend import cupy as cupy_module

if "cython" not in available_backends():
    pytest.skip("the compiled kernels (neuroclust._kernels) are not built; run "
                "`python setup.py build_ext --inplace`", allow_module_level=True)

from neuroclust import _kernels  # noqa: E402  (needs the compiled kernels)
from neuroclust.backend import cython as cy  # noqa: E402

#: float32: the compiled loop may fuse a multiply and an add (one rounding fewer) where the
#: target has FMA; a few units in the last place over the steps run here
TOLERANCE = {np.float32: dict(rtol=2e-6, atol=1e-7), np.float64: dict(rtol=1e-13, atol=1e-15)}


def _state(rng, shape, dtype):
    theta = rng.standard_normal(shape).astype(dtype)
    return theta, np.zeros_like(theta), np.zeros_like(theta)


def _run(module, theta, m, v, gradients, settings, first_step=1):
    for t, g in enumerate(gradients, start=first_step):
        module.adam_step(theta, g, m, v, t, **settings)
    return theta, m, v


@settings(max_examples=80, deadline=None)
@given(shape=st.sampled_from([(0,), (1,), (7,), (3, 5), (64, 33), (2, 3, 4)]),
       dtype=st.sampled_from([np.float32, np.float64]),
       learning_rate=st.floats(1e-5, 1.0), beta1=st.floats(0.0, 0.99),
       beta2=st.floats(0.0, 0.9999), eps=st.floats(1e-12, 1e-2),
       weight_decay=st.sampled_from([0.0, 1e-4, 0.1]), steps=st.integers(1, 6),
       seed=st.integers(0, 2**31 - 1))
def test_the_compiled_step_is_the_reference(shape, dtype, learning_rate, beta1, beta2, eps,
                                            weight_decay, steps, seed):
    rng = np.random.default_rng(seed)
    gradients = [(rng.standard_normal(shape) * 10.0 ** rng.integers(-4, 3)).astype(dtype)
                 for _ in range(steps)]
    options = dict(learning_rate=learning_rate, beta1=beta1, beta2=beta2, eps=eps,
                   weight_decay=weight_decay)
    expected = _run(reference, *_state(np.random.default_rng(seed), shape, dtype), gradients,
                    options)
    found = _run(cy, *_state(np.random.default_rng(seed), shape, dtype), gradients, options)
    for name, a, b in zip(("theta", "m", "v"), found, expected):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b, err_msg=name, **TOLERANCE[dtype])


def test_late_steps_use_their_own_bias_correction():
    """At step 1000 the corrections 1 - beta^t are close to 1; a kernel that ignored ``step``
    would still move by the first step's rule."""
    rng = np.random.default_rng(1)
    g = rng.standard_normal(50)
    options = dict(learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)
    a = _run(reference, *_state(np.random.default_rng(2), 50, np.float64), [g], options, 1000)
    b = _run(cy, *_state(np.random.default_rng(2), 50, np.float64), [g], options, 1000)
    c = _run(cy, *_state(np.random.default_rng(2), 50, np.float64), [g], options, 1)
    np.testing.assert_allclose(a[0], b[0], rtol=1e-13)
    assert not np.allclose(b[0], c[0])


def test_arrays_of_another_layout_take_the_reference_path_with_the_same_result():
    rng = np.random.default_rng(3)
    theta = np.asfortranarray(rng.standard_normal((6, 4)))
    twin = np.ascontiguousarray(theta)
    g = rng.standard_normal((4, 6)).T                        # a transposed view
    options = dict(learning_rate=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01)
    cy.adam_step(theta, g, np.zeros_like(theta), np.zeros_like(theta), 1, **options)
    reference.adam_step(twin, np.ascontiguousarray(g), np.zeros_like(twin), np.zeros_like(twin),
                        1, **options)
    np.testing.assert_allclose(theta, twin, rtol=1e-13)


def test_the_update_is_in_place():
    theta, m, v = _state(np.random.default_rng(4), (5, 5), np.float32)
    ids = [id(a) for a in (theta, m, v)]
    before = theta.copy()
    out = cy.adam_step(theta, np.ones_like(theta), m, v, 1, 0.1, 0.9, 0.999, 1e-8, 0.0)
    assert out is theta and [id(a) for a in (theta, m, v)] == ids
    # the first step moves every weight by about the learning rate, against the gradient
    np.testing.assert_allclose(before - theta, 0.1, rtol=1e-5)
    np.testing.assert_allclose(m, 0.1, rtol=1e-6)


GOOD = dict(learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)
A = np.zeros((3, 2))
REFUSED = {
    "g shape": (dict(g=np.zeros((2, 3))), r"g must have theta's shape \(3, 2\)"),
    "m dtype": (dict(m=np.zeros((3, 2), np.float32)), r"m must have theta's shape .* float64"),
    "theta integers": (dict(theta=np.zeros((3, 2), int)), r"theta must hold floating-point"),
    "v not an array": (dict(v=[0.0] * 6), r"v must be an array, got \[0.0"),
    "step 0": (dict(step=0), r"step must be a whole number >= 1"),
    "step float": (dict(step=1.0), r"step must be a whole number >= 1"),
    "beta1 1": (dict(beta1=1.0), r"beta1 must lie in \[0, 1\), got 1.0"),
    "beta2 NaN": (dict(beta2=np.nan), r"beta2 must lie in \[0, 1\), got nan"),
    "learning_rate 0": (dict(learning_rate=0.0), r"learning_rate must lie in \(0, inf\)"),
    "learning_rate inf": (dict(learning_rate=np.inf), r"learning_rate must lie in \(0, inf\)"),
    "eps negative": (dict(eps=-1e-8), r"eps must lie in \(0, inf\)"),
    "weight_decay string": (dict(weight_decay="0.1"), r"weight_decay must be a real number"),
}


@pytest.mark.parametrize("module", [reference, cy, cupy_module], ids=["numpy", "cython", "cupy"])
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_every_backend_refuses_with_the_same_sentence(case, module):
    change, message = REFUSED[case]
    arguments = dict(theta=A.copy(), g=A.copy(), m=A.copy(), v=A.copy(), step=1, **GOOD)
    arguments.update(change)
    before = arguments["theta"].copy() if hasattr(arguments["theta"], "copy") else None
    with pytest.raises(ValueError, match=message):
        module.adam_step(**arguments)
    if before is not None:
        np.testing.assert_array_equal(arguments["theta"], before)   # nothing was touched


def test_the_compiled_function_checks_lengths_itself():
    a = np.zeros(4)
    with pytest.raises(ValueError, match="g, m and v must have 4 entries like theta"):
        _kernels.optim.adam_step(a, np.zeros(3), a.copy(), a.copy(), 0.1, 0.001, 1e-3, 0.9,
                                 0.999, 1e-8, 0.0)
    with pytest.raises(ValueError, match="bias corrections"):
        _kernels.optim.adam_step(a, a.copy(), a.copy(), a.copy(), 0.0, 0.001, 1e-3, 0.9,
                                 0.999, 1e-8, 0.0)


@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_pytorch_computes_the_same_steps(weight_decay):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    theta0 = rng.standard_normal((8, 3))
    gradients = [rng.standard_normal((8, 3)) for _ in range(5)]
    options = dict(learning_rate=0.01, beta1=0.8, beta2=0.99, eps=1e-6,
                   weight_decay=weight_decay)
    ours = _run(cy, theta0.copy(), np.zeros_like(theta0), np.zeros_like(theta0), gradients,
                options)[0]
    parameter = torch.nn.Parameter(torch.from_numpy(theta0.copy()))
    optimizer = torch.optim.AdamW([parameter], lr=0.01, betas=(0.8, 0.99), eps=1e-6,
                                  weight_decay=weight_decay)
    for g in gradients:
        parameter.grad = torch.from_numpy(g)
        optimizer.step()
    np.testing.assert_allclose(ours, parameter.detach().numpy(), rtol=1e-10, atol=1e-12)
