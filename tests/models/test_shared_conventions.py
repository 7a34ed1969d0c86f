"""The conventions every estimator shares (issue 11, "one convention each"): ``history_`` is a
dict of lists, one entry per epoch; prototypes are ``cluster_centers_`` of shape (n_units,
n_features); the SOM and competitive learning train their nn layer (one code path), whose
prototypes are the estimator's ``cluster_centers_``; and the results did not change when they
moved onto the layers (bit for bit)."""
import numpy as np
import pytest

from neuroclust import (ART1, SOM, Autoencoder, CompetitiveLearning, FuzzyART,
                        GrowingNeuralGas, KMeans, grid, load, nn)
from neuroclust import SoftmaxAutoencoder
from neuroclust.backend import available_backends, get_kernels
from neuroclust.nn.competitive import total_variance
from neuroclust import VariationalAutoencoder
from neuroclust import ContrastiveClustering
from neuroclust import CNNI


def data(n_samples=120, n_features=3, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).normal(size=(n_samples, n_features)).astype(dtype)


# Each estimator, its data, and its history_'s keys.
HISTORIES = {
    "KMeans": (lambda: KMeans(3, n_init=2, max_iter=20, random_state=0), data, ["inertia"]),
    "CompetitiveLearning": (lambda: CompetitiveLearning(3, epochs=4, random_state=0), data,
                            ["quantization_error"]),
    "SOM": (lambda: SOM((3, 3), epochs=3, random_state=0), data,
            ["quantization_error", "topographic_error"]),
    "GrowingNeuralGas": (lambda: GrowingNeuralGas(max_nodes=6, insert_every=20, epochs=3,
                                                  random_state=0), data,
                         ["n_nodes", "quantization_error"]),
    "FuzzyART": (lambda: FuzzyART(rho=0.5, scale=True, epochs=4, random_state=0), data,
                 ["n_categories", "n_changed"]),
    "ART1": (lambda: ART1(rho=0.5, epochs=4, random_state=0),
             lambda: np.column_stack([np.ones(120), data() > 0]).astype(float),
             ["n_categories", "n_changed"]),
    "Autoencoder": (lambda: Autoencoder(hidden=(4,), latent_dim=2, epochs=3, random_state=0),
                    data, ["loss", "val_loss"]),
    "VariationalAutoencoder": (lambda: VariationalAutoencoder(hidden=(4,), latent_dim=2,
                                                              epochs=3, random_state=0),
                               data, ["loss", "val_loss", "reconstruction", "kl"]),
    "SoftmaxAutoencoder": (lambda: SoftmaxAutoencoder(n_clusters=3, hidden=(4,), epochs=3,
                                                      random_state=0),
                           data, ["loss", "val_loss", "reconstruction", "entropy"]),
    "ContrastiveClustering": (lambda: ContrastiveClustering(n_clusters=3, hidden=(4,),
                                                            latent_dim=2, projection_dim=2,
                                                            epochs=3, n_init=1, random_state=0),
                              data, ["loss", "alignment"]),
    "CNNI": (lambda: CNNI(n_clusters=3, hidden=(4,), epochs=3, random_state=0), data,
             ["loss", "val_loss"]),
}


@pytest.mark.parametrize("name", list(HISTORIES))
def test_history_is_a_dict_of_lists_one_entry_per_epoch(name):
    make, make_data, keys = HISTORIES[name]
    model = make().fit(make_data())
    assert isinstance(model.history_, dict) and sorted(model.history_) == sorted(keys)
    lengths = {len(values) for key, values in model.history_.items()
               if not (key == "val_loss" and values == [])}   # no validation split
    assert len(lengths) == 1 and lengths.pop() >= 1
    assert all(isinstance(values, list) for values in model.history_.values())
    n_epochs = getattr(model, "n_iter_", None) or len(next(iter(model.history_.values())))
    assert len(next(iter(model.history_.values()))) == n_epochs


def test_the_autoencoders_best_epoch_is_its_own_attribute():
    X = data(60, 6)
    plain = Autoencoder(hidden=(4,), latent_dim=2, epochs=2, random_state=0).fit(X)
    assert plain.best_epoch_ is None and "best_epoch" not in plain.history_
    stopped = Autoencoder(hidden=(4,), latent_dim=2, epochs=6, patience=1, validation_split=0.2,
                          random_state=0).fit(X)
    assert 0 <= stopped.best_epoch_ < len(stopped.history_["loss"])


def test_a_current_file_with_an_old_history_is_refused(tmp_path):
    """Format-3 files hold history_ as a dict; the old list form loads only from files of
    formats 1 and 2 (tests/persistence/test_formats.py loads those)."""
    X = data()
    model = CompetitiveLearning(3, epochs=2, random_state=0).fit(X)
    model.history_ = model.history_["quantization_error"]      # as files held it before
    with pytest.raises(ValueError, match=r"history_ must be a dict with the keys "
                                         r"\['quantization_error'\], got list"):
        load(model.save(tmp_path / "competitive"))
    plain = Autoencoder(hidden=(4,), latent_dim=2, epochs=2, random_state=0).fit(data(60, 6))
    assert load(plain.save(tmp_path / "plain")).best_epoch_ is None


@pytest.mark.parametrize("make, n_units", [
    (lambda: KMeans(4, random_state=0), 4),
    (lambda: CompetitiveLearning(4, epochs=2, random_state=0), 4),
    (lambda: SOM((2, 3), epochs=2, random_state=0), 6),
    (lambda: GrowingNeuralGas(max_nodes=5, insert_every=10, epochs=3, random_state=0), 5),
], ids=["KMeans", "CompetitiveLearning", "SOM", "GrowingNeuralGas"])
def test_every_prototype_model_has_cluster_centers(make, n_units):
    model = make().fit(data(n_features=5))
    assert model.cluster_centers_.shape == (n_units, 5)


def test_the_soms_weights_are_its_layers_prototypes_and_cluster_centers():
    som = SOM((3, 4), epochs=2, random_state=0).fit(data())
    layer = som._layer
    assert isinstance(layer, nn.SelfOrganizingMap)
    assert layer.params["W"] is som.cluster_centers_
    assert som.weights_.base is som.cluster_centers_ and som.weights_.shape == (3, 4, 3)
    assert np.shares_memory(som.weights_, som.cluster_centers_)
    som.cluster_centers_[0] = 7.0                    # one array: the view follows
    assert np.all(som.weights_[0, 0] == 7.0)


def test_competitive_learnings_layer_holds_cluster_centers_and_win_frequencies():
    model = CompetitiveLearning(3, epochs=2, conscience=True, random_state=0).fit(data())
    assert isinstance(model._layer, nn.Competitive)
    assert model._layer.params["W"] is model.cluster_centers_
    assert model._layer.win_frequency is model.win_frequency_
    refit = model.set_params(conscience=False).fit(data())
    assert not hasattr(refit, "win_frequency_")      # none left from the fit before


def spy_on(monkeypatch, cls):
    calls = []
    original = cls.update

    def update(self, x, *args, **kwargs):
        calls.append((self, len(args[0]) if args else None))
        return original(self, x, *args, **kwargs)

    monkeypatch.setattr(cls, "update", update)
    return calls


def test_the_soms_online_epoch_is_its_layers_update(monkeypatch):
    calls = spy_on(monkeypatch, nn.SelfOrganizingMap)
    som = SOM((3, 3), epochs=3, random_state=0).fit(data(50))
    assert len(calls) == 3 and all(layer is som._layer for layer, _ in calls)
    assert [n_steps for _, n_steps in calls] == [50, 50, 50]
    calls.clear()
    SOM((3, 3), epochs=3, mode="batch", random_state=0).fit(data(50))
    assert calls == []                               # the batch map is no online rule


def test_competitive_learnings_online_epoch_is_its_layers_update(monkeypatch):
    calls = spy_on(monkeypatch, nn.Competitive)
    model = CompetitiveLearning(3, epochs=4, random_state=0).fit(data(40))
    assert len(calls) == 4 and all(layer is model._layer for layer, _ in calls)


# ------------------------------------------------------------- the same numbers as before
BACKENDS = ["numpy"] + (["cython"] if "cython" in available_backends() else [])


@pytest.fixture(autouse=True)
def no_override(monkeypatch):
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_som_is_its_kernel_run_by_hand(backend, dtype):
    """The SOM's fit, step by step as it was written before it held a layer: the PCA start,
    then per epoch a permutation from the same generator and the kernel with the decaying
    schedules. Bit for bit the same prototypes."""
    X = data(90, 4, seed=3, dtype=dtype)
    som = SOM((3, 4), epochs=3, random_state=5, backend=backend).fit(X)
    rng = np.random.default_rng(5)
    W = np.ascontiguousarray(som._initial_weights(X, 12, rng))
    kernels = get_kernels(backend)
    total = 3 * len(X)
    for epoch in range(3):
        order = rng.permutation(len(X))
        fraction = np.arange(epoch * len(X), (epoch + 1) * len(X)) / total
        rates = grid.decay(0.5, 0.01, fraction, "exponential")
        sigmas = grid.decay(2.0, 0.5, fraction, "exponential")
        kernels.som_online(X, W, (3, 4), "rectangular", False, order, rates, sigmas,
                           "gaussian", "euclidean")
    assert W.dtype == som.cluster_centers_.dtype == dtype
    np.testing.assert_array_equal(som.cluster_centers_, W)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("conscience", [False, True])
def test_competitive_learning_is_its_kernel_run_by_hand(backend, conscience):
    X = data(80, 3, seed=4)
    model = CompetitiveLearning(4, epochs=3, learning_rate=0.1, conscience=conscience,
                                conscience_rate=0.01, conscience_bias=1.0, random_state=2,
                                backend=backend).fit(X)
    rng = np.random.default_rng(2)
    W = X[rng.choice(len(X), size=4, replace=False)].copy()    # init="random_samples"
    frequency = np.full(4, 0.25) if conscience else None
    kernels = get_kernels(backend)
    variance = total_variance(X)    # the conscience's unit, measured once per fit
    for _ in range(3):
        kernels.wta_online(X, W, rng.permutation(len(X)), 0.1, frequency, 0.01, 1.0, variance)
    np.testing.assert_array_equal(model.cluster_centers_, W)
    if conscience:
        np.testing.assert_array_equal(model.win_frequency_, frequency)


# Values recorded from the code before the estimators held their layers (float64, with the
# compiled kernels): the sum of the prototypes and the last quantization error, exactly.
RECORDED = {
    "som": (lambda: SOM(shape=(4, 5), epochs=4, random_state=1), "som_online64",
            "0x1.6e496bb72767dp+1", "0x1.9efa0872eb5bcp-1", 1154),
    "som_hex_torus": (lambda: SOM(shape=(4, 4), topology="hexagonal", toroidal=True, epochs=3,
                                  init="random", random_state=3, neighbourhood="bubble"),
                      "som_hex_torus", "-0x1.84287c3c4c160p-3", "0x1.b0edac6a48594p-1", 935),
    "som_cosine": (lambda: SOM(shape=(3, 5), metric="cosine", epochs=3, random_state=4,
                               decay="linear"),
                   "som_cosine", "-0x1.63afd1c376447p+3", "0x1.be5a98c26954dp-1", 800),
    "competitive": (lambda: CompetitiveLearning(n_clusters=5, epochs=5, random_state=1),
                    "cl_online64", "0x1.ac3474e425ac4p+0", "0x1.076b94c6ee79bp+0", 229),
    "conscience": (lambda: CompetitiveLearning(n_clusters=6, epochs=4, random_state=3,
                                               conscience=True, conscience_rate=0.01,
                                               conscience_bias=1.0, init="random"),
                   # re-recorded in issue 12: DeSieno's order and the bias in units of V
                   "cl_conscience", "-0x1.1d77f429a928bp+2", "0x1.3f949b91255a1p+0", 386),
}


@pytest.mark.skipif("cython" not in available_backends(), reason="recorded with the kernels")
@pytest.mark.parametrize("case", list(RECORDED))
def test_results_are_those_recorded_before_the_move_onto_layers(case):
    make, name, total, error, label_sum = RECORDED[case]
    X = data(120, 3, seed=len(name))
    model = make().fit(X)
    assert float(model.cluster_centers_.sum()).hex() == total
    assert float(model.history_["quantization_error"][-1]).hex() == error
    assert int(model.labels_.sum()) == label_sum
