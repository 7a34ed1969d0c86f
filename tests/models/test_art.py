"""Fuzzy ART and ART1 as estimators: vigilance, learning, streams, convergence, checks.

The kernels' equations are tested in tests/backend/test_art_kernels.py; artlib parity in
test_art_artlib.py; the scikit-learn conventions and the shared bad-input cases of FuzzyART in
test_estimator_conventions.py and test_bad_input.py (ART1, whose data must be binary, has its
own here).
"""
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Binarizer, MinMaxScaler

from neuroclust import ART1, FuzzyART, NotFittedError, datasets, load, metrics
from neuroclust.backend import available_backends


@pytest.fixture(autouse=True)
def _backend_not_forced(monkeypatch):
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


@pytest.fixture(scope="module")
def blobs():
    return datasets.make_five_centroids(n_samples=500, random_state=0)


@pytest.fixture(scope="module")
def binary_digits():
    X, y = datasets.load_digits()
    return (X[:600] > 6).astype(np.float64), y[:600]


def unit_square(n=300, seed=0):
    return np.random.default_rng(seed).random((n, 2))


# --------------------------------------------------------------------------- vigilance
def test_vigilance_controls_the_number_of_categories(blobs):
    X, y = blobs
    models = [FuzzyART(rho=rho, scale=True).fit(X) for rho in (0.2, 0.4, 0.6, 0.75, 0.85, 0.95)]
    counts = [model.n_categories_ for model in models]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    assert counts[0] <= 6 and counts[-1] > 50
    # At a moderate vigilance the categories follow the five clusters (boxes, each cut in a
    # few: the ARI stays well below k-means').
    assert max(metrics.adjusted_rand_score(y, model.labels_) for model in models) > 0.5


def test_no_box_grows_past_the_vigilance_bound():
    # Fast learning with complement coding: every box has size |R| <= d (1 - rho).
    X = unit_square()
    for rho in (0.5, 0.8, 0.9):
        lower, upper = FuzzyART(rho=rho).fit(X).category_boxes()
        assert ((upper - lower).sum(axis=1) <= 2 * (1 - rho) + 1e-12).all()


# ------------------------------------------------------------------- fast and slow learning
def test_fast_learning_converges_with_every_sample_in_its_box():
    X = unit_square()
    model = FuzzyART(rho=0.8).fit(X)
    history = model.history_
    assert history["n_changed"][0] == len(X) and history["n_changed"][-1] == 0
    assert len(history["n_changed"]) < 10
    lower, upper = model.category_boxes()
    labels = model.labels_
    assert ((X >= lower[labels]) & (X <= upper[labels])).all()
    # Converged with fast learning: the search without learning gives the labels back.
    np.testing.assert_array_equal(model.predict(X, vigilance=True), labels)


def test_slow_learning_moves_a_box_part_of_the_way():
    X = np.array([[0.25, 0.25], [0.5, 0.5]])
    fast = FuzzyART(rho=0.5, epochs=1).fit(X)
    slow = FuzzyART(rho=0.5, beta=0.25, epochs=1).fit(X)
    np.testing.assert_array_equal(fast.weights_, [[0.25, 0.25, 0.5, 0.5]])  # box [1/4, 1/2]^2
    # w <- 1/4 (I ^ w) + 3/4 w with w = (1/4, 1/4, 3/4, 3/4), I ^ w = (1/4, 1/4, 1/2, 1/2)
    np.testing.assert_allclose(slow.weights_, [[0.25, 0.25, 0.6875, 0.6875]])


def test_slow_learning_keeps_boxes_smaller_and_takes_longer(blobs):
    X = blobs[0]
    fast = FuzzyART(rho=0.7, scale=True).fit(X)
    slow = FuzzyART(rho=0.7, beta=0.1, scale=True).fit(X)
    assert len(slow.history_["n_changed"]) > len(fast.history_["n_changed"])
    size = {name: (m.category_boxes()[1] - m.category_boxes()[0]).sum(axis=1).mean()
            for name, m in (("fast", fast), ("slow", slow))}
    assert size["slow"] < size["fast"]


# --------------------------------------------------------------------------- streams
def test_partial_fit_learns_a_new_cluster_without_disturbing_the_old_ones():
    rng = np.random.default_rng(0)
    old = np.vstack([0.2 + 0.05 * rng.random((100, 2)), 0.5 + 0.05 * rng.random((100, 2))])
    new = 0.85 + 0.05 * rng.random((100, 2))
    model = FuzzyART(rho=0.85).partial_fit(old[:100]).partial_fit(old[100:])
    before, n_before = model.weights_.copy(), model.n_categories_
    old_labels = model.predict(old, vigilance=True)
    model.partial_fit(new)
    assert model.n_categories_ > n_before
    np.testing.assert_array_equal(model.weights_[:n_before], before)
    assert (model.labels_ >= n_before).all()   # the new samples went to new categories
    np.testing.assert_array_equal(model.predict(old, vigilance=True), old_labels)
    assert model.history_["n_categories"][-1] == model.n_categories_
    assert model.history_["n_changed"] == [100, 100, 100]


def test_partial_fit_of_the_whole_data_is_one_epoch_of_fit(blobs):
    X = blobs[0]
    once = FuzzyART(rho=0.7, scale=True, epochs=1).fit(X)
    streamed = FuzzyART(rho=0.7, scale=True).partial_fit(X)
    np.testing.assert_array_equal(streamed.weights_, once.weights_)
    np.testing.assert_array_equal(streamed.labels_, once.labels_)


def test_scaling_is_learned_on_the_first_batch_and_later_data_is_clipped():
    X = unit_square() * 10 - 5
    model = FuzzyART(rho=0.7, scale=True).partial_fit(X)
    np.testing.assert_array_equal(model.data_min_, X.min(axis=0))
    outside = np.array([[100.0, -100.0]])
    model.partial_fit(outside)   # clipped to the corner (1, 0) of the scaled square
    lower, upper = model.category_boxes()
    assert np.allclose(upper.max(axis=0)[0], X[:, 0].max())


# ------------------------------------------------------------------ the epochs and their end
def test_fit_stops_when_no_category_changes_and_callbacks_see_each_epoch():
    X = unit_square()
    seen = []
    model = FuzzyART(rho=0.8, epochs=50, callbacks=[lambda m, e: seen.append(e)]).fit(X)
    n_epochs = len(model.history_["n_changed"])
    assert model.history_["n_changed"][-1] == 0 and n_epochs < 50
    assert seen == list(range(n_epochs))
    assert len(model.history_["n_categories"]) == n_epochs
    stopped = FuzzyART(rho=0.8, epochs=50, callbacks=[lambda m, e: False]).fit(X)
    assert len(stopped.history_["n_changed"]) == 1


def test_epochs_caps_the_passes():
    model = FuzzyART(rho=0.8, epochs=1).fit(unit_square())
    assert model.history_["n_changed"] == [300]


def test_max_categories_leaves_unlearned_samples_at_minus_one():
    X = unit_square()
    model = FuzzyART(rho=0.9, max_categories=5).fit(X)
    assert model.n_categories_ == 5
    assert (model.labels_ == -1).any() and model.labels_.max() == 4
    assert (model.predict(X) >= 0).all()   # the choice alone always names a category


def test_predict_transform_and_vigilance():
    X = unit_square()
    model = FuzzyART(rho=0.8).fit(X)
    choice = model.transform(X)
    assert choice.shape == (len(X), model.n_categories_)
    np.testing.assert_array_equal(model.predict(X), choice.argmax(axis=1))
    far = np.array([[0.0, 1.0], [1.0, 0.0]])
    strict = FuzzyART(rho=0.95).fit(X[:20])
    assert (strict.predict(far, vigilance=True) == -1).all()   # novel at this vigilance
    assert (strict.predict(far) >= 0).all()
    assert np.array_equal(model.fit_predict(X), model.labels_)


# ------------------------------------------------------------------ determinism, dtypes
def test_the_order_is_the_given_one_unless_shuffled():
    X = unit_square()
    a = FuzzyART(rho=0.8, random_state=1).fit(X)
    b = FuzzyART(rho=0.8, random_state=2).fit(X)   # no shuffle: the seed is not used
    np.testing.assert_array_equal(a.weights_, b.weights_)
    c = FuzzyART(rho=0.8, shuffle=True, random_state=3).fit(X)
    d = FuzzyART(rho=0.8, shuffle=True, random_state=3).fit(X)
    np.testing.assert_array_equal(c.weights_, d.weights_)
    np.testing.assert_array_equal(c.labels_, d.labels_)
    e = FuzzyART(rho=0.8, shuffle=True, random_state=4).fit(X)
    assert c.weights_.shape != e.weights_.shape or not np.array_equal(c.weights_, e.weights_)


@pytest.mark.skipif("cython" not in available_backends(), reason="compiled kernels not built")
@pytest.mark.parametrize("Model, data", [(FuzzyART, "square"), (ART1, "binary")])
def test_numpy_and_cython_backends_agree(Model, data, binary_digits):
    X = unit_square() if data == "square" else binary_digits[0]
    params = dict(rho=0.7, shuffle=True, random_state=0)
    ref = Model(backend="numpy", **params).fit(X)
    fast = Model(backend="cython", **params).fit(X)
    np.testing.assert_array_equal(fast.labels_, ref.labels_)
    np.testing.assert_allclose(fast.weights_, ref.weights_, rtol=1e-12)
    assert fast.history_ == ref.history_
    np.testing.assert_array_equal(fast.predict(X, vigilance=True), ref.predict(X, vigilance=True))


def test_float32_is_kept():
    X = unit_square().astype(np.float32)
    model = FuzzyART(rho=0.8).fit(X)
    assert model.weights_.dtype == np.float32 and model.labels_.dtype == np.int64
    assert model.transform(X).dtype == np.float64


def test_without_complement_coding():
    X = 0.1 + 0.9 * unit_square()
    model = FuzzyART(rho=0.8, complement_coding=False).fit(X)
    assert model.weights_.shape == (model.n_categories_, 2)
    with pytest.raises(ValueError, match="category_boxes needs complement_coding=True"):
        model.category_boxes()


def test_category_boxes_in_data_units_hold_their_samples(blobs):
    X = blobs[0]
    model = FuzzyART(rho=0.7, scale=True).fit(X)
    lower, upper = model.category_boxes()
    tol = 1e-9 * np.abs(X).max()
    inside = (X >= lower[model.labels_] - tol) & (X <= upper[model.labels_] + tol)
    assert inside.all()


# --------------------------------------------------------------------------------- ART1
def test_art1_templates_are_the_features_their_samples_share(binary_digits):
    X, _ = binary_digits
    model = ART1(rho=0.5).fit(X)
    assert set(np.unique(model.weights_)) <= {0.0, 1.0}
    members = [X[model.labels_ == j] for j in range(model.n_categories_)]
    for template, rows in zip(model.weights_, members):
        if len(rows):   # fast learning at convergence: the AND of the samples it holds
            assert (template <= rows.min(axis=0)).all()
    sizes = model.weights_.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.bottom_up_weights_, 2.0 * model.weights_ / (1.0 + sizes))
    np.testing.assert_allclose(model.transform(X), X @ model.bottom_up_weights_.T)


def test_art1_is_fuzzy_art_without_complement_coding(binary_digits):
    X, _ = binary_digits
    for L in (1.5, 2.0, 4.0):
        art1 = ART1(rho=0.6, L=L).fit(X)
        fuzzy = FuzzyART(rho=0.6, alpha=L - 1, complement_coding=False).fit(X)
        np.testing.assert_array_equal(art1.labels_, fuzzy.labels_)
        np.testing.assert_array_equal(art1.weights_, fuzzy.weights_)
        np.testing.assert_array_equal(art1.predict(X), fuzzy.predict(X))


def test_art1_vigilance_and_conventions(binary_digits, tmp_path):
    X, _ = binary_digits
    counts = [ART1(rho=rho).fit(X).n_categories_ for rho in (0.2, 0.5, 0.8)]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    model = ART1(rho=0.5, L=3.0, epochs=4).fit(X)
    copy = clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "weights_")
    np.testing.assert_array_equal(copy.fit(X).labels_, model.labels_)
    loaded = load(model.save(tmp_path / "art1"))
    assert isinstance(loaded, ART1) and loaded.L == 3.0
    np.testing.assert_array_equal(loaded.weights_, model.weights_)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.bottom_up_weights_, model.bottom_up_weights_)
    pipe = Pipeline([("binary", Binarizer(threshold=6)), ("art", ART1(rho=0.5))])
    raw = datasets.load_digits()[0][:600]
    np.testing.assert_array_equal(pipe.fit(raw).predict(raw), ART1(rho=0.5).fit(X).predict(X))


# ------------------------------------------------------------------------ save and load
def test_save_load_round_trip_and_continue_streaming(blobs, tmp_path):
    X = blobs[0]
    model = FuzzyART(rho=0.7, beta=0.5, scale=True, max_categories=40).fit(X)
    loaded = load(model.save(tmp_path / "fuzzy"))
    assert loaded.get_params() == model.get_params()
    for name in ("weights_", "labels_", "data_min_", "data_max_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(model, name))
    assert loaded.history_ == model.history_ and loaded.n_categories_ == model.n_categories_
    np.testing.assert_array_equal(loaded.predict(X, vigilance=True),
                                  model.predict(X, vigilance=True))
    np.testing.assert_array_equal(loaded.partial_fit(X[:50]).weights_,
                                  model.partial_fit(X[:50]).weights_)


def test_pipeline_with_a_scaler():
    X = unit_square() * 100
    pipe = Pipeline([("scale", MinMaxScaler()), ("art", FuzzyART(rho=0.8))]).fit(X)
    scaled = MinMaxScaler().fit_transform(X)
    np.testing.assert_array_equal(pipe.predict(X), FuzzyART(rho=0.8).fit(scaled).predict(scaled))
    # the same as scaling inside the model, scale=True
    np.testing.assert_array_equal(pipe.predict(X), FuzzyART(rho=0.8, scale=True).fit(X).predict(X))


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("params, message", [
    (dict(rho=1.5), "rho must be >= 0 and <= 1, got 1.5"),
    (dict(rho=-0.1), "rho must be >= 0 and <= 1, got -0.1"),
    (dict(rho="high"), "rho must be a number, got 'high'"),
    (dict(alpha=0), "alpha must be > 0, got 0"),
    (dict(alpha=-1.0), "alpha must be > 0, got -1.0"),
    (dict(beta=0), "beta must be > 0 and <= 1, got 0"),
    (dict(beta=1.5), "beta must be > 0 and <= 1, got 1.5"),
    (dict(beta=np.nan), "beta must be finite, got nan"),
    (dict(max_categories=0), "max_categories must be >= 1, got 0"),
    (dict(max_categories=2.5), "max_categories must be an integer, got 2.5"),
    (dict(epochs=0), "epochs must be >= 1, got 0"),
    (dict(complement_coding="yes"), "complement_coding must be True or False, got 'yes'"),
    (dict(scale=1), "scale must be True or False, got 1"),
    (dict(shuffle=None), "shuffle must be True or False, got None"),
])
def test_fuzzy_art_bad_hyper_parameters(params, message):
    model = FuzzyART(**params)
    with pytest.raises(ValueError, match=message):
        model.fit(unit_square())
    assert not hasattr(model, "weights_")
    with pytest.raises(ValueError, match=message):
        FuzzyART(**params).partial_fit(unit_square())


def test_fuzzy_art_inputs_outside_the_unit_interval():
    X = unit_square()
    X[3, 1] = 1.5
    with pytest.raises(ValueError, match=r"X must lie in \[0, 1\] for FuzzyART, but its values "
                                         r"run from .* to 1\.5; scale the data first or pass "
                                         r"scale=True"):
        FuzzyART().fit(X)
    model = FuzzyART().fit(unit_square())
    with pytest.raises(ValueError, match=r"X must lie in \[0, 1\]"):
        model.predict(-unit_square())
    with pytest.raises(ValueError, match=r"X must lie in \[0, 1\]"):
        model.partial_fit(unit_square() + 1)
    FuzzyART(scale=True).fit(X)   # scaling accepts any range


def test_zero_rows_without_complement_coding():
    X = unit_square()
    X[5] = 0
    with pytest.raises(ValueError, match=r"X has 1 row\(s\) of zeros \(first at row 5\); "
                                         "without complement coding"):
        FuzzyART(complement_coding=False).fit(X)
    FuzzyART().fit(X)   # complement coded, the row is (0, 0, 1, 1)


@pytest.mark.parametrize("Model, X", [(FuzzyART, unit_square()),
                                      (ART1, np.eye(4)[np.arange(20) % 4])])
def test_shared_bad_input(Model, X):
    with pytest.raises(NotFittedError, match=rf"This {Model.__name__} is not fitted yet"):
        Model().predict(X)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        Model().transform(X)
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN value\(s\) \(first at row 2\)"):
        Model().fit(bad)
    with pytest.raises(ValueError, match=r"X contains 1 NaN"):
        Model().partial_fit(bad)
    model = Model().fit(X)
    with pytest.raises(ValueError, match=rf"X has 3 features, but {Model.__name__} is expecting "
                                         rf"{X.shape[1]} features as input"):
        model.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="X has 3 features"):
        model.partial_fit(np.ones((2, 3)))
    with pytest.raises(ValueError, match="vigilance must be True or False, got 'yes'"):
        model.predict(X, vigilance="yes")
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        model.predict(X[0])


@pytest.mark.parametrize("params, message", [
    (dict(L=1.0), "L must be > 1, got 1.0"),
    (dict(L=0.5), "L must be > 1, got 0.5"),
    (dict(rho=2), "rho must be >= 0 and <= 1, got 2"),
    (dict(max_categories=-1), "max_categories must be >= 1, got -1"),
])
def test_art1_bad_hyper_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        ART1(**params).fit(np.eye(3))


def test_art1_needs_binary_rows_with_a_one():
    with pytest.raises(ValueError, match=r"X must be binary \(only 0 and 1\) for ART1, but it "
                                         r"holds 0\.5 at row 1, column 2; threshold the data"):
        ART1().fit([[1, 0, 0], [0, 1, 0.5]])
    with pytest.raises(ValueError, match=r"X has 1 row\(s\) of zeros \(first at row 1\); ART1 "
                                         "needs at least one 1 per sample"):
        ART1().fit([[1, 0, 0], [0, 0, 0]])
    model = ART1().fit(np.array([[True, False], [False, True]]))   # booleans are binary
    with pytest.raises(ValueError, match="X must be binary"):
        model.predict([[2, 0]])


def test_ctrl_c_keeps_the_model_of_the_last_complete_epoch(monkeypatch):
    import warnings

    from neuroclust import TrainingInterruptedWarning
    from neuroclust.backend import reference

    X = unit_square()
    calls, original = [], reference.fuzzy_art_online

    def interrupted_second_epoch(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(*args)

    monkeypatch.setattr(reference, "fuzzy_art_online", interrupted_second_epoch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = FuzzyART(rho=0.8, backend="numpy").fit(X)
    assert any(issubclass(w.category, TrainingInterruptedWarning) for w in caught)
    one_epoch = FuzzyART(rho=0.8, epochs=1, backend="numpy")
    monkeypatch.undo()
    one_epoch.fit(X)
    assert model.history_ == one_epoch.history_
    np.testing.assert_array_equal(model.weights_, one_epoch.weights_)
    np.testing.assert_array_equal(model.labels_, one_epoch.labels_)
    assert model.predict(X).shape == (len(X),)


@pytest.mark.skipif("cupy" not in available_backends(), reason="needs CuPy and a CUDA GPU")
def test_on_the_gpu_as_on_the_cpu():
    import cupy

    X = unit_square()
    cpu = FuzzyART(rho=0.8, beta=0.5, backend="numpy").fit(X)
    gpu = FuzzyART(rho=0.8, beta=0.5, backend="cupy").fit(cupy.asarray(X))
    np.testing.assert_array_equal(gpu.labels_.get(), cpu.labels_)
    np.testing.assert_allclose(gpu.weights_.get(), cpu.weights_, rtol=1e-12)
    np.testing.assert_array_equal(gpu.predict(cupy.asarray(X), vigilance=True).get(),
                                  cpu.predict(X, vigilance=True))
    binary = (X > 0.5).astype(np.float64)
    binary[binary.sum(axis=1) == 0, 0] = 1
    np.testing.assert_array_equal(ART1(rho=0.5).fit(cupy.asarray(binary)).labels_.get(),
                                  ART1(rho=0.5, backend="numpy").fit(binary).labels_)
