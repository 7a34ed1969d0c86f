"""Never lose work: a rejected fit leaves the model as it was, Ctrl-C and divergence keep the
last good model, and data too large for squared distances is refused with a sentence.

The Ctrl-C cases that send a real SIGINT run in a subprocess: if the library let a second
KeyboardInterrupt escape, it would otherwise stop the whole test session.
"""
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from neuroclust import (SOM, Autoencoder, CompetitiveLearning, FuzzyART,
                        GrowingNeuralGas, KMeans, LatentClustering, datasets)
from neuroclust import SoftmaxAutoencoder
from neuroclust import ContrastiveClustering
from neuroclust import CNNI
from neuroclust.base import DivergenceWarning, TrainingInterruptedWarning, run_epochs


def blobs(n_features=4, n_samples=120, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4, size=(3, n_features))
    X = centres[rng.integers(3, size=n_samples)] + rng.normal(size=(n_samples, n_features))
    return (X - X.min()) / (X.max() - X.min())          # in [0, 1], for Fuzzy ART too


def fitted_state(model):
    return {name: value for name, value in vars(model).items()
            if name.endswith("_") or name.startswith("_")}


def assert_same_state(before, after):
    assert sorted(before) == sorted(after)
    for name, value in before.items():
        other = after[name]
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, other, err_msg=name)
        elif isinstance(value, (int, float, str, list, dict, type(None))):
            assert value == other, name
        elif isinstance(value, np.random.Generator):   # the same stream, not advanced
            assert value.bit_generator.state == other.bit_generator.state, name
        else:
            assert value is other, name


# ------------------------------------------------------------------ rejected re-fits
def _wrong_width_init(Estimator, n_units, n_features):
    return Estimator(n_clusters=n_units, init=np.zeros((n_units, n_features + 1)),
                     random_state=0)


REJECTED_REFITS = {
    "KMeans init of the wrong width": (
        lambda: KMeans(n_clusters=3, random_state=0),
        lambda model: model.set_params(init=np.zeros((3, 3))), (5,)),
    "CompetitiveLearning init of the wrong width": (
        lambda: CompetitiveLearning(n_clusters=3, random_state=0),
        lambda model: model.set_params(init=np.zeros((3, 7))), (5,)),
    "SOM 3-D init of the wrong shape": (
        lambda: SOM(shape=(3, 3), epochs=2, random_state=0),
        lambda model: model.set_params(init=np.zeros((3, 4, 5))), (5,)),
    "FuzzyART data outside [0, 1]": (
        lambda: FuzzyART(rho=0.6),
        lambda model: None, ("outside",)),
    "GrowingNeuralGas one sample": (
        lambda: GrowingNeuralGas(max_nodes=10, insert_every=20, epochs=2, random_state=0),
        lambda model: None, ("one_sample",)),
    "Autoencoder bce on data outside [0, 1]": (
        lambda: Autoencoder(hidden=(8,), latent_dim=2, epochs=2, loss="bce",
                            output_activation="sigmoid", random_state=0),
        lambda model: None, ("outside",)),
    "SoftmaxAutoencoder fewer samples than clusters": (
        lambda: SoftmaxAutoencoder(n_clusters=3, hidden=(8,), epochs=2, random_state=0),
        lambda model: None, ("one_sample",)),
    "ContrastiveClustering fewer samples than clusters": (
        lambda: ContrastiveClustering(n_clusters=3, hidden=(8,), latent_dim=2, epochs=2,
                                      random_state=0),
        lambda model: None, ("one_sample",)),
    "CNNI fewer samples than clusters": (
        lambda: CNNI(n_clusters=3, hidden=(8,), index="mmj_silhouette", epochs=2,
                     random_state=0),
        lambda model: None, ("one_sample",)),
}


def bad_data(kind):
    X = blobs(n_features=5 if kind == 5 else 4)
    if kind == "outside":
        return X * 3 - 1
    if kind == "one_sample":
        return X[:1]
    return X


@pytest.mark.parametrize("case", sorted(REJECTED_REFITS))
def test_a_rejected_refit_leaves_the_fitted_model_as_it_was(case):
    make, spoil, (kind,) = REJECTED_REFITS[case]
    X = blobs()
    model = make().fit(X)
    before = fitted_state(model)
    predicted = model.predict(X) if hasattr(model, "predict") else model.transform(X)
    spoil(model)
    with pytest.raises(ValueError):
        model.fit(bad_data(kind))
    assert_same_state(before, fitted_state(model))
    again = model.predict(X) if hasattr(model, "predict") else model.transform(X)
    np.testing.assert_array_equal(predicted, again)
    if kind == 5:   # the width of the rejected data is refused, not read out of bounds
        with pytest.raises(ValueError, match="features"):
            model.predict(bad_data(5))


def test_a_rejected_first_fit_leaves_the_model_unfitted():
    model = KMeans(n_clusters=3, init=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="init"):
        model.fit(blobs())
    assert fitted_state(model) == {}


def test_a_rejected_partial_fit_keeps_the_categories():
    model = FuzzyART(rho=0.6).partial_fit(blobs())
    before = fitted_state(model)
    with pytest.raises(ValueError):
        model.partial_fit(blobs() + 2)
    assert_same_state(before, fitted_state(model))


def test_latent_clustering_refuses_more_clusters_than_samples():
    model = LatentClustering(Autoencoder(hidden=(8,), latent_dim=2, epochs=1), n_clusters=50)
    with pytest.raises(ValueError, match="50"):
        model.fit(blobs(n_samples=30))
    assert fitted_state(model) == {}


# ------------------------------------------------------------------ Ctrl-C
class InterruptAt:
    """A callback that raises KeyboardInterrupt after the given epoch, as Ctrl-C would."""

    def __init__(self, epoch):
        self.epoch = epoch

    def __call__(self, model, epoch):
        if epoch == self.epoch:
            raise KeyboardInterrupt


@pytest.mark.parametrize("make", [
    lambda cb: SOM(shape=(4, 4), epochs=6, random_state=0, callbacks=[cb]),
    lambda cb: CompetitiveLearning(n_clusters=3, epochs=6, random_state=0, callbacks=[cb]),
    lambda cb: GrowingNeuralGas(max_nodes=10, insert_every=20, epochs=6, random_state=0,
                                callbacks=[cb]),
    lambda cb: FuzzyART(rho=0.9, epochs=6, shuffle=True, random_state=0, callbacks=[cb]),
    lambda cb: Autoencoder(hidden=(8,), latent_dim=2, epochs=6, random_state=0,
                           callbacks=[cb]),
    lambda cb: SoftmaxAutoencoder(n_clusters=3, hidden=(8,), epochs=6, random_state=0,
                                  callbacks=[cb]),
    lambda cb: ContrastiveClustering(n_clusters=3, hidden=(8,), latent_dim=2, epochs=6,
                                     n_init=1, random_state=0, callbacks=[cb]),
    lambda cb: CNNI(n_clusters=3, hidden=(8,), index="mmj_silhouette", epochs=6,
                    random_state=0, callbacks=[cb]),
], ids=["SOM", "CompetitiveLearning", "GrowingNeuralGas", "FuzzyART", "Autoencoder",
        "SoftmaxAutoencoder", "ContrastiveClustering", "CNNI"])
def test_ctrl_c_in_a_callback_keeps_the_epochs_done(make):
    X = blobs()
    with pytest.warns(TrainingInterruptedWarning, match="interrupted during epoch 3"):
        model = make(InterruptAt(2)).fit(X)
    history = model.history_
    values = next(iter(history.values()))
    assert len(values) == 3                     # the epoch whose callback was interrupted
    (model.predict(X) if hasattr(model, "predict") else model.transform(X))


def test_ctrl_c_in_fuzzy_art_before_any_category_leaves_the_model_as_it_was():
    X = blobs()

    def interrupt_first_epoch(inputs, *args, **kwargs):
        raise KeyboardInterrupt

    model = FuzzyART(rho=0.6)
    model._present = interrupt_first_epoch
    with pytest.raises(KeyboardInterrupt, match="before its first epoch ended"):
        model.fit(X)
    assert not hasattr(model, "weights_")


def test_ctrl_c_in_kmeans_keeps_the_best_run_so_far(monkeypatch):
    import neuroclust.models.kmeans as kmeans_module

    X = blobs()
    calls = {"n": 0}
    real = kmeans_module._centres_from_sums

    def interrupting(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(kmeans_module, "_centres_from_sums", interrupting)
    with pytest.warns(TrainingInterruptedWarning):
        model = KMeans(n_clusters=3, init="random_samples", n_init=5, max_iter=50,
                       random_state=0).fit(X)
    assert model.n_iter_ == 2 and len(model.history_["inertia"]) == 2
    assert model.cluster_centers_.shape == (3, 4)
    assert model.labels_.shape == (len(X),)


SECOND_CTRL_C = textwrap.dedent("""
    import os, signal, warnings
    import numpy as np
    from neuroclust import SOM
    from neuroclust.models import som as som_module

    warnings.simplefilter("ignore")
    X = np.random.default_rng(0).random((200, 3))

    def press_ctrl_c(model, epoch):
        if epoch == 1:
            os.kill(os.getpid(), signal.SIGINT)        # the first press, during a callback

    real = SOM._labels_of_winners
    def second_press(self, winners):                   # the second, while the model finishes
        os.kill(os.getpid(), signal.SIGINT)
        return real(self, winners)

    SOM._labels_of_winners = second_press
    model = SOM(shape=(4, 4), epochs=5, random_state=0, callbacks=[press_ctrl_c]).fit(X)
    assert len(model.history_["quantization_error"]) == 2, model.history_
    assert model.labels_.shape == (200,)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    print("kept", len(model.history_["quantization_error"]))
""")


def test_a_second_ctrl_c_while_the_model_finishes_is_ignored():
    result = subprocess.run([sys.executable, "-c", SECOND_CTRL_C], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "kept 2"


# ------------------------------------------------------------------ divergence
def test_an_overflowing_autoencoder_keeps_its_good_epochs():
    X = datasets.load_digits()[0] / 16

    def blow_up(model, epoch):
        if epoch == 2:
            model.parameters_ *= 1e20

    with pytest.warns(DivergenceWarning, match="epoch 4.*after epoch 3"):
        model = Autoencoder(hidden=(32,), latent_dim=4, epochs=6, dtype="float32",
                            random_state=0, callbacks=[blow_up]).fit(X)
    assert len(model.history_["loss"]) == 3
    assert np.isfinite(model.transform(X)).all()
    assert np.abs(model.parameters_).max() < 1e3


def test_plain_sgd_that_diverges_in_epoch_one_keeps_the_starting_weights():
    X = datasets.load_digits()[0] / 16
    with pytest.warns(DivergenceWarning, match="epoch 1"):
        model = Autoencoder(hidden=(32,), latent_dim=4, optimizer="sgd", learning_rate=0.3,
                            epochs=3, random_state=0).fit(X)
    assert model.history_["loss"] == []
    assert np.isfinite(model.transform(X)).all()


@pytest.mark.parametrize("learning_rate", [0.5, 5.0])
def test_a_mexican_hat_som_stops_before_its_prototypes_run_away(learning_rate):
    X = blobs(n_features=3)
    with pytest.warns(DivergenceWarning):
        model = SOM(shape=(6, 6), neighbourhood="mexican_hat", learning_rate=learning_rate,
                    epochs=30, random_state=0).fit(X)
    span = X.max() - X.min()
    assert np.abs(model.cluster_centers_).max() < 1e3 * span + np.abs(X).max()


def test_fuzzy_art_scales_data_spanning_the_whole_float64_range():
    X = np.random.default_rng(0).uniform(-1, 1, (200, 3))
    huge = FuzzyART(rho=0.5, scale=True).fit(X * 1e308)
    unit = FuzzyART(rho=0.5, scale=True).fit(X)
    assert np.isfinite(huge.weights_).all()
    np.testing.assert_array_equal(huge.labels_, unit.labels_)


@pytest.mark.parametrize("Estimator", [KMeans, CompetitiveLearning, GrowingNeuralGas, SOM])
@pytest.mark.parametrize("dtype, scale", [(np.float64, 1e200), (np.float32, 1e20)])
def test_data_whose_squared_distances_overflow_is_refused(Estimator, dtype, scale):
    X = (blobs() * scale).astype(dtype)
    with pytest.raises(ValueError, match="squared distances .* overflow"):
        Estimator().fit(X)
    model = Estimator().fit(blobs().astype(dtype))
    with pytest.raises(ValueError, match="squared distances .* overflow"):
        model.predict(X)


def test_large_but_representable_data_still_clusters():
    X = blobs() * 1e100
    model = KMeans(n_clusters=3, random_state=0).fit(X)
    assert np.isfinite(model.inertia_)
    reference = KMeans(n_clusters=3, random_state=0).fit(blobs())
    np.testing.assert_array_equal(model.labels_, reference.labels_)


# ------------------------------------------------------------------ the loop itself
def test_run_epochs_checks_callbacks_and_verbose_before_the_first_epoch():
    ran = []
    common = dict(snapshot=lambda: None, restore=lambda state: None)
    with pytest.raises(ValueError, match="callbacks"):
        run_epochs(None, 3, ran.append, callbacks=[1], **common)
    with pytest.raises(ValueError, match="callbacks"):
        run_epochs(None, 3, ran.append, callbacks=print, **common)
    with pytest.raises(ValueError, match="verbose"):
        run_epochs(None, 3, ran.append, verbose="yes", **common)
    assert ran == []


def test_run_epochs_says_why_it_stopped():
    common = dict(snapshot=lambda: None, restore=lambda state: None)
    assert run_epochs(None, 3, lambda epoch: 1.0, **common).stopped_by is None
    assert run_epochs(None, 3, lambda epoch: 1.0, callbacks=[lambda m, e: False],
                      **common).stopped_by == "callback"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert run_epochs(None, 3, lambda epoch: float("nan"), **common).stopped_by == "divergence"


def test_a_float64_model_beyond_float32_refuses_float32_queries():
    X = blobs() * 1e60
    model = KMeans(n_clusters=3, random_state=0).fit(X)
    with pytest.raises(ValueError, match="beyond the range of X's float32"):
        model.predict(blobs().astype(np.float32))
    assert model.predict(blobs()).shape == (len(X),)


# ------------------------------------------------------------------ set_params after fit
FIXED_AFTER_FIT = [
    (lambda: SOM(shape=(3, 3), epochs=2, random_state=0), {"shape": (5, 5)}),
    (lambda: SOM(shape=(3, 3), epochs=2, random_state=0), {"n_clusters": 2}),
    (lambda: KMeans(n_clusters=3, random_state=0), {"n_clusters": 4}),
    (lambda: CompetitiveLearning(n_clusters=3, random_state=0), {"n_clusters": 4}),
    (lambda: FuzzyART(rho=0.6), {"complement_coding": False}),
    (lambda: FuzzyART(rho=0.6), {"scale": True}),
    (lambda: Autoencoder(hidden=(8,), latent_dim=2, epochs=2, random_state=0),
     {"activation": "tanh"}),
    (lambda: Autoencoder(hidden=(8,), latent_dim=2, epochs=2, random_state=0),
     {"latent_dim": 3}),
]


@pytest.mark.parametrize("make, change", FIXED_AFTER_FIT,
                         ids=[f"{i}-{sorted(c)[0]}" for i, (_, c) in enumerate(FIXED_AFTER_FIT)])
def test_a_parameter_the_fitted_model_is_made_of_cannot_change_under_it(make, change, tmp_path):
    X = blobs()
    model = make().fit(X)
    model.set_params(**change)
    name = next(iter(change))
    query = getattr(model, "predict", None) or model.transform
    with pytest.raises(ValueError, match=f"{name} was changed after fit"):
        query(X)
    with pytest.raises(ValueError, match=f"{name} was changed after fit"):
        model.save(tmp_path / "model.npz")
    model.fit(X)                                  # a new fit makes it the model's again
    query = getattr(model, "predict", None) or model.transform
    query(X)


def test_parameters_that_only_steer_the_next_fit_may_change():
    X = blobs()
    model = SOM(shape=(3, 3), epochs=2, random_state=0).fit(X)
    model.set_params(shape=[3, 3], epochs=9, learning_rate=0.1, verbose=True)
    model.predict(X)
    art = FuzzyART(rho=0.6).fit(X).set_params(rho=0.9)     # a vigilance sweep
    art.predict(X, vigilance=True)
    with pytest.raises(ValueError, match="rho"):
        art.set_params(rho=5).predict(X)


def test_a_rejected_refit_keeps_history_as_it_was():
    X = blobs()
    model = CompetitiveLearning(n_clusters=3, epochs=2, random_state=0).fit(X)
    history = list(model.history_["quantization_error"])
    with pytest.raises(ValueError):
        model.fit(np.full_like(X, np.nan))
    assert list(model.history_) == ["quantization_error"] and model.history_["quantization_error"] == history


def test_partial_fit_refuses_to_go_on_with_a_changed_template_width():
    X = blobs()
    model = FuzzyART(rho=0.6).partial_fit(X)
    model.set_params(complement_coding=False)
    with pytest.raises(ValueError, match="complement_coding was changed after fit"):
        model.partial_fit(X)


@pytest.mark.parametrize("Estimator", [KMeans, CompetitiveLearning, GrowingNeuralGas, SOM])
@pytest.mark.parametrize("dtype, scale", [(np.float64, 1e-170), (np.float32, 1e-20)])
def test_data_whose_squared_distances_underflow_is_refused(Estimator, dtype, scale):
    X = (blobs() * scale).astype(dtype)
    with pytest.raises(ValueError, match="underflow"):
        Estimator().fit(X)


def test_tiny_but_representable_data_still_clusters():
    model = KMeans(n_clusters=3, random_state=0).fit(blobs() * 1e-100)
    reference = KMeans(n_clusters=3, random_state=0).fit(blobs())
    np.testing.assert_array_equal(model.labels_, reference.labels_)


def test_constant_data_is_not_refused():
    CompetitiveLearning(n_clusters=2, epochs=2, random_state=0).fit(np.ones((10, 3)))


def test_an_autoencoder_refuses_data_whose_squares_overflow():
    with pytest.raises(ValueError, match="squares"):
        Autoencoder(hidden=(4,), latent_dim=2, epochs=1).fit(
            (blobs() * 1e37).astype(np.float32))


def test_weights_blown_up_by_the_last_step_of_an_epoch_are_not_kept():
    X = blobs()
    with pytest.warns(DivergenceWarning):
        model = Autoencoder(hidden=(4,), latent_dim=2, epochs=3, learning_rate=1e30,
                            dtype="float32", random_state=0).fit(X)
    assert np.isfinite(model.transform(X)).all()


@pytest.mark.parametrize("hidden", ["", "64", {}, {64}])
def test_hidden_must_be_a_sequence_of_widths(hidden):
    with pytest.raises(ValueError, match="hidden must be a tuple"):
        Autoencoder(hidden=hidden).fit(blobs())


def test_a_loaded_model_guards_its_parameters_too(tmp_path):
    import neuroclust

    path = SOM(shape=(3, 3), epochs=2, random_state=0).fit(blobs()).save(tmp_path / "som")
    loaded = neuroclust.load(path).set_params(shape=(4, 4))
    with pytest.raises(ValueError, match="shape was changed after fit"):
        loaded.predict(blobs())


def test_parameters_for_the_next_fit_may_change_before_save(tmp_path):
    import neuroclust

    model = KMeans(n_clusters=3, max_iter=50, random_state=0).fit(blobs())
    path = model.set_params(max_iter=1).save(tmp_path / "kmeans")
    np.testing.assert_array_equal(neuroclust.load(path).predict(blobs()), model.labels_)
    graph = GrowingNeuralGas(max_nodes=10, insert_every=10, epochs=3, random_state=0).fit(blobs())
    path = graph.set_params(max_age=1).save(tmp_path / "gng")
    neuroclust.load(path).partial_fit(blobs())
