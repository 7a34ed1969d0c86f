"""Model formats (``neuroclust/persistence/_formats.py``): format 3 stores each array once, and
files in the older formats still load, put in today's terms.

``data/format2_*.npz`` are tiny files of every estimator class as neuroclust wrote them before
format 3, with the predictions they gave in ``data/format2_expected.npz``; they were made by
:func:`make_format2_fixtures` below, run with neuroclust at commit 420e219 (the last to write
them), and are kept as they are so that old files are tested for good. (That neuroclust wrote
format 1 for a model without nested estimators, format 2 for one with them.)
"""
import json
import os
from pathlib import Path

import numpy as np
import pytest

from neuroclust import (ART1, SOM, Autoencoder, CompetitiveLearning, FuzzyART,
                        GrowingNeuralGas, KMeans, LatentClustering, load)
from neuroclust.base import BaseEstimator
from neuroclust.persistence import FORMAT_VERSION, FittedState
from neuroclust.persistence._formats import upgrade

from persistence_helpers import blobs, contents_of, write

DATA = Path(__file__).resolve().parent / "data"
CLASSES = {cls.__name__: cls for cls in (KMeans, CompetitiveLearning, SOM, GrowingNeuralGas,
                                         FuzzyART, ART1, Autoencoder, LatentClustering)}


def make_format2_fixtures(folder):
    """Write one tiny model file per estimator class into ``folder``, as neuroclust wrote
    them before format 3 (run it with neuroclust at commit 420e219), and their predictions."""
    import neuroclust as nc

    rng = np.random.default_rng(0)
    X = np.clip(np.repeat([[0.2, 0.8], [0.8, 0.3], [0.5, 0.5]], 4, axis=0)
                + rng.normal(0, 0.05, (12, 2)), 0, 1)
    binary = np.repeat([[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0]], 4, axis=0).astype(float)
    models = {
        "KMeans": (nc.KMeans(3, random_state=0), X),
        "CompetitiveLearning": (nc.CompetitiveLearning(3, epochs=2, random_state=0), X),
        "SOM": (nc.SOM((2, 3), epochs=2, random_state=0), X),
        "GrowingNeuralGas": (nc.GrowingNeuralGas(max_nodes=5, lambda_=5, epochs=2,
                                                 random_state=0), X),
        "FuzzyART": (nc.FuzzyART(rho=0.6), X),
        "ART1": (nc.ART1(rho=0.5), binary),
        "Autoencoder": (nc.Autoencoder(hidden=(3,), latent_dim=1, epochs=2, dtype="float64",
                                       random_state=0), X),
        "LatentClustering": (nc.LatentClustering(
            nc.Autoencoder(hidden=(3,), latent_dim=1, epochs=2, random_state=0),
            n_clusters=2, random_state=0), X),
    }
    os.makedirs(folder, exist_ok=True)
    np.save(os.path.join(folder, "X.npy"), X)
    np.save(os.path.join(folder, "X_binary.npy"), binary)
    expected = {}
    for name, (model, data) in models.items():
        model.fit(data)
        model.save(os.path.join(folder, f"format2_{name}.npz"))
        for method in ("predict", "transform"):
            if callable(getattr(model, method, None)):
                expected[f"{name}.{method}"] = getattr(model, method)(data)
    np.savez(os.path.join(folder, "format2_expected.npz"), **expected)


def fixture(name):
    """(path of the format-2 file of class ``name``, the data it was fitted on)."""
    X = np.load(DATA / ("X_binary.npy" if name == "ART1" else "X.npy"))
    return str(DATA / f"format2_{name}.npz"), X


# -------------------------------------------------------------- format-2 files
@pytest.mark.parametrize("name", sorted(CLASSES))
def test_every_format2_file_loads_and_predicts_as_it_did(name, tmp_path):
    path, X = fixture(name)
    model = load(path)
    assert type(model) is CLASSES[name]
    with np.load(DATA / "format2_expected.npz") as expected:
        for key in expected.files:
            if key.startswith(f"{name}."):
                method = key.split(".", 1)[1]
                np.testing.assert_allclose(getattr(model, method)(X), expected[key],
                                           rtol=1e-6, atol=1e-6)
    # saved again, in today's format, it comes back the same
    again = load(model.save(tmp_path / name))
    version = contents_of(tmp_path / f"{name}.npz")[0]["format_version"]
    assert version == FORMAT_VERSION
    for method in ("predict", "transform"):
        if callable(getattr(model, method, None)):
            np.testing.assert_array_equal(getattr(again, method)(X), getattr(model, method)(X))


def test_the_fixtures_are_the_old_files():
    """They hold what format 3 leaves out, under the old names: both prototype arrays of the
    SOM and of the growing neural gas, the old parameter names, KMeans' history as a list."""
    meta, arrays = contents_of(fixture("SOM")[0])
    assert meta["format_version"] == 1 and {"weights_", "cluster_centers_"} <= set(arrays)
    assert "history" in meta["params"]
    meta, arrays = contents_of(fixture("GrowingNeuralGas")[0])
    assert {"nodes_", "cluster_centers_"} <= set(arrays) and meta["params"]["lambda_"] == 5
    meta, _ = contents_of(fixture("KMeans")[0])
    assert isinstance(meta["attributes"]["history_"], list)
    assert contents_of(fixture("LatentClustering")[0])[0]["format_version"] == 2


def test_a_format2_som_keeps_weights_a_view_and_gng_one_array():
    som = load(fixture("SOM")[0])
    assert np.shares_memory(som.weights_, som.cluster_centers_)
    assert som.weights_.shape == (2, 3, 2)
    gng = load(fixture("GrowingNeuralGas")[0])
    assert gng.nodes_ is gng.cluster_centers_


def test_a_format2_gng_gets_its_lambda_as_insert_every():
    model = load(fixture("GrowingNeuralGas")[0])
    assert model.insert_every == 5 and not hasattr(model, "lambda_")


def test_a_format2_som_gets_its_history_flag_as_record_history():
    model = load(fixture("SOM")[0])
    assert model.record_history is True and "history" not in model.get_params()


@pytest.mark.parametrize("cls, key", [(KMeans, "inertia"),
                                      (CompetitiveLearning, "quantization_error")])
def test_a_format2_history_list_becomes_the_dict_the_class_declares(cls, key):
    path, _ = fixture(cls.__name__)
    old = contents_of(path)[0]["attributes"]["history_"]
    assert load(path).history_ == {key: old}


def test_a_format2_autoencoder_gets_its_best_epoch_as_an_attribute():
    path, _ = fixture("Autoencoder")
    old = contents_of(path)[0]["attributes"]["history_"]
    model = load(path)
    assert model.best_epoch_ == old["best_epoch"]
    assert model.history_ == {"loss": old["loss"], "val_loss": old["val_loss"]}


# ------------------------------------------------------------------- format 3
def test_format3_stores_the_som_and_gng_prototypes_once(tmp_path):
    X = blobs()
    som = SOM((3, 4), epochs=2, random_state=0).fit(X)
    meta, arrays = contents_of(som.save(tmp_path / "som"))
    assert meta["format_version"] == FORMAT_VERSION == 3
    assert "cluster_centers_" in arrays and "weights_" not in arrays
    loaded = load(tmp_path / "som.npz")
    assert np.shares_memory(loaded.weights_, loaded.cluster_centers_)
    np.testing.assert_array_equal(loaded.weights_, som.weights_)

    gng = GrowingNeuralGas(max_nodes=8, epochs=2, random_state=0).fit(X)
    meta, arrays = contents_of(gng.save(tmp_path / "gng"))
    assert "cluster_centers_" in arrays and "nodes_" not in arrays
    loaded = load(tmp_path / "gng.npz")
    assert loaded.nodes_ is loaded.cluster_centers_
    np.testing.assert_array_equal(loaded.nodes_, gng.nodes_)


def test_every_file_is_written_in_the_current_format(tmp_path):
    X = blobs()
    flat = KMeans(2, random_state=0).fit(X).save(tmp_path / "kmeans")
    nested = LatentClustering(Autoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0),
                              n_clusters=2, random_state=0).fit(X).save(tmp_path / "latent")
    with_view = SOM((2, 2), epochs=1, random_state=0).fit(X).save(tmp_path / "som")
    for path in (flat, nested, with_view):
        assert contents_of(path)[0]["format_version"] == FORMAT_VERSION == 3


def test_a_view_that_no_longer_matches_is_stored_and_refused(tmp_path):
    som = SOM((2, 2), epochs=1, random_state=0).fit(blobs())
    som.weights_ = som.weights_ + 1   # no longer the prototypes: save keeps both, load refuses
    path = som.save(tmp_path / "som")
    meta, arrays = contents_of(path)
    assert "weights_" in arrays and meta["format_version"] == 3
    with pytest.raises(ValueError, match=r"weights_ and cluster_centers_ hold different"):
        load(path)


def test_a_nested_som_is_stored_once_too(tmp_path):
    model = LatentClustering(Autoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0),
                             clusterer=SOM((2, 2), epochs=2, random_state=0)).fit(blobs())
    meta, arrays = contents_of(model.save(tmp_path / "latent"))
    assert "clusterer_.cluster_centers_" in arrays and "clusterer_.weights_" not in arrays
    assert meta["format_version"] == 3
    loaded = load(tmp_path / "latent.npz")
    assert np.shares_memory(loaded.clusterer_.weights_, loaded.clusterer_.cluster_centers_)


def test_a_format_this_version_does_not_know_is_refused(tmp_path):
    meta, arrays = contents_of(KMeans(2, random_state=0).fit(blobs()).save(tmp_path / "m"))
    meta["format_version"] = 4
    with pytest.raises(ValueError, match=r"written in model format 4, but this neuroclust "
                                         r"reads formats 1 to 3"):
        load(write(tmp_path / "future.npz", meta, arrays))


# ------------------------------------------------ upgrades, on a class of their own
class RenamedModel(BaseEstimator):
    """A model whose parameters and history changed form, as GrowingNeuralGas's and KMeans'
    did: ``rate_`` became ``learning_rate``, ``history`` became ``record_history``, the
    history list became a dict and its ``best`` entry an attribute of its own."""

    _renamed_params = {"rate_": "learning_rate", "history": "record_history",
                       "gone": "not_a_parameter"}
    _history_keys = ("loss", "val_loss")
    _history_moved = {"best": "best_", "later": "later_"}   # later_ is not declared yet
    _fitted_attributes = ("history_", "best_", "n_features_in_")

    def __init__(self, learning_rate=0.1, record_history=True, shape=(1, 1)):
        self.learning_rate = learning_rate
        self.record_history = record_history
        self.shape = shape

    def _check_fitted_state(self):
        state = FittedState(self)
        state.n_features()
        state.history(may_be_empty=("val_loss",))
        state.integer("best_", low=0)


def old_file(tmp_path, version, params, attributes, name="old.npz"):
    meta = {"format": "neuroclust-model", "format_version": version, "class": "RenamedModel",
            "params": params, "array_params": [], "tuple_params": ["shape"],
            "attributes": {"n_features_in_": 2, **attributes}}
    return write(tmp_path / name, meta, {})


@pytest.mark.parametrize("version", [1, 2])
def test_old_parameter_names_load_under_their_new_names(tmp_path, version):
    model = load(old_file(tmp_path, version, {"rate_": 0.5, "history": False, "shape": [2, 3]},
                          {"history_": [1.0, 0.5]}))
    assert model.get_params() == {"learning_rate": 0.5, "record_history": False,
                                  "shape": (2, 3)}
    assert model.history_ == {"loss": [1.0, 0.5], "val_loss": []}


def test_an_old_history_dict_gives_up_the_entries_that_became_attributes(tmp_path):
    model = load(old_file(tmp_path, 2, {}, {"history_": {"loss": [1.0, 0.5], "val_loss": [],
                                                         "best": 1}}))
    assert model.history_ == {"loss": [1.0, 0.5], "val_loss": []} and model.best_ == 1
    # an entry whose attribute the class does not declare stays where it was, and is checked
    with pytest.raises(ValueError, match=r"history_ must be a dict with the keys"):
        load(old_file(tmp_path, 2, {}, {"history_": {"loss": [1.0], "val_loss": [],
                                                     "later": 3}}))


def test_format3_files_are_read_as_written(tmp_path):
    """The translations are for older files: in a format-3 file, an old name is refused."""
    with pytest.raises(ValueError, match=r"holds parameters that RenamedModel does not accept "
                                         r"\('rate_'\)"):
        load(old_file(tmp_path, 3, {"rate_": 0.5}, {}))
    with pytest.raises(ValueError, match=r"history_ must be a dict with the keys "
                                         r"\['loss', 'val_loss'\], got list"):
        load(old_file(tmp_path, 3, {}, {"history_": [1.0]}))
    model = load(old_file(tmp_path, 3, {"learning_rate": 0.5},
                          {"history_": {"loss": [1.0], "val_loss": [0.5]}}))
    assert model.learning_rate == 0.5


def test_an_old_file_holding_both_names_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"does not accept \('rate_'\)"):
        load(old_file(tmp_path, 2, {"rate_": 0.5, "learning_rate": 0.2}, {}))


def test_a_rename_to_a_name_the_class_does_not_take_is_not_made(tmp_path):
    # (as GrowingNeuralGas's lambda_ until the class takes insert_every)
    with pytest.raises(ValueError, match=r"does not accept \('gone'\)"):
        load(old_file(tmp_path, 2, {"gone": 1}, {}))


def test_the_upgraded_file_is_described_in_one_place():
    meta = json.loads(json.dumps({"params": {"rate_": 1}}))
    assert upgrade(RenamedModel, meta, 2)["params"] == {"learning_rate": 1}
    assert meta == {"params": {"rate_": 1}}   # the description read is not changed
    assert upgrade(RenamedModel, meta, 3) is meta
