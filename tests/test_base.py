"""Tests for neuroclust.base: the shared epoch loop (NaN guard, Ctrl-C, callbacks, verbose)."""
import warnings

import numpy as np
import pytest

import neuroclust
from neuroclust import CompetitiveLearning, DivergenceWarning, TrainingInterruptedWarning
from neuroclust.backend import reference
from neuroclust.base import LastPass, run_epochs


@pytest.fixture(autouse=True)
def _backend_not_forced(monkeypatch):
    """These tests choose their backends; NEUROCLUST_BACKEND in the environment would override
    that choice (e.g. make a "cython" run use the reference), so it is cleared here."""
    monkeypatch.delenv("NEUROCLUST_BACKEND", raising=False)


class FakeTraining:
    """A training run whose state is a counter of finished epochs and a list of values."""

    def __init__(self, values, interrupt_at=None):
        self.values = values          # what run_epoch returns at each epoch
        self.interrupt_at = interrupt_at
        self.state = {"epochs_done": 0}
        self.restored = []            # every state passed to _restore
        self.calls = []

    def run_epoch(self, epoch):
        self.calls.append(epoch)
        if epoch == self.interrupt_at:
            self.state["epochs_done"] = -999  # half-done work that must be rolled back
            raise KeyboardInterrupt
        self.state["epochs_done"] = epoch + 1
        return self.values[epoch]

    def _snapshot(self):
        return dict(self.state)

    def _restore(self, state):
        self.restored.append(dict(state))
        self.state = dict(state)

    def run(self, n_epochs, **kwargs):
        return run_epochs(self, n_epochs, self.run_epoch, **kwargs)


def test_run_epochs_records_every_epoch():
    training = FakeTraining([5.0, 4.0, 3.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean run warns about nothing
        history = training.run(4)
    assert history == [5.0, 4.0, 3.0, 2.0]
    assert training.calls == [0, 1, 2, 3]
    assert training.restored == []
    assert all(isinstance(value, float) for value in history)


def test_run_epochs_accepts_numpy_scalars():
    history = FakeTraining([np.float32(1.5), np.float64(0.5)]).run(2)
    assert history == [1.5, 0.5] and all(type(value) is float for value in history)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), np.float32("nan")])
def test_a_non_finite_value_stops_and_restores_the_last_good_state(bad):
    training = FakeTraining([3.0, 2.0, bad, 1.0, 0.5])
    with pytest.warns(DivergenceWarning, match=r"training diverged at epoch 3 \(loss became "
                                               r"(nan|inf|-inf)\).*kept the last good weights"):
        history = training.run(5)
    assert history == [3.0, 2.0]
    assert training.calls == [0, 1, 2]  # nothing runs after the divergence
    assert training.restored == [{"epochs_done": 2}]  # the state after epoch 2
    assert training.state == {"epochs_done": 2}


def test_divergence_at_the_first_epoch_restores_the_initial_state():
    training = FakeTraining([float("nan")])
    with pytest.warns(DivergenceWarning, match="epoch 1"):
        history = training.run(3)
    assert history == []
    assert training.restored == [{"epochs_done": 0}]


def test_the_divergence_message_names_the_metric():
    training = FakeTraining([1.0, float("nan")])
    with pytest.warns(DivergenceWarning, match=r"quantization error became nan"):
        training.run(2, metric="quantization error")


def test_keyboard_interrupt_stops_and_restores_the_last_complete_epoch():
    training = FakeTraining([3.0, 2.0, 1.0, 0.5], interrupt_at=2)
    with pytest.warns(TrainingInterruptedWarning,
                      match="interrupted during epoch 3; the model keeps the weights after "
                            "epoch 2"):
        history = training.run(4)
    assert history == [3.0, 2.0]
    assert training.calls == [0, 1, 2]
    assert training.restored == [{"epochs_done": 2}]
    assert training.state == {"epochs_done": 2}  # the half-done epoch is rolled back


def test_keyboard_interrupt_in_the_first_epoch():
    training = FakeTraining([1.0], interrupt_at=0)
    with pytest.warns(TrainingInterruptedWarning, match="after epoch 0"):
        assert training.run(3) == []
    assert training.state == {"epochs_done": 0}


def test_other_exceptions_propagate():
    def broken(epoch):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_epochs(FakeTraining([]), 3, broken)


def test_warnings_are_runtime_warnings_and_exported():
    assert issubclass(DivergenceWarning, RuntimeWarning)
    assert issubclass(TrainingInterruptedWarning, RuntimeWarning)
    assert neuroclust.DivergenceWarning is DivergenceWarning
    assert neuroclust.TrainingInterruptedWarning is TrainingInterruptedWarning


def test_state_is_snapshotted_after_every_good_epoch():
    # The loop must copy the state after each epoch, not keep the first one: the divergence
    # at epoch 4 rolls back to the end of epoch 3, not to the start.
    training = FakeTraining([1.0, 1.0, 1.0, float("nan")])
    with pytest.warns(DivergenceWarning):
        training.run(4)
    assert training.restored == [{"epochs_done": 3}]


# ---------------------------------------------------------------------------- callbacks
def test_callbacks_get_the_estimator_and_epoch():
    training = FakeTraining([1.0, 1.0, 1.0])
    seen = []
    training.run(3, callbacks=[lambda est, epoch: seen.append((est, epoch))])
    assert seen == [(training, 0), (training, 1), (training, 2)]


def test_a_callback_returning_false_stops_the_loop():
    training = FakeTraining([1.0] * 10)
    history = training.run(10, callbacks=[lambda est, epoch: epoch != 3])
    assert len(history) == 4
    assert training.calls == [0, 1, 2, 3]
    assert training.restored == []  # stopping by callback keeps the current state


def test_callbacks_do_not_run_for_a_diverged_epoch():
    training = FakeTraining([1.0, float("nan"), 1.0])
    seen = []
    with pytest.warns(DivergenceWarning):
        training.run(3, callbacks=[lambda est, epoch: seen.append(epoch)])
    assert seen == [0]


def test_falsy_but_not_false_return_values_do_not_stop():
    training = FakeTraining([1.0] * 3)
    assert len(training.run(3, callbacks=[lambda est, epoch: 0])) == 3


# ---------------------------------------------------------------------------- verbose
def test_quiet_by_default(capsys):
    FakeTraining([1.0, 0.5]).run(2)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_true_shows_a_progress_bar(capsys):
    FakeTraining([1.0, 0.5, 0.25]).run(3, verbose=True, description="fake training")
    captured = capsys.readouterr()
    assert "fake training" in captured.err
    assert "epoch 1/3" not in captured.out  # per-epoch lines only at verbose=2


def test_verbose_two_prints_a_line_per_epoch(capsys):
    FakeTraining([1.0, 0.5, 0.25]).run(3, verbose=2, metric="loss")
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    assert lines == ["epoch 1/3  loss 1", "epoch 2/3  loss 0.5", "epoch 3/3  loss 0.25"]


def five_blobs(n_samples=200, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[1, 2, 1], [2, 5, 2], [-3, 3, 0], [5, -1, -1], [-2, -2, -2]], float)
    return centres[np.arange(n_samples) % 5] + 0.8 * rng.normal(size=(n_samples, 3))


def test_competitive_learning_verbose_runs(capsys):
    X = five_blobs()
    model = CompetitiveLearning(n_clusters=5, epochs=3, random_state=0, verbose=True).fit(X)
    assert len(model.history_["quantization_error"]) == 3
    assert "competitive learning" in capsys.readouterr().err
    CompetitiveLearning(n_clusters=5, epochs=3, random_state=0, verbose=2).fit(X)
    out = capsys.readouterr().out
    assert [line.split()[1] for line in out.splitlines() if line.startswith("epoch")] == [
        "1/3", "2/3", "3/3"]
    assert "quantization error" in out


# --------------------------------------------------------------- end to end: Ctrl-C in fit
@pytest.mark.parametrize("mode", ["online", "batch"])
def test_ctrl_c_during_fit_leaves_a_usable_model(monkeypatch, mode):
    X = five_blobs()
    kwargs = dict(n_clusters=5, learning_rate=0.1, mode=mode, random_state=0, backend="numpy")
    two_epochs = CompetitiveLearning(epochs=2, **kwargs).fit(X)

    kernel = "wta_online" if mode == "online" else "bmu_accumulate"
    original = getattr(reference, kernel)
    calls = []

    def interrupted_on_third_call(X, W, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            W += 100.0  # a half-finished update, as if Ctrl-C came mid-kernel
            raise KeyboardInterrupt
        return original(X, W, *args, **kwargs)

    monkeypatch.setattr(reference, kernel, interrupted_on_third_call)
    model = CompetitiveLearning(epochs=10, **kwargs)
    with pytest.warns(TrainingInterruptedWarning, match="during epoch 3"):
        returned = model.fit(X)
    assert returned is model
    assert len(calls) == 3
    assert len(model.history_["quantization_error"]) == 2
    # The model is the model after two complete epochs, and it works.
    np.testing.assert_array_equal(model.cluster_centers_, two_epochs.cluster_centers_)
    np.testing.assert_array_equal(model.labels_, model.predict(X))
    assert model.predict(X).shape == (len(X),)
    assert model.score(X) == pytest.approx(-model.history_["quantization_error"][-1])


def poison_weights(monkeypatch, on_call, rows):
    """Make the reference wta_online set ``W[rows]`` to NaN on its ``on_call``-th call."""
    original = reference.wta_online
    calls = []

    def poisoned(X, W, *args, **kwargs):
        calls.append(1)
        result = original(X, W, *args, **kwargs)
        if len(calls) == on_call:
            W[rows] = np.nan  # the weights blow up
        return result

    monkeypatch.setattr(reference, "wta_online", poisoned)


def test_divergence_during_fit_keeps_the_last_good_weights(monkeypatch):
    X = five_blobs()
    kwargs = dict(n_clusters=5, learning_rate=0.1, random_state=0, backend="numpy")
    three_epochs = CompetitiveLearning(epochs=3, **kwargs).fit(X)
    poison_weights(monkeypatch, on_call=4, rows=slice(None))
    model = CompetitiveLearning(epochs=10, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's "invalid value" on NaN
        warnings.simplefilter("always", DivergenceWarning)
        with pytest.warns(DivergenceWarning, match="diverged at epoch 4"):
            model.fit(X)
    assert len(model.history_["quantization_error"]) == 3
    assert np.all(np.isfinite(model.cluster_centers_))
    np.testing.assert_array_equal(model.cluster_centers_, three_epochs.cluster_centers_)
    np.testing.assert_array_equal(model.predict(X), three_epochs.predict(X))


def test_divergence_of_one_prototype_is_caught(monkeypatch):
    X = five_blobs()
    poison_weights(monkeypatch, on_call=4, rows=2)
    model = CompetitiveLearning(n_clusters=5, learning_rate=0.1, epochs=10, random_state=0,
                                backend="numpy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("always", DivergenceWarning)
        with pytest.warns(DivergenceWarning):
            model.fit(X)
    assert np.all(np.isfinite(model.cluster_centers_))


# ------------------------------------------------------- save / load: estimators in estimators
class NestingWrapper(neuroclust.base.BaseEstimator):
    """A model made of a model: ``inner`` (a parameter) is copied and fitted as ``inner_``."""

    def __init__(self, inner=None, scale=1.0, sizes=(1, 2)):
        self.inner = inner
        self.scale = scale
        self.sizes = sizes

    def fit(self, X, y=None):
        if self.inner is not None:
            self.inner_ = type(self.inner)(**self.inner.get_params(deep=False)).fit(X)
        self.offset_ = self.scale * X.mean(axis=0)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return self.inner_.predict(X - self.offset_)


def three_deep():
    """A wrapper of a wrapper of a KMeans whose initial centres are an array parameter."""
    X = five_blobs(100)
    init = X[:5].copy()
    kmeans = neuroclust.KMeans(n_clusters=5, init=init, n_init=1, random_state=0)
    inner = NestingWrapper(inner=kmeans, scale=0.5, sizes=(3, 4))
    return NestingWrapper(inner=inner, scale=2.0).fit(X), X


def test_estimators_nest_to_any_depth_in_one_file(tmp_path):
    import json

    model, X = three_deep()
    path = model.save(tmp_path / "nested")
    with np.load(path, allow_pickle=False) as archive:
        keys = set(archive.files)
        meta = json.loads(str(archive["__meta__"]))
    assert {"offset_", "inner_.offset_", "inner_.inner_.cluster_centers_",
            "inner.inner.__param__init", "inner_.inner.__param__init",
            "inner_.inner_.__param__init"} <= keys
    assert meta["format_version"] == 3
    assert meta["estimators"]["inner_"]["estimators"]["inner_"]["class"] == "KMeans"
    assert meta["estimator_params"]["inner"]["estimator_params"]["inner"]["class"] == "KMeans"

    loaded = neuroclust.load(path)
    assert loaded.scale == 2.0 and loaded.inner.scale == 0.5 and loaded.inner.sizes == (3, 4)
    assert isinstance(loaded.inner.inner, neuroclust.KMeans)
    assert not hasattr(loaded.inner, "inner_")           # a parameter comes back unfitted
    np.testing.assert_array_equal(loaded.inner.inner.init, model.inner.inner.init)
    np.testing.assert_array_equal(loaded.inner_.inner_.init, model.inner_.inner_.init)
    np.testing.assert_array_equal(loaded.inner_.inner_.cluster_centers_,
                                  model.inner_.inner_.cluster_centers_)
    assert loaded.inner_.inner_.n_iter_ == model.inner_.inner_.n_iter_
    np.testing.assert_array_equal(loaded.inner_.offset_, model.inner_.offset_)
    np.testing.assert_array_equal(loaded.inner_.predict(X), model.inner_.predict(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_a_model_without_nesting_is_written_in_the_current_format(tmp_path):
    import json

    X = five_blobs(60)
    path = NestingWrapper(scale=3.0).fit(X).save(tmp_path / "flat")
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["__meta__", "offset_"]
        meta = json.loads(str(archive["__meta__"]))
    assert meta == {"format": "neuroclust-model", "format_version": 3,
                    "class": "NestingWrapper",
                    "params": {"inner": None, "scale": 3.0, "sizes": [1, 2]},
                    "array_params": [], "tuple_params": ["sizes"],
                    "attributes": {"n_features_in_": 3}}


def test_an_old_file_loads_unchanged(tmp_path):
    import json

    # written by hand as neuroclust wrote files before nesting, with an array parameter
    meta = {"format": "neuroclust-model", "format_version": 1, "class": "KMeans",
            "params": {"n_clusters": 2, "init": None, "n_init": 1, "max_iter": 300,
                       "tol": 1e-4, "random_state": 0, "verbose": False, "backend": "auto"},
            "array_params": ["init"], "tuple_params": [],
            "attributes": {"n_features_in_": 2, "inertia_": 1.5, "backend_": "numpy",
                           "n_iter_": 2, "history_": [3.0, 1.5]}}
    centres = np.array([[0.0, 0.0], [5.0, 5.0]])
    path = tmp_path / "old.npz"
    np.savez(path, __meta__=np.array(json.dumps(meta)), __param__init=centres,
             cluster_centers_=centres, labels_=np.array([0, 1]))
    model = neuroclust.load(path)
    assert isinstance(model, neuroclust.KMeans) and model.n_clusters == 2
    np.testing.assert_array_equal(model.init, centres)
    assert model.inertia_ == 1.5 and model.backend_ == "numpy"
    assert model.history_ == {"inertia": [3.0, 1.5]}   # a list then, a dict of lists now
    assert not hasattr(model, "__param__init")
    np.testing.assert_array_equal(model.predict([[0.1, -0.2], [4.0, 6.0]]), [0, 1])


def corrupt_nested(tmp_path, change):
    import json

    model, _ = three_deep()
    path = model.save(tmp_path / "nested")
    with np.load(path, allow_pickle=False) as archive:
        contents = {key: archive[key] for key in archive.files}
    meta = json.loads(str(contents.pop("__meta__")))
    change(meta)
    np.savez(path, __meta__=np.array(json.dumps(meta)), **contents)
    return path


@pytest.mark.parametrize("change, message", [
    (lambda meta: meta["estimators"]["inner_"]["estimators"]["inner_"].update(
        {"class": "NoSuchModel"}), r"unknown model class 'NoSuchModel' \(in inner_.inner_\)"),
    (lambda meta: meta["estimators"]["inner_"].pop("attributes"),
     r"corrupt neuroclust model file .* \(in inner_\)\.$"),
    (lambda meta: meta["estimators"].update(inner_=[1, 2]), r"corrupt neuroclust model file"),
    (lambda meta: meta.update(estimators={"not a name": {}}), r"corrupt neuroclust model file"),
    (lambda meta: meta["estimator_params"]["inner"]["params"].update(colour="red"),
     r"parameters that NestingWrapper does not accept .* \(in inner\)"),
    (lambda meta: meta.update(format_version=4),
     r"written in model format 4, but this neuroclust reads formats 1 to 3"),
], ids=["class", "attributes", "not-a-dict", "name", "params", "version"])
def test_a_corrupt_nested_description_is_one_clear_error(tmp_path, change, message):
    path = corrupt_nested(tmp_path, change)
    with pytest.raises(ValueError, match=message):
        neuroclust.load(path)


def test_an_estimator_that_contains_itself_cannot_be_saved(tmp_path):
    model = NestingWrapper().fit(five_blobs(20))
    model.inner_ = model
    with pytest.raises(ValueError, match="NestingWrapper cannot be saved: it contains itself"):
        model.save(tmp_path / "loop")


def test_clone_copies_the_parameters_unfitted():
    from neuroclust import KMeans
    from neuroclust.base import clone

    fitted = KMeans(n_clusters=2, random_state=0).fit(np.random.default_rng(0).random((10, 2)))
    copy = clone(fitted, n_clusters=3)
    assert type(copy) is KMeans and copy.n_clusters == 3 and copy.random_state == 0
    assert not hasattr(copy, "cluster_centers_")
    assert clone(fitted).get_params() == fitted.get_params()


# ------------------------------------------------------------------ LastPass
def test_last_pass_gives_its_winners_only_for_the_prototypes_it_ran_on():
    W = np.arange(6.0).reshape(3, 2)
    last = LastPass()
    assert last.winners_for(W) is None                 # no pass yet
    winners = np.array([0, 2, 1])
    last.keep(winners, W)
    assert last.winners_for(W.copy()) is winners       # equal prototypes, another array
    W[1, 0] += 1e-12                                   # changed in place after the pass
    assert last.winners_for(W) is None
    assert last.winners_for(np.arange(6.0, dtype=np.float32).reshape(3, 2)) is None
    assert last.winners_for(np.arange(4.0).reshape(2, 2)) is None
    nan = np.full((3, 2), np.nan)
    last.keep(winners, nan)
    assert last.winners_for(nan) is None               # NaN equals nothing: a pass of its own


def test_run_epochs_stop_when_ends_training_as_converged():
    seen = []
    history = run_epochs(None, 10, lambda epoch: float(epoch), snapshot=lambda: None,
                         restore=lambda state: None, stop_when=lambda epoch: epoch == 2,
                         callbacks=[lambda model, epoch: seen.append(epoch)])
    assert list(history) == [0.0, 1.0, 2.0] and history.stopped_by == "converged"
    assert seen == [0, 1, 2]                    # the callbacks ran first, every epoch
