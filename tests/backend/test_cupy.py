"""The CuPy kernels (``neuroclust/backend/cupy.py``) against the NumPy reference.

Two groups of tests share the same checks:

- ``TestOnGPU`` runs them with real CuPy on a real device. It is skipped unless
  ``available_backends()`` lists "cupy": importing cupy is not enough, since cupy imports fine
  on a machine without a GPU or driver.
- ``TestCodePathWithFakeCupy`` runs them on the CPU with a stand-in ``cupy`` module whose
  arrays are NumPy arrays of a type that claims to come from cupy. That checks the *code path*
  of ``backend/cupy.py`` and of the reference written against ``xp`` (dispatch on the array
  type, the ``cupyx.scatter_add`` branch, dtype casting, argument passing, results returned in
  the input's array type), **not** the GPU, CuPy's own kernels or their numerics.
"""
import sys
import types

import numpy as np
import pytest

from neuroclust.backend import available_backends, get_kernels, reference, resolve_backend
from neuroclust.backend import cupy as cupy_kernels
from neuroclust import grid
from neuroclust.nn import Competitive


# --- the shared checks ---------------------------------------------------------------------

class Device:
    """How a test moves arrays to and from the device under test."""

    def __init__(self, name, xp, array_type, to_device, to_host):
        self.name, self.xp, self.array_type = name, xp, array_type
        self.to_device, self.to_host = to_device, to_host


def random_problem(seed, dtype, n_samples=300, n_features=6, n_units=8, offset=0.0):
    rng = np.random.default_rng(seed)
    X = (rng.normal(scale=3.0, size=(n_samples, n_features)) + offset).astype(dtype)
    W = (rng.normal(scale=3.0, size=(n_units, n_features)) + offset).astype(dtype)
    return X, W


def true_squared_distances(X, W):
    X, W = X.astype(np.float64), W.astype(np.float64)
    return ((X[:, None, :] - W[None, :, :]) ** 2).sum(axis=-1)


def assert_winners_valid(X, W, index, reference_index):
    """Identical winners in float64; in float32 the chosen unit's true distance is within a
    few float32 ulps of the minimum (DESIGN.md)."""
    if X.dtype == np.float64:
        np.testing.assert_array_equal(index, reference_index)
        return
    truth = true_squared_distances(X, W)
    centre = W.astype(np.float64).mean(axis=0)
    scale = (((X - centre) ** 2).sum(axis=1) + ((W - centre) ** 2).sum(axis=1).max())
    tolerance = 4 * (X.shape[1] + 2) * np.finfo(np.float32).eps * scale
    assert (truth[np.arange(len(index)), index] - truth.min(axis=1) <= tolerance).all()


def check_bmu(device, dtype, offset):
    X, W = random_problem(0, dtype, offset=offset)
    ref_index, _ = reference.bmu(X, W)
    index, distance = cupy_kernels.bmu(device.to_device(X), device.to_device(W), n_threads=3)
    assert isinstance(index, device.array_type) and isinstance(distance, device.array_type)
    index, distance = device.to_host(index), device.to_host(distance)
    assert index.dtype == np.int64 and distance.dtype == dtype
    assert_winners_valid(X, W, index, ref_index)
    truth = true_squared_distances(X, W)[np.arange(len(index)), index]
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(distance, truth, rtol=rtol)


def check_bmu_casts_prototypes_to_the_data_dtype(device):
    X, W = random_problem(1, np.float32)
    W64 = W.astype(np.float64)
    index, distance = cupy_kernels.bmu(device.to_device(X), device.to_device(W64))
    assert device.to_host(distance).dtype == np.float32
    assert_winners_valid(X, W, device.to_host(index), reference.bmu(X, W)[0])


def check_two_nearest(device, dtype, offset):
    X, W = random_problem(5, dtype, offset=offset)
    W64 = W.astype(np.float64)   # cast to the data's dtype, as bmu does
    result = cupy_kernels.two_nearest(device.to_device(X), device.to_device(W64), n_threads=2)
    assert all(isinstance(a, device.array_type) for a in result)
    first, second, first_distance, second_distance = (device.to_host(a) for a in result)
    assert first.dtype == second.dtype == np.int64
    assert first_distance.dtype == second_distance.dtype == dtype
    ref_first, ref_second, _, _ = reference.two_nearest(X, W)
    assert_winners_valid(X, W, first, ref_first)
    assert (second != first).all()
    truth = true_squared_distances(X, W)
    rows = np.arange(len(X))
    if dtype == np.float64:
        np.testing.assert_array_equal(second, ref_second)
    else:   # the second unit's true distance near the second smallest
        excess = truth[rows, second] - np.sort(truth, axis=1)[:, 1]
        centre = W.astype(np.float64).mean(axis=0)
        scale = (((X - centre) ** 2).sum(axis=1) + ((W - centre) ** 2).sum(axis=1).max())
        assert (excess <= 4 * (X.shape[1] + 2) * np.finfo(np.float32).eps * scale).all()
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(first_distance, truth[rows, first], rtol=rtol)
    np.testing.assert_allclose(second_distance, truth[rows, second], rtol=rtol)


def check_accumulate(device, dtype):
    X, W = random_problem(2, dtype)
    labels = np.random.default_rng(2).integers(0, 7, size=len(X))   # unit 7 gets nothing
    ref_sums, ref_counts = reference.accumulate(X, labels, 8)
    sums, counts = cupy_kernels.accumulate(device.to_device(X), device.to_device(labels), 8,
                                           n_threads=2)
    assert isinstance(sums, device.array_type) and isinstance(counts, device.array_type)
    sums, counts = device.to_host(sums), device.to_host(counts)
    assert sums.dtype == dtype and counts.dtype == np.int64
    np.testing.assert_array_equal(counts, ref_counts)
    np.testing.assert_allclose(sums, ref_sums, rtol=1e-4 if dtype == np.float32 else 1e-12,
                               atol=1e-3 if dtype == np.float32 else 1e-10)
    assert counts[7] == 0 and (sums[7] == 0).all()


def check_bmu_accumulate(device, dtype):
    X, W = random_problem(3, dtype, offset=1000.0)
    ref_index, _, _, _ = reference.bmu_accumulate(X, W)
    index, distance, sums, counts = (device.to_host(a) for a in cupy_kernels.bmu_accumulate(
        device.to_device(X), device.to_device(W), n_threads=1))
    assert_winners_valid(X, W, index, ref_index)
    expected_sums, expected_counts = reference.accumulate(X, index, W.shape[0])
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_allclose(sums, expected_sums, rtol=1e-4 if dtype == np.float32 else 1e-12)


def check_wta_online(device, conscience, order_on_device):
    X, W = random_problem(4, np.float64, n_samples=40, n_units=5)
    order = np.random.default_rng(4).integers(0, len(X), size=60)
    p0 = np.array([0.6, 0.1, 0.1, 0.1, 0.1]) if conscience else None
    args = (0.05, 20.0, 0.5) if conscience else ()   # B, C and the variance V
    W_ref = W.copy()
    p_ref = None if p0 is None else p0.copy()
    ref_winners = reference.wta_online(X, W_ref, order, 0.2, p_ref, *args)
    W_dev = device.to_device(W)
    p_dev = None if p0 is None else device.to_device(p0)
    order_arg = device.to_device(order) if order_on_device else order
    # The conscience arguments passed by position, as the kernel signature allows.
    winners = cupy_kernels.wta_online(device.to_device(X), W_dev, order_arg, 0.2, p_dev, *args)
    assert isinstance(winners, device.array_type)
    np.testing.assert_array_equal(device.to_host(winners), ref_winners)
    np.testing.assert_allclose(device.to_host(W_dev), W_ref, rtol=1e-12, atol=1e-12)  # in place
    if conscience:
        np.testing.assert_allclose(device.to_host(p_dev), p_ref, rtol=1e-12, atol=1e-15)
        assert (ref_winners != reference.wta_online(X, W.copy(), order, 0.2)).any()


def check_som_online(device, kind, metric, order_on_device):
    X, W = random_problem(6, np.float64, n_samples=40, n_units=12)
    order = np.random.default_rng(6).integers(0, len(X), size=50)   # with repeats
    fraction = np.arange(len(order)) / len(order)
    rates = grid.decay(0.3, 0.01, fraction, "exponential")
    sigmas = grid.decay(2.3, 0.7, fraction, "exponential")
    # The grid and the schedules stay on the host, as the estimator passes them.
    layout = ((4, 3), "hexagonal", True)
    W_ref = W.copy()
    ref_winners = reference.som_online(X, W_ref, *layout, order, rates, sigmas, kind, metric)
    W_dev = device.to_device(W)
    order_arg = device.to_device(order) if order_on_device else order
    winners = cupy_kernels.som_online(device.to_device(X), W_dev, *layout, order_arg, rates,
                                      sigmas, kind, metric)
    assert isinstance(winners, device.array_type)
    winners = device.to_host(winners)
    assert winners.dtype == np.int64
    np.testing.assert_array_equal(winners, ref_winners)
    np.testing.assert_allclose(device.to_host(W_dev), W_ref, rtol=1e-10, atol=1e-12)  # in place


def check_competitive_layer(device):
    X, _ = random_problem(5, np.float64, n_samples=50, n_units=4)
    on_device = Competitive(4, X.shape[1], learning_rate=0.1, random_state=0, backend="auto")
    on_host = Competitive(4, X.shape[1], learning_rate=0.1, random_state=0, backend="numpy")
    y = on_device.forward(device.to_device(X))
    assert isinstance(y, device.array_type)
    np.testing.assert_array_equal(device.to_host(y), on_host.forward(X))
    dx = on_device.backward(y)
    assert isinstance(dx, device.array_type) and not device.to_host(dx).any()
    on_host.backward(on_host.forward(X))
    np.testing.assert_allclose(device.to_host(on_device.grads["W"]), on_host.grads["W"],
                               rtol=1e-12, atol=1e-14)
    on_device.update(device.to_device(X))
    on_host.update(X)
    np.testing.assert_allclose(device.to_host(on_device.params["W"]), on_host.params["W"],
                               rtol=1e-12, atol=1e-12)


def check_gng_online(device, dtype, order_on_device):
    rng = np.random.default_rng(7)
    X = np.concatenate([rng.normal(size=(40, 2)), rng.normal(size=(40, 2)) + 6]).astype(dtype)
    W = np.zeros((9, 2), dtype=dtype)
    W[:2] = X[[0, 50]]
    error, age = np.zeros(9), np.full((9, 9), -1, dtype=np.int64)
    order = rng.integers(0, len(X), size=400)
    params = (0.2, 0.006, 8, 10, 0.5, 0.005)
    W_ref, error_ref, age_ref = W.copy(), error.copy(), age.copy()
    expected = reference.gng_online(X, W_ref, error_ref, age_ref, 2, 0, order, *params)
    W_dev, error_dev, age_dev = (device.to_device(a) for a in (W, error, age))
    order_arg = device.to_device(order) if order_on_device else order
    got = cupy_kernels.gng_online(device.to_device(X), W_dev, error_dev, age_dev, 2, 0,
                                  order_arg, *params)
    assert tuple(int(v) for v in got) == expected and expected[0] == 9
    np.testing.assert_array_equal(device.to_host(age_dev), age_ref)          # in place
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(device.to_host(W_dev), W_ref, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(device.to_host(error_dev), error_ref, rtol=rtol)


# --- real CuPy on a real GPU ---------------------------------------------------------------

@pytest.fixture
def gpu(monkeypatch):
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)
    import cupy

    return Device("cupy", cupy, cupy.ndarray, cupy.asarray, cupy.asnumpy)


@pytest.mark.skipif("cupy" not in available_backends(),
                    reason="needs CuPy and a CUDA GPU (available_backends() lists no 'cupy')")
class TestOnGPU:
    """The CuPy kernels on the device, compared with the NumPy reference on the host."""

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    @pytest.mark.parametrize("offset", [0.0, 1000.0])
    def test_bmu(self, gpu, dtype, offset):
        check_bmu(gpu, dtype, offset)

    def test_bmu_casts_prototypes(self, gpu):
        check_bmu_casts_prototypes_to_the_data_dtype(gpu)

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    @pytest.mark.parametrize("offset", [0.0, 1000.0])
    def test_two_nearest(self, gpu, dtype, offset):
        check_two_nearest(gpu, dtype, offset)

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_accumulate(self, gpu, dtype):
        check_accumulate(gpu, dtype)

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_bmu_accumulate(self, gpu, dtype):
        check_bmu_accumulate(gpu, dtype)

    @pytest.mark.parametrize("conscience", [False, True])
    @pytest.mark.parametrize("order_on_device", [False, True])
    def test_wta_online(self, gpu, conscience, order_on_device):
        check_wta_online(gpu, conscience, order_on_device)

    def test_auto_picks_cupy_for_device_data(self, gpu):
        assert resolve_backend("auto", gpu.xp.zeros((2, 2))) == "cupy"

    @pytest.mark.parametrize("kind, metric", [("gaussian", "euclidean"), ("bubble", "cosine")])
    @pytest.mark.parametrize("order_on_device", [False, True])
    def test_som_online(self, gpu, kind, metric, order_on_device):
        check_som_online(gpu, kind, metric, order_on_device)

    def test_competitive_layer(self, gpu):
        check_competitive_layer(gpu)

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    @pytest.mark.parametrize("order_on_device", [False, True])
    def test_gng_online(self, gpu, dtype, order_on_device):
        check_gng_online(gpu, dtype, order_on_device)

    def test_growing_neural_gas_on_the_device(self, gpu):
        from neuroclust import GrowingNeuralGas, datasets, metrics

        X, y = datasets.make_moons(n_samples=1000, noise=0.05, random_state=0)
        on_device = GrowingNeuralGas(epochs=20, random_state=0).fit(gpu.to_device(X))
        on_host = GrowingNeuralGas(epochs=20, random_state=0, backend="numpy").fit(X)
        assert on_device.backend_ == "cupy" and isinstance(on_device.nodes_, gpu.array_type)
        labels = on_device.predict(gpu.to_device(X))
        assert isinstance(labels, gpu.array_type)
        assert on_device.n_clusters_ == on_host.n_clusters_ == 2
        assert metrics.adjusted_rand_score(y, gpu.to_host(labels)) >= 0.95


# --- the code path, on the CPU, with a stand-in cupy ---------------------------------------

class FakeDeviceArray(np.ndarray):
    """A NumPy array whose type says it comes from cupy, which is all ``array_module`` asks."""

    __module__ = "cupy_fake"

    def get(self):
        """A plain NumPy copy, as ``cupy.ndarray.get()`` copies to the host."""
        return np.array(self)


def _as_fake(value):
    if isinstance(value, np.ndarray) and not isinstance(value, FakeDeviceArray):
        return value.view(FakeDeviceArray)
    if isinstance(value, tuple):
        return tuple(_as_fake(item) for item in value)
    return value


def make_fake_cupy():
    """Stand-ins for the ``cupy`` and ``cupyx`` modules, backed by NumPy.

    ``cupy.<function>`` calls NumPy's and returns its arrays as ``FakeDeviceArray``, as cupy's
    functions return device arrays; ``cupyx.scatter_add`` is NumPy's unbuffered ``add.at`` and
    records its calls. No device is reported, so the "cupy" backend is never *available*.
    """
    cupy = types.ModuleType("cupy")

    def module_getattr(name):
        attribute = getattr(np, name)
        if callable(attribute) and not isinstance(attribute, type):
            def on_fake_device(*args, **kwargs):
                return _as_fake(attribute(*args, **kwargs))
            return on_fake_device
        return attribute

    cupy.__getattr__ = module_getattr
    cupy.ndarray = FakeDeviceArray
    cupy.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=lambda: 0))

    cupyx = types.ModuleType("cupyx")
    cupyx.scatter_add_calls = []

    def scatter_add(a, slices, value):
        cupyx.scatter_add_calls.append((a.shape, np.shape(slices)))
        np.add.at(a.view(np.ndarray), np.asarray(slices), np.asarray(value))

    cupyx.scatter_add = scatter_add
    return cupy, cupyx


def host_numpy_refusing_device_arrays():
    """NumPy for host-only code, refusing the stand-in's device arrays as real CuPy would.

    ``np.asarray(cupy_array)`` raises TypeError under real CuPy (no implicit device-to-host
    copies), but the stand-in's arrays *are* NumPy arrays and convert silently. Patched into a
    host-only module, this brings that failure back on the CPU.
    """
    host = types.ModuleType("numpy_on_the_host")
    host.__getattr__ = lambda name: getattr(np, name)

    def refusing(convert):
        def convert_host_arrays_only(a, *args, **kwargs):
            if isinstance(a, FakeDeviceArray):
                raise TypeError("Implicit conversion to a NumPy array is not allowed.")
            return convert(a, *args, **kwargs)
        return convert_host_arrays_only

    host.asarray, host.array = refusing(np.asarray), refusing(np.array)
    return host


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)
    cupy, cupyx = make_fake_cupy()
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    monkeypatch.setitem(sys.modules, "cupyx", cupyx)
    device = Device("fake cupy", cupy, FakeDeviceArray,
                    lambda a: np.array(a).view(FakeDeviceArray),
                    lambda a: np.array(a))   # np.array drops the subclass: a plain copy
    device.cupyx = cupyx
    return device


class TestCodePathWithFakeCupy:
    """These check the code path of backend/cupy.py on a NumPy-backed stand-in for cupy, NOT
    the GPU: they pass without a device and say nothing about CuPy's kernels or numerics."""

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    @pytest.mark.parametrize("offset", [0.0, 1000.0])
    def test_bmu(self, fake, dtype, offset):
        check_bmu(fake, dtype, offset)

    def test_bmu_casts_prototypes(self, fake):
        check_bmu_casts_prototypes_to_the_data_dtype(fake)

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    @pytest.mark.parametrize("offset", [0.0, 1000.0])
    def test_two_nearest(self, fake, dtype, offset):
        check_two_nearest(fake, dtype, offset)

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_accumulate_takes_the_cupyx_branch(self, fake, dtype):
        check_accumulate(fake, dtype)
        assert fake.cupyx.scatter_add_calls == [((8, 6), (300,))]

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_bmu_accumulate(self, fake, dtype):
        check_bmu_accumulate(fake, dtype)
        assert len(fake.cupyx.scatter_add_calls) == 1

    @pytest.mark.parametrize("conscience", [False, True])
    @pytest.mark.parametrize("order_on_device", [False, True])
    def test_wta_online(self, fake, conscience, order_on_device):
        check_wta_online(fake, conscience, order_on_device)

    @pytest.mark.parametrize("kind, metric", [("gaussian", "euclidean"), ("bubble", "cosine")])
    @pytest.mark.parametrize("order_on_device", [False, True])
    def test_som_online(self, fake, monkeypatch, kind, metric, order_on_device):
        # The grid helpers are host code: they must never be handed a device array.
        monkeypatch.setattr(grid, "np", host_numpy_refusing_device_arrays())
        check_som_online(fake, kind, metric, order_on_device)

    def test_competitive_layer(self, fake):
        check_competitive_layer(fake)

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    @pytest.mark.parametrize("order_on_device", [False, True])
    def test_gng_online(self, fake, dtype, order_on_device):
        check_gng_online(fake, dtype, order_on_device)

    def test_growing_neural_gas_keeps_the_graph_where_it_belongs(self, fake, monkeypatch):
        # Nodes and labels in the data's array type, the graph's bookkeeping on the host.
        import neuroclust.backend
        from neuroclust import GrowingNeuralGas

        monkeypatch.setattr(neuroclust.backend, "_cupy_available", lambda: True)
        X = random_problem(8, np.float64, n_samples=120, n_features=2)[0]
        params = dict(max_nodes=12, insert_every=20, max_age=15, epochs=3, random_state=0)
        on_device = GrowingNeuralGas(backend="cupy", **params).fit(fake.to_device(X))
        on_host = GrowingNeuralGas(backend="numpy", **params).fit(X)
        assert on_device.backend_ == "cupy"
        assert isinstance(on_device.nodes_, FakeDeviceArray)
        assert isinstance(on_device.labels_, FakeDeviceArray)
        for name in ("edges_", "edge_ages_", "errors_", "unit_labels_"):
            assert type(getattr(on_device, name)) is np.ndarray, name
        np.testing.assert_array_equal(fake.to_host(on_device.nodes_), on_host.nodes_)
        np.testing.assert_array_equal(on_device.edges_, on_host.edges_)
        np.testing.assert_array_equal(fake.to_host(on_device.predict(fake.to_device(X))),
                                      on_host.labels_)
        on_device.partial_fit(fake.to_device(X))                     # continues on the device
        assert on_device.n_steps_ == 4 * len(X)

    def test_dispatch_sees_the_array_type(self, fake):
        X = fake.to_device(np.zeros((3, 2)))
        assert resolve_backend("auto", X) == "cupy"
        assert get_kernels("cupy") is cupy_kernels
        with pytest.raises(ValueError, match=r"^X is a CuPy \(GPU\) array but backend='numpy'"):
            resolve_backend("numpy", X)
        # cupy imports, but reports no device: asking for it by name is still an error.
        assert "cupy" not in available_backends()
        with pytest.raises(ValueError, match="CuPy or a CUDA GPU is not available"):
            resolve_backend("cupy", X)
