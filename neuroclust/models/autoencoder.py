r"""An autoencoder of dense (or 1-D convolutional) layers, trained by backpropagation written out by hand.

The files a reader follows, in order: ``models/autoencoder.py`` (this estimator) ->
``models/_architecture.py`` (its networks) -> ``nn/`` (``dense.py``, ``activations.py``,
``losses.py``, ``optimizers.py``, ``training.py``) -> ``models/latent.py`` (clustering the
codes) -> ``plotting/autoencoder.py`` -> ``docs/algorithms/autoencoder.md`` ->
``tutorials/plot_05_autoencoder_clustering.py``.

The network squeezes each sample :math:`x \in \mathbb R^d` through a narrow code
:math:`z \in \mathbb R^m` (``latent_dim``, :math:`m < d`) and tries to rebuild it. What it
must keep to rebuild well is what the data vary in, so the codes are a compact description
on which a clustering method can then run (:class:`~neuroclust.models.LatentClustering`).

The algorithm, in the order it runs:

1. build the **encoder**: dense layers of widths ``hidden``, each followed by the activation
   :math:`\varphi`, then a linear layer to the code. With :math:`h_0 = x`,

   .. math:: h_k = \varphi(h_{k-1} W_k + b_k), \quad k = 1, \dots, K, \qquad
             z = h_K W_{K+1} + b_{K+1};                                             \tag{1}

2. build the **decoder**, the mirror image: widths ``hidden`` reversed, then a linear layer
   back to :math:`d` features and the output activation :math:`\psi` (the identity, or the
   sigmoid for data in [0, 1]),

   .. math:: \hat x = \psi\big(g_K W'_{K+1} + b'_{K+1}\big), \quad
             g_k = \varphi(g_{k-1} W'_k + b'_k), \quad g_0 = z;                      \tag{2}

   weights start He-normal before a ReLU, Glorot-uniform otherwise, biases at zero
   (:class:`~neuroclust.nn.Dense`). Every weight and bias is a view into one flat vector
   :math:`\theta` (``parameters_``), which is what is saved;
3. measure the **reconstruction error** of each sample, and average it over a batch
   :math:`B`. With ``loss="mse"``

   .. math:: \ell_i = \|\hat x_i - x_i\|^2 = \sum_{j=1}^d (\hat x_{ij} - x_{ij})^2,
             \qquad L = \frac{1}{|B|} \sum_{i \in B} \ell_i;                         \tag{3}

   with ``loss="bce"`` (output sigmoid, :math:`x \in [0, 1]^d`) the per-sample loss is the
   cross-entropy of the logits :math:`a = \psi^{-1}(\hat x)`,
   :math:`\ell_i = -\sum_j x_{ij} \log \hat x_{ij} + (1 - x_{ij}) \log(1 - \hat x_{ij})`,
   computed stably from :math:`a` (:class:`~neuroclust.nn.BinaryCrossEntropy`);
4. **backpropagate**: the chain rule through the stack, from the output down to the first
   layer, turns :math:`\partial L / \partial \hat x` into the gradient of every parameter.
   For a dense layer :math:`u = h W + b` followed by :math:`\varphi`,

   .. math:: \delta = \frac{\partial L}{\partial h_k} \odot \varphi'(u), \quad
             \frac{\partial L}{\partial W} = h^\top \delta, \quad
             \frac{\partial L}{\partial b} = \mathbf 1^\top \delta, \quad
             \frac{\partial L}{\partial h} = \delta\, W^\top;                        \tag{4}

   for the squared error the first upstream gradient is
   :math:`\partial L / \partial \hat x_i = \tfrac{2}{|B|} (\hat x_i - x_i)`, for the
   cross-entropy of logits :math:`\partial L / \partial a_i = \tfrac{1}{|B|}(\hat x_i - x_i)`;
5. take one optimizer step per mini-batch (Adam by default,
   :class:`~neuroclust.nn.Adam`, or plain SGD :math:`\theta \leftarrow \theta - \eta \nabla L`),
   for ``epochs`` passes over shuffled mini-batches (:func:`~neuroclust.nn.train`, which also
   stops on a NaN loss, on Ctrl-C and, with ``patience``, early);
6. afterwards, :meth:`~Autoencoder.transform` is eq. (1) and
   :meth:`~Autoencoder.inverse_transform` eq. (2).

With ``kind="conv1d"`` (signals, X of shape (n, length) or (n, channels, length)) eq. (1)
becomes strided 1-D convolutions (:class:`~neuroclust.nn.Conv1D`, stride 2, padding
``kernel_size // 2``, one per entry of ``channels``, each followed by :math:`\varphi`), then
Flatten and a dense layer to the code; eq. (2) becomes a dense layer (with :math:`\varphi`) back
to ``channels[-1]`` maps of the encoder's last length, then the mirrored transposed
convolutions (:class:`~neuroclust.nn.ConvTranspose1D`, stride 2), the last one back to the
input's channels, followed by :math:`\psi`. A convolution of stride :math:`s` maps length
:math:`L` to :math:`\lfloor (L + 2p - K)/s \rfloor + 1`, its transpose maps
:math:`L'` to :math:`(L' - 1)s - 2p + K + q`; the output padding :math:`q \in [0, s)` of each
transposed convolution is chosen so that it gives back exactly the length its mirror took in.
The networks work on the flattened samples (Reshape and Flatten at their ends), so eqs. (3)
and (4) are unchanged.
With ``global_pool=True`` the Flatten before the code becomes an average over time
(:class:`~neuroclust.nn.GlobalAveragePool1D`), so the code no longer says *when* a pattern
occurs; ``loss="shift_mse"`` then scores each reconstruction after its best circular shift
(:class:`~neuroclust.nn.ShiftInvariantMSE`), since the decoder cannot know the phase either.
Any other architecture can be given as an ``encoder`` and a ``decoder`` made of
:mod:`neuroclust.nn` layers; the steps above stay the same.

References
----------
G. E. Hinton and R. R. Salakhutdinov, "Reducing the dimensionality of data with neural
networks", Science 313 (5786), 2006.
D. E. Rumelhart, G. E. Hinton and R. J. Williams, "Learning representations by
back-propagating errors", Nature 323, 1986.
"""
import math
import numbers

import numpy as np

from .._validation import (array_module, as_float_dtype, check_array, check_callbacks,
                           check_choice, check_count, check_is_fitted, check_n_features,
                           check_random_state, check_scalar, check_seed, check_verbose,
                           ndim_of, shape_of, shown, to_module)
from ..base import BaseEstimator
from ..distributed import is_streamed, iter_chunks
from .. import nn
from ..nn.losses import circular_shift
from ..persistence import FittedState
from ._architecture import (ACTIVATIONS, bind, build_networks, check_explicit,
                            count_parameters, explicit, layers_of)
from ._resources import check_autoencoder_memory

__all__ = ["Autoencoder"]

class Autoencoder(BaseEstimator):
    r"""A dense autoencoder: ``transform`` gives the codes, ``inverse_transform`` rebuilds.

    Parameters
    ----------
    hidden : tuple of int, default=(256, 64)
        The widths of the encoder's hidden layers, input side first; the decoder mirrors
        them. ``()`` gives a linear autoencoder (one layer each way). Unused by
        ``kind="conv1d"``.
    latent_dim : int >= 1, default=10
        The size :math:`m` of the code :math:`z`.
    activation : {"relu", "leaky_relu", "tanh", "sigmoid"}, default="relu"
        :math:`\varphi` of eqs. (1) and (2). ReLU layers start He-initialised, the others
        Glorot-initialised.
    output_activation : {None, "sigmoid"}, default=None
        :math:`\psi` of eq. (2). None is the identity (any real data); "sigmoid" keeps the
        reconstruction in (0, 1), for data scaled to [0, 1].
    loss : {"mse", "bce", "shift_mse"}, default="mse"
        The reconstruction loss of eq. (3). "bce" (binary cross-entropy) needs
        ``output_activation="sigmoid"`` and X in [0, 1]. "shift_mse" is the squared error
        after rotating each reconstruction along time to line up best with its input
        (:class:`~neuroclust.nn.ShiftInvariantMSE`; all channels together for
        ``kind="conv1d"``, the whole sample as one signal for ``kind="dense"``): the code
        then need not say *when* a pattern happens, only *what* it is.
    optimizer : {"adam", "sgd"}, default="adam"
    learning_rate : float > 0, default=1e-3
    weight_decay : float >= 0, default=0.0
        Decoupled for Adam, an L2 term in the gradient for SGD (see :mod:`neuroclust.nn`).
    epochs : int >= 1, default=20
    batch_size : int >= 1, default=256
    validation_split : float in [0, 1), default=0.0
        The fraction of samples (the **last** rows of X) held out to compute ``val_loss``.
    patience : int >= 1 or None, default=None
        Early stopping on ``val_loss`` (or ``loss`` without a validation split); the model
        keeps the weights of its best epoch.
    dtype : {None, "float32", "float64"}, default=None
        The dtype of the weights. None follows X, as every estimator does: float32 data
        trains in float32, float64 data in float64, any other numbers (integers) in
        float64; queries then answer in their own data's dtype (the weights cast to it).
        "float32" or "float64" forces that dtype on the weights, on X and on every query;
        float32 trains about twice as fast as float64.
    random_state : int, numpy.random.Generator or None
        Seeds the initial weights and the order of the mini-batches.
    verbose : "auto", bool or int, default="auto"
        A progress bar: ``"auto"`` shows it on a terminal or in a notebook once training has
        run a few seconds (never in a pipe or a log file); ``True`` always, ``False`` never;
        ``2`` also prints a line per epoch.
    callbacks : list of callable, optional
        Called as ``callback(autoencoder, epoch)`` after each epoch; returning ``False``
        stops training.
    kind : {"dense", "conv1d"}, default="dense"
        "dense": X of shape (n_samples, n_features), dense layers of widths ``hidden``.
        "conv1d": X of signals, shape (n_samples, length) (one channel) or
        (n_samples, channels, length), encoded by strided 1-D convolutions (see the module
        docstring); ``inverse_transform`` returns X's shape.
    channels : tuple of int, default=(8, 16)
        ``kind="conv1d"`` only: the output channels of the encoder's convolutions, input side
        first; each halves the length (rounding up for odd ``kernel_size``).
    kernel_size : int >= 1, default=5
        ``kind="conv1d"`` only: the width :math:`K` of every convolution kernel.
    global_pool : bool, default=False
        ``kind="conv1d"`` only: average each of the last convolution's channels over time
        (:class:`~neuroclust.nn.GlobalAveragePool1D`) before the dense layer to the code,
        instead of flattening them. The code is then blind to where in the signal a pattern
        occurs; pair it with ``loss="shift_mse"``, since no decoder can rebuild a phase the
        code does not hold.
    encoder, decoder : neuroclust.nn.Sequential or list of layers, optional
        An explicit architecture instead of ``kind``: both or neither. The encoder gets each
        sample flattened to one row (begin it with ``nn.Reshape((channels, length))`` for
        convolutions) and must return one code vector per sample; the decoder gets the codes
        and must return rows of the sample's length (end it with ``nn.Flatten()``, and with
        ``nn.Sigmoid()`` for ``loss="bce"``). ``hidden``, ``latent_dim``, ``activation``,
        ``output_activation``, ``kind``, ``channels``, ``kernel_size`` and ``global_pool``
        are then unused. ``fit`` trains copies, starting from the layers' current weights
        converted to the dtype it trains in; the objects passed stay untouched. ``save``
        stores each layer's class and :meth:`~neuroclust.nn.Layer.config`, so every layer
        must have one.

    Attributes
    ----------
    parameters_ : ndarray of shape (n_params,)
        Every weight and bias, encoder first, layer by layer, ``W`` before ``b``, each
        ``W`` row by row. The layers' parameters are views into this vector. It lives where
        ``fit`` got X: a CuPy array on the GPU for CuPy data (the initial weights and the
        batch order are drawn on the host, so a seed gives the same model as with NumPy).
        Queries return arrays of their input's module; data from the other one is answered
        with a copy of the weights there, made for the call.
    encoder_ : neuroclust.nn.Sequential
        Eq. (1), built on ``parameters_``.
    decoder_ : neuroclust.nn.Sequential
        Eq. (2), built on ``parameters_``.
    history_ : dict of lists
        ``"loss"``: the mean training loss of each epoch (eq. (3)); ``"val_loss"``: the
        validation loss of each epoch (empty without a validation split); see
        :func:`neuroclust.nn.train`.
    best_epoch_ : int or None
        With ``patience``, the epoch whose weights early stopping kept (an index into
        ``history_["loss"]``); None without early stopping.
    n_features_in_ : int
        The number of values in one sample (channels times length for ``kind="conv1d"``).
    latent_dim_ : int
        The size of the codes: ``latent_dim``, or the width an explicit encoder returns.
    dtype_ : numpy.dtype
        The dtype the model was trained in (that of ``parameters_``): ``dtype``, or X's
        with ``dtype=None``.
    input_shape_ : tuple of int
        ``kind="conv1d"`` and explicit networks only: the shape of one sample of X,
        ``(length,)`` or ``(channels, length)``.

    Examples
    --------
    >>> from neuroclust import Autoencoder, datasets
    >>> X, y = datasets.load_digits()
    >>> ae = Autoencoder(hidden=(32,), latent_dim=4, epochs=2, random_state=0).fit(X / 16)
    >>> ae.transform(X / 16).shape
    (1797, 4)
    """

    # the architecture: a vector of parameters means nothing without it
    _params_fixed_by_fit = ("hidden", "latent_dim", "activation", "output_activation", "loss",
                            "dtype", "kind", "channels", "kernel_size", "global_pool",
                            "encoder", "decoder")

    def __init__(self, hidden=(256, 64), latent_dim=10, activation="relu",
                 output_activation=None, loss="mse", optimizer="adam", learning_rate=1e-3,
                 weight_decay=0.0, epochs=20, batch_size=256, validation_split=0.0,
                 patience=None, dtype=None, random_state=None, verbose="auto",
                 callbacks=None, kind="dense", channels=(8, 16), kernel_size=5,
                 global_pool=False, encoder=None, decoder=None):
        self.hidden = hidden
        self.latent_dim = latent_dim
        self.activation = activation
        self.output_activation = output_activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.patience = patience
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.kind = kind
        self.channels = channels
        self.kernel_size = kernel_size
        self.global_pool = global_pool
        self.encoder = encoder
        self.decoder = decoder

    # ------------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Train on ``X`` of shape (n_samples, n_features) to rebuild ``X``; returns self.

        With ``kind="conv1d"``, X has shape (n_samples, length) or (n_samples, channels,
        length)."""
        return self._fit(X, self.epochs, self.validation_split, self.patience)

    def _fit(self, X, epochs, validation_split, patience):
        """:meth:`fit` for ``epochs`` epochs, with that validation split and patience."""
        self._check_params()
        X, input_shape = self._check_X_for_fit(X)
        if self.loss == "bce" and (X.min() < 0 or X.max() > 1):
            raise ValueError("X must hold values in [0, 1] for loss='bce' (scale it, e.g. "
                             f"divide by its maximum); its values range over "
                             f"[{float(X.min()):.4g}, {float(X.max()):.4g}].")
        rng = check_random_state(self.random_state)
        encoder, decoder = self._build(input_shape, rng, X.dtype)
        theta = bind(encoder, decoder, X.dtype)           # the initial weights, in one vector
        if array_module(X) is not array_module(theta):   # drawn on the host, trained on X's
            theta = bind(encoder, decoder, X.dtype, theta=to_module(theta, array_module(X)))
        latent_dim = (check_explicit(encoder, decoder, X, self.loss) if self._explicit()
                      else int(self.latent_dim))
        network, optimizer = self._training_network(encoder, decoder), self._new_optimizer()
        loss = self._loss(input_shape)

        self.n_features_in_ = X.shape[1]
        self.latent_dim_ = latent_dim
        if self.kind == "conv1d" or self._explicit():
            self.input_shape_ = tuple(int(s) for s in input_shape)
        self.parameters_ = theta
        self._networks = (theta, encoder, decoder)
        callbacks = [lambda _network, epoch, callback=callback: callback(self, epoch)
                     for callback in self.callbacks or ()]
        # (a fit that raises leaves the model as it was: BaseEstimator wraps fit)
        history = nn.train(network, loss, optimizer, X,                         # eqs. (3), (4)
                           epochs=epochs, batch_size=self.batch_size,
                           random_state=rng, validation_split=validation_split,
                           patience=patience, verbose=self.verbose, callbacks=callbacks)
        self.best_epoch_ = history.pop("best_epoch")
        self.history_ = history
        self._stream = (theta, encoder, decoder, network, optimizer, rng)
        return self

    def partial_fit(self, X, y=None):
        """One more epoch on ``X``, going on from the weights learned so far; returns self.

        The first call builds the networks as :meth:`fit` does and trains them one epoch;
        each later call trains one more epoch with the same optimizer, whose moments carry
        over from call to call (a model loaded from a file starts them afresh).
        ``validation_split`` and ``patience`` are not used: one epoch has nothing to hold out
        or stop early. A Dask array or a NumPy memory map larger than memory is streamed: its
        row chunks are read one at a time, in row order
        (:func:`neuroclust.distributed.iter_chunks`), one epoch each (its mini-batches
        shuffled within it); ``history_`` gains an entry per chunk.
        """
        if is_streamed(X):
            for chunk in iter_chunks(X):
                self.partial_fit(chunk)
            return self
        if not hasattr(self, "parameters_"):
            self._fit(X, 1, 0.0, None)
            self.history_ = self._named_history(self.history_)
        else:
            history = self._one_more_epoch(X)
            for name, values in self._named_history(history).items():
                self.history_.setdefault(name, []).extend(values)
            self.best_epoch_ = None
        self._after_fit(X)
        return self

    def _one_more_epoch(self, X):
        """One epoch of ``nn.train`` on checked ``X`` from ``parameters_``, into a copy of it
        (a call that fails leaves the model as it was); returns nn.train's history."""
        self._check_params()
        X = self._check_X(X)
        X = as_float_dtype(X.reshape(X.shape[0], -1), self.parameters_.dtype, name="X")
        if self.loss == "bce" and (X.min() < 0 or X.max() > 1):
            raise ValueError("X must hold values in [0, 1] for loss='bce' (scale it, e.g. "
                             "divide by its maximum).")
        theta = self.parameters_.copy()
        stream = getattr(self, "_stream", None)
        if stream is None or stream[0] is not self.parameters_:   # e.g. after load()
            encoder, decoder = self._networks_on(theta)
            stream = (theta, encoder, decoder, self._training_network(encoder, decoder),
                      self._new_optimizer(), check_random_state(self.random_state))
        _, encoder, decoder, network, optimizer, rng = stream
        bind(encoder, decoder, theta.dtype, theta=theta)   # the same layers, on the copy
        history = nn.train(network, self._loss(self._input_shape()), optimizer, X,
                           epochs=1, batch_size=self.batch_size, random_state=rng,
                           verbose=False)
        history.pop("best_epoch")
        self.parameters_ = theta
        self._networks = (theta, encoder, decoder)
        self._stream = (theta, encoder, decoder, network, optimizer, rng)
        return history

    def _training_network(self, encoder, decoder):
        """The network trained: encoder then decoder (for loss='bce', up to the logits:
        BinaryCrossEntropy applies the sigmoid)."""
        if self.loss == "bce":
            return nn.Sequential(encoder.layers + decoder.layers[:-1])
        return nn.Sequential(encoder.layers + decoder.layers)

    def _new_optimizer(self):
        if self.optimizer == "adam":
            return nn.Adam(self.learning_rate, weight_decay=self.weight_decay)
        return nn.SGD(self.learning_rate, weight_decay=self.weight_decay)

    def _named_history(self, history):
        """The record of nn.train under this model's names (a subclass renames its terms)."""
        return history

    def _after_fit(self, X):
        """What a subclass computes after training on X (the softmax model's labels)."""

    def fit_transform(self, X, y=None):
        """Fit, then return the codes of ``X``, shape (n_samples, latent_dim)."""
        return self.fit(X).transform(X)

    def __sklearn_tags__(self):
        """scikit-learn's tags (see ``BaseEstimator``): the codes come out in X's dtype
        (float32 or float64), or in ``dtype`` when one is given."""
        tags = super().__sklearn_tags__()
        if self.dtype in ("float32", "float64"):
            tags.transformer_tags.preserves_dtype = [self.dtype]
        return tags

    @property
    def dtype_(self):
        """The dtype of ``parameters_``: ``dtype``, or the training data's with ``dtype=None``."""
        check_is_fitted(self, "parameters_")
        return np.dtype(self.parameters_.dtype)

    # -------------------------------------------------------------------- queries
    def transform(self, X):
        """The codes :math:`z` of eq. (1), shape (n_samples, latent_dim)."""
        X = self._check_X(X)
        encoder = self._networks_for(X)[0]
        return encoder.forward(X.reshape(X.shape[0], -1))                        # eq. (1)

    def inverse_transform(self, Z):
        r"""The reconstruction :math:`\hat x` of eq. (2) from codes ``Z`` of shape
        (n_samples, latent_dim); returns shape (n_samples, n_features), or (n_samples,
        \*input_shape_) for ``kind="conv1d"``."""
        check_is_fitted(self, "parameters_")
        Z = self._as_query_dtype(check_array(Z, name="Z"), name="Z")
        latent_dim = int(getattr(self, "latent_dim_", self.latent_dim))
        if Z.shape[1] != latent_dim:
            raise ValueError(f"Z has {Z.shape[1]} features, but the codes of this autoencoder "
                             f"have latent_dim={latent_dim}.")
        X_hat = self._networks_for(Z)[1].forward(Z)                               # eq. (2)
        return X_hat.reshape((Z.shape[0],) + self._input_shape())

    def reconstruct(self, X):
        """Encode then decode ``X``: eq. (2) of eq. (1), of X's shape.

        With ``loss="shift_mse"`` each reconstruction is rotated along time into line with
        its input (the best shift of :class:`~neuroclust.nn.ShiftInvariantMSE`), as the
        loss compared them."""
        X = self._check_X(X)
        X_hat = self.inverse_transform(self.transform(X))
        if self.loss != "shift_mse":
            return X_hat
        n, c_length = X.shape[0], int(np.prod(self._input_shape()))
        loss = self._loss(self._input_shape())
        loss.forward(X_hat.reshape(n, c_length), X.reshape(n, c_length))
        return circular_shift(X_hat, loss.shifts_)

    def reconstruction_error(self, X):
        r"""The squared reconstruction error of each sample, :math:`\ell_i` of eq. (3).

        Returns
        -------
        ndarray of shape (n_samples,)
            :math:`\|\hat x_i - x_i\|^2`, summed over the features (for ``loss="bce"``
            too). Its mean is the ``"mse"`` training loss of eq. (3); divide by
            ``n_features_in_`` for the error per pixel. With ``loss="shift_mse"``,
            :math:`\hat x_i` is first shifted into line with :math:`x_i` (see
            :meth:`reconstruct`), so the mean is that training loss.
        """
        X = self._check_X(X)
        D = self.reconstruct(X) - X                                               # (n, d)
        return np.sum(D.reshape(D.shape[0], -1) ** 2, axis=1)                     # eq. (3)

    # ------------------------------------------------- the networks on parameters_
    @property
    def encoder_(self):
        """The encoder, eq. (1): a Sequential whose parameters are views of ``parameters_``."""
        return self._current_networks()[0]

    @property
    def decoder_(self):
        """The decoder, eq. (2): a Sequential whose parameters are views of ``parameters_``."""
        return self._current_networks()[1]

    def _current_networks(self):
        """The (encoder, decoder) on ``parameters_``, rebuilt when the vector was replaced
        (as by :func:`neuroclust.load`)."""
        check_is_fitted(self, "parameters_")
        cached = getattr(self, "_networks", None)
        if cached is None or cached[0] is not self.parameters_:
            self._networks = cached = (self.parameters_,) + self._networks_on(self.parameters_)
        return cached[1], cached[2]

    def _networks_for(self, X):
        """The (encoder, decoder) in the array module (NumPy or CuPy) and dtype of ``X``.

        Those on ``parameters_`` when it lives there too, in X's dtype; else networks on a
        copy of it, made for this call, so a model fitted on the GPU answers NumPy queries, a
        loaded one CuPy queries, and a float32 model float64 queries (``parameters_`` itself
        stays as it is). A float64 model's weights beyond float32's range refuse a float32
        query, as :meth:`~neuroclust.base.BaseEstimator._like` does."""
        check_is_fitted(self, "parameters_")
        theta = self.parameters_
        if array_module(theta) is array_module(X) and theta.dtype == X.dtype:
            return self._current_networks()
        return self._networks_on(self._like(theta, X))

    def _as_query_dtype(self, X, name="X"):
        """A validated query in the dtype it is answered in: its own (float32 or float64)
        with ``dtype=None``, else ``dtype`` (refused if its values do not fit in it)."""
        return X if self.dtype is None else as_float_dtype(X, self.dtype, name=name)

    def _networks_on(self, theta):
        """A new (encoder, decoder) whose parameters are views into the vector ``theta``."""
        encoder, decoder = self._build(self._input_shape(), np.random.default_rng(0),
                                       theta.dtype)
        expected = sum(p.size for layer in encoder.layers_with_params()
                       + decoder.layers_with_params() for p in layer.params.values())
        shape = shape_of(theta)
        if shape != (expected,):
            raise ValueError(f"parameters_ has shape {shape}, but this architecture has "
                             f"{expected} parameters.")
        bind(encoder, decoder, theta.dtype, theta=theta)
        return encoder, decoder

    def _loss(self, input_shape):
        """The loss object of eq. (3) for samples of ``input_shape``."""
        if self.loss == "mse":
            return nn.MeanSquaredError()
        if self.loss == "bce":
            return nn.BinaryCrossEntropy()
        channels = input_shape[0] if len(input_shape) == 2 else 1
        return nn.ShiftInvariantMSE(channels=channels)

    def _input_shape(self):
        if self.kind == "conv1d" or self._explicit():
            return tuple(int(s) for s in self.input_shape_)
        return (int(self.n_features_in_),)

    def _build(self, input_shape, rng, dtype):
        """The encoder and decoder of eqs. (1), (2), with fresh weights in ``dtype``."""
        return build_networks(self, input_shape, rng, dtype)

    def _count_parameters(self, n_features):
        """The number of parameters :meth:`_build` makes, counted without building (None for
        an explicit encoder and decoder)."""
        return count_parameters(self, n_features)

    def _explicit(self):
        """Whether the architecture was given as an encoder and a decoder."""
        return explicit(self)

    def _json_extra(self):
        """An explicit encoder and decoder, as their layers' classes and
        :meth:`~neuroclust.nn.Layer.config` (the weights are in ``parameters_``)."""
        if not self._explicit():
            return None
        return {name: [[type(layer).__name__, layer.config()]
                       for layer in layers_of(network, name)]
                for name, network in (("encoder", self.encoder), ("decoder", self.decoder))}

    def _restore_extra(self, extra):
        """Rebuild the explicit encoder and decoder that :meth:`_json_extra` described."""
        networks = {}
        for name in ("encoder", "decoder"):
            layers = []
            for class_name, config in extra[name]:
                cls = getattr(nn, class_name, None)
                if not (isinstance(cls, type) and issubclass(cls, nn.Layer)):
                    raise ValueError(f"the saved {name} holds an unknown layer {class_name!r}")
                layers.append(cls(**config))
            networks[name] = nn.Sequential(layers)
        self.encoder, self.decoder = networks["encoder"], networks["decoder"]

    def _check_X_for_fit(self, X):
        """X checked for ``fit`` and in the dtype it trains in (X's float32 or float64, or
        ``dtype``: refused if its values do not fit in it), its samples flattened; the
        request's memory checked. Returns (X, the shape of one sample)."""
        ndim = 3 if (self.kind == "conv1d" or self._explicit()) and ndim_of(X) == 3 else 2
        X = self._as_query_dtype(check_array(X, ndim=ndim))
        _check_squares_fit(X)
        input_shape = X.shape[1:]
        n = X.shape[0]
        n_val = math.floor(n * self.validation_split)
        if self.validation_split > 0 and not 1 <= n_val < n:
            raise ValueError(f"validation_split={self.validation_split} leaves {n_val} "
                             f"validation and {n - n_val} training samples of {n}; each needs "
                             "at least one.")
        check_autoencoder_memory(self, input_shape, n, X.dtype.itemsize)
        return X.reshape(n, -1), input_shape     # the networks take flattened samples

    def _check_X(self, X):
        check_is_fitted(self, "parameters_")
        if self.kind != "conv1d" and not self._explicit():
            X = check_array(X)
            check_n_features(X, self.n_features_in_, owner=type(self).__name__)
            return self._as_query_dtype(X)
        shape = self._input_shape()
        X = check_array(X, ndim=len(shape) + 1)
        if X.shape[1:] != shape:
            raise ValueError(f"X has samples of shape {X.shape[1:]}, but this autoencoder was "
                             f"fitted on samples of shape {shape}.")
        return self._as_query_dtype(X)

    def _check_params(self):
        if isinstance(self.hidden, (str, bytes, dict, set)):
            raise ValueError(f"hidden must be a tuple of layer widths, e.g. (256, 64), got "
                             f"{self.hidden!r}.")
        try:
            hidden = tuple(self.hidden)
        except TypeError:
            raise ValueError(f"hidden must be a tuple of layer widths, got "
                             f"{self.hidden!r}.") from None
        for width in hidden:
            check_scalar(width, "each width in hidden", numbers.Integral, low=1)
        check_scalar(self.latent_dim, "latent_dim", numbers.Integral, low=1)
        check_choice(self.activation, "activation", tuple(ACTIVATIONS))
        if self.output_activation not in (None, "sigmoid"):
            raise ValueError(f"output_activation must be None or 'sigmoid', got "
                             f"{self.output_activation!r}.")
        check_choice(self.loss, "loss", ("mse", "bce", "shift_mse"))
        if self._explicit():
            if self.encoder is None or self.decoder is None:
                missing = "decoder" if self.decoder is None else "encoder"
                raise ValueError(f"encoder and decoder must be given together; the {missing} "
                                 "is missing.")
            layers_of(self.encoder, "encoder")
            layers_of(self.decoder, "decoder")
        elif self.loss == "bce" and self.output_activation != "sigmoid":
            raise ValueError("loss='bce' needs output_activation='sigmoid' (a cross-entropy "
                             "compares probabilities).")
        check_choice(self.optimizer, "optimizer", ("adam", "sgd"))
        check_scalar(self.learning_rate, "learning_rate", low=0, low_inclusive=False)
        check_scalar(self.weight_decay, "weight_decay", low=0)
        check_count(self.epochs, "epochs")
        check_scalar(self.batch_size, "batch_size", numbers.Integral, low=1)
        check_scalar(self.validation_split, "validation_split", low=0, high=1,
                     high_inclusive=False)
        if self.patience is not None:
            check_scalar(self.patience, "patience", numbers.Integral, low=1)
        if self.dtype is not None and (not isinstance(self.dtype, str)
                                       or self.dtype not in ("float32", "float64")):
            raise ValueError(f"dtype must be one of None (X's dtype), 'float32', 'float64', "
                             f"got {shown(self.dtype)}.")
        check_callbacks(self.callbacks)
        check_verbose(self.verbose)
        check_seed(self.random_state)
        check_choice(self.kind, "kind", ("dense", "conv1d"))
        try:
            channels = tuple(self.channels)
        except TypeError:
            raise ValueError(f"channels must be a tuple of channel counts, got "
                             f"{self.channels!r}.") from None
        if self.kind == "conv1d" and not channels:
            raise ValueError("channels must hold at least one channel count for kind='conv1d'.")
        for count in channels:
            check_scalar(count, "each count in channels", numbers.Integral, low=1)
        check_scalar(self.kernel_size, "kernel_size", numbers.Integral, low=1)
        if not isinstance(self.global_pool, (bool, np.bool_)):
            raise ValueError(f"global_pool must be True or False, got {self.global_pool!r}.")
        if self.global_pool and self.kind != "conv1d":
            raise ValueError("global_pool=True needs kind='conv1d' (it pools the channels of "
                             "the last convolution over time).")

    # The attributes a model file may set (neuroclust.load refuses any other).
    _fitted_attributes = ("parameters_", "n_features_in_", "latent_dim_", "input_shape_",
                          "history_", "best_epoch_")
    # an entry a model file in format 2 or older keeps in history_, moved to its own attribute
    _history_moved = {"best_epoch": "best_epoch_"}
    # the lists history_ holds
    _history_lists = ("loss", "val_loss")

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other and the parameters
        (:func:`neuroclust.load` checks every model it reads from a file with this).

        ``parameters_`` must have exactly the length of the architecture, which is counted
        before any layer is built (a file may declare layers far too large to build); the
        networks are then built on it and run on one sample of zeros."""
        state = FittedState(self)
        n_features = state.n_features()
        theta = state.parameter_vector(self.dtype)
        latent_dim = state.integer("latent_dim_", low=1, required=True)
        if not self._explicit() and latent_dim != self.latent_dim:
            raise ValueError(f"latent_dim_={latent_dim} differs from latent_dim="
                             f"{self.latent_dim}.")
        shape = vars(self).get("input_shape_")
        if shape is not None or self.kind == "conv1d" or self._explicit():
            if (not isinstance(shape, (list, tuple)) or len(shape) not in (1, 2)
                    or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool)
                               and s >= 1 for s in shape)
                    or int(np.prod(shape)) != n_features):
                raise ValueError(f"input_shape_ must be (length,) or (channels, length) with "
                                 f"n_features_in_={n_features} values, got {shape!r}.")
            self.input_shape_ = tuple(int(s) for s in shape)
        expected = self._count_parameters(n_features)
        if expected is not None and theta.size != expected:
            raise ValueError(f"parameters_ has {theta.size} values, but this architecture has "
                             f"{expected}.")
        encoder, decoder = self._networks_on(theta)
        probe = np.zeros((1, n_features), dtype=theta.dtype)
        codes = encoder.forward(probe)
        if codes.shape != (1, latent_dim):
            raise ValueError(f"the encoder gives codes of shape {codes.shape[1:]}, but "
                             f"latent_dim_={latent_dim}.")
        if decoder.forward(codes).reshape(1, -1).shape != probe.shape:
            raise ValueError(f"the decoder does not give back samples of {n_features} values.")
        self._networks = (theta, encoder, decoder)
        # nn.train's record: the loss of each epoch, the validation loss (empty without a
        # validation split); and the epoch whose weights early stopping kept
        history = state.history(dict.fromkeys(self._history_lists, "number"),
                                may_be_empty=("val_loss",))
        # (None, without early stopping, is not written to the file)
        self.best_epoch_ = state.integer("best_epoch_", low=0, high=len(history["loss"]) - 1)


def _check_squares_fit(X):
    """Fail when squared values of X overflow its dtype: the reconstruction loss (and every
    activation of a first layer with weights near one) could not be computed."""
    largest = max(abs(float(X.max())), abs(float(X.min())))
    limit = math.sqrt(float(np.finfo(X.dtype).max))
    if largest > limit:
        raise ValueError(f"X holds values up to {largest:.3g} in absolute value; their squares "
                         f"(the reconstruction error) overflow {X.dtype} (largest "
                         f"{float(np.finfo(X.dtype).max):.3g}); scale the data, e.g. "
                         "standardise it.")
