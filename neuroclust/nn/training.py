r"""The mini-batch training loop for a network of ``neuroclust.nn`` layers.

:func:`train` runs epochs of mini-batch gradient descent through the loop every neuroclust
model shares (:func:`neuroclust.base.run_epochs`): a NaN or infinite loss stops training with
a :class:`~neuroclust.base.DivergenceWarning` and restores the weights of the last good epoch;
Ctrl-C stops with a :class:`~neuroclust.base.TrainingInterruptedWarning` and keeps the weights
of the last complete epoch; ``verbose`` shows a tqdm progress bar.
"""
import math
import numbers
import sys

import numpy as np

from .._validation import (array_module, check_array, check_callbacks, check_count,
                           check_fits_dtype, check_random_state, check_scalar, check_verbose)
from .._epochs import progress_settings
from ..base import run_epochs
from ._checks import data_already_checked
from .._validation import ndim_of, to_module
from .layer import Layer
from .losses import Loss

__all__ = ["train"]

#: Training rows on which the weights are tried after each epoch (a divergence check).
PROBE_ROWS = 256


def train(model, loss, optimizer, X, y=None, *, epochs=10, batch_size=32, shuffle=True,
          random_state=None, validation_split=0.0, patience=None, verbose=False,
          callbacks=None, after_batch=None, batch_transform=None):
    r"""Train ``model`` on ``X`` (and ``y``) by mini-batch gradient descent.

    Parameters
    ----------
    model : Layer
        Usually a :class:`~neuroclust.nn.Sequential`; updated in place.
    loss : Loss
        E.g. :class:`~neuroclust.nn.MeanSquaredError`.
    optimizer : Optimizer
        E.g. :class:`~neuroclust.nn.Adam`; its state is cleared when training is stopped by
        a NaN or by Ctrl-C (its moments belong to the steps that were undone).
    X : array-like of shape (n_samples, n_features)
        NumPy or CuPy: the model's parameters move to X's array module (a GPU for CuPy).
    y : array-like of shape (n_samples, ...), optional
        The target, moved to X's array module. ``None`` trains an autoencoder: the target
        is ``X`` itself.
    epochs : int >= 1, default=10
    batch_size : int >= 1, default=32
        The last batch of an epoch holds the remaining samples.
    shuffle : bool, default=True
        Visit the training samples in a new random order each epoch (drawn from
        ``random_state``); ``False`` visits them in order.
    random_state : int, numpy.random.Generator or None
        Seeds the order of the mini-batches. The model's own initialisation and any Dropout
        masks are seeded where those layers are built.
    validation_split : float in [0, 1), default=0.0
        The fraction of samples held out to compute ``val_loss`` after each epoch. As in
        Keras, they are the **last** samples of ``X`` (before any shuffling), so the split
        does not depend on ``random_state``; shuffle the data first if it is sorted.
    patience : int >= 1 or None, default=None
        Early stopping: stop when the monitored loss (``val_loss`` if there is a validation
        split, else ``loss``) has not improved for ``patience`` epochs in a row. With
        ``patience`` set the model always ends with the weights of its best epoch (also when
        training ran all ``epochs``, diverged or was interrupted). ``None`` never stops early.
    verbose : "auto", bool or int, default=False
        ``True``: a progress bar; ``2``: also a line per epoch; ``"auto"`` (what the
        estimators pass by default): the bar on a terminal or in a notebook once training has
        run a few seconds, never in a pipe or a log file.
    callbacks : list of callable, optional
        Called as ``callback(model, epoch)`` after each epoch; one that returns ``False``
        stops training.
    after_batch : callable, optional
        Called as ``after_batch(step)`` after each optimizer step, ``step`` counting the steps
        taken so far (1, 2, ...) across epochs. Returning ``False`` ends training there: the
        epoch in progress ends early and is recorded with the mean over its batches so far
        (DEC's stopping rule and its budget of steps). The hook may rewrite the target in
        place (DEC refreshes its target every few steps): a ``y`` that is already a float
        array of X's array module and dtype is used as given, never copied, and other ``y``
        is refused when ``after_batch`` is given.
    batch_transform : callable, optional
        Called as ``batch_transform(X_batch)`` on every batch of rows of X before the model
        sees it (the training batches, the validation rows and the rows of the divergence
        check); the model gets what it returns, and the loss gets the batch's rows of ``y``
        (or X) unchanged. Contrastive learning draws its two augmented views of each sample
        here (:class:`~neuroclust.ContrastiveClustering`, whose loss ignores the target).
        What it returns is not scanned for NaN: one it makes reaches the loss, which stops
        training as a divergence (the last good weights kept).
        ``None`` gives the model the rows themselves.

    Returns
    -------
    history : dict
        ``"loss"``: the mean training loss of each completed epoch, eq. (1);
        ``"val_loss"``: the validation loss after each epoch (empty without a validation
        split); ``"best_epoch"``: with early stopping, the index of the epoch whose weights
        the model keeps, else ``None``. The loss of a batch may have parts, eq. (2): the
        terms a loss made of several reports after each ``forward`` in a dict ``terms_``
        (name: value; DEC's KL and reconstruction), and the terms layers of ``model`` add
        (:meth:`~neuroclust.nn.Layer.extra_losses`; the VAE's KL), which also bring
        ``"data_loss"``, the value of ``loss`` alone. Each part gets one list under its name
        with the epoch's mean of its (unweighted) value, by eq. (1).

    Notes
    -----
    An epoch visits the :math:`n` training samples once, in batches :math:`B_1, \dots, B_J`;
    after each batch the optimizer takes one step. The recorded loss is the mean of the batch
    losses :math:`L_{B_j}` weighted by batch size, i.e. the mean per-sample loss seen during
    the epoch (the weights change between batches, so it is not the loss at the epoch's end):

    .. math:: \bar L = \frac{1}{n} \sum_{j=1}^{J} |B_j|\, L_{B_j}.                  \tag{1}

    The loss of a batch is that of ``loss`` plus the terms :math:`w_t v_t` the layers added in
    their forward pass (the KL divergence of a
    :class:`~neuroclust.nn.VariationalBottleneck`; none for most networks), whose gradients
    their ``backward`` adds:

    .. math:: L_B = \ell(\text{model}(X_B), Y_B) + \sum_t w_t\, v_t .               \tag{2}

    The validation loss and the divergence check use the same sum, with the model in
    evaluation mode.
    """
    if not isinstance(model, Layer):
        raise ValueError(f"model must be a Layer (e.g. a Sequential), got "
                         f"{type(model).__name__}.")
    if not isinstance(loss, Loss):
        raise ValueError(f"loss must be a Loss (e.g. MeanSquaredError()), got "
                         f"{type(loss).__name__}.")
    if not callable(getattr(optimizer, "step", None)):
        raise ValueError(f"optimizer must have a step(layers) method (e.g. Adam()), got "
                         f"{type(optimizer).__name__}.")
    X = check_array(X, name="X")
    Y = X if y is None else check_array(y, name="y", ndim=max(ndim_of(y), 1))
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"y has {Y.shape[0]} samples, but X has {X.shape[0]}; they must match.")
    if after_batch is not None and not callable(after_batch):
        raise ValueError(f"after_batch must be a function of the step, got "
                         f"{type(after_batch).__name__}.")
    if batch_transform is not None and not callable(batch_transform):
        raise ValueError(f"batch_transform must be a function of a batch of rows, got "
                         f"{type(batch_transform).__name__}.")
    check_count(epochs, "epochs")
    check_scalar(batch_size, "batch_size", numbers.Integral, low=1)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ValueError(f"shuffle must be True or False, got {shuffle!r}.")
    check_scalar(validation_split, "validation_split", low=0, high=1, high_inclusive=False)
    if patience is not None:
        check_scalar(patience, "patience", numbers.Integral, low=1)
    callbacks = check_callbacks(callbacks)
    verbose = check_verbose(verbose)
    _check_fits_parameters(model, X, Y, y is not None)
    rng = check_random_state(random_state)

    n = X.shape[0]
    n_val = int(math.floor(n * validation_split))
    if validation_split > 0 and not 1 <= n_val < n:
        raise ValueError(f"validation_split={validation_split} leaves {n_val} validation and "
                         f"{n - n_val} training samples of {n}; each needs at least one.")
    xp = array_module(X)
    Y = to_module(Y, xp)                               # a target on the host follows X
    if after_batch is not None and y is not None and (Y is not y or Y.dtype != X.dtype):
        raise ValueError("y must be a float array of X's array module and dtype when "
                         "after_batch is given (the hook may rewrite it in place).")
    X_train, Y_train = X[:n - n_val], Y[:n - n_val]
    X_val, Y_val = X[n - n_val:], Y[n - n_val:]
    n_train = n - n_val

    layers = model.layers_with_params() if hasattr(model, "layers_with_params") else [model]
    for layer in layers:   # to X's array module before run_epochs keeps a copy of the weights
        layer._follow(X)

    def get_state():
        return [{name: p.copy() for name, p in layer.params.items()} for layer in layers]

    def set_state(state):
        for layer, saved in zip(layers, state):
            for name, value in saved.items():
                layer.params[name][...] = value        # in place: views and references stay valid

    def restore_after_stop(state):
        set_state(state)
        if hasattr(optimizer, "reset"):
            optimizer.reset()

    history = {"loss": None, "val_loss": [], "best_epoch": None}
    pending = {"steps": 0, "stop": False}

    def batch_loss(X_batch, Y_batch, training):
        """Eq. (2): the total, and the value of each part: the loss's own ``terms_``, then
        ``"data_loss"`` and the layers' terms when layers add any."""
        with data_already_checked():   # X and y were checked above; a NaN that arises
            inputs = X_batch if batch_transform is None else batch_transform(X_batch)
            outputs = model.forward(inputs, training=training)     # later (between layers,
        value = float(loss.forward(outputs, Y_batch))              # in a transform) makes
        #                                                            the loss NaN: a stop
        parts = {name: float(term) for name, term in (getattr(loss, "terms_", None) or {}).items()}
        extra = model.extra_losses()
        if extra:
            parts["data_loss"] = value
        for name, (weight, term) in extra.items():
            value += weight * term                                                # eq. (2)
            parts[name] = term
        return value, parts

    def run_epoch(epoch):
        # The order is drawn on the host (the same for a seed on every device), used on X's.
        order = xp.asarray(rng.permutation(n_train)) if shuffle else xp.arange(n_train)
        total, seen, totals = 0.0, 0, {}
        for start in range(0, n_train, batch_size):
            batch = order[start:start + batch_size]
            value, parts = batch_loss(X_train[batch], Y_train[batch], True)
            if not math.isfinite(value):
                return value                           # run_epochs stops and restores
            with data_already_checked():   # the data need no gradient: backward_params
                model.backward_params(loss.backward())
            optimizer.step(model)
            total += len(batch) * value
            seen += len(batch)
            for name, part in parts.items():
                totals[name] = totals.get(name, 0.0) + len(batch) * part
            pending["steps"] += 1
            if after_batch is not None and after_batch(pending["steps"]) is False:
                pending["stop"] = True
                break
        mean = pending["loss"] = total / seen                                     # eq. (1)
        pending["parts"] = {name: part / seen for name, part in totals.items()}   # eq. (1)
        if n_val:
            pending["val"] = batch_loss(X_val, Y_val, False)[0]
            if not math.isfinite(pending["val"]):
                return pending["val"]
        return mean

    watch = {"best": math.inf, "since": 0, "state": None}
    probe = slice(0, min(n_train, PROBE_ROWS))

    def weights_still_work():
        """The loss in evaluation mode on a few training rows, with the weights the epoch
        ended with: the epoch's mean loss was taken while the weights changed, so the last
        step may have blown them up after it (a learning rate of 1e30)."""
        value = batch_loss(X_train[probe], Y_train[probe], False)[0]
        return None if math.isfinite(value) else (
            f"the weights the epoch ended with give a {value} loss on the first training rows")

    def after_epoch(_, epoch):
        if n_val:
            history["val_loss"].append(pending["val"])
        for name, part in pending["parts"].items():
            history.setdefault(name, []).append(part)
        answers = [callback(model, epoch) for callback in callbacks or ()]   # call every one
        stop = any(answer is False for answer in answers)
        if patience is None:
            return not stop
        monitored = pending["val"] if n_val else pending["loss"]
        if monitored < watch["best"]:
            watch.update(best=monitored, since=0, state=get_state())
            history["best_epoch"] = epoch
        else:
            watch["since"] += 1
            if watch["since"] >= patience:
                watch["stopped_after"] = epoch + 1
                return False
        return not stop

    history["loss"] = list(run_epochs(model, epochs, run_epoch, snapshot=get_state,
                                 restore=restore_after_stop, verbose=verbose,
                                 callbacks=[after_epoch], description="training", metric="loss",
                                 check_state=weights_still_work,
                                 stop_when=lambda epoch: pending["stop"]))
    if watch["state"] is not None:
        set_state(watch["state"])   # early stopping keeps the best epoch's weights
    if "stopped_after" in watch and progress_settings(verbose)[0]:
        print(f"training: early stopping after {watch['stopped_after']} of {epochs} epochs "
              f"(no better {'validation ' if n_val else ''}loss for {patience} epochs); kept "
              f"the weights of epoch {history['best_epoch'] + 1}.", file=sys.stderr)
    return history


def _check_fits_parameters(model, X, Y, has_target):
    """Refuse float64 data whose values a float32 model would turn into infinity."""
    layers = model.layers_with_params() if hasattr(model, "layers_with_params") else [model]
    dtypes = [value.dtype for layer in layers for value in layer.params.values()]
    if np.dtype(np.float32) not in dtypes:
        return
    advice = "scale the data or build the layers with dtype=np.float64"
    for name, data in [("X", X)] + ([("y", Y)] if has_target else []):
        check_fits_dtype(data, np.float32, name, "the model's float32 parameters", advice)
