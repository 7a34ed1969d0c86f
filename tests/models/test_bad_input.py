"""Bad input: every public entry point fails with one clear sentence naming the argument.

The cases are those of DESIGN.md, "Bad input", for every estimator, plus the validation
helpers in neuroclust._validation called directly. The SOM's own hyper-parameters (shape,
topology, sigma, ...) and its map queries are checked in tests/models/test_som.py,
GrowingNeuralGas's in tests/models/test_gng.py, FuzzyART's and ART1's in
tests/models/test_art.py.
"""
import numbers

import numpy as np
import pytest

from neuroclust import (SOM, CompetitiveLearning, FuzzyART, GrowingNeuralGas, KMeans,
                        NotFittedError)
from neuroclust import DEC, Autoencoder
from neuroclust import ContrastiveClustering
from neuroclust import CNNI
from neuroclust._validation import (
    check_array,
    check_choice,
    check_is_fitted,
    check_n_features,
    check_random_state,
    check_scalar,
)

# (ART1 takes binary data only: its bad input is checked in tests/models/test_art.py)
ESTIMATORS = [CompetitiveLearning, KMeans, SOM, GrowingNeuralGas, FuzzyART]
ESTIMATORS += [DEC]
ESTIMATORS += [ContrastiveClustering]
ESTIMATORS += [CNNI]
each_estimator = pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda cls: cls.__name__)
# The models whose n_clusters is their number of prototypes, each seeded from the samples (a
# SOM's n_clusters groups its units, and its init choices differ: see test_som.py).
PROTOTYPE_ESTIMATORS = [CompetitiveLearning, KMeans]
each_prototype_estimator = pytest.mark.parametrize("Estimator", PROTOTYPE_ESTIMATORS,
                                                   ids=lambda cls: cls.__name__)


def query_methods(Estimator):
    """predict and transform, and score where the model has one (SOM has none)."""
    return [method for method in ("predict", "transform", "score") if hasattr(Estimator, method)]


each_query = pytest.mark.parametrize(
    "Estimator, method", [(cls, method) for cls in ESTIMATORS for method in query_methods(cls)],
    ids=lambda value: value if isinstance(value, str) else value.__name__)


@pytest.fixture(autouse=True)
def _backend_not_forced(monkeypatch):
    """NEUROCLUST_BACKEND in the environment replaces the backend argument before it is
    checked, so the backend tests below would not see their bad value; clear it."""
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


def good_data(n_samples=30, n_features=3):
    return np.random.default_rng(0).normal(size=(n_samples, n_features))


def fit_quickly(Estimator, X, **params):
    """Fit with settings that make each run short; ``params`` override them."""
    settings = dict(random_state=0)
    settings.update({CompetitiveLearning: dict(n_clusters=3, epochs=2),
                     KMeans: dict(n_clusters=3, max_iter=5),
                     SOM: dict(n_clusters=3, shape=(3, 3), epochs=2),
                     # a graph of 3 nodes: it finds its clusters itself
                     GrowingNeuralGas: dict(max_nodes=3, insert_every=10, epochs=2),
                     # scaled to [0, 1]; at this vigilance it fills its 3 categories
                     FuzzyART: dict(rho=0.9, max_categories=3, scale=True, epochs=2),
                     DEC: dict(n_clusters=3, max_iter=4, update_interval=2,
                               autoencoder=Autoencoder(hidden=(4,), latent_dim=2, epochs=2,
                                                       random_state=0)),
                     ContrastiveClustering: dict(n_clusters=3, hidden=(4,), latent_dim=2,
                                                 epochs=2, n_init=1),
                     CNNI: dict(n_clusters=3, hidden=(4,), index="mmj_silhouette",
                                epochs=2)}[Estimator])
    settings.update(params)
    return Estimator(**settings).fit(X)


@pytest.fixture(params=ESTIMATORS, ids=lambda cls: cls.__name__)
def fitted(request):
    return fit_quickly(request.param, good_data())


# ---------------------------------------------------------------------------- bad data
def with_value(value, row, column):
    X = good_data()
    X[row, column] = value
    return X


@each_estimator
@pytest.mark.parametrize("X, message", [
    (with_value(np.nan, 4, 1), r"X contains 1 NaN value\(s\) \(first at row 4\)"),
    (with_value(np.inf, 7, 0), r"X contains 1 infinite value\(s\) \(first at row 7\)"),
    (with_value(-np.inf, 0, 2), r"X contains 1 infinite value\(s\) \(first at row 0\)"),
], ids=["nan", "inf", "-inf"])
def test_non_finite_values(Estimator, X, message):
    with pytest.raises(ValueError, match=message):
        fit_quickly(Estimator, X)


@each_estimator
def test_nan_and_inf_are_both_counted(Estimator):
    X = good_data()
    X[[3, 5, 9], 0] = np.nan
    X[2, 1] = np.inf
    with pytest.raises(ValueError, match=r"3 NaN value\(s\) and 1 infinite value\(s\) "
                                         r"\(first at row 2\)"):
        fit_quickly(Estimator, X)


@each_estimator
def test_nan_in_float32(Estimator):
    X = with_value(np.nan, 1, 1).astype(np.float32)
    with pytest.raises(ValueError, match="NaN"):
        fit_quickly(Estimator, X)


@each_estimator
def test_one_dimensional_X(Estimator):
    with pytest.raises(ValueError, match=r"X must be a 2-D array, but it has 1 dimension\(s\)"
                                         r".*X\.reshape\(-1, 1\)"):
        fit_quickly(Estimator, good_data()[:, 0])


@each_estimator
def test_three_dimensional_X(Estimator):
    with pytest.raises(ValueError, match=r"X must be a 2-D array, but it has 3 dimension\(s\), "
                                         r"shape \(2, 30, 3\)"):
        fit_quickly(Estimator, np.stack([good_data(), good_data()]))


@each_estimator
def test_a_scalar_X(Estimator):
    with pytest.raises(ValueError, match="X must be a 2-D array, but it has 0 dimension"):
        fit_quickly(Estimator, 3.0)


@each_prototype_estimator
def test_fewer_samples_than_clusters(Estimator):
    with pytest.raises(ValueError, match="X has 4 samples but at least 5 are needed"):
        fit_quickly(Estimator, good_data(4), n_clusters=5)
    fit_quickly(Estimator, good_data(5), n_clusters=5)  # exactly enough is fine


@each_estimator
@pytest.mark.parametrize("shape", [(0, 3), (0, 0)])
def test_empty_X(Estimator, shape):
    with pytest.raises(ValueError, match=r"X is empty \(shape \(0, \d\)\)"):
        fit_quickly(Estimator, np.empty(shape))


@each_estimator
def test_empty_list(Estimator):
    with pytest.raises(ValueError, match="X must be a 2-D array|X is empty"):
        fit_quickly(Estimator, [])


@each_estimator
def test_X_without_features(Estimator):
    with pytest.raises(ValueError, match=r"X has 0 feature\(s\) \(shape=\(30, 0\)\) while a "
                                         r"minimum of 1 is required\.$"):
        fit_quickly(Estimator, np.empty((30, 0)))


@each_estimator
@pytest.mark.parametrize("X, message", [
    ([["a", "b", "c"]] * 5, r"X must hold numbers, but its dtype is <U1 \(text\)"),
    (np.array([[b"1", b"2"]] * 5), r"X must hold numbers.*\(text\)"),
    (np.array([[1.0, 2.0, 3.0]] * 5, dtype=object), r"X must hold numbers.*object.*Python objects"),
    (np.array([[1.0, "x", None]] * 5, dtype=object), r"X must hold numbers.*object"),
    (good_data() + 1j, r"X must hold numbers.*complex128.*Complex data not supported: pass "
                       r"X\.real"),
    (good_data().astype(np.complex64), r"complex"),
    (np.array([["2020-01-01"] * 3] * 5, dtype="datetime64[D]"), r"X must hold numbers"),
], ids=["strings", "bytes", "object-numbers", "object-mixed", "complex128", "complex64",
        "datetime"])
def test_non_numeric_X(Estimator, X, message):
    with pytest.raises(ValueError, match=message):
        fit_quickly(Estimator, X)


@each_estimator
def test_ragged_list(Estimator):
    with pytest.raises(ValueError, match="X could not be read as an array"):
        fit_quickly(Estimator, [[1.0, 2.0, 3.0], [4.0, 5.0]] * 3)


# ---------------------------------------------------------------- bad data at predict time
@each_query
def test_wrong_feature_count_at_predict(Estimator, method):
    fitted = fit_quickly(Estimator, good_data())
    for n_features in (2, 4):
        with pytest.raises(ValueError, match=rf"^X has {n_features} features, but "
                                             rf"{Estimator.__name__} is expecting 3 features as "
                                             r"input \(the number it was fit on\)\.$"):
            getattr(fitted, method)(good_data(10, n_features))


@each_query
def test_bad_data_at_predict(Estimator, method):
    call = getattr(fit_quickly(Estimator, good_data()), method)
    with pytest.raises(ValueError, match="NaN"):
        call(with_value(np.nan, 0, 0))
    with pytest.raises(ValueError, match="infinite"):
        call(with_value(np.inf, 0, 0))
    with pytest.raises(ValueError, match="X must be a 2-D array.*reshape"):
        call(good_data()[0])
    with pytest.raises(ValueError, match="X is empty"):
        call(np.empty((0, 3)))
    with pytest.raises(ValueError, match="X must hold numbers"):
        call([["a", "b", "c"]])


def test_predict_accepts_one_sample_and_fewer_samples_than_clusters(fitted):
    assert fitted.predict(good_data(1)).shape == (1,)
    # Distances to the 3 prototypes (a growing neural gas's 3 nodes), or a SOM's (row, col)
    # of the winner, or DEC's codes (latent_dim=2), or ContrastiveClustering's representation.
    assert fitted.transform(good_data(2)).shape == (2, 2 if isinstance(
        fitted, (SOM, DEC, ContrastiveClustering)) else 3)


@pytest.mark.parametrize("Estimator, method", [
    (cls, method) for cls in ESTIMATORS for method in query_methods(cls) + ["save"]],
    ids=lambda value: value if isinstance(value, str) else value.__name__)
def test_use_before_fit(Estimator, method, tmp_path):
    args = (tmp_path / "model",) if method == "save" else (good_data(),)
    with pytest.raises(ValueError, match=rf"This {Estimator.__name__} is not fitted yet; "
                                         r"call fit\(X\)") as info:
        getattr(Estimator(), method)(*args)
    assert isinstance(info.value, NotFittedError)


# -------------------------------------------------------------- shared hyper-parameters
@each_prototype_estimator
@pytest.mark.parametrize("value, message", [
    (0, "n_clusters must be >= 1, got 0"),
    (-2, "n_clusters must be >= 1, got -2"),
    (2.5, "n_clusters must be an integer, got 2.5"),
    (3.0, "n_clusters must be an integer, got 3.0"),
    ("3", "n_clusters must be an integer, got '3'"),
    (None, "n_clusters must be an integer, got None"),
    (True, "n_clusters must be an integer, got True"),
])
def test_bad_n_clusters(Estimator, value, message):
    with pytest.raises(ValueError, match=message):
        fit_quickly(Estimator, good_data(), n_clusters=value)


def test_numpy_integers_are_integers():
    fit_quickly(KMeans, good_data(), n_clusters=np.int64(3), max_iter=np.int32(4))
    fit_quickly(CompetitiveLearning, good_data(), n_clusters=np.int32(3), epochs=np.int64(2),
                learning_rate=np.float32(0.5))


@each_prototype_estimator
@pytest.mark.parametrize("init, message", [
    ("kmeans++", (r"init must be one of 'random_samples', 'random', 'k-means\+\+'.*"
                  r"got 'kmeans\+\+'")),
    ("", "init must be one of"),
    (np.zeros((2, 3)), (r"init has shape \(2, 3\), but 3 prototypes of 3 features, "
                        r"shape \(3, 3\), are needed")),
    (np.zeros((3, 2)), r"init has shape \(3, 2\)"),
    (np.zeros(9), r"init must be a 2-D array"),
    (np.full((3, 3), np.nan), r"init contains 9 NaN value\(s\)"),
    ([["a", "b", "c"]] * 3, r"init must hold numbers"),
], ids=["misspelt", "empty-string", "too-few-rows", "too-few-columns", "1-D", "nan", "text"])
def test_bad_init(Estimator, init, message):
    # KMeans gets n_init=1, see test_kmeans_array_init_with_default_n_init below.
    extra = dict(n_init=1) if Estimator is KMeans else {}
    with pytest.raises(ValueError, match=message):
        fit_quickly(Estimator, good_data(), init=init, **extra)


def test_kmeans_array_init_of_wrong_shape_with_default_n_init():
    with pytest.raises(ValueError, match=r"init has shape \(2, 3\)"):
        KMeans(n_clusters=3, init=np.zeros((2, 3))).fit(good_data())


@each_estimator
@pytest.mark.parametrize("value, message", [
    ("seed", "random_state must be None, an int or a numpy.random.Generator, got 'seed'"),
    (1.5, "random_state must be None, an int or a numpy.random.Generator, got 1.5"),
    (-1, "random_state must be a non-negative integer, got -1"),
    ([1, 2], "random_state must be None"),
])
def test_bad_random_state(Estimator, value, message):
    with pytest.raises(ValueError, match=message):
        fit_quickly(Estimator, good_data(), random_state=value)


@each_estimator
def test_legacy_random_state_is_accepted(Estimator):
    fit_quickly(Estimator, good_data(), random_state=np.random.RandomState(0))


@each_estimator
def test_bad_backend(Estimator):
    with pytest.raises(ValueError, match="backend must be one of 'auto', 'numpy', 'cython', "
                                         "'cupy', got 'gpu'"):
        fit_quickly(Estimator, good_data(), backend="gpu")


@each_estimator
def test_forced_backend_must_be_valid(Estimator, monkeypatch):
    monkeypatch.setenv("NEUROCLUST_BACKEND", "fortran")
    with pytest.raises(ValueError, match="NEUROCLUST_BACKEND environment variable must be one "
                                         "of"):
        fit_quickly(Estimator, good_data())


@each_estimator
def test_a_failed_fit_leaves_no_fitted_state(Estimator):
    model = Estimator()
    with pytest.raises(ValueError):
        model.fit(with_value(np.nan, 0, 0))
    with pytest.raises(NotFittedError):
        model.predict(good_data())


# ---------------------------------------------------- CompetitiveLearning hyper-parameters
@pytest.mark.parametrize("params, message", [
    (dict(learning_rate=0), "learning_rate must be > 0 and <= 1, got 0"),
    (dict(learning_rate=-0.1), "learning_rate must be > 0 and <= 1, got -0.1"),
    (dict(learning_rate=1.01), "learning_rate must be > 0 and <= 1, got 1.01"),
    (dict(learning_rate=np.nan), "learning_rate must be finite, got nan"),
    (dict(learning_rate="0.1"), "learning_rate must be a number, got '0.1'"),
    (dict(learning_rate=True), "learning_rate must be a number, got True"),
    (dict(learning_rate_final=0.0), "learning_rate_final must be > 0 and <= 1, got 0.0"),
    (dict(learning_rate_final=2), "learning_rate_final must be > 0 and <= 1, got 2"),
    (dict(epochs=0), "epochs must be >= 1, got 0"),
    (dict(epochs=-3), "epochs must be >= 1, got -3"),
    (dict(epochs=2.0), "epochs must be an integer, got 2.0"),
    (dict(epochs=True), "epochs must be an integer, got True"),
    (dict(conscience_rate=-0.1), "conscience_rate must be >= 0 and <= 1, got -0.1"),
    (dict(conscience_rate=1.5), "conscience_rate must be >= 0 and <= 1, got 1.5"),
    (dict(conscience_bias=-1.0), "conscience_bias must be >= 0, got -1.0"),
    (dict(conscience_bias=np.inf), "conscience_bias must be finite"),
    (dict(mode="bulk"), "mode must be one of 'online', 'batch', got 'bulk'"),
    (dict(mode=None), "mode must be one of 'online', 'batch', got None"),
    (dict(mode="batch", conscience=True), "conscience=True works with mode='online' only"),
])
def test_competitive_bad_hyper_parameters(params, message):
    model = CompetitiveLearning(n_clusters=3, **params)
    with pytest.raises(ValueError, match=message):
        model.fit(good_data())
    assert not hasattr(model, "cluster_centers_")


def test_competitive_edge_values_are_accepted():
    X = good_data()
    fit_quickly(CompetitiveLearning, X, learning_rate=1.0, learning_rate_final=1.0)
    fit_quickly(CompetitiveLearning, X, epochs=1, conscience=True, conscience_rate=0.0,
                conscience_bias=0.0)
    fit_quickly(CompetitiveLearning, X, learning_rate=0.01, learning_rate_final=0.5)


# ------------------------------------------------------------------ KMeans hyper-parameters
@pytest.mark.parametrize("params, message", [
    (dict(tol=-1e-3), "tol must be >= 0, got -0.001"),
    (dict(tol=np.inf), "tol must be finite"),
    (dict(tol="small"), "tol must be a number"),
    (dict(max_iter=0), "max_iter must be >= 1, got 0"),
    (dict(max_iter=10.0), "max_iter must be an integer, got 10.0"),
    (dict(max_iter=True), "max_iter must be an integer, got True"),
    (dict(n_init=0), "n_init must be >= 1, got 0"),
    (dict(n_init="many"), "n_init must be 'auto' or an integer >= 1, got 'many'"),
    (dict(n_init=True), "n_init must be an integer, got True"),
    (dict(n_init=2.0), "n_init must be an integer, got 2.0"),
])
def test_kmeans_bad_hyper_parameters(params, message):
    model = KMeans(n_clusters=3, **params)
    with pytest.raises(ValueError, match=message):
        model.fit(good_data())
    assert not hasattr(model, "cluster_centers_")


def test_kmeans_edge_values_are_accepted():
    fit_quickly(KMeans, good_data(), tol=0, max_iter=1, n_init=1)
    fit_quickly(KMeans, good_data(), n_init="auto")


# ------------------------------------------------------------- the validation helpers
def test_check_array_returns_floats_and_keeps_float32():
    assert check_array([[1, 2], [3, 4]]).dtype == np.float64
    assert check_array(np.ones((2, 2), dtype=np.float32)).dtype == np.float32
    assert check_array(np.ones((2, 2), dtype=np.float16)).dtype == np.float64
    assert check_array(np.ones((2, 2), dtype=np.uint8)).dtype == np.float64
    assert check_array(np.ones((2, 2), dtype=bool)).dtype == np.float64
    X = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(check_array(X), X)
    np.testing.assert_array_equal(check_array(((1, 2), (3, 4))), [[1.0, 2.0], [3.0, 4.0]])


def test_check_array_names_the_argument():
    with pytest.raises(ValueError, match=r"^init contains 1 NaN"):
        check_array([[np.nan, 1.0]], name="init")
    with pytest.raises(ValueError, match=r"^weights must be a 2-D array.*weights\.reshape"):
        check_array([1.0, 2.0], name="weights")
    with pytest.raises(ValueError, match=r"^Y must hold numbers"):
        check_array([["a"]], name="Y")


def test_check_array_messages_are_one_sentence():
    for bad in ([[np.nan]], [1.0], np.empty((0, 2)), [["x"]], [[1j]]):
        with pytest.raises(ValueError) as info:
            check_array(bad)
        text = str(info.value)
        assert "\n" not in text and text.endswith(".")


def test_check_array_ndim_and_min_samples():
    assert check_array([1.0, 2.0, 3.0], ndim=1).shape == (3,)
    with pytest.raises(ValueError, match="y must be a 1-D array, but it has 2 dimension"):
        check_array([[1.0]], name="y", ndim=1)
    with pytest.raises(ValueError, match="X has 2 samples but at least 3 are needed"):
        check_array(np.ones((2, 2)), min_samples=3)
    assert check_array(np.ones((3, 2)), min_samples=3).shape == (3, 2)


def test_check_array_allow_nan():
    X = np.array([[np.nan, np.inf], [1.0, 2.0]])
    out = check_array(X, allow_nan=True)
    assert np.isnan(out[0, 0]) and np.isinf(out[0, 1])
    with pytest.raises(ValueError, match=r"1 NaN value\(s\) and 1 infinite value\(s\) "
                                         r"\(first at row 0\)"):
        check_array(X)


def test_check_array_reports_the_first_bad_row():
    X = np.zeros((10, 2))
    X[6, 1] = np.nan
    X[8, 0] = np.nan
    with pytest.raises(ValueError, match=r"2 NaN value\(s\) \(first at row 6\)"):
        check_array(X)


def test_check_array_int_mode():
    out = check_array(np.array([0.0, 2.0, 1.0]), name="labels", ndim=1, dtype="int")
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, [0, 2, 1])
    assert check_array(np.array([[1, 2]], dtype=np.int32), dtype="int").dtype == np.int64
    with pytest.raises(ValueError, match="labels must hold whole numbers"):
        check_array(np.array([0.0, 0.5]), name="labels", ndim=1, dtype="int")
    with pytest.raises(ValueError, match="labels contains 1 NaN"):
        check_array(np.array([0.0, np.nan]), name="labels", ndim=1, dtype="int")


def test_check_array_does_not_modify_its_input():
    X = np.arange(6, dtype=np.int64).reshape(3, 2)
    check_array(X)
    assert X.dtype == np.int64


def test_check_scalar():
    assert check_scalar(3, "k", numbers.Integral, low=1) == 3
    assert check_scalar(0.5, "rate", low=0, high=1) == 0.5
    assert check_scalar(1, "rate", low=0, high=1) == 1
    with pytest.raises(ValueError, match="rate must be > 0 and <= 1, got 0"):
        check_scalar(0, "rate", low=0, high=1, low_inclusive=False)
    with pytest.raises(ValueError, match="rate must be >= 0 and < 1, got 1"):
        check_scalar(1, "rate", low=0, high=1, high_inclusive=False)
    with pytest.raises(ValueError, match="k must be an integer, got False"):
        check_scalar(False, "k", numbers.Integral)
    with pytest.raises(ValueError, match="sigma must be a number, got True"):
        check_scalar(True, "sigma")
    with pytest.raises(ValueError, match="sigma must be finite, got -inf"):
        check_scalar(-np.inf, "sigma", low=0)
    with pytest.raises(ValueError, match="sigma must be a number, got None"):
        check_scalar(None, "sigma")


def test_check_choice():
    assert check_choice("a", "mode", ("a", "b")) == "a"
    with pytest.raises(ValueError, match="mode must be one of 'a', 'b', got 'c'"):
        check_choice("c", "mode", ("a", "b"))
    with pytest.raises(ValueError, match="mode must be one of 'a', 'b', got 1"):
        check_choice(1, "mode", ("a", "b"))
    with pytest.raises(ValueError, match="got \\['a'\\]"):
        check_choice(["a"], "mode", ("a", "b"))


def test_check_random_state():
    assert isinstance(check_random_state(None), np.random.Generator)
    a, b = check_random_state(5), check_random_state(np.int64(5))
    assert a.random() == b.random()
    generator = np.random.default_rng(1)
    assert check_random_state(generator) is generator
    with pytest.raises(ValueError, match="seed must be a non-negative integer, got -3"):
        check_random_state(-3, name="seed")
    with pytest.raises(ValueError, match="random_state must be None, an int"):
        check_random_state("0")


def test_check_n_features_and_is_fitted():
    check_n_features(np.ones((2, 3)), 3)
    with pytest.raises(ValueError, match="X_test has 2 features, but the model is expecting 3 "
                                         "features as input"):
        check_n_features(np.ones((2, 2)), 3, name="X_test")
    with pytest.raises(ValueError, match=r"^X has 2 features, but SOM is expecting 3 features "
                                         r"as input \(the number it was fit on\)\.$"):
        check_n_features(np.ones((2, 2)), 3, owner="SOM")

    class Thing:
        pass

    thing = Thing()
    with pytest.raises(NotFittedError, match=r"This Thing is not fitted yet; call fit\(X\)"):
        check_is_fitted(thing, "weights_")
    thing.weights_ = 1
    check_is_fitted(thing, "weights_")
