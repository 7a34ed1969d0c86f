"""A fit as a transaction, Ctrl-C during training, and the epoch loop every model shares.

:func:`run_epochs` runs an estimator's epochs with the progress bar, the callbacks, the
divergence guard (NaN, infinity or overflow keeps the last good state, with a
:class:`DivergenceWarning`) and Ctrl-C (the model trained so far is kept, with a
:class:`TrainingInterruptedWarning`); the estimator's ``_snapshot`` / ``_restore`` pair keeps
and puts back its state. :func:`_keeps_state_on_error` wraps every ``fit`` and ``partial_fit``
(:class:`neuroclust.base.BaseEstimator` applies it) so that a call that raises leaves the model
as it was. The estimators import these names from :mod:`neuroclust.base`.
"""
import contextlib
import copy
import functools
import math
import sys
import signal
import threading
import warnings

import numpy as np

from ._validation import NonFiniteError, array_module, check_callbacks, check_verbose
from .backend.threads import blas_on_all_threads

__all__ = ["run_epochs", "EpochHistory", "LastPass", "DivergenceWarning",
           "TrainingInterruptedWarning", "ignore_further_interrupts", "interrupts_deferred"]


class DivergenceWarning(RuntimeWarning):
    """Training stopped because the loss became NaN or infinite."""


class TrainingInterruptedWarning(RuntimeWarning):
    """Training stopped early because of Ctrl-C (KeyboardInterrupt)."""


# ------------------------------------------------------------------ fit as a transaction
_fitting = threading.local()   # how deep in fit calls this thread is, and its Ctrl-C shield


def _keeps_state_on_error(method):
    """Wrap ``fit`` / ``partial_fit`` so that an exception leaves the model as it was.

    The fitted state (every attribute ending or starting in "_") is kept before the call and
    put back if the call raises, so a rejected re-fit (an ``init`` of the wrong width, data
    out of range, Ctrl-C before the first epoch ended) cannot leave ``n_features_in_`` of the
    new data beside the prototypes of the old. For that, a fit never writes into the arrays
    of the fitted state it replaces (see :func:`_copy_fitted`).
    """
    @functools.wraps(method)
    def fit_or_keep(self, *args, **kwargs):
        saved = {name: _copy_fitted(value) for name, value in vars(self).items()
                 if _is_state(name)}
        if method.__name__ == "fit":   # makes the model anew; partial_fit goes on with it
            vars(self).pop("_fit_params", None)
        _fitting.depth = getattr(_fitting, "depth", 0) + 1
        try:
            result = method(self, *args, **kwargs)
            self._remember_fit_params()
            return result
        except BaseException:
            params = set(self._param_names())   # (a parameter could end in "_" too)
            for name in [name for name in vars(self) if _is_state(name) and name not in params]:
                delattr(self, name)
            vars(self).update(saved)
            raise
        finally:
            _fitting.depth -= 1
            if _fitting.depth == 0:
                _release_interrupts()

    fit_or_keep._keeps_state_on_error = True
    return fit_or_keep


def _is_state(name):
    """Fitted attributes end in "_", private ones start with it."""
    return name.endswith("_") or name.startswith("_")


def _copy_fitted(value):
    """A copy of a fitted value deep enough that a fit cannot change it in place.

    Containers (``history_``, a dict of lists that ``partial_fit`` appends to) are copied and
    a random generator too (a rejected call must not advance its stream); arrays and nested
    estimators are kept as they are, because a fit replaces them and never writes into them
    (that keeps views such as an Autoencoder's layers on ``parameters_`` intact).
    """
    if isinstance(value, dict):
        return {key: _copy_fitted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_fitted(item) for item in value]
    if isinstance(value, np.random.Generator):
        return copy.deepcopy(value)
    return value


class _DeferredInterrupts:
    """Once training has been interrupted, further Ctrl-C presses are noted, not raised,
    until the model is finished (its labels computed): otherwise a second Ctrl-C would
    throw away the epochs the first one meant to keep. Main thread only (where Python
    delivers signals)."""

    def __init__(self):
        self.previous, self.count = None, 0

    def hold(self):
        if threading.current_thread() is threading.main_thread():
            try:
                self.previous = signal.signal(signal.SIGINT, self._note)
            except (ValueError, TypeError):  # not the main interpreter, or no signals here
                self.previous = None
        return self

    def _note(self, signum, frame):
        self.count += 1

    def release(self):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            self.previous = None


def _hold_interrupts():
    if getattr(_fitting, "shield", None) is None:
        _fitting.shield = _DeferredInterrupts().hold()


def ignore_further_interrupts():
    """After a Ctrl-C that a model handled (it keeps what it learned), ignore further Ctrl-C
    presses until the outermost ``fit`` returns, so they cannot throw that model away."""
    _hold_interrupts()


@contextlib.contextmanager
def interrupts_deferred():
    """Inside the block Ctrl-C is noted (the ``count`` of the object yielded), not raised:
    for a short step that finishes a model (its labels after the last epoch)."""
    shield = _DeferredInterrupts().hold()
    try:
        yield shield
    finally:
        shield.release()


def _release_interrupts():
    shield = getattr(_fitting, "shield", None)
    if shield is not None:
        shield.release()
        _fitting.shield = None


# ------------------------------------------------------------------ the epoch loop
class EpochHistory(list):
    """The value recorded after each completed epoch, and why training stopped:
    ``stopped_by`` is None (all epochs ran), "callback", "converged" (the model's own
    ``stop_when`` rule), "divergence" or "interrupt"."""

    stopped_by = None


class LastPass:
    """The winners of an epoch's last pass over the training data, for the labels after
    ``fit``: valid while the prototypes are still those that pass ran on.

    An epoch that records its errors finds every sample's winner on the prototypes it ends
    with; :meth:`keep` holds those winners with a copy of the prototypes. After training,
    :meth:`winners_for` gives them back when the model's prototypes are still exactly that
    copy, and None when anything changed them since (an epoch that diverged or was
    interrupted and rolled back, a callback): then the labels need a pass of their own.
    """

    def __init__(self):
        self.winners = self.prototypes = None

    def keep(self, winners, prototypes):
        self.winners, self.prototypes = winners, prototypes.copy()

    def winners_for(self, prototypes):
        kept = self.prototypes
        if kept is None or kept.shape != prototypes.shape or kept.dtype != prototypes.dtype:
            return None
        return self.winners if bool(array_module(kept).array_equal(kept, prototypes)) else None


def run_epochs(estimator, n_epochs, run_epoch, *, verbose=False, callbacks=None,
               description="training", metric="loss", check_state=None,
               untrained_is_usable=True, warn_on_interrupt=True, snapshot=None, restore=None,
               stop_when=None, unit="epochs"):
    """The training loop every model shares.

    ``run_epoch(epoch)`` trains one epoch and returns the value to record (a loss or an error).
    The loop keeps a snapshot of the training state after the last good epoch,
    ``estimator._snapshot()`` (taken before the callbacks run, so a callback that spoils the
    weights is undone too), puts it back with ``estimator._restore(snapshot)`` when training
    stops badly, and ends training in three ways that keep a usable model:

    - divergence: the value is NaN or infinite, an array of the epoch held NaN or infinite
      values (``NonFiniteError``, ``FloatingPointError``), or ``check_state()`` names a
      problem (prototypes that ran off to 1e300 are finite but useless): the last good state
      is restored, a :class:`DivergenceWarning` says why;
    - Ctrl-C, during an epoch or a callback: the last good state is restored, a
      :class:`TrainingInterruptedWarning` says which epochs are kept, and further Ctrl-C
      presses are ignored until the model is finished (until the outermost ``fit`` returns).
      When no epoch has completed and ``untrained_is_usable`` is False (Fuzzy ART before its
      first epoch has no category), the KeyboardInterrupt is raised again and ``fit`` leaves
      the model as it was before. ``warn_on_interrupt=False`` leaves the warning to the
      caller (k-means, which keeps the best of several runs);
    - a callback, called as ``callback(estimator, epoch)`` after each epoch, returns False.
      Callbacks are the user's code: they run with BLAS on its own threads, even when the
      fit holds the kernels' one-thread limit (``backend/threads.py``);
    - ``stop_when(epoch)``, the model's own stopping rule (k-means' convergence), returns True
      after an epoch whose callbacks did not stop training (``stopped_by`` "converged"; it
      runs under the fit's BLAS limit, so it should not multiply large matrices).

    ``verbose="auto"`` shows the progress bar only to a person watching, once training has
    run a few seconds (:func:`progress_settings`); a shown training that its ``stop_when``
    ended early says so in one line, counting in ``unit`` ("epochs", "iterations").

    ``snapshot`` and ``restore``, when given, replace the estimator's pair (for a network
    trained by :func:`neuroclust.nn.train`, which is a layer, not an estimator).

    Returns
    -------
    EpochHistory
        A list with the recorded value of every completed epoch; ``stopped_by`` says why it
        ended early, if it did.
    """
    from tqdm.auto import tqdm  # slow to import (it loads asyncio): only once a model trains

    callbacks = check_callbacks(callbacks)
    verbose, hidden, delay = progress_settings(verbose)
    get_state = snapshot if snapshot is not None else estimator._snapshot
    set_state = restore if restore is not None else estimator._restore
    history = EpochHistory()
    good_state = get_state()
    epochs = tqdm(range(n_epochs), desc=description, disable=hidden, leave=False, delay=delay)
    try:
        for epoch in epochs:
            try:
                value, stop = _one_epoch(run_epoch, epoch, check_state, metric)
                if stop is None:
                    good_state = get_state()
                    history.append(value)
                    _report(epochs, verbose, epoch, n_epochs, metric, history[-1])
                    if callbacks and _any_says_stop(callbacks, estimator, epoch):
                        history.stopped_by = "callback"
                        break
                    if stop_when is not None and stop_when(epoch):
                        history.stopped_by = "converged"
                        break
                    continue
            except KeyboardInterrupt:
                _hold_interrupts()
                set_state(good_state)
                history.stopped_by = "interrupt"
                if not history and not untrained_is_usable:
                    raise KeyboardInterrupt(
                        f"{description} was interrupted before its first epoch ended; "
                        "the model is left as it was before fit.") from None
                if warn_on_interrupt:
                    warnings.warn(_interrupt_message(epoch, len(history)),
                                  TrainingInterruptedWarning, stacklevel=3)
                break
            _hold_interrupts()      # the restore below must not be cut short either
            set_state(good_state)
            history.stopped_by = "divergence"
            warnings.warn(f"training diverged at epoch {epoch + 1} ({stop}); stopped and kept "
                          f"the last good weights (after epoch {len(history)}). Try a smaller "
                          "learning rate or scale the data.", DivergenceWarning, stacklevel=3)
            break
    finally:
        epochs.close()
        if verbose and (not delay or epochs._time() - epochs.start_t >= delay):  # bar shown
            _say_why_it_stopped_early(epochs, history, n_epochs, description, unit)
        if getattr(_fitting, "depth", 0) == 0:   # not inside a fit that finishes the model
            _release_interrupts()
    return history


#: Seconds of training before verbose="auto" shows its progress bar: a fit that ends sooner
#: prints nothing.
AUTO_PROGRESS_DELAY_S = 3.0


def progress_settings(verbose):
    """``(level, hidden, delay)`` of the progress bar for a checked ``verbose``.

    ``"auto"`` (the estimators' default) is level 1 (a bar, no line per epoch) when standard
    error is a terminal or a notebook shows the output, shown only once training has run
    ``AUTO_PROGRESS_DELAY_S`` seconds; hidden in a pipe, a file or a test run. ``True`` or an
    integer shows the bar at once; ``False`` or 0 never does.
    """
    verbose = check_verbose(verbose)
    if verbose == "auto":
        shown = _output_is_watched()
        return int(shown), not shown, AUTO_PROGRESS_DELAY_S
    return verbose, not verbose, 0.0


def _output_is_watched():
    """Whether a person watches standard error: a terminal, or an IPython kernel (Jupyter)."""
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):   # replaced by an object without isatty, or closed
        return False
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


def _say_why_it_stopped_early(epochs, history, n_epochs, description, unit):
    """One line when a shown training ended before its epochs because the model's own
    stopping rule (``stop_when``) was met; divergence and Ctrl-C have their warnings, a
    callback that stops training is the user's (nn.train says when early stopping did)."""
    if history.stopped_by == "converged" and len(history) < n_epochs:
        epochs.write(f"{description}: stopped after {len(history)} of at most {n_epochs} "
                     f"{unit}: it converged (its stopping rule was met).", file=sys.stderr)


def _any_says_stop(callbacks, estimator, epoch):
    """Call the callbacks in order until one returns False; whether one did. They are the
    user's code: BLAS gets back the threads a fit's kernels may hold it from
    (``backend/threads.py``)."""
    with blas_on_all_threads():
        return any(callback(estimator, epoch) is False for callback in callbacks)


def _one_epoch(run_epoch, epoch, check_state, metric):
    """Run one epoch: (its value, None) if it went well, else (None, why it diverged)."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):   # the guard below says it once
            value = float(run_epoch(epoch))
            if not math.isfinite(value):
                return None, f"{metric} became {value}"
            problem = check_state() if check_state is not None else None
    except (NonFiniteError, FloatingPointError, OverflowError) as error:
        return None, f"values computed in the epoch overflowed: {str(error).split(';')[0]}"
    return value, problem or None


def _report(epochs, verbose, epoch, n_epochs, metric, value):
    if verbose:
        # shown at the bar's next update: a refresh now would draw the bar that "auto" keeps
        # hidden for its first seconds
        epochs.set_postfix({metric: f"{value:.4g}"}, refresh=False)
        if verbose >= 2:
            epochs.write(f"epoch {epoch + 1}/{n_epochs}  {metric} {value:.6g}")


def _interrupt_message(epoch, n_done):
    kept = f"the weights after epoch {n_done}" + ("" if n_done else
                                                  " (its starting weights: none had completed)")
    return (f"training interrupted during epoch {epoch + 1}; the model keeps {kept} (Ctrl-C). "
            "Further Ctrl-C presses are ignored until it is finished.")
