"""Choosing a backend: "auto", explicit names, the NEUROCLUST_BACKEND override, and the clear
errors for a backend that does not exist or is not available here (never a silent fallback)."""
import sys
import types

import numpy as np
import pytest

import neuroclust.backend as backend_module
from neuroclust.backend import available_backends, get_kernels, resolve_backend

cython_built = pytest.mark.skipif(
    "cython" not in available_backends(),
    reason="the compiled kernels (neuroclust._kernels) are not built")


@pytest.fixture(autouse=True)
def no_override(monkeypatch):
    """Each test starts without the environment override, whatever the shell has set."""
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


def fake_cupy_module(n_devices):
    """A stand-in ``cupy`` that imports fine but reports ``n_devices`` GPUs, or whose device
    query fails as it does without a driver when ``n_devices`` is None."""
    def device_count():
        if n_devices is None:
            raise RuntimeError("cudaErrorInsufficientDriver")
        return n_devices

    cupy = types.ModuleType("cupy")
    cupy.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=device_count))
    return cupy


# --- available_backends --------------------------------------------------------------------

def test_numpy_is_always_available():
    assert available_backends()[0] == "numpy"


def test_cython_listed_exactly_when_the_extension_imports(monkeypatch):
    monkeypatch.setitem(sys.modules, "neuroclust._kernels", None)   # makes the import fail
    assert "cython" not in available_backends()


@pytest.mark.parametrize("cupy", ["not installed", "no device", "no driver"])
def test_cupy_not_listed_without_a_usable_gpu(monkeypatch, cupy):
    # cupy may import on a machine without a GPU: importing is not enough.
    fakes = {"not installed": None,   # a None entry in sys.modules makes the import fail
             "no device": fake_cupy_module(0),
             "no driver": fake_cupy_module(None)}
    monkeypatch.setitem(sys.modules, "cupy", fakes[cupy])
    assert "cupy" not in available_backends()


def test_cupy_listed_when_a_device_is_reported(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", fake_cupy_module(1))
    assert "cupy" in available_backends()


# --- resolve_backend -----------------------------------------------------------------------

@cython_built
def test_auto_is_cython_when_built():
    assert resolve_backend("auto") == "cython"
    assert resolve_backend() == "cython"
    assert resolve_backend("auto", np.zeros((3, 2))) == "cython"


def test_auto_is_numpy_without_the_extension(monkeypatch):
    monkeypatch.setitem(sys.modules, "neuroclust._kernels", None)
    assert resolve_backend("auto") == "numpy"


def test_explicit_numpy():
    assert resolve_backend("numpy") == "numpy"
    assert resolve_backend("numpy", np.zeros((3, 2))) == "numpy"


@cython_built
def test_explicit_cython():
    assert resolve_backend("cython") == "cython"


@pytest.mark.parametrize("name", ["torch", "Numpy", "", None, 3])
def test_unknown_name_is_an_error_naming_backend(name):
    with pytest.raises(ValueError, match=r"^backend must be one of 'auto', 'numpy'"):
        resolve_backend(name)


def test_cupy_without_a_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", fake_cupy_module(0))
    with pytest.raises(ValueError, match=r"backend='cupy' was asked for, but CuPy or a CUDA GPU "
                                         r"is not available"):
        resolve_backend("cupy")


@pytest.mark.skipif("cupy" in available_backends(), reason="this machine has a usable GPU")
def test_cupy_on_this_machine_without_gpu_is_an_error():
    with pytest.raises(ValueError, match="CuPy or a CUDA GPU is not available"):
        resolve_backend("cupy")


def test_cython_requested_when_not_built_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(backend_module, "_cython_available", lambda: False)
    with pytest.raises(ValueError, match=r"backend='cython' was asked for, but the compiled "
                                         r"kernels \(neuroclust._kernels\) are not built"):
        resolve_backend("cython")


def test_cython_requested_when_the_import_fails_is_a_clear_error(monkeypatch):
    # The real availability check, not a patched one: the import itself fails.
    monkeypatch.setitem(sys.modules, "neuroclust._kernels", None)
    with pytest.raises(ValueError, match="compiled kernels"):
        resolve_backend("cython")


# --- the NEUROCLUST_BACKEND override -------------------------------------------------------

@pytest.mark.parametrize("asked", ["auto", "numpy", "cython", "cupy"])
def test_environment_forces_numpy(monkeypatch, asked):
    monkeypatch.setenv("NEUROCLUST_BACKEND", "numpy")
    assert resolve_backend(asked) == "numpy"
    assert get_kernels(resolve_backend(asked)) is backend_module.reference


@pytest.mark.parametrize("value", ["torch", "auto", "NUMPY", " numpy"])
def test_bad_environment_value_is_an_error_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("NEUROCLUST_BACKEND", value)
    with pytest.raises(ValueError, match="NEUROCLUST_BACKEND environment variable must be one "
                                         "of 'numpy', 'cython', 'cupy'"):
        resolve_backend("numpy")


def test_empty_environment_value_is_ignored(monkeypatch):
    monkeypatch.setenv("NEUROCLUST_BACKEND", "")
    assert resolve_backend("numpy") == "numpy"


def test_environment_cython_without_extension_is_an_error(monkeypatch):
    monkeypatch.setenv("NEUROCLUST_BACKEND", "cython")
    monkeypatch.setitem(sys.modules, "neuroclust._kernels", None)
    with pytest.raises(ValueError, match="compiled kernels"):
        resolve_backend("numpy")


# --- get_kernels ---------------------------------------------------------------------------

def test_get_kernels_numpy_is_the_reference():
    kernels = get_kernels("numpy")
    assert kernels is backend_module.reference
    for name in backend_module.KERNELS:
        assert callable(getattr(kernels, name))


def kernel_names(module):
    """The public functions a backend module offers (its own and those it re-exports)."""
    return {name for name in dir(module) if not name.startswith("_")
            and callable(getattr(module, name)) and not isinstance(getattr(module, name), type)
            and getattr(getattr(module, name), "__module__", "").startswith("neuroclust.backend")}


@cython_built
def test_get_kernels_cython_offers_the_same_kernels():
    kernels = get_kernels("cython")
    assert kernels.__name__ == "neuroclust.backend.cython"
    for name in backend_module.KERNELS:
        assert callable(getattr(kernels, name))


def test_every_backend_module_offers_the_same_kernel_names():
    """reference, cython and cupy: the names of KERNELS, each in the module's __all__, and no
    kernel that the others lack (cython adds only its thread helper)."""
    from neuroclust.backend import cupy as cupy_module

    modules = {"numpy": backend_module.reference, "cupy": cupy_module}
    if "cython" in available_backends():
        modules["cython"] = get_kernels("cython")
    for label, module in modules.items():
        assert set(backend_module.KERNELS) <= set(module.__all__), label
        extra = kernel_names(module) - set(backend_module.KERNELS)
        assert extra <= {"default_n_threads", "available_memory", "bmu_bytes_per_thread",
                         "som_block_steps"}, (label, extra)
    # Where a backend has no version of its own, it is the reference's function itself.
    for name in ("squared_distances", "undefined_bmu", "som_batch_weights",
                 "fuzzy_art_choice", "art1_bottom_up"):
        assert getattr(cupy_module, name) is getattr(backend_module.reference, name)


def test_reference_package_re_exports_every_kernel_of_its_modules():
    reference = backend_module.reference
    for module in (reference.distances, reference.competitive, reference.som, reference.gng,
                   reference.art):
        for name in module.__all__:
            assert getattr(reference, name) is getattr(module, name), name
    assert set(reference.__all__) - {"CHUNK_ROWS"} == set(backend_module.KERNELS)


@cython_built
def test_one_chunk_size_source_for_numpy_and_the_compiled_kernels():
    """The compiled build holds the chunk size of backend/_chunks.py (a stale build fails)."""
    from neuroclust import _kernels
    from neuroclust.backend import _chunks, cython

    assert _kernels.CHUNK_ROWS == _chunks.COMPILED_CHUNK_ROWS == cython.CHUNK_ROWS
    assert backend_module.reference.CHUNK_ROWS == _chunks.NUMPY_CHUNK_ROWS
    assert backend_module.reference.distances.CHUNK_ROWS == _chunks.NUMPY_CHUNK_ROWS


@pytest.mark.parametrize("name", ["auto", "torch"])
def test_get_kernels_needs_a_concrete_name(name):
    with pytest.raises(ValueError, match="^backend must be one of 'numpy', 'cython', 'cupy'"):
        get_kernels(name)
