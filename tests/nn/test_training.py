"""The training loop (neuroclust/nn/training.py): the loss falls on small regression and
autoencoder problems, results are reproducible, validation and early stopping stop at the
epoch worked out by hand, and a diverging or interrupted run keeps finite, usable weights."""
import numpy as np
import pytest

from neuroclust.base import DivergenceWarning, TrainingInterruptedWarning
from neuroclust.nn import SGD, Adam, Dense, MeanSquaredError, Sequential, Tanh, train


def regression_data(seed=0, n=64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.01 * rng.normal(size=(n, 1))
    return X, y


def regression_model(seed=0):
    return Sequential([Dense(3, 8, init="glorot", random_state=seed), Tanh(),
                       Dense(8, 1, init="glorot", random_state=seed + 1)])


def test_loss_decreases_on_a_small_regression():
    X, y = regression_data()
    history = train(regression_model(), MeanSquaredError(), Adam(0.02), X, y, epochs=40,
                    batch_size=16, random_state=0)
    assert len(history["loss"]) == 40 and history["val_loss"] == []
    assert history["loss"][-1] < 0.1 * history["loss"][0]


def test_autoencoder_target_is_x_when_y_is_none():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 2)) @ rng.normal(size=(2, 4))        # rank 2 in 4 dimensions
    model = Sequential([Dense(4, 2, init="glorot", random_state=0),
                        Dense(2, 4, init="glorot", random_state=1)])
    history = train(model, MeanSquaredError(), Adam(0.01), X, epochs=60, batch_size=16,
                    random_state=0)
    assert history["loss"][-1] < 0.05 * history["loss"][0]


def test_same_random_state_gives_identical_weights_and_history():
    X, y = regression_data()
    runs = []
    for _ in range(2):
        model = regression_model()
        history = train(model, MeanSquaredError(), SGD(0.05, momentum=0.9), X, y, epochs=5,
                        batch_size=10, random_state=3, validation_split=0.25)
        runs.append((history, {k: p.copy() for k, p in model.params.items()}))
    assert runs[0][0] == runs[1][0]
    for name in runs[0][1]:
        np.testing.assert_array_equal(runs[0][1][name], runs[1][1][name])
    other = regression_model()
    train(other, MeanSquaredError(), SGD(0.05, momentum=0.9), X, y, epochs=5, batch_size=10,
          random_state=4, validation_split=0.25)
    assert not np.array_equal(other.params["0.W"], runs[0][1]["0.W"])


def line_model():
    """p = W + b for x = 1, starting at 0 (float64)."""
    layer = Dense(1, 1, dtype=np.float64)
    layer.params["W"][:] = 0.0
    return layer


def test_validation_split_holds_out_the_last_samples():
    # train on (1 -> 1), validate on (1 -> 0.5). With SGD(0.05) one step maps
    # p - 1 to 0.8 (p - 1): p = 0.2, 0.36, 0.488, ... and val_loss = (p - 0.5)^2
    X, y = np.ones((2, 1)), np.array([[1.0], [0.5]])
    history = train(line_model(), MeanSquaredError(), SGD(0.05), X, y, epochs=3,
                    batch_size=1, validation_split=0.5)
    assert history["val_loss"] == pytest.approx([0.09, 0.0196, 0.000144])
    # the recorded training loss is the batch's loss before its step: (p - 1)^2
    assert history["loss"] == pytest.approx([1.0, 0.64, 0.4096])


def test_early_stopping_stops_at_the_right_epoch_and_keeps_the_best_weights():
    # val_loss: 0.09, 0.0196, 0.000144 (best, epoch 2), 0.00815, 0.0295 -> with patience 2
    # training stops after epoch 4 and the model goes back to p = 0.488
    X, y = np.ones((2, 1)), np.array([[1.0], [0.5]])
    model = line_model()
    history = train(model, MeanSquaredError(), SGD(0.05), X, y, epochs=50, batch_size=1,
                    validation_split=0.5, patience=2)
    assert len(history["loss"]) == len(history["val_loss"]) == 5
    assert history["best_epoch"] == 2
    assert model.forward(np.ones((1, 1)))[0, 0] == pytest.approx(0.488)


def test_a_diverging_run_stops_with_a_warning_and_keeps_finite_weights():
    X, y = regression_data()
    model = regression_model()
    with pytest.warns(DivergenceWarning, match="diverged"), np.errstate(all="ignore"):
        history = train(model, MeanSquaredError(), SGD(1e3), X, y, epochs=200, batch_size=8,
                        random_state=0)
    assert len(history["loss"]) < 200
    assert all(np.all(np.isfinite(p)) for p in model.params.values())


def test_ctrl_c_keeps_the_weights_of_the_last_complete_epoch():
    class Interrupting(MeanSquaredError):
        calls = 0

        def forward(self, prediction, target):
            Interrupting.calls += 1
            # 3 batches and the divergence probe per epoch: the 3rd batch of epoch 3
            if Interrupting.calls == 11:
                raise KeyboardInterrupt
            return super().forward(prediction, target)

    X, y = regression_data(n=12)
    model = regression_model()
    snapshots = []
    with pytest.warns(TrainingInterruptedWarning):
        history = train(model, Interrupting(), SGD(0.01), X, y, epochs=5, batch_size=4,
                        random_state=0, callbacks=[lambda m, e: snapshots.append(
                            {k: p.copy() for k, p in m.params.items()})])
    assert len(history["loss"]) == 2
    for name, p in model.params.items():
        np.testing.assert_array_equal(p, snapshots[-1][name])


def test_a_callback_returning_false_stops_training():
    X, y = regression_data(n=8)
    history = train(regression_model(), MeanSquaredError(), SGD(0.01), X, y, epochs=10,
                    callbacks=[lambda model, epoch: epoch < 2])
    assert len(history["loss"]) == 3


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs"),
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 2.5}, "batch_size"),
    ({"shuffle": "yes"}, "shuffle"),
    ({"validation_split": 1.0}, "validation_split"),
    ({"validation_split": 0.01}, "validation_split"),
    ({"patience": 0}, "patience"),
    ({"random_state": -1}, "random_state"),
    ({"y": np.ones((3, 1))}, "y has 3 samples"),
    ({"model": "net"}, "model"),
    ({"loss": "mse"}, "loss"),
    ({"optimizer": 0.1}, "optimizer"),
    ({"X": [[np.nan, 1.0, 2.0]]}, "X"),
    ({"callbacks": [1]}, "callbacks"),
])
def test_bad_arguments_raise_one_sentence_naming_the_argument(kwargs, match):
    X, y = regression_data(n=10)
    arguments = {"model": regression_model(), "loss": MeanSquaredError(),
                 "optimizer": SGD(0.1), "X": X, "y": y, **kwargs}
    with pytest.raises(ValueError, match=match):
        train(**arguments)


# ------------------------------------------------------------ the after_batch hook
def test_after_batch_sees_every_step_and_can_stop_mid_epoch():
    X, y = regression_data(n=64)                          # 4 batches of 16 per epoch
    steps = []

    def hook(step):
        steps.append(step)
        return False if step == 6 else None

    history = train(regression_model(), MeanSquaredError(), Adam(0.02), X, y, epochs=10,
                    batch_size=16, random_state=0, after_batch=hook)
    assert steps == [1, 2, 3, 4, 5, 6]
    assert len(history["loss"]) == 2     # the second epoch ended after two of its batches


def test_after_batch_may_rewrite_the_target_in_place():
    X, y = regression_data(n=32)
    target = y.copy()
    seen = []

    class Recording(MeanSquaredError):
        def forward(self, prediction, target_rows):
            seen.append(float(np.asarray(target_rows).max()))
            return super().forward(prediction, target_rows)

    def hook(step):
        target[...] = 100.0 + step

    train(regression_model(), Recording(), SGD(1e-4), X, target, epochs=1, batch_size=16,
          shuffle=False, after_batch=hook)
    assert seen[1] == 101.0                  # the second batch read what the hook wrote


def test_after_batch_refuses_a_target_it_could_not_rewrite():
    X, y = regression_data()
    with pytest.raises(ValueError, match="after_batch is given"):
        train(regression_model(), MeanSquaredError(), Adam(), X, y.tolist(),
              after_batch=lambda step: None)
    with pytest.raises(ValueError, match="after_batch must be a function"):
        train(regression_model(), MeanSquaredError(), Adam(), X, y, after_batch=3)


def test_the_terms_a_loss_reports_are_recorded_per_epoch():
    X, y = regression_data(n=48)

    class TwoTerms(MeanSquaredError):
        def forward(self, prediction, target):
            value = super().forward(prediction, target)
            self.terms_ = {"half": value / 2, "rows": len(prediction)}
            return value

    history = train(regression_model(), TwoTerms(), Adam(0.02), X, y, epochs=3,
                    batch_size=20, random_state=0)
    np.testing.assert_allclose(history["half"], np.array(history["loss"]) / 2)
    # batches of 20, 20, 8: the size-weighted mean of eq. (1)
    assert history["rows"] == [pytest.approx((20 * 20 + 20 * 20 + 8 * 8) / 48)] * 3


def test_a_nan_that_arises_between_layers_stops_training_as_a_divergence():
    # train checks X once and lets the layers skip their scan for NaN; a hidden layer whose
    # output turns NaN (a callback spoils its weights) must still end training, through the
    # loss, with the last good weights back.
    X, y = regression_data()
    model = regression_model()

    def spoil_the_first_layer(network, epoch):
        network.layers[0].params["W"][...] = np.nan

    with pytest.warns(DivergenceWarning):
        history = train(model, MeanSquaredError(), SGD(0.01), X, y, epochs=5, batch_size=8,
                        random_state=0, callbacks=[spoil_the_first_layer])
    assert len(history["loss"]) == 1
    assert all(np.all(np.isfinite(p)) for p in model.params.values())


def test_layers_still_scan_their_input_outside_the_training_loop():
    from neuroclust.nn._checks import data_already_checked
    from neuroclust._validation import NonFiniteError

    layer = Dense(2, 3, random_state=0)
    bad = np.array([[1.0, np.nan]])
    with pytest.raises(NonFiniteError, match="NaN"):
        layer.forward(bad)
    with data_already_checked():
        assert np.isnan(layer.forward(bad)).any()     # skipped inside the scope ...
    with pytest.raises(NonFiniteError, match="NaN"):  # ... and back once it is left
        layer.forward(bad)
