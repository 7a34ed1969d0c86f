"""The layer stack (neuroclust/nn) and the Autoencoder on the CuPy array module.

DESIGN.md: the same code runs on a GPU. Given CuPy data, every parameter, gradient,
optimizer state and output lives on the device, and a seed gives NumPy's numbers (random
numbers are drawn on the host). Two groups of tests share the checks below, as in
tests/backend/test_cupy.py:

- ``TestOnGPU`` runs them with real CuPy on a real device and compares with NumPy within a
  float tolerance. It is skipped unless ``available_backends()`` lists "cupy".
- ``TestCodePathWithStandIn`` runs them on the CPU with a stand-in ``cupy`` whose arrays are
  NumPy arrays of a type that claims to come from cupy and that, like CuPy's, refuse to meet
  a host array (in an operator or ufunc, a NumPy function, an index or an assignment); inside
  the library ``np.asarray``/``np.array`` refuse them too (CuPy never converts implicitly).
  That checks the *code path*: no array made on the host meets the data, no implicit copy to
  the host, and the numbers equal NumPy's bit for bit. It says nothing about the GPU's
  kernels or numerics.
"""
import importlib
import sys
import types

import numpy as np
import pytest

from neuroclust import Autoencoder, load, nn
from neuroclust import VariationalAutoencoder
from neuroclust import SoftmaxAutoencoder
from neuroclust import ContrastiveClustering, augment
from neuroclust import CNNI
from neuroclust.backend import available_backends
from neuroclust.base import TrainingInterruptedWarning

# The modules of the layer stack that use NumPy by name (np).
LIBRARY_MODULES = [importlib.import_module(f"neuroclust.nn.{name}") for name in (
    "activations", "conv", "dense", "losses", "optimizers", "reshape", "sequential",
    "training")] + [importlib.import_module("neuroclust.models.autoencoder")]
LIBRARY_MODULES += [importlib.import_module("neuroclust.nn.variational")]
LIBRARY_MODULES += [importlib.import_module("neuroclust.nn.entropy"),
                    importlib.import_module("neuroclust.models.softmax_autoencoder")]
# (neuroclust.models.cnni no longer imports NumPy at all: nothing there to patch)
LIBRARY_MODULES += [importlib.import_module("neuroclust.backend.reference.mmj")]


# --- the stand-in for cupy ----------------------------------------------------------------

def _refuse_host_arrays(values):
    for value in values:
        if isinstance(value, (list, tuple)):
            _refuse_host_arrays(value)
        elif type(value) is np.ndarray and value.ndim:
            raise TypeError("a host (NumPy) array met a device array; move it with "
                            "xp.asarray first.")


def _host_views(value):
    if isinstance(value, (list, tuple)):
        return type(value)(_host_views(item) for item in value)
    return value.view(np.ndarray) if isinstance(value, StandInDeviceArray) else value


def _on_device(value):
    if isinstance(value, tuple):
        return tuple(_on_device(item) for item in value)
    return value.view(StandInDeviceArray) if isinstance(value, np.ndarray) else value


class StandInDeviceArray(np.ndarray):
    """A NumPy array whose type says it comes from cupy (all ``array_module`` asks) and that
    refuses host arrays where a CuPy array would: every result is again a device array."""

    __module__ = "cupy_stand_in"

    def get(self):
        """A plain NumPy copy, as ``cupy.ndarray.get()`` copies to the host."""
        return np.array(self)

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        _refuse_host_arrays(inputs + (out or ()))
        if out is not None:
            kwargs["out"] = _host_views(out)
        result = getattr(ufunc, method)(*_host_views(inputs), **kwargs)
        return (out[0] if len(out) == 1 else out) if out is not None else _on_device(result)

    def __array_function__(self, func, types, args, kwargs):
        _refuse_host_arrays(args + tuple(kwargs.values()))
        kwargs = {key: _host_views(value) for key, value in kwargs.items()}
        return _on_device(func(*_host_views(args), **kwargs))

    def __getitem__(self, index):
        _refuse_host_arrays(index if isinstance(index, tuple) else (index,))
        return _on_device(super().__getitem__(_host_views(index)))

    def __setitem__(self, index, value):
        _refuse_host_arrays((index if isinstance(index, tuple) else (index,)) + (value,))
        super().__setitem__(_host_views(index), _host_views(value))


def make_stand_in_cupy():
    """A ``cupy`` module backed by NumPy: its functions return ``StandInDeviceArray``."""
    cupy = types.ModuleType("cupy")

    def module_getattr(name):
        attribute = getattr(np, name)
        if callable(attribute) and not isinstance(attribute, type):
            return lambda *args, **kwargs: _on_device(attribute(*args, **kwargs))
        return attribute                  # dtypes, and np.fft or np.lib (which dispatch)

    cupy.__getattr__ = module_getattr
    cupy.ndarray = StandInDeviceArray
    return cupy


def numpy_refusing_device_arrays():
    """NumPy for the library's modules, whose ``asarray``/``array`` refuse device arrays as
    they do under real CuPy (the stand-in's arrays *are* NumPy arrays and would convert)."""
    host = types.ModuleType("numpy_on_the_host")
    host.__getattr__ = lambda name: getattr(np, name)

    def refusing(convert):
        def convert_host_arrays_only(a, *args, **kwargs):
            if isinstance(a, StandInDeviceArray):
                raise TypeError("Implicit conversion to a NumPy array is not allowed.")
            return convert(a, *args, **kwargs)
        return convert_host_arrays_only

    host.asarray, host.array = refusing(np.asarray), refusing(np.array)
    return host


def device(name, xp, array_type, to_device, to_host, exact):
    """How a test moves arrays to and from the device under test, and how it compares."""
    return types.SimpleNamespace(name=name, xp=xp, array_type=array_type, to_device=to_device,
                                 to_host=to_host, exact=exact)


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)
    cupy = make_stand_in_cupy()
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    host = numpy_refusing_device_arrays()
    for module in LIBRARY_MODULES:
        monkeypatch.setattr(module, "np", host)
    return device("stand-in cupy", cupy, StandInDeviceArray,
                  lambda a: np.array(a).view(StandInDeviceArray), lambda a: np.array(a),
                  exact=True)


@pytest.fixture
def gpu(monkeypatch):
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)
    import cupy

    return device("cupy", cupy, cupy.ndarray, cupy.asarray, cupy.asnumpy, exact=False)


def assert_on_device(device, got, expected):
    """``got`` is a device array equal to the host's ``expected``: bit for bit on the
    stand-in, within float tolerance on a GPU (other kernels sum in another order)."""
    assert isinstance(got, device.array_type), f"{type(got).__name__} is not on the device"
    got = device.to_host(got)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    if device.exact:
        np.testing.assert_array_equal(got, expected)
    else:
        tolerance = 1e-4 if expected.dtype == np.float32 else 1e-9
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)


def assert_same_floats(device, got, expected):
    assert all(type(value) is float for value in got)
    if device.exact:
        assert got == expected
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-4)


# --- the shared checks ---------------------------------------------------------------------

LAYERS = {   # name: (a function building the layer, the input's shape, training)
    "dense": (lambda: nn.Dense(6, 4, random_state=0), (5, 6), False),
    "dense_float64": (lambda: nn.Dense(6, 4, init="glorot", random_state=0,
                                       dtype=np.float64), (5, 6), False),
    "identity": (nn.Identity, (5, 6), False),
    "relu": (nn.ReLU, (5, 6), False),
    "leaky_relu": (lambda: nn.LeakyReLU(0.1), (5, 6), False),
    "sigmoid": (nn.Sigmoid, (5, 6), False),
    "tanh": (nn.Tanh, (5, 6), False),
    "softmax": (nn.Softmax, (5, 6), False),
    "softmax_cold": (lambda: nn.Softmax(0.3), (5, 6), False),
    "entropy_penalty": (lambda: nn.EntropyPenalty(0.5), (5, 6), False),
    "dropout": (lambda: nn.Dropout(0.4, random_state=0), (5, 6), True),
    "dropout_at_inference": (lambda: nn.Dropout(0.4, random_state=0), (5, 6), False),
    "flatten": (nn.Flatten, (5, 2, 4), False),
    "reshape": (lambda: nn.Reshape((2, 4)), (5, 8), False),
    "conv1d": (lambda: nn.Conv1D(2, 3, 3, stride=2, padding=1, random_state=0), (5, 2, 9),
               False),
    "conv1d_same": (lambda: nn.Conv1D(2, 3, 4, padding="same", random_state=0), (5, 2, 9),
                    False),
    "conv_transpose1d": (lambda: nn.ConvTranspose1D(3, 2, 3, stride=2, padding=1,
                                                    output_padding=1, random_state=0),
                         (5, 3, 5), False),
    "max_pool1d": (lambda: nn.MaxPool1D(3, stride=2), (5, 2, 9), False),
    "average_pool1d": (lambda: nn.AveragePool1D(2), (5, 2, 9), False),
    "global_average_pool1d": (nn.GlobalAveragePool1D, (5, 2, 9), False),
    "sequential": (lambda: nn.Sequential([
        nn.Reshape((1, 8)), nn.Conv1D(1, 2, 3, padding=1, random_state=0), nn.ReLU(),
        nn.Flatten(), nn.Dropout(0.2, random_state=1), nn.Dense(16, 3, random_state=2)]),
        (5, 8), True),
    "variational_bottleneck": (lambda: nn.VariationalBottleneck(0.5, random_state=0), (5, 6),
                               True),
    "variational_bottleneck_at_inference": (lambda: nn.VariationalBottleneck(0.5), (5, 6),
                                            False),
}


def check_layer(device, name):
    """Forward and backward of a layer on device data: outputs, gradients and parameters on
    the device, equal to the same layer's on the host."""
    build, shape, training = LAYERS[name]
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype(np.float32)
    on_host, on_device = build(), build()
    y = on_host.forward(x, training=training)
    assert_on_device(device, on_device.forward(device.to_device(x), training=training), y)
    dy = rng.normal(size=y.shape).astype(y.dtype)
    assert_on_device(device, on_device.backward(device.to_device(dy)), on_host.backward(dy))
    assert on_device.params.keys() == on_host.params.keys()
    for key in on_host.params:
        assert_on_device(device, on_device.params[key], on_host.params[key])
        assert_on_device(device, on_device.grads[key], on_host.grads[key])


def check_layer_follows_its_data(device):
    """A layer moves its parameters to the data's module, and back, keeping their values."""
    layer, x = nn.Dense(3, 2, random_state=0), np.ones((4, 3), dtype=np.float32)
    W = layer.params["W"].copy()
    expected = layer.forward(x)
    assert_on_device(device, layer.forward(device.to_device(x)), expected)
    assert_on_device(device, layer.params["W"], W)
    np.testing.assert_array_equal(layer.forward(x), expected)
    assert type(layer.params["W"]) is np.ndarray and type(layer.grads["W"]) is np.ndarray


LOSSES = {   # name: (a function building the loss, prediction, target)
    "mse": (nn.MeanSquaredError, (6, 5), "normal"),
    "shift_mse": (lambda: nn.ShiftInvariantMSE(channels=2), (6, 16), "normal"),
    "bce": (nn.BinaryCrossEntropy, (6, 5), "unit"),
    "softmax_cross_entropy_labels": (nn.SoftmaxCrossEntropy, (6, 5), "labels"),
    "softmax_cross_entropy_rows": (nn.SoftmaxCrossEntropy, (6, 5), "rows"),
    "kl_divergence": (nn.KLDivergence, (6, 5), "rows"),
    "ntxent": (lambda: nn.NTXentLoss(0.5), (6, 5), "normal"),
}


def check_loss(device, name):
    """The loss of device data is the host's Python float; its gradient is on the device. A
    target on the host is moved to the prediction's device."""
    build, shape, kind = LOSSES[name]
    rng = np.random.default_rng(1)
    prediction = rng.normal(size=shape).astype(np.float32)
    target = {"normal": lambda: rng.normal(size=shape),
              "unit": lambda: rng.uniform(size=shape),
              "labels": lambda: rng.integers(0, shape[1], size=shape[0]),
              "rows": lambda: rng.dirichlet(np.ones(shape[1]), size=shape[0])}[kind]()
    if name == "kl_divergence":
        prediction = rng.dirichlet(np.ones(shape[1]), size=shape[0]).astype(np.float32)
    on_host, on_device = build(), build()
    value = on_host.forward(prediction, target)
    got = on_device.forward(device.to_device(prediction), device.to_device(target))
    assert_same_floats(device, [got], [value])
    assert_on_device(device, on_device.backward(), on_host.backward())
    if name == "shift_mse":
        assert_on_device(device, on_device.shifts_, on_host.shifts_)
    assert_same_floats(device, [build().forward(device.to_device(prediction), target)], [value])


OPTIMIZERS = {
    "sgd": lambda: nn.SGD(0.1),
    "sgd_nesterov_decay": lambda: nn.SGD(0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "adam": lambda: nn.Adam(0.01, weight_decay=0.01),
}


def check_optimizer(device, name, move_after=0):
    """Steps on device parameters keep them, and the optimizer's state, on the device, with
    the host's values; state made on the host moves along with a layer that moved
    (``move_after`` host steps first)."""
    x = np.random.default_rng(2).normal(size=(8, 4)).astype(np.float32)
    runs = []
    for on_device in (False, True):
        layer, optimizer = nn.Dense(4, 3, random_state=0), OPTIMIZERS[name]()
        for step in range(4):
            data = device.to_device(x) if on_device and step >= move_after else x
            layer.backward(layer.forward(data) - 1)
            optimizer.step(layer)
        runs.append((layer, optimizer))
    (host_layer, _), (device_layer, optimizer) = runs
    for key in host_layer.params:
        assert_on_device(device, device_layer.params[key], host_layer.params[key])
    state = [value for _, slots in optimizer._state.values() for value in slots.values()
             if hasattr(value, "shape")]
    assert state and all(isinstance(value, device.array_type) for value in state)


def small_network():
    return nn.Sequential([nn.Dense(6, 8, random_state=0), nn.ReLU(),
                          nn.Dropout(0.2, random_state=1), nn.Dense(8, 6, random_state=2)])


def check_train(device):
    """``train`` on device data (the target on the host) gives the host's history, as
    Python floats, and the host's weights, on the device, also when early stopping
    restores the best epoch's weights."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 6)).astype(np.float32)
    y = 2 * X + 0.1
    settings = dict(epochs=4, batch_size=8, random_state=4, validation_split=0.25, patience=1)
    on_host, on_device = small_network(), small_network()
    history = nn.train(on_host, nn.MeanSquaredError(), nn.Adam(0.01), X, y, **settings)
    got = nn.train(on_device, nn.MeanSquaredError(), nn.Adam(0.01), device.to_device(X), y,
                   **settings)
    assert_same_floats(device, got["loss"] + got["val_loss"],
                       history["loss"] + history["val_loss"])
    assert got["best_epoch"] == history["best_epoch"]
    for key, value in on_host.params.items():
        assert_on_device(device, on_device.params[key], value)


class InterruptedMSE(nn.MeanSquaredError):
    """The squared error, with Ctrl-C pressed at the second batch."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, prediction, target):
        self.calls += 1
        if self.calls == 2:
            raise KeyboardInterrupt
        return super().forward(prediction, target)


def check_train_interrupted(device):
    """Ctrl-C in the first epoch restores the weights from before it, on the device."""
    X = np.random.default_rng(3).normal(size=(40, 6)).astype(np.float32)
    on_host, on_device = small_network(), small_network()
    initial = {key: value.copy() for key, value in on_host.params.items()}
    for network, data in ((on_host, X), (on_device, device.to_device(X))):
        with pytest.warns(TrainingInterruptedWarning):
            history = nn.train(network, InterruptedMSE(), nn.Adam(0.01), data, batch_size=8)
        assert history["loss"] == []
    for key, value in initial.items():
        np.testing.assert_array_equal(on_host.params[key], value)
        assert_on_device(device, on_device.params[key], value)


def tabular(seed=5):
    return np.random.default_rng(seed).normal(size=(48, 10)).astype(np.float32)


def signals(seed=6, channels=None):
    t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    rng = np.random.default_rng(seed)
    shape = (48, 16) if channels is None else (48, channels, 16)
    phases = rng.uniform(0, 2 * np.pi, size=shape[:-1] + (1,))
    return (np.sin(2 * t + phases) + 0.1 * rng.normal(size=shape)).astype(np.float32)


AUTOENCODERS = {   # name: (parameters, data)
    "dense": (dict(hidden=(8,), latent_dim=3), tabular),
    "dense_bce_sgd": (dict(hidden=(6, 4), latent_dim=2, activation="tanh", optimizer="sgd",
                           output_activation="sigmoid", loss="bce"),
                      lambda: 1 / (1 + np.exp(-tabular()))),
    "conv1d": (dict(kind="conv1d", channels=(4, 8), kernel_size=3, latent_dim=3),
               lambda: signals(channels=2)),
    "conv1d_global_pool_shift_mse": (dict(kind="conv1d", channels=(4, 8), kernel_size=3,
                                          latent_dim=2, global_pool=True, loss="shift_mse"),
                                     signals),
    "variational": (dict(hidden=(8,), latent_dim=3, beta=0.5), tabular),
}


def check_autoencoder(device, name, tmp_path, dtype="float32"):
    """An Autoencoder fitted on device data: parameters (views of one device vector),
    gradients and every output on the device, equal to the host's fit with the same seed;
    history in Python floats; queries across modules; save and load."""
    params, data = AUTOENCODERS[name]
    X = data().astype(dtype)
    settings = dict(params, epochs=3, batch_size=16, validation_split=0.25, random_state=0,
                    dtype=dtype)
    Model = VariationalAutoencoder if "beta" in params else Autoencoder
    on_host = Model(**settings).fit(X)
    model = Model(**settings).fit(device.to_device(X))
    assert_same_floats(device, model.history_["loss"] + model.history_["val_loss"],
                       on_host.history_["loss"] + on_host.history_["val_loss"])
    assert_on_device(device, model.parameters_, on_host.parameters_)
    for layer in model.encoder_.layers_with_params() + model.decoder_.layers_with_params():
        for key, value in layer.params.items():
            assert isinstance(value, device.array_type)
            assert device.xp.shares_memory(value, model.parameters_)    # a view, on the device
            assert isinstance(layer.grads[key], device.array_type)

    X_device, Z = device.to_device(X), on_host.transform(X)
    assert_on_device(device, model.transform(X_device), Z)
    assert_on_device(device, model.inverse_transform(device.to_device(Z)),
                     on_host.inverse_transform(Z))
    assert_on_device(device, model.reconstruct(X_device), on_host.reconstruct(X))
    errors = on_host.reconstruction_error(X)
    assert_on_device(device, model.reconstruction_error(X_device), errors)

    # Across modules: the answer is in the query's module, the weights stay where they are.
    assert_on_device(device, on_host.transform(X_device), Z)
    assert type(on_host.parameters_) is np.ndarray
    assert all(np.shares_memory(value, on_host.parameters_)
               for layer in on_host.encoder_.layers_with_params()
               for value in layer.params.values())
    assert type(model.reconstruction_error(X)) is np.ndarray
    assert isinstance(model.parameters_, device.array_type)
    reloaded = load(model.save(tmp_path / name))
    assert type(reloaded.parameters_) is np.ndarray
    np.testing.assert_array_equal(reloaded.parameters_, device.to_host(model.parameters_))
    assert_on_device(device, reloaded.reconstruction_error(X_device), errors)


def check_softmax_autoencoder(device, tmp_path, dtype="float32"):
    """A SoftmaxAutoencoder fitted on device data: its history, parameters, codes, clusters
    and training labels equal the host's with the same seed; the decoded one-hots come back
    on the host."""
    X = tabular().astype(dtype)
    settings = dict(n_clusters=3, hidden=(5,), temperature=0.5, entropy_weight=0.2, epochs=3,
                    batch_size=16, random_state=0, dtype=dtype)
    on_host = SoftmaxAutoencoder(**settings).fit(X)
    model = SoftmaxAutoencoder(**settings).fit(device.to_device(X))
    assert_same_floats(device, model.history_["loss"] + model.history_["entropy"],
                       on_host.history_["loss"] + on_host.history_["entropy"])
    assert_on_device(device, model.parameters_, on_host.parameters_)
    X_device = device.to_device(X)
    assert_on_device(device, model.predict_proba(X_device), on_host.predict_proba(X))
    assert_on_device(device, model.predict(X_device), on_host.predict(X))
    assert_on_device(device, model.labels_, on_host.labels_)
    centres = model.cluster_centers_
    assert type(centres) is np.ndarray
    if device.exact:
        np.testing.assert_array_equal(centres, on_host.cluster_centers_)
    else:
        np.testing.assert_allclose(centres, on_host.cluster_centers_, rtol=1e-4, atol=1e-4)
    reloaded = load(model.save(tmp_path / "softmax"))
    np.testing.assert_array_equal(reloaded.labels_, device.to_host(model.labels_))


class _OneCluster:
    """A clusterer for the stand-in, whose arrays KMeans's scatter-add cannot take."""

    def get_params(self, deep=False):
        return {}

    def fit_predict(self, Z):
        return Z[:, 0] * 0


def check_contrastive_clustering(device, tmp_path, dtype="float32", kmeans=True):
    """ContrastiveClustering fitted on device data: the views are drawn on the host, so its
    history, parameters and representation equal the host's with the same seed; with
    ``kmeans``, its labels too, and it saves."""
    X = tabular().astype(dtype)
    settings = dict(clusterer=None if kmeans else _OneCluster(),
                    n_clusters=3, hidden=(5,), latent_dim=3, projection_dim=2, epochs=3,
                    batch_size=16, n_init=2, random_state=0, dtype=dtype,
                    augment=augment.Compose([augment.GaussianNoise(0.1),
                                             augment.TimeShift(2), augment.CropResize(0.7)]))
    on_host = ContrastiveClustering(**settings).fit(X)
    model = ContrastiveClustering(**settings).fit(device.to_device(X))
    assert_same_floats(device, model.history_["loss"], on_host.history_["loss"])
    assert_on_device(device, model.parameters_, on_host.parameters_)
    X_device = device.to_device(X)
    assert_on_device(device, model.transform(X_device), on_host.transform(X))
    if not kmeans:
        return
    assert_on_device(device, model.predict(X_device), on_host.predict(X))
    reloaded = load(model.save(tmp_path / "contrastive"))
    np.testing.assert_array_equal(reloaded.parameters_, device.to_host(model.parameters_))
def check_cnni(device, tmp_path, dtype="float32"):
    """CNNI fitted on device data, with each index (the MMJ distances computed on the
    device): its history, parameters, soft assignments and labels equal the host's."""
    X = tabular().astype(dtype)
    for index in ("mmj_silhouette", "silhouette", "calinski_harabasz"):
        settings = dict(n_clusters=3, hidden=(5,), index=index, epochs=3, batch_size=16,
                        random_state=0, dtype=dtype)
        # the reference MMJ kernel on the host: the one the device runs
        on_host = CNNI(backend="numpy", **settings).fit(X)
        model = CNNI(**settings).fit(device.to_device(X))
        assert_same_floats(device, model.history_["loss"], on_host.history_["loss"])
        assert_on_device(device, model.parameters_, on_host.parameters_)
        assert_on_device(device, model.predict_proba(device.to_device(X)),
                         on_host.predict_proba(X))
        assert_on_device(device, model.labels_, on_host.labels_)
    reloaded = load(model.save(tmp_path / "cnni"))
    np.testing.assert_array_equal(reloaded.labels_, device.to_host(model.labels_))


# --- the code path, on the CPU, with the stand-in ------------------------------------------

class TestCodePathWithStandIn:
    """The code path on a NumPy-backed stand-in for cupy, NOT the GPU: these pass without a
    device and say nothing about CuPy's kernels or numerics."""

    @pytest.mark.parametrize("name", LAYERS)
    def test_layer(self, stand_in, name):
        check_layer(stand_in, name)

    def test_layer_follows_its_data(self, stand_in):
        check_layer_follows_its_data(stand_in)

    @pytest.mark.parametrize("name", LOSSES)
    def test_loss(self, stand_in, name):
        check_loss(stand_in, name)

    @pytest.mark.parametrize("name", OPTIMIZERS)
    @pytest.mark.parametrize("move_after", [0, 2])
    def test_optimizer(self, stand_in, name, move_after):
        check_optimizer(stand_in, name, move_after)

    def test_train(self, stand_in):
        check_train(stand_in)

    def test_train_interrupted(self, stand_in):
        check_train_interrupted(stand_in)

    @pytest.mark.parametrize("name", AUTOENCODERS)
    def test_autoencoder(self, stand_in, name, tmp_path):
        check_autoencoder(stand_in, name, tmp_path)

    def test_autoencoder_in_float64(self, stand_in, tmp_path):
        check_autoencoder(stand_in, "conv1d_global_pool_shift_mse", tmp_path, dtype="float64")

    def test_softmax_autoencoder(self, stand_in, tmp_path):
        check_softmax_autoencoder(stand_in, tmp_path)

    def test_contrastive_clustering(self, stand_in, tmp_path):
        check_contrastive_clustering(stand_in, tmp_path, kmeans=False)
    def test_cnni(self, stand_in, tmp_path):
        check_cnni(stand_in, tmp_path)

    def test_the_stand_in_refuses_what_cupy_refuses(self, stand_in):
        on_device = stand_in.to_device(np.ones((2, 3)))
        for mix in (lambda: on_device + np.ones(3), lambda: np.ones((3, 2)) @ on_device.T,
                    lambda: np.tensordot(on_device, np.ones(3), axes=1),
                    lambda: on_device[np.array([0, 1])],
                    lambda: on_device.__setitem__(Ellipsis, np.zeros((2, 3)))):
            with pytest.raises(TypeError, match="host"):
                mix()
        with pytest.raises(TypeError, match="Implicit conversion"):
            LIBRARY_MODULES[0].np.asarray(on_device)
        assert isinstance(on_device.sum(axis=0) * 2, StandInDeviceArray)


# --- real CuPy on a real GPU ---------------------------------------------------------------

@pytest.mark.skipif("cupy" not in available_backends(),
                    reason="needs CuPy and a CUDA GPU (available_backends() lists no 'cupy')")
class TestOnGPU:
    """The layer stack and the Autoencoder on the device, compared with NumPy on the host."""

    @pytest.mark.parametrize("name", LAYERS)
    def test_layer(self, gpu, name):
        check_layer(gpu, name)

    def test_layer_follows_its_data(self, gpu):
        check_layer_follows_its_data(gpu)

    @pytest.mark.parametrize("name", LOSSES)
    def test_loss(self, gpu, name):
        check_loss(gpu, name)

    @pytest.mark.parametrize("name", OPTIMIZERS)
    @pytest.mark.parametrize("move_after", [0, 2])
    def test_optimizer(self, gpu, name, move_after):
        check_optimizer(gpu, name, move_after)

    def test_train(self, gpu):
        check_train(gpu)

    def test_train_interrupted(self, gpu):
        check_train_interrupted(gpu)

    # float64: over epochs of training, float32 rounding differences between the GPU's
    # kernels and the CPU's could tip a best shift of shift_mse the other way.
    @pytest.mark.parametrize("name", AUTOENCODERS)
    def test_autoencoder(self, gpu, name, tmp_path):
        check_autoencoder(gpu, name, tmp_path, dtype="float64")

    def test_softmax_autoencoder(self, gpu, tmp_path):
        check_softmax_autoencoder(gpu, tmp_path, dtype="float64")

    def test_contrastive_clustering(self, gpu, tmp_path):
        check_contrastive_clustering(gpu, tmp_path, dtype="float64")
    def test_cnni(self, gpu, tmp_path):
        check_cnni(gpu, tmp_path, dtype="float64")
