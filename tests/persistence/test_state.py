"""The fitted state (``neuroclust/persistence/_state.py`` and each model's
``_check_fitted_state``): every stored value is checked for type, shape and range against the
parameters and ``n_features_in_``, and a lie is one sentence naming the attribute.

The cases that used to crash (a segfault through the compiled kernels) run in a subprocess
and assert its exit status: never a negative one.
"""
import math
import subprocess
import sys

import numpy as np
import pytest

from neuroclust import (SOM, Autoencoder, CompetitiveLearning, FuzzyART, GrowingNeuralGas, KMeans,
                        LatentClustering, load)

from persistence_helpers import (altered, blobs, drop_array, format_2, narrow_centres,
                                 run_python, set_array, set_attribute, set_history, set_init,
                                 set_param)

CORRUPTIONS = [
    ("KMeans", narrow_centres,
     r"cluster_centers_ has shape \(3, 2\), but it must have shape \(n_clusters, "
     r"n_features_in_\) = \(3, 4\)"),
    ("KMeans", set_param("n_clusters", 5), r"\(n_clusters, n_features_in_\) = \(5, 4\)"),
    ("KMeans", set_array("labels_", lambda a: a.astype(float)), r"labels_ must hold integers"),
    ("KMeans", set_array("labels_", lambda a: a + 7), r"labels_ holds values from 7 to 9, but "
                                                      r"they must be between 0 and 2"),
    ("KMeans", set_array("labels_", lambda a: a.reshape(-1, 2)), r"labels_ has shape \(30, 2\)"),
    ("KMeans", set_array("cluster_centers_", lambda a: a.astype(np.int64)),
     r"must hold float32 or float64 numbers, got int64"),
    ("KMeans", set_array("cluster_centers_", lambda a: np.where(a > 0.5, np.nan, a)),
     r"cluster_centers_ holds NaN or infinite values"),
    ("KMeans", drop_array("cluster_centers_"), r"cluster_centers_ is missing"),
    ("KMeans", set_param("n_clusters", 10 ** 30), r"n_clusters"),
    ("KMeans", set_attribute("n_features_in_", 0), r"n_features_in_ must be >= 1, got 0"),
    ("KMeans", set_attribute("n_features_in_", 4.0), r"n_features_in_ must be an integer"),
    ("KMeans", set_attribute("n_features_in_", True), r"n_features_in_ must be an integer"),
    ("KMeans", set_attribute("n_features_in_", "4"), r"n_features_in_ must be an integer"),
    ("KMeans", set_attribute("inertia_", "low"), r"inertia_ must be a number"),
    ("KMeans", set_attribute("history_", {"a": "b"}), r"history_ must be a dict with the keys "
                                                      r"\['inertia'\], got \['a'\]"),
    ("KMeans", set_attribute("backend_", "fortran"), r"backend_ must be one of"),
    ("CompetitiveLearning", set_array("win_frequency_", np.ones(7)),
     r"win_frequency_ has shape \(7,\)"),
    ("SOM", format_2(set_array("weights_", lambda a: a.reshape(4, 3, 4))),
     r"weights_ has shape \(4, 3, 4\), but it must have shape \(rows, cols, n_features_in_\) "
     r"= \(3, 4, 4\)"),
    ("SOM", format_2(set_array("weights_", lambda a: a + 1)),
     r"weights_ and cluster_centers_ hold different prototypes"),
    ("SOM", narrow_centres, r"cluster_centers_ has shape \(12, 2\), but it must have shape "
                            r"\(rows \* cols, n_features_in_\) = \(12, 4\)"),
    ("SOM", set_param("shape", [10 ** 11, 10 ** 11]),
     r"cluster_centers_ has shape \(12, 4\), but .* = \(10000000000000000000000, 4\)"),
    ("SOM", set_array("grid_positions_", lambda a: a * 2), r"grid_positions_ are not those of"),
    ("SOM-clusters", set_array("unit_labels_", lambda a: a + 3),
     r"unit_labels_ holds values from 3 to 5, but they must be between 0 and 2"),
    ("SOM-clusters", drop_array("unit_labels_"), r"unit_labels_ is missing"),
    ("GrowingNeuralGas", set_array("edges_", lambda a: a + 50),
     r"edges_ holds values from \d+ to \d+, but they must be between 0 and \d+"),
    ("GrowingNeuralGas", set_array("edges_", lambda a: a[:, ::-1].copy()),
     r"edges_ must list every edge once"),
    ("GrowingNeuralGas", set_array("unit_labels_", lambda a: np.arange(len(a))),
     r"unit_labels_ are not the connected components"),
    ("GrowingNeuralGas", set_attribute("n_clusters_", 7), r"n_clusters_ must be between"),
    ("GrowingNeuralGas", set_param("max_nodes", 3),
     r"cluster_centers_ holds 10 nodes, but a graph has from 2 to max_nodes=3"),
    ("GrowingNeuralGas", format_2(set_array("nodes_", lambda a: a + 1)),
     r"cluster_centers_ and nodes_ differ \(they are one array\)"),
    ("GrowingNeuralGas", format_2(set_array("nodes_", lambda a: a[:-1].copy())),
     r"nodes_ has shape \(9, 4\), but it must have shape \(n_nodes, n_features_in_\) = "
     r"\(10, 4\)"),
    ("GrowingNeuralGas", set_array("edge_ages_", lambda a: a[:-1].copy()),
     r"edge_ages_ has shape"),
    ("FuzzyART", set_array("weights_", lambda a: a[:, :4].copy()),
     r"weights_ has shape \(\d+, 4\), but it must have shape \(n_categories_, "
     r"2 \* n_features_in_\) = \(\d+, 8\)"),
    ("FuzzyART", set_attribute("n_categories_", 40), r"\(n_categories_, 2 \* n_features_in_\) "
                                                     r"= \(40, 8\)"),
    ("FuzzyART", set_array("weights_", lambda a: a * 3), r"weights_ holds values from"),
    ("FuzzyART", set_array("labels_", lambda a: a - 5), r"labels_ holds values from -5"),
    ("FuzzyART-scaled", drop_array("data_min_"), r"data_min_ is missing"),
    ("FuzzyART-scaled", set_array("data_max_", lambda a: a - 100), r"data_min_ exceeds"),
    ("ART1", set_array("weights_", lambda a: a * 0.5), r"weights_ of ART1 must hold only 0 "
                                                       r"and 1"),
    ("FuzzyART", set_param("max_categories", 1), r"n_categories_ must be between 1 and 1, got 4"),
    ("Autoencoder", set_array("parameters_", lambda a: a[:-3].copy()),
     r"parameters_ has \d+ values, but this architecture has \d+"),
    ("Autoencoder", set_param("dtype", "float32"),      # trained on X's float64
     r"parameters_ holds float64 numbers, but dtype='float32'"),
    ("Autoencoder", set_param("hidden", [10 ** 11, 10 ** 11]),
     r"parameters_ has \d+ values, but this architecture has 2000000000\d+"),
    ("Autoencoder", set_attribute("latent_dim_", 5), r"latent_dim_=5 differs from latent_dim=2"),
    ("Autoencoder-conv1d", set_attribute("input_shape_", [3, 16]),
     r"input_shape_ must be \(length,\) or \(channels, length\) with n_features_in_=32"),
    ("Autoencoder-conv1d", set_param("channels", [10 ** 9]),
     r"parameters_ has \d+ values, but this architecture has"),
    ("LatentClustering", set_array("codes_", lambda a: a[:, :1].copy()),
     r"codes_ has shape \(60, 1\), but it must have shape \(n_samples, latent_dim_\)"),
    ("LatentClustering", set_array("labels_", lambda a: a[:5].copy()), r"labels_ has shape"),
    ("LatentClustering", set_array("autoencoder_.parameters_", lambda a: a[:4].copy()),
     r"corrupt Autoencoder \(in autoencoder_\): parameters_ has 4 values"),
    ("LatentClustering", lambda meta, arrays: meta["estimators"]["autoencoder_"].update(
        {"class": "KMeans"}), r"parameters that KMeans does not accept"),
]


@pytest.mark.parametrize("name, change, message", CORRUPTIONS,
                         ids=[f"{case[0]}-{i}" for i, case in enumerate(CORRUPTIONS)])
def test_stored_arrays_are_checked_against_the_parameters(saved, tmp_path, name, change,
                                                           message):
    path = altered(saved, name, tmp_path, change)
    with pytest.raises(ValueError, match=message) as info:
        load(path)
    text = str(info.value)
    assert text.startswith(repr(path)) and "\n" not in text and text.endswith(".")


LIES = [
    # GNG: counts the kernels can go on with, ages the algorithm keeps, finite errors
    ("GrowingNeuralGas", set_attribute("n_steps_", 2 ** 63 - 1),
     r"n_steps_ must be at most 2\*\*62 - 1 in magnitude .*, got 9223372036854775807"),
    ("GrowingNeuralGas", set_attribute("n_steps_", 2 ** 70), r"n_steps_ must be at most 2\*\*62"),
    ("GrowingNeuralGas", set_attribute("n_steps_", -1), r"n_steps_ must be >= 0, got -1"),
    ("GrowingNeuralGas", set_attribute("n_steps_", None), r"n_steps_ is None, but a fitted "
                                                          r"GrowingNeuralGas always has one"),
    ("GrowingNeuralGas", set_array("edge_ages_", lambda a: a - 100),
     r"edge_ages_ holds values from -\d+ to -?\d+, but they must be"),
    ("GrowingNeuralGas", set_array("errors_", lambda a: a * 0 + np.inf),
     r"errors_ holds NaN or infinite values"),
    ("GrowingNeuralGas", set_array("errors_", lambda a: a * 0 - 1), r"errors_ holds values "
                                                                    r"from -1.0"),
    ("GrowingNeuralGas", set_array("cluster_centers_", lambda a: a[:1].copy()),
     r"cluster_centers_ holds 1 nodes"),
    ("GrowingNeuralGas", set_attribute("n_clusters_", 2 ** 70), r"n_clusters_ must be at most"),
    # labels_: save always writes them, one per training sample
    ("KMeans", drop_array("labels_"), r"labels_ is missing"),
    ("KMeans", set_array("labels_", lambda a: a[:0].copy()), r"labels_ holds 0 label\(s\), but "
                                                             r"a fitted KMeans labels at least 3"),
    ("KMeans", set_array("labels_", np.array(1)), r"labels_ has shape \(\), but it must have "
                                                  r"shape \(n_samples,\)"),
    ("CompetitiveLearning", drop_array("labels_"), r"labels_ is missing"),
    ("SOM", drop_array("labels_"), r"labels_ is missing"),
    ("SOM", set_array("labels_", lambda a: a[:0].copy()), r"labels_ holds 0 label\(s\)"),
    ("GrowingNeuralGas", drop_array("labels_"), r"labels_ is missing"),
    ("FuzzyART", drop_array("labels_"), r"labels_ is missing"),
    ("ART1", set_array("labels_", lambda a: a[:0].copy()), r"labels_ holds 0 label\(s\)"),
    ("LatentClustering", set_array("labels_", lambda a: (a + 1) % 3),
     r"labels_ differ from clusterer_.labels_"),
    ("LatentClustering", lambda meta, arrays: arrays.update(
        codes_=arrays["codes_"][:0].copy(), labels_=arrays["labels_"][:0].copy()),
     r"codes_ holds no code"),
    # history_: the shape each model's fit writes
    ("KMeans", set_attribute("history_", -1), r"history_ must be a dict with the keys "
                                              r"\['inertia'\], got int"),
    ("KMeans", set_attribute("history_", {}), r"history_ must be a dict with the keys "
                                              r"\['inertia'\], got \[\]"),
    ("KMeans", set_attribute("history_", {"inertia": ["a", 1.0]}),
     r"history_\['inertia'\] must be a list of numbers, but it holds 'a'"),
    ("KMeans", set_attribute("history_", None), r"history_ is None"),
    ("KMeans", set_attribute("history_", {"inertia": [1.0] * 40}),
     r"history_(\['inertia'\])? holds 40 entries, but n_iter_=\d+ counts"),
    ("CompetitiveLearning", set_attribute("history_", {"quantization_error": [[1.0]]}),
     r"history_\['quantization_error'\] must be a list of numbers, but it holds \[1.0\]"),
    ("CompetitiveLearning", set_attribute("history_", {"loss": [1.0]}),
     r"history_ must be a dict with the keys \['quantization_error'\]"),
    ("SOM", set_attribute("history_", {}), r"history_ must be a dict with the keys "
                                           r"\['quantization_error', 'topographic_error'\]"),
    ("SOM", set_attribute("history_", [1, 2]), r"history_ must be a dict .*, got list"),
    ("SOM", set_history("topographic_error", [0.5]),
     r"history_\['topographic_error'\] holds 1 entries, but the other lists"),
    ("SOM", set_history("colour", [1.0]), r"history_ must be a dict with the keys"),
    ("GrowingNeuralGas", set_history("n_nodes", [2.5, 3, 4]),
     r"history_\['n_nodes'\] must be a list of integers from 0 to \d+, but it holds 2.5"),
    ("GrowingNeuralGas", set_history("quantization_error", {}),
     r"history_\['quantization_error'\] must be a list of numbers, got dict"),
    ("FuzzyART", set_history("n_changed", [-1]), r"history_\['n_changed'\] must be a list of "
                                                 r"integers"),
    ("FuzzyART", set_history("n_changed", [True]), r"history_\['n_changed'\] must be a list "
                                                   r"of integers"),
    ("Autoencoder", set_attribute("best_epoch_", 7), r"best_epoch_ must be .*1, got 7"),
    ("Autoencoder", set_attribute("best_epoch_", "last"), r"best_epoch_ must be an integer"),
    ("Autoencoder", set_history("val_loss", [0.5]), r"history_\['val_loss'\] holds 1 entries"),
    ("Autoencoder", set_history("loss", None), r"history_\['loss'\] must be a list of numbers"),
    ("Autoencoder", lambda meta, arrays: meta["attributes"]["history_"].pop("val_loss"),
     r"history_ must be a dict with the keys \['loss', 'val_loss'\]"),
    # KMeans' scalars and the backend
    ("KMeans", set_attribute("inertia_", None), r"inertia_ is None, but a fitted KMeans"),
    ("KMeans", set_attribute("inertia_", -1), r"inertia_ must be >= 0, got -1.0"),
    ("KMeans", set_attribute("inertia_", math.nan), r"inertia_ must be a number, got nan"),
    ("KMeans", set_attribute("inertia_", "bogus"), r"inertia_ must be a number, got 'bogus'"),
    ("KMeans", set_attribute("n_iter_", None), r"n_iter_ is None"),
    ("KMeans", set_attribute("n_iter_", 2 ** 70), r"n_iter_ must be at most 2\*\*62 - 1"),
    ("KMeans", set_attribute("n_iter_", 301), r"history_ holds \d+ entries, but n_iter_=301"),
    ("KMeans", set_attribute("n_iter_", 2.0), r"n_iter_ must be an integer, got 2.0"),
    ("KMeans", set_attribute("backend_", "bogus"), r"backend_ must be one of 'numpy', "
                                                   r"'cython', 'cupy', got 'bogus'"),
    ("KMeans", set_attribute("backend_", None), r"backend_ is None"),
    ("KMeans", set_attribute("n_features_in_", 2 ** 63 - 1), r"n_features_in_ must be at most"),
    # init arrays: one prototype of n_features_in_ values per unit
    ("KMeans", set_init(np.zeros((3, 2))), r"init has shape \(3, 2\), but it must have shape "
                                           r"\(n_clusters, n_features_in_\) = \(3, 4\)"),
    ("CompetitiveLearning", set_init(np.zeros((3, 7))), r"init has shape \(3, 7\), but .* = "
                                                        r"\(3, 4\)"),
    ("SOM", set_init(np.zeros((12, 2))), r"init has shape \(12, 2\), but it must have shape "
                                         r"\(rows \* cols, n_features_in_\) = \(12, 4\) or "),
    ("SOM", set_init(np.zeros((3, 4, 5))), r"init has shape \(3, 4, 5\), .* \(rows, cols, "
                                           r"n_features_in_\) = \(3, 4, 4\)"),
    # the rest of each class's attributes
    ("CompetitiveLearning", set_array("win_frequency_", lambda a: a * 2),
     r"win_frequency_ sums to (2\.0|1\.99)\d*, but the shares of the wins sum to 1"),
    ("CompetitiveLearning", set_array("win_frequency_", lambda a: a + 1),
     r"win_frequency_ holds values from .* but they must be between 0 and 1"),
    ("CompetitiveLearning", drop_array("win_frequency_"), r"win_frequency_ is missing"),
    ("FuzzyART", set_attribute("n_categories_", 0), r"n_categories_ must be >= 1, got 0"),
    ("FuzzyART", set_attribute("n_categories_", 2 ** 63 - 1), r"n_categories_ must be at most"),
    ("Autoencoder", set_attribute("latent_dim_", 2 ** 70), r"latent_dim_ must be at most"),
    ("Autoencoder", set_attribute("history_", None), r"history_ is None"),
]


@pytest.mark.parametrize("name, change, message", LIES,
                         ids=[f"{case[0]}-{i}" for i, case in enumerate(LIES)])
def test_stored_values_are_checked_for_type_shape_and_range(saved, tmp_path, name, change,
                                                            message):
    path = altered(saved, name, tmp_path, change)
    with pytest.raises(ValueError, match=message) as info:
        load(path)
    text = str(info.value)
    assert text.startswith(f"{path!r} holds a corrupt ") and "\n" not in text
    assert text.endswith(".")


@pytest.mark.parametrize("model", [
    KMeans(3, init=np.array([[0.2, 0.2, 0.8, 0.5], [0.8, 0.3, 0.2, 0.5], [0.5, 0.8, 0.5, 0.2]]),
           n_init=1),
    CompetitiveLearning(3, epochs=2, init=blobs()[:3].tolist(), random_state=0),
    SOM((2, 3), epochs=2, init=blobs()[:6].reshape(2, 3, 4), random_state=0),
    SOM((2, 3), epochs=2, record_history=False, random_state=0),
    Autoencoder(hidden=(6,), latent_dim=2, epochs=3, validation_split=0.2, patience=1,
                random_state=0),
    LatentClustering(Autoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0),
                     clusterer=SOM((2, 2), epochs=2, random_state=0)),
    LatentClustering(Autoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0),
                     clusterer=FuzzyART(rho=0.3, scale=True)),
    GrowingNeuralGas(max_nodes=6, insert_every=5, max_age=2, epochs=4, random_state=0),
], ids=lambda model: type(model).__name__)
def test_what_fit_writes_passes_every_check(tmp_path, model):
    """The checks refuse lies, never a file ``save`` wrote: init arrays, an empty history,
    early stopping, nested clusterers, a graph whose edges reach max_age."""
    X = blobs()
    model.fit(X)
    loaded = load(model.save(tmp_path / "model"))
    if hasattr(model, "labels_"):
        np.testing.assert_array_equal(loaded.labels_, model.labels_)
    if hasattr(model, "history_"):
        assert loaded.history_ == model.history_


CRASHED = {
    "kmeans-narrow": ("KMeans", narrow_centres),
    "competitive-narrow": ("CompetitiveLearning", narrow_centres),
    "som-narrow": ("SOM", narrow_centres),
    "som-weights": ("SOM", format_2(lambda meta, arrays: arrays.update(
        cluster_centers_=arrays["cluster_centers_"][:, :2].copy(),
        weights_=arrays["weights_"][:, :, :2].copy()))),
    "gng-edges": ("GrowingNeuralGas", set_array("edges_", lambda a: a * 1000)),
    "fuzzy-art-width": ("FuzzyART", set_array("weights_", lambda a: a[:, :2].copy())),
    "som-shape": ("SOM", set_param("shape", [10 ** 11, 10 ** 11])),
    "class-key": ("KMeans", set_attribute("__class__", "GrowingNeuralGas")),
}


@pytest.mark.parametrize("case", sorted(CRASHED))
def test_the_cli_predicts_on_a_crafted_file_with_one_line_and_exit_2(saved, tmp_path, case):
    name, change = CRASHED[case]
    path = altered(saved, name, tmp_path, change)
    data = tmp_path / "data.csv"
    np.savetxt(data, saved[name][2], delimiter=",")
    result = subprocess.run([sys.executable, "-m", "neuroclust", "predict", path, str(data)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("neuroclust: error: ") and \
        "Traceback" not in result.stderr, result.stderr
    assert repr(path) in lines[0]


def test_the_compiled_backend_never_sees_a_narrow_model(saved, tmp_path):
    from neuroclust.backend import available_backends

    if "cython" not in available_backends():
        pytest.skip("the compiled kernels are not built here")
    path = altered(saved, "KMeans", tmp_path, narrow_centres)
    code = ("import sys, numpy as np, neuroclust\n"
            "try:\n"
            "    model = neuroclust.load(sys.argv[1])\n"
            "except ValueError as error:\n"
            "    print('refused:', error)\n"
            "else:\n"
            "    model.backend = 'cython'\n"
            "    print(model.predict(np.random.default_rng(0).random((500, 4))))\n")
    result = run_python(code, path)
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert result.stdout.startswith("refused:") and "cluster_centers_ has shape (3, 2)" in \
        result.stdout
