"""Saving and loading (``neuroclust/persistence/__init__.py``): every estimator round-trips
exactly, and a file can set only the parameters and fitted attributes its class declares.
"""
import json
import math

import numpy as np
import pytest

from neuroclust import SOM, KMeans, load

from persistence_helpers import MODEL_NAMES, altered, blobs, queries, set_param, write


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_estimator_round_trips(saved, name):
    path, model, X = saved[name]
    loaded = load(path)
    assert type(loaded) is type(model)
    for method in queries(model):
        np.testing.assert_array_equal(getattr(loaded, method)(X), getattr(model, method)(X))
    for attribute, value in vars(model).items():
        if attribute.endswith("_") and not attribute.startswith("_") \
                and isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(loaded, attribute), value)
            assert getattr(loaded, attribute).dtype == value.dtype


def test_a_loaded_som_keeps_weights_a_view_and_gng_one_array(saved):
    som = load(saved["SOM"][0])
    assert np.shares_memory(som.weights_, som.cluster_centers_)
    gng = load(saved["GrowingNeuralGas"][0])
    assert gng.cluster_centers_ is gng.nodes_


def test_non_finite_numbers_round_trip_exactly(tmp_path):
    X = blobs()
    model = KMeans(3, random_state=0).fit(X)
    model.inertia_ = float("inf")
    model.history_ = {"inertia": [1.5, float("nan"), float("-inf"), float("inf"), -0.0]}
    model.n_iter_ = 5  # one entry of history_ per iteration
    loaded = load(model.save(tmp_path / "kmeans"))
    assert loaded.inertia_ == math.inf
    inertia = loaded.history_["inertia"]
    assert inertia[0] == 1.5 and math.isnan(inertia[1])
    assert inertia[2:4] == [-math.inf, math.inf]
    assert math.copysign(1, inertia[4]) == -1

    som = SOM((2, 2), epochs=2, random_state=0).fit(X)
    som.history_ = {"quantization_error": [np.float32(0.5), np.nan],
                    "topographic_error": [np.float64(np.inf), 0.25]}
    loaded = load(som.save(tmp_path / "som"))
    assert loaded.history_["quantization_error"][0] == 0.5
    assert math.isnan(loaded.history_["quantization_error"][1])
    assert loaded.history_["topographic_error"] == [math.inf, 0.25]


def test_a_file_written_before_these_checks_still_loads(tmp_path):
    # As neuroclust wrote it before: format 1, n_features_in_ as a 0-d array, a NaN token
    # in a dict attribute.
    meta = {"format": "neuroclust-model", "format_version": 1, "class": "SOM",
            "params": {"shape": [1, 2], "epochs": 1, "init": "random"},
            "array_params": [], "tuple_params": ["shape"],
            "attributes": {"backend_": "numpy",
                           "history_": {"quantization_error": [float("nan")],
                                        "topographic_error": [0.0]}}}
    centres = np.array([[0.0, 0.0], [5.0, 5.0]])
    text = json.dumps(meta)
    assert "NaN" in text
    path = write(tmp_path / "old.npz", None, {
        "cluster_centers_": centres, "weights_": centres.reshape(1, 2, 2),
        "grid_positions_": np.array([[0.0, 0.0], [1.0, 0.0]]), "n_features_in_": np.array(2),
        "labels_": np.array([0, 1, 1])},
        meta_text=text)
    model = load(path)
    assert model.n_features_in_ == 2 and isinstance(model.n_features_in_, int)
    assert math.isnan(model.history_["quantization_error"][0])
    np.testing.assert_array_equal(model.predict([[0.1, 0.2], [4.0, 6.0]]), [0, 1])


@pytest.mark.parametrize("name, attribute", [
    ("KMeans", "__class__"), ("KMeans", "__dict__"), ("KMeans", "predict"),
    ("KMeans", "fit"), ("KMeans", "unknown_"), ("KMeans", "n_clusters"),
    ("ART1", "bottom_up_weights_"), ("Autoencoder", "encoder_"),
    ("GrowingNeuralGas", "insert_every"), ("SOM", "_neighbours"),
])
def test_only_declared_attributes_can_be_set(saved, tmp_path, name, attribute):
    path = altered(saved, name, tmp_path,
                   lambda meta, arrays: meta["attributes"].update({attribute: 1}))
    with pytest.raises(ValueError, match=rf"it sets '{attribute}', which is not a fitted "
                                         rf"attribute of {name}"):
        load(path)


def test_an_array_member_cannot_set_an_undeclared_attribute(saved, tmp_path):
    path = altered(saved, "KMeans", tmp_path,
                   lambda meta, arrays: arrays.update({"__class__": np.zeros(2)}))
    with pytest.raises(ValueError, match=r"it sets '__class__', which is not a fitted"):
        load(path)
    path = altered(saved, "LatentClustering", tmp_path,
                   lambda meta, arrays: arrays.update({"nobody_.codes_": np.zeros(2)}))
    with pytest.raises(ValueError, match=r"holds an array 'nobody_.codes_' that belongs to no "
                                         r"part of the model"):
        load(path)


def test_a_value_given_twice_is_refused(saved, tmp_path):
    path = altered(saved, "KMeans", tmp_path,
                   lambda meta, arrays: meta["attributes"].update(cluster_centers_=[[0.0]]))
    with pytest.raises(ValueError, match=r"two values of cluster_centers_"):
        load(path)


@pytest.mark.parametrize("name", ["_ART", "BaseEstimator", "PrototypeClusterMixin"])
def test_a_private_or_abstract_class_is_unknown(saved, tmp_path, name):
    path = altered(saved, "FuzzyART", tmp_path, lambda meta, arrays: meta.update({"class": name}))
    with pytest.raises(ValueError, match=r"unknown model class"):
        load(path)


def test_an_explicit_architecture_too_large_to_build_is_refused_unbuilt(saved, tmp_path):
    def huge_layer(meta, arrays):
        meta["extra"]["encoder"][0][1] = {"n_inputs": 10 ** 6, "n_outputs": 10 ** 6}

    path = altered(saved, "Autoencoder-explicit", tmp_path, huge_layer)
    with pytest.raises(ValueError, match=r"saved architecture declares layers of "
                                         r"1,000,000,[\d,]+ values, far more than the"):
        load(path)


@pytest.mark.parametrize("name, param, value, message", [
    ("KMeans", "n_clusters", 0, r"n_clusters must be >= 1, got 0"),
    ("KMeans", "n_clusters", "three", r"n_clusters must be an integer"),
    ("SOM", "shape", [0, 3], r"shape must be two positive integers"),
    ("GrowingNeuralGas", "max_nodes", 1, r"max_nodes must be >= 2"),
    ("FuzzyART", "rho", 1.5, r"rho must be"),
    ("Autoencoder", "dtype", "float16", r"dtype must be one of"),
])
def test_parameters_the_class_rejects_are_one_sentence(saved, tmp_path, name, param, value,
                                                       message):
    path = altered(saved, name, tmp_path, set_param(param, value))
    with pytest.raises(ValueError, match=rf"holds an? {name} with parameters it rejects "
                                         rf"\(.*{message}"):
        load(path)
