"""Growing neural gas (neuroclust/models/gng.py): quality, the fitted graph, determinism,
partial_fit, saving and loading, and its hyper-parameters' errors.

scikit-learn's conventions (clone, Pipeline) and the bad-data cases every estimator shares are
in test_estimator_conventions.py and test_bad_input.py; the kernel's steps are checked in
tests/backend/test_gng_kernels.py.
"""
import warnings

import numpy as np
import pytest

from neuroclust import (GrowingNeuralGas, NotFittedError, TrainingInterruptedWarning, datasets,
                        load, metrics)
from neuroclust.backend import available_backends, reference
from neuroclust.models.gng import connected_components


@pytest.fixture(autouse=True)
def _backend_not_forced(monkeypatch):
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


def small_moons(n_samples=300, seed=0):
    return datasets.make_moons(n_samples=n_samples, noise=0.05, random_state=seed)


def assert_same_graph(a, b):
    np.testing.assert_array_equal(a.nodes_, b.nodes_)
    np.testing.assert_array_equal(a.edges_, b.edges_)
    np.testing.assert_array_equal(a.edge_ages_, b.edge_ages_)
    np.testing.assert_array_equal(a.errors_, b.errors_)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.n_steps_ == b.n_steps_ and a.history_ == b.history_


# ----------------------------------------------------------------------------- quality
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("make", [datasets.make_moons, datasets.make_circles],
                         ids=["moons", "circles"])
def test_finds_the_two_shapes_without_being_told_how_many(make, seed):
    X, y = make(n_samples=1000, noise=0.05, random_state=seed)
    model = GrowingNeuralGas(random_state=seed).fit(X)
    assert model.n_clusters_ == 2
    assert metrics.adjusted_rand_score(y, model.labels_) >= 0.95
    assert len(model.nodes_) == 100                       # grew to max_nodes


def test_history_records_growth_and_a_falling_error():
    X, _ = small_moons()
    model = GrowingNeuralGas(max_nodes=40, insert_every=50, epochs=12, random_state=0).fit(X)
    nodes, errors = model.history_["n_nodes"], model.history_["quantization_error"]
    assert len(nodes) == len(errors) == 12
    assert nodes[0] == 2 + 300 // 50 and nodes[-1] == 40           # one node per insert_every steps
    assert errors[-1] < errors[0] / 2
    winners, distance = reference.bmu(X, model.nodes_)
    assert errors[-1] == pytest.approx(np.sqrt(distance).mean(), rel=1e-12)     # eq. (1)


# ------------------------------------------------------------------------ fitted graph
def test_fitted_attributes_describe_one_consistent_graph():
    X, _ = small_moons()
    model = GrowingNeuralGas(max_nodes=30, insert_every=40, epochs=8, max_age=20,
                             random_state=1).fit(X)
    n_nodes = len(model.nodes_)
    assert model.nodes_.shape == (n_nodes, 2) and model.cluster_centers_ is model.nodes_
    edges = model.edges_
    assert edges.dtype == np.int64 and edges.shape[1] == 2
    assert (edges[:, 0] < edges[:, 1]).all() and edges.max() < n_nodes
    assert [tuple(e) for e in edges] == sorted(set(map(tuple, edges.tolist())))
    assert model.edge_ages_.shape == (len(edges),) and model.edge_ages_.dtype == np.int64
    assert ((model.edge_ages_ >= 0) & (model.edge_ages_ <= 20)).all()
    assert model.errors_.shape == (n_nodes,) and (model.errors_ >= 0).all()
    assert model.n_steps_ == 8 * 300
    degree = np.bincount(edges.ravel(), minlength=n_nodes)
    assert (degree > 0).all()                              # isolated nodes were removed
    labels = model.unit_labels_
    assert (labels[edges[:, 0]] == labels[edges[:, 1]]).all()
    assert model.n_clusters_ == len(np.unique(labels)) == labels.max() + 1
    np.testing.assert_array_equal(model.labels_, labels[reference.bmu(X, model.nodes_)[0]])


def test_connected_components_by_hand():
    edges = np.array([[3, 5], [0, 2], [2, 4], [5, 6]])
    np.testing.assert_array_equal(connected_components(8, edges), [0, 1, 0, 2, 0, 2, 2, 3])
    np.testing.assert_array_equal(connected_components(3, np.empty((0, 2), dtype=int)),
                                  [0, 1, 2])


def test_predict_and_transform():
    X, _ = small_moons(1000)
    model = GrowingNeuralGas(random_state=0).fit(X)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    assert model.fit_predict(X).tolist() == model.labels_.tolist()
    new = np.array([[-1.0, 0.0], [2.0, 0.5], [0.0, 1.0]])       # on the upper, lower, upper moon
    predicted = model.predict(new)
    assert predicted[0] == predicted[2] != predicted[1]
    distances = model.transform(new)
    assert distances.shape == (3, len(model.nodes_))
    expected = np.linalg.norm(new[:, None, :] - model.nodes_[None, :, :], axis=-1)
    np.testing.assert_allclose(distances, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(model.unit_labels_[distances.argmin(axis=1)], predicted)


def test_float32_is_kept():
    X, _ = small_moons()
    model = GrowingNeuralGas(max_nodes=20, epochs=3, random_state=0).fit(X.astype(np.float32))
    assert model.nodes_.dtype == np.float32 and model.errors_.dtype == np.float64
    assert model.predict(X).dtype == np.int64


# ------------------------------------------------------------------------- determinism
def test_same_seed_same_graph_and_another_seed_another():
    X, _ = small_moons()
    first = GrowingNeuralGas(max_nodes=25, epochs=5, random_state=3).fit(X)
    assert_same_graph(first, GrowingNeuralGas(max_nodes=25, epochs=5, random_state=3).fit(X))
    other = GrowingNeuralGas(max_nodes=25, epochs=5, random_state=4).fit(X)
    assert not np.array_equal(first.nodes_, other.nodes_)


@pytest.mark.skipif("cython" not in available_backends(), reason="needs the compiled kernels")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numpy_and_cython_backends_grow_the_same_graph(dtype):
    X, _ = small_moons()
    X = X.astype(dtype)
    params = dict(max_nodes=30, insert_every=30, max_age=15, epochs=4, random_state=2)
    assert_same_graph(GrowingNeuralGas(backend="numpy", **params).fit(X),
                      GrowingNeuralGas(backend="cython", **params).fit(X))


def test_a_generator_as_random_state():
    X, _ = small_moons()
    a = GrowingNeuralGas(max_nodes=10, epochs=2, random_state=np.random.default_rng(5)).fit(X)
    b = GrowingNeuralGas(max_nodes=10, epochs=2, random_state=np.random.default_rng(5)).fit(X)
    assert_same_graph(a, b)


# ------------------------------------------------------------------------- partial_fit
def test_partial_fit_epoch_by_epoch_equals_fit():
    X, _ = small_moons()
    fitted = GrowingNeuralGas(max_nodes=30, epochs=4, random_state=0).fit(X)
    stepped = GrowingNeuralGas(max_nodes=30, epochs=99, random_state=0)
    for _ in range(4):
        assert stepped.partial_fit(X) is stepped
    assert_same_graph(fitted, stepped)


def test_partial_fit_continues_a_loaded_model(tmp_path):
    X, _ = small_moons()
    model = GrowingNeuralGas(max_nodes=30, epochs=2, random_state=0).fit(X)
    loaded = load(model.save(tmp_path / "gng"))
    loaded.partial_fit(X[:50])
    assert loaded.n_steps_ == model.n_steps_ + 50
    assert loaded.history_["n_nodes"][:2] == model.history_["n_nodes"]
    assert len(loaded.history_["n_nodes"]) == 3


def test_partial_fit_checks_what_it_continues():
    X, _ = small_moons()
    model = GrowingNeuralGas(max_nodes=30, epochs=3, random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but GrowingNeuralGas is expecting 2 "
                                         "features as input"):
        model.partial_fit(np.zeros((5, 3)))
    assert len(model.nodes_) == 11                        # 2 + 900 samples / insert_every 100
    model.set_params(max_nodes=10)
    with pytest.raises(ValueError, match=r"max_nodes=10 is smaller than the 11 nodes the graph "
                                         r"already has"):
        model.partial_fit(X)
    with pytest.raises(ValueError, match="X has 1 samples but at least 2 are needed"):
        GrowingNeuralGas().partial_fit(X[:1])


# ------------------------------------------------------------------- callbacks, Ctrl-C
def test_callbacks_see_each_epoch_and_can_stop():
    X, _ = small_moons()
    seen = []

    def watch(model, epoch):
        seen.append((epoch, len(model.nodes_)))
        return epoch < 2                                   # stop after the third epoch

    model = GrowingNeuralGas(max_nodes=30, epochs=10, random_state=0, callbacks=[watch]).fit(X)
    assert [epoch for epoch, _ in seen] == [0, 1, 2]
    assert [n for _, n in seen] == model.history_["n_nodes"]


def test_ctrl_c_keeps_the_graph_of_the_last_complete_epoch(monkeypatch):
    X, _ = small_moons()
    calls = []
    original = reference.gng_online

    def interrupted_on_the_third_epoch(*args):
        calls.append(1)
        if len(calls) == 3:
            original(*args)                                # half-done work is rolled back
            raise KeyboardInterrupt
        return original(*args)

    monkeypatch.setattr(reference, "gng_online", interrupted_on_the_third_epoch)
    params = dict(max_nodes=30, random_state=0, backend="numpy")
    with pytest.warns(TrainingInterruptedWarning, match="interrupted during epoch 3"):
        model = GrowingNeuralGas(epochs=5, **params).fit(X)
    monkeypatch.setattr(reference, "gng_online", original)
    assert_same_graph(model, GrowingNeuralGas(epochs=2, **params).fit(X))


def test_verbose_shows_progress_and_epoch_lines(capsys):
    X, _ = small_moons(60)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GrowingNeuralGas(max_nodes=5, epochs=2, random_state=0, verbose=2).fit(X)
    captured = capsys.readouterr()
    assert "growing neural gas" in captured.err and "epoch 2/2" in captured.out


# -------------------------------------------------------------------------- save / load
def test_save_and_load_round_trip(tmp_path):
    X, _ = small_moons()
    model = GrowingNeuralGas(max_nodes=30, insert_every=40, beta=0.001, epochs=4,
                             random_state=0).fit(X.astype(np.float32))
    loaded = load(model.save(tmp_path / "gng.npz"))
    assert isinstance(loaded, GrowingNeuralGas) and loaded.get_params() == model.get_params()
    for name in ("nodes_", "cluster_centers_", "edges_", "edge_ages_", "errors_",
                 "unit_labels_", "labels_"):
        expected, got = getattr(model, name), getattr(loaded, name)
        assert got.dtype == expected.dtype, name
        np.testing.assert_array_equal(got, expected)
    for name in ("n_clusters_", "n_steps_", "history_", "n_features_in_", "backend_"):
        assert getattr(loaded, name) == getattr(model, name), name
    new = small_moons(50, seed=1)[0]
    np.testing.assert_array_equal(loaded.predict(new), model.predict(new))
    np.testing.assert_array_equal(loaded.transform(new), model.transform(new))


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("params, message", [
    (dict(max_nodes=1), "max_nodes must be >= 2, got 1"),
    (dict(max_nodes=2.5), "max_nodes must be an integer, got 2.5"),
    (dict(insert_every=0), "insert_every must be >= 1, got 0"),
    (dict(insert_every=-3), "insert_every must be >= 1, got -3"),
    (dict(epsilon_b=-0.1), "epsilon_b must be >= 0 and <= 1, got -0.1"),
    (dict(epsilon_b=1.5), "epsilon_b must be >= 0 and <= 1, got 1.5"),
    (dict(epsilon_n=-0.006), "epsilon_n must be >= 0 and <= 1, got -0.006"),
    (dict(max_age=0), "max_age must be >= 1, got 0"),
    (dict(max_age=5.0), "max_age must be an integer, got 5.0"),
    (dict(alpha=-0.5), "alpha must be >= 0 and <= 1, got -0.5"),
    (dict(beta=-0.001), "beta must be >= 0 and < 1, got -0.001"),
    (dict(beta=1.0), "beta must be >= 0 and < 1, got 1.0"),
    (dict(beta=float("nan")), "beta must be finite, got nan"),
    (dict(epochs=0), "epochs must be >= 1, got 0"),
    (dict(epsilon_b="fast"), "epsilon_b must be a number, got 'fast'"),
])
def test_bad_hyper_parameters_name_the_argument(params, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        GrowingNeuralGas(**params).fit(small_moons(20)[0])


def test_bad_data_names_the_argument():
    X = small_moons(20)[0]
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN value\(s\) \(first at row 3\)"):
        GrowingNeuralGas().fit(X)
    with pytest.raises(ValueError, match=r"X has 1 samples but at least 2 are needed \(the "
                                         r"graph starts with two nodes at two samples\)"):
        GrowingNeuralGas().fit([[1.0, 2.0]])
    with pytest.raises(NotFittedError, match=r"This GrowingNeuralGas is not fitted yet"):
        GrowingNeuralGas().predict(X)
    model = GrowingNeuralGas(max_nodes=5, epochs=1, random_state=0).fit(small_moons(20)[0])
    with pytest.raises(ValueError, match="X has 3 features, but GrowingNeuralGas is expecting 2 "
                                         "features as input"):
        model.predict(np.zeros((4, 3)))


def test_two_samples_are_enough_and_duplicates_are_fine():
    model = GrowingNeuralGas(max_nodes=4, insert_every=1, epochs=3, random_state=0)
    model.fit(np.ones((2, 3)))
    assert len(model.nodes_) == 4 and model.n_clusters_ == 1
    np.testing.assert_array_equal(model.predict(np.ones((2, 3))), [0, 0])
