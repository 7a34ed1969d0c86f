"""The scikit-learn conventions every estimator follows, and saving and loading models.

scikit-learn is only a test dependency: it is used here to check that neuroclust's estimators
fit into its tools (clone, Pipeline), never imported by the library itself.
"""
import json
import os

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import neuroclust
from neuroclust import (SOM, CompetitiveLearning, FuzzyART, GrowingNeuralGas, KMeans,
                        NotFittedError, load)


def make_data(n_samples=120, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [6.0, 6.0, 0.0], [0.0, 6.0, 6.0]])
    return centres[np.arange(n_samples) % 3] + rng.normal(size=(n_samples, 3))


# Each estimator with some non-default hyper-parameters, and the fitted attributes to compare.
ESTIMATORS = {
    "CompetitiveLearning": (
        lambda: CompetitiveLearning(n_clusters=3, learning_rate=0.2, epochs=4,
                                    learning_rate_final=0.02, random_state=0),
        ("cluster_centers_", "labels_", "history_", "n_features_in_", "backend_"),
    ),
    "KMeans": (
        lambda: KMeans(n_clusters=3, n_init=2, max_iter=50, random_state=0),
        ("cluster_centers_", "labels_", "history_", "inertia_", "n_iter_", "n_features_in_",
         "backend_"),
    ),
    "SOM": (
        lambda: SOM(shape=(4, 5), topology="hexagonal", n_clusters=3, sigma=1.5, epochs=3,
                    random_state=0),
        ("weights_", "cluster_centers_", "grid_positions_", "unit_labels_", "labels_",
         "history_", "n_features_in_", "backend_"),
    ),
    "GrowingNeuralGas": (
        lambda: GrowingNeuralGas(max_nodes=3, insert_every=20, max_age=30, epochs=3,
                                 random_state=0),
        ("nodes_", "cluster_centers_", "edges_", "edge_ages_", "errors_", "n_steps_",
         "unit_labels_", "n_clusters_", "labels_", "history_", "n_features_in_", "backend_"),
    ),
    # (ART1 takes binary data only, so its conventions are checked in test_art.py)
    "FuzzyART": (
        lambda: FuzzyART(rho=0.6, max_categories=3, scale=True, epochs=20, shuffle=True,
                         random_state=0),
        ("weights_", "n_categories_", "labels_", "history_", "data_min_", "data_max_",
         "n_features_in_", "backend_"),
    ),
}

#: The hyper-parameter that sets a model's size, where it is not n_clusters: a growing neural
#: gas finds its clusters itself, and max_nodes caps its graph.
SIZE_PARAMETER = {"GrowingNeuralGas": "max_nodes", "FuzzyART": "max_categories"}

#: Arguments of predict that make it return labels_ for the training data: Fuzzy ART's labels
#: are the categories the samples resonated with, which predict finds with the vigilance test
#: (its default is the winner of the choice alone).
PREDICT_PARAMS = {"FuzzyART": {"vigilance": True}}


def size_parameter(name):
    return SIZE_PARAMETER.get(name, "n_clusters")

estimator_names = pytest.mark.parametrize("name", list(ESTIMATORS))


def build(name):
    return ESTIMATORS[name][0]()


def query_methods(name):
    """predict and transform, and score where the model has one (SOM has none)."""
    return [method for method in ("predict", "transform", "score")
            if hasattr(ESTIMATORS[name][0](), method)]


def n_clusters_found(model):
    """The size a fitted model has: its prototypes, a SOM's groups of units, a graph's nodes."""
    if isinstance(model, SOM):
        return len(np.unique(model.unit_labels_))
    if isinstance(model, FuzzyART):
        return model.n_categories_
    return len(model.cluster_centers_)  # a growing neural gas: one per node


# ---------------------------------------------------------------------- init and params
@estimator_names
def test_init_only_stores_parameters(name):
    model = build(name)
    assert not [attribute for attribute in vars(model) if attribute.endswith("_")]
    # and no parameter ends in "_", as a fitted attribute does
    assert not [parameter for parameter in model.get_params() if parameter.endswith("_")]
    # Even invalid values are stored without complaint: validation happens in fit.
    cls, size = type(model), size_parameter(name)
    cls(**{size: -5})
    with pytest.raises(ValueError, match=size):
        cls(**{size: -5}).fit(make_data())


@estimator_names
def test_get_params_returns_the_constructor_arguments(name):
    model = build(name)
    params = model.get_params()
    assert params[size_parameter(name)] == 3 and params["random_state"] == 0
    assert type(model)(**params).get_params() == params


@estimator_names
def test_set_params_get_params_round_trip(name):
    model = build(name)
    returned = model.set_params(**{size_parameter(name): 5}, random_state=42)
    assert returned is model
    params = model.get_params()
    assert params[size_parameter(name)] == 5 and params["random_state"] == 42
    other = type(model)().set_params(**params)
    assert other.get_params() == params
    model.fit(make_data())  # the new value is used
    assert n_clusters_found(model) == 5


@estimator_names
def test_set_params_with_an_unknown_name_fails(name):
    model = build(name)
    before = model.get_params()
    with pytest.raises(ValueError, match=r"'n_cluster' is not a parameter of .*valid parameters"):
        model.set_params(n_cluster=4)
    assert model.get_params() == before
    assert not hasattr(model, "n_cluster")


def test_nested_parameters_follow_scikit_learns_double_underscore_convention():
    from sklearn.model_selection import ParameterGrid

    from neuroclust import Autoencoder, LatentClustering

    model = LatentClustering(autoencoder=Autoencoder(epochs=2), n_clusters=3)
    deep, shallow = model.get_params(), model.get_params(deep=False)
    assert set(shallow) == {"autoencoder", "clusterer", "n_clusters", "random_state", "backend"}
    assert deep["autoencoder__epochs"] == 2 and set(shallow) < set(deep)
    assert repr(model) == "LatentClustering(autoencoder=Autoencoder(epochs=2), n_clusters=3)"
    for params in ParameterGrid({"autoencoder__latent_dim": [2, 3]}):   # a grid search's way
        assert clone(model).set_params(**params).autoencoder.latent_dim == params[
            "autoencoder__latent_dim"]
    replaced = model.set_params(autoencoder=Autoencoder(), autoencoder__epochs=7)
    assert replaced is model and model.autoencoder.epochs == 7    # plain names first
    with pytest.raises(ValueError, match=r"'clusterer__n_clusters' sets a parameter of "
                                         r"clusterer, but clusterer is None, not an estimator"):
        model.set_params(clusterer__n_clusters=2)
    with pytest.raises(ValueError, match=r"'encoder__epochs' is not a parameter of "
                                         r"LatentClustering"):
        model.set_params(n_clusters=5, encoder__epochs=1)
    assert model.n_clusters == 3       # nothing is set when a name is wrong


@estimator_names
def test_clone_gives_an_unfitted_copy_with_equal_params(name):
    model = build(name).fit(make_data())
    copy = clone(model)
    assert copy is not model and type(copy) is type(model)
    assert copy.get_params() == model.get_params()
    learned = ESTIMATORS[name][1][0]   # cluster_centers_, or the model's own prototypes
    assert not hasattr(copy, learned)
    np.testing.assert_array_equal(getattr(copy.fit(make_data()), learned),
                                  getattr(model, learned))


def test_clone_keeps_callbacks_and_array_init():
    init = make_data()[:3]
    calls = []
    model = CompetitiveLearning(n_clusters=3, epochs=2, init=init,
                                callbacks=[lambda m, e: calls.append(e)])
    copy = clone(model)
    np.testing.assert_array_equal(copy.init, init)
    copy.fit(make_data())
    assert calls == [0, 1]


@estimator_names
def test_works_inside_a_pipeline(name):
    X = make_data() * [1.0, 100.0, 0.01]
    pipe = Pipeline([("scale", StandardScaler()), ("model", build(name))])
    assert pipe.fit(X) is pipe
    labels = pipe.predict(X, **PREDICT_PARAMS.get(name, {}))
    np.testing.assert_array_equal(labels, pipe.named_steps["model"].labels_)
    np.testing.assert_array_equal(
        labels, build(name).fit(StandardScaler().fit_transform(X)).labels_)


@estimator_names
def test_pipeline_fit_runs_the_model_on_scaled_data(name):
    # The part of Pipeline that works without scikit-learn's estimator tags.
    X = make_data() * [1.0, 100.0, 0.01]
    pipe = Pipeline([("scale", StandardScaler()), ("model", build(name))]).fit(X)
    scaled = StandardScaler().fit_transform(X)
    np.testing.assert_array_equal(pipe.named_steps["model"].labels_,
                                  build(name).fit(scaled).labels_)
    np.testing.assert_array_equal(
        pipe.named_steps["model"].predict(scaled, **PREDICT_PARAMS.get(name, {})),
        pipe.named_steps["model"].labels_)


@estimator_names
def test_repr_shows_changed_params_only(name):
    model = build(name)
    text = repr(model)
    assert text.startswith(type(model).__name__ + "(")
    assert f"{size_parameter(name)}=3" in text and "random_state=0" in text
    assert "backend" not in text and "verbose" not in text  # defaults are left out
    assert repr(type(model)()) == f"{type(model).__name__}()"
    model.set_params(backend="numpy")
    assert "backend='numpy'" in repr(model)


def test_repr_with_an_array_init_does_not_fail():
    text = repr(KMeans(n_clusters=2, init=np.zeros((2, 3))))
    assert "init=array(" in text


# --------------------------------------------------------------------------- save / load
@estimator_names
def test_save_and_load_round_trip(name, tmp_path):
    X = make_data()
    model = build(name).fit(X)
    path = model.save(tmp_path / "model")
    assert path.endswith(".npz") and os.path.exists(path)
    loaded = load(path)
    assert type(loaded) is type(model)
    assert loaded.get_params() == model.get_params()
    for attribute in ESTIMATORS[name][1]:
        expected, got = getattr(model, attribute), getattr(loaded, attribute)
        if isinstance(expected, np.ndarray):
            assert got.dtype == expected.dtype
            np.testing.assert_array_equal(got, expected)
        else:
            assert got == expected, attribute
    X_new = make_data(60, seed=1)
    for method in query_methods(name):
        np.testing.assert_array_equal(getattr(loaded, method)(X_new),
                                      getattr(model, method)(X_new))


def test_save_keeps_float32_and_conscience_state(tmp_path):
    X = make_data().astype(np.float32)
    model = CompetitiveLearning(n_clusters=3, epochs=3, conscience=True, conscience_bias=2.0,
                                random_state=0).fit(X)
    loaded = load(model.save(tmp_path / "model.npz"))
    assert loaded.cluster_centers_.dtype == np.float32
    np.testing.assert_array_equal(loaded.win_frequency_, model.win_frequency_)
    assert loaded.conscience is True and loaded.conscience_bias == 2.0


@estimator_names
def test_a_saved_model_holds_no_pickle(name, tmp_path):
    path = build(name).fit(make_data()).save(tmp_path / "model.npz")
    with np.load(path, allow_pickle=False) as archive:
        for key in archive.files:
            array = archive[key]
            assert array.dtype != object
        meta = json.loads(str(archive["__meta__"]))
    assert meta["class"] == name
    assert meta["params"][size_parameter(name)] == 3


def test_a_loaded_model_can_be_fit_again(tmp_path):
    X = make_data()
    model = KMeans(n_clusters=3, random_state=0).fit(X)
    loaded = load(model.save(tmp_path / "model"))
    np.testing.assert_array_equal(loaded.fit(X).cluster_centers_, model.cluster_centers_)


def test_saving_an_unfitted_model_fails(tmp_path):
    with pytest.raises(NotFittedError, match=r"fit"):
        KMeans().save(tmp_path / "model")
    assert not (tmp_path / "model.npz").exists()


def test_load_of_a_missing_file(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load(tmp_path / "nothing-here.npz")


def test_load_of_a_random_bytes_file(tmp_path):
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(0).bytes(2000))
    with pytest.raises(ValueError, match="not a readable neuroclust model file"):
        load(path)


def test_load_of_a_truncated_model_file(tmp_path):
    path = KMeans(n_clusters=3, random_state=0).fit(make_data()).save(tmp_path / "model")
    with open(path, "rb") as handle:
        data = handle.read()
    with open(path, "wb") as handle:
        handle.write(data[: len(data) // 2])
    with pytest.raises(ValueError, match="model file"):
        load(path)


def test_load_of_a_directory(tmp_path):
    with pytest.raises(ValueError, match="not a readable neuroclust model file"):
        load(tmp_path)


def test_load_of_a_foreign_npz(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, weights=np.ones((3, 3)), bias=np.zeros(3))
    with pytest.raises(ValueError, match="not a neuroclust model file"):
        load(path)


def test_load_of_an_npy_file_named_npz(tmp_path):
    path = tmp_path / "array.npz"
    with open(path, "wb") as handle:
        np.save(handle, np.arange(5))
    with pytest.raises(ValueError, match="model file"):
        load(path)


def write_meta(path, meta_text, **arrays):
    np.savez(path, __meta__=np.array(meta_text), **arrays)
    return path


def valid_meta():
    return {"format": "neuroclust-model", "format_version": 1, "class": "KMeans",
            "params": {"n_clusters": 3},
            "attributes": {"inertia_": 0.0, "n_iter_": 1, "history_": [0.0],
                           "backend_": "numpy"}}


def test_load_of_corrupt_meta(tmp_path):
    path = write_meta(tmp_path / "bad.npz", "{not json")
    with pytest.raises(ValueError, match="corrupt neuroclust model file"):
        load(path)


@pytest.mark.parametrize("change, message", [
    (lambda meta: meta.update(format="something-else"), "not a neuroclust model file"),
    (lambda meta: meta.update(format_version=99), "model format 99"),
    (lambda meta: meta.update({"class": "Unknown"}), "unknown model class 'Unknown'"),
    (lambda meta: meta.update({"class": "load"}), "unknown model class"),
    (lambda meta: meta.update(params={"no_such_parameter": 1}), "does not accept"),
], ids=["format", "version", "class", "not-a-model-class", "params"])
def test_load_of_wrong_meta(tmp_path, change, message):
    meta = valid_meta()
    change(meta)
    path = write_meta(tmp_path / "bad.npz", json.dumps(meta))
    with pytest.raises(ValueError, match=message):
        load(path)


@pytest.mark.parametrize("meta_text", ["[1, 2, 3]", "42", "null", '"text"'])
def test_load_of_meta_that_is_not_an_object(tmp_path, meta_text):
    path = write_meta(tmp_path / "bad.npz", meta_text)
    with pytest.raises(ValueError, match="not a neuroclust model file"):
        load(path)


@pytest.mark.parametrize("change", [
    lambda meta: meta.pop("params"),
    lambda meta: meta.update(attributes=[1, 2]),
], ids=["no-params", "attributes-a-list"])
def test_load_of_meta_with_missing_or_malformed_sections(tmp_path, change):
    meta = valid_meta()
    change(meta)
    path = write_meta(tmp_path / "bad.npz", json.dumps(meta))
    with pytest.raises(ValueError, match="model file"):
        load(path)


def test_the_valid_meta_used_above_does_load(tmp_path):
    # So the failures above come from the one change each makes.
    path = write_meta(tmp_path / "ok.npz", json.dumps(valid_meta()),
                      cluster_centers_=np.eye(3), n_features_in_=np.array(3),
                      labels_=np.arange(3))
    model = load(path)
    assert isinstance(model, KMeans) and model.n_clusters == 3
    np.testing.assert_array_equal(model.predict(np.eye(3)), [0, 1, 2])


def test_load_never_unpickles(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, __meta__=np.array(json.dumps(valid_meta())),
             payload=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="model file"):
        load(path)


def test_numpy_scalar_params_survive_save(tmp_path):
    model = KMeans(n_clusters=np.int64(3), random_state=0).fit(make_data())
    assert load(model.save(tmp_path / "model")).n_clusters == 3


# ------------------------------------------------------------------------ not fitted yet
@pytest.mark.parametrize("name, method", [(name, method) for name in ESTIMATORS
                                           for method in query_methods(name)])
def test_use_before_fit(name, method):
    model = build(name)
    with pytest.raises(NotFittedError, match=r"not fitted yet; call fit") as info:
        getattr(model, method)(make_data())
    assert isinstance(info.value, ValueError)
    assert type(model).__name__ in str(info.value)


def test_not_fitted_error_is_exported():
    assert neuroclust.NotFittedError is NotFittedError
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


def test_scikit_learn_catches_the_not_fitted_error_as_its_own():
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError
    from sklearn.utils.validation import check_is_fitted

    model = KMeans()
    with pytest.raises(SklearnNotFittedError, match="This KMeans is not fitted yet"):
        model.predict(make_data())
    with pytest.raises(NotFittedError):
        model.predict(make_data())
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(model)
    check_is_fitted(model.fit(make_data()))
