"""verbose="auto", the estimators' default: a progress bar for a person watching, once training
has run a few seconds, and never in a pipe, a file or a test run; a line when training ended
early by its own rule."""
import io
import sys

import numpy as np
import pytest

from neuroclust import FuzzyART, KMeans, SOM, nn
from neuroclust._epochs import AUTO_PROGRESS_DELAY_S, progress_settings


class Terminal(io.StringIO):
    """A standard error that says it is a terminal, and keeps what is written to it."""

    def isatty(self):
        return True


@pytest.mark.parametrize("model", [SOM(), KMeans(), FuzzyART()],
                         ids=lambda model: type(model).__name__)
def test_the_estimators_default_is_auto(model):
    assert model.get_params()["verbose"] == "auto"


def test_auto_is_hidden_when_nobody_watches(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress_settings("auto") == (0, True, AUTO_PROGRESS_DELAY_S)


def test_auto_shows_a_bar_on_a_terminal_after_a_delay(monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert progress_settings("auto") == (1, False, AUTO_PROGRESS_DELAY_S)
    assert 1 <= AUTO_PROGRESS_DELAY_S <= 5       # "a fit that takes more than a few seconds"


@pytest.mark.parametrize(("verbose", "expected"), [(True, (1, False, 0.0)),
                                                   (False, (0, True, 0.0)),
                                                   (2, (2, False, 0.0))])
def test_explicit_levels_show_at_once_or_never(verbose, expected, monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert progress_settings(verbose) == expected


def test_a_quick_fit_on_a_terminal_prints_nothing(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    X = np.random.default_rng(0).normal(size=(200, 2))
    SOM(shape=(4, 4), epochs=3, random_state=0).fit(X)
    assert terminal.getvalue() == ""


def test_a_shown_training_says_that_it_converged_early(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    X = np.concatenate([np.zeros((20, 2)), np.ones((20, 2))])
    model = FuzzyART(rho=0.5, epochs=50, verbose=True).fit(X)
    n_done = len(model.history_["n_changed"])
    assert n_done < 50
    assert f"stopped after {n_done} of at most 50 epochs: it converged" in terminal.getvalue()


def test_early_stopping_is_reported_when_shown(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    network = nn.Sequential([nn.Dense(3, 3, random_state=0)])
    history = nn.train(network, nn.MeanSquaredError(), nn.SGD(learning_rate=0.5), X, X,
                       epochs=200, batch_size=64, patience=2, verbose=True, random_state=0)
    assert len(history["loss"]) < 200
    assert "early stopping after" in terminal.getvalue()


def test_a_training_longer_than_the_delay_draws_its_bar(monkeypatch):
    from neuroclust import _epochs

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(_epochs, "AUTO_PROGRESS_DELAY_S", 0.0)   # as if a long fit
    X = np.random.default_rng(0).normal(size=(200, 2))
    SOM(shape=(4, 4), epochs=3, random_state=0).fit(X)
    assert "self-organizing map" in terminal.getvalue()


@pytest.mark.parametrize(("option", "level"), [("--verbose", 2), ("--quiet", False)])
def test_the_command_line_passes_verbose_and_quiet_to_the_model(option, level):
    from neuroclust.cli._fit import _build_model
    from neuroclust.cli._parser import build_parser

    args = build_parser().parse_args(["fit", "autoencoder", "digits", option])
    model = _build_model(args, 10)
    assert model.get_params(deep=True)["autoencoder__verbose"] == level
    assert model.get_params(deep=True)["clusterer__verbose"] == level
