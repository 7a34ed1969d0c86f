"""The Autoencoder's networks: the dense or convolutional encoder and decoder it builds from
its parameters, eqs. (1) and (2) of :class:`neuroclust.Autoencoder`, the count of their
parameters, and the one parameter vector they are bound to.

Used by ``models/autoencoder.py`` (the estimator) and ``models/vae.py`` (whose encoder gives
twice the code's width: the means and the log-variances); the layers are those of
``neuroclust.nn``.
"""
import copy

import numpy as np

from .. import nn

__all__ = ["build_networks", "count_parameters", "check_explicit", "explicit", "layers_of",
           "copied", "bind", "ACTIVATIONS"]

ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "tanh": nn.Tanh,
               "sigmoid": nn.Sigmoid}


def explicit(model):
    """Whether the architecture was given as an encoder and a decoder."""
    return model.encoder is not None or model.decoder is not None


def build_networks(model, input_shape, rng, dtype, code_width=None):
    """The encoder and decoder Sequentials of eqs. (1), (2), with fresh weights in
    ``dtype``. The encoder's last layer gives ``code_width`` values per sample (None:
    ``latent_dim``; a variational autoencoder's gives ``2 * latent_dim``, the means and the
    log-variances); the decoder takes ``latent_dim``."""
    dtype = np.dtype(dtype)
    if explicit(model):                    # copies: fit must not train the user's layers
        return tuple(nn.Sequential(copied(network, name, dtype)) for name, network
                     in (("encoder", model.encoder), ("decoder", model.decoder)))
    Act = ACTIVATIONS[model.activation]
    init = "he" if model.activation in ("relu", "leaky_relu") else "glorot"
    code_width = int(model.latent_dim) if code_width is None else int(code_width)
    if model.kind == "conv1d":
        return _conv1d_networks(model, input_shape, rng, Act, init, dtype, code_width)
    n_features = input_shape[0]

    def stack(widths, n_out, last):
        layers = []
        for n_in, width in zip(widths, widths[1:]):
            layers += [nn.Dense(n_in, width, init=init, random_state=rng, dtype=dtype),
                       Act()]
        layers.append(nn.Dense(widths[-1], n_out, init="glorot", random_state=rng,
                               dtype=dtype))
        return nn.Sequential(layers + last)

    hidden = [int(h) for h in model.hidden]
    encoder = stack([n_features] + hidden, code_width, [])
    output = [nn.Sigmoid()] if model.output_activation == "sigmoid" else []
    decoder = stack([model.latent_dim] + hidden[::-1], n_features, output)
    return encoder, decoder


def _conv1d_networks(model, input_shape, rng, Act, init, dtype, code_width):
    """The convolutional encoder and decoder (described in models/autoencoder.py), on flattened
    samples."""
    c_in, length = (1, input_shape[0]) if len(input_shape) == 1 else input_shape
    K, channels = int(model.kernel_size), [int(c) for c in model.channels]
    encoder, lengths = [nn.Reshape((c_in, length))], [length]
    for n_in, n_out in zip([c_in] + channels, channels):
        conv = nn.Conv1D(n_in, n_out, K, stride=2, padding=K // 2, init=init,
                         random_state=rng, dtype=dtype)
        try:
            lengths.append(conv.output_length(lengths[-1]))
        except ValueError:
            raise ValueError(f"kernel_size={K} with {len(channels)} stride-2 convolutions "
                             f"is too large for signals of length {length} (length "
                             f"{lengths[-1]} before convolution {len(lengths)}); use a "
                             "smaller kernel_size or fewer channels.") from None
        encoder += [conv, Act()]
    n_code = channels[-1] * lengths[-1]
    pooled = [nn.GlobalAveragePool1D()] if model.global_pool else [nn.Flatten()]
    encoder += pooled + [nn.Dense(channels[-1] if model.global_pool else n_code,
                                  code_width, init="glorot", random_state=rng,
                                  dtype=dtype)]
    decoder = [nn.Dense(model.latent_dim, n_code, init=init, random_state=rng, dtype=dtype),
               Act(), nn.Reshape((channels[-1], lengths[-1]))]
    outs = channels[::-1][1:] + [c_in]            # mirrored, the last back to c_in
    for i, (n_in, n_out) in enumerate(zip(channels[::-1], outs)):
        L_in, target = lengths[-1 - i], lengths[-2 - i]
        base = (L_in - 1) * 2 - 2 * (K // 2) + K                  # with output_padding 0
        if not 0 <= target - base < 2:
            raise ValueError(f"no output_padding lets a transposed convolution "
                             f"(kernel_size={K}, stride 2) rebuild length {target} from "
                             f"{L_in}; choose another kernel_size.")
        last = i == len(channels) - 1
        decoder.append(nn.ConvTranspose1D(n_in, n_out, K, stride=2, padding=K // 2,
                                          output_padding=target - base,
                                          init="glorot" if last else init,
                                          random_state=rng, dtype=dtype))
        if not last:
            decoder.append(Act())
    decoder.append(nn.Flatten())
    if model.output_activation == "sigmoid":
        decoder.append(nn.Sigmoid())
    return nn.Sequential(encoder), nn.Sequential(decoder)


def count_parameters(model, n_features, code_width=None):
    """The number of parameters of ``model``'s architecture for ``n_features`` inputs, counted
    without building a layer (a model file may declare layers far too large to build), or
    None for an encoder and decoder given as networks. ``code_width`` is that of
    :func:`build_networks`."""
    expected = None
    m = int(model.latent_dim)
    c = m if code_width is None else int(code_width)
    if model.kind == "dense" and not explicit(model):
        hidden = [int(h) for h in model.hidden]
        encoder, decoder = [n_features] + hidden + [c], [m] + hidden[::-1] + [n_features]
        expected = sum(a * b + b for widths in (encoder, decoder)
                       for a, b in zip(widths, widths[1:]))
    elif not explicit(model):  # the layers of _conv1d_networks, counted
        c_in, length = (1, *model.input_shape_) if len(model.input_shape_) == 1 \
            else model.input_shape_
        K, channels = int(model.kernel_size), [int(c) for c in model.channels]
        for _ in channels:
            length = (length + 2 * (K // 2) - K) // 2 + 1
        n_code = channels[-1] * max(length, 0)
        expected = (sum(a * b * K + b for a, b in zip([c_in] + channels, channels))
                    + sum(a * b * K + b for a, b in zip(channels[::-1],
                                                        channels[::-1][1:] + [c_in]))
                    + (channels[-1] if model.global_pool else n_code) * c + c
                    + m * n_code + n_code)
    return expected


def check_explicit(encoder, decoder, X, loss):
    """Run two samples through explicit networks; the code size, or a clear error."""
    probe = X[:2]
    try:
        Z = encoder.forward(probe)
    except ValueError as error:
        raise ValueError(f"the encoder cannot take samples of {X.shape[1]} values "
                         f"(flattened X): {error}") from None
    if Z.ndim != 2:
        raise ValueError(f"the encoder returns codes of shape {tuple(Z.shape[1:])} per "
                         "sample; a code must be a vector (end the encoder with "
                         "nn.Flatten() or a Dense layer).")
    try:
        X_hat = decoder.forward(Z)
    except ValueError as error:
        raise ValueError(f"the decoder cannot take the encoder's codes of {Z.shape[1]} "
                         f"values: {error}") from None
    if X_hat.shape != probe.shape:
        raise ValueError(f"the decoder returns samples of shape {tuple(X_hat.shape[1:])}, "
                         f"but it must return rows of {X.shape[1]} values, the samples "
                         "flattened (end it with nn.Flatten()).")
    if loss == "bce" and not isinstance(decoder.layers[-1], nn.Sigmoid):
        raise ValueError("loss='bce' needs the decoder to end with nn.Sigmoid() (the "
                         "cross-entropy is computed from the logits before it).")
    return int(Z.shape[1])


def layers_of(network, name):
    """The list of layers of a Sequential or a list of layers, checked."""
    layers = network.layers if isinstance(network, nn.Sequential) else network
    if (not isinstance(layers, (list, tuple)) or not layers
            or not all(isinstance(layer, nn.Layer) for layer in layers)):
        raise ValueError(f"{name} must be a neuroclust.nn.Sequential or a non-empty list of "
                         f"neuroclust.nn layers, got {type(network).__name__}.")
    return list(layers)


def copied(network, name, dtype):
    """Deep copies of a network's layers, computing in ``dtype`` (their weights are converted
    by :func:`bind`)."""
    layers = copy.deepcopy(layers_of(network, name))
    for layer in layers:
        if hasattr(layer, "dtype"):
            layer.dtype = np.dtype(dtype)
    return layers


def bind(encoder, decoder, dtype, theta=None):
    """Make every layer parameter a view into one flat vector ``theta`` and return it.

    Without ``theta`` a new vector is filled with the layers' current (initial) values; with
    one, the layers take its values. The optimizer updates parameters in place, so training
    the layers trains ``theta``.
    """
    layers = encoder.layers_with_params() + decoder.layers_with_params()
    fill = theta is None
    if fill:
        theta = np.empty(sum(p.size for layer in layers for p in layer.params.values()),
                         dtype=dtype)
    offset = 0
    for layer in layers:
        for name, value in list(layer.params.items()):
            view = theta[offset:offset + value.size].reshape(value.shape)
            if fill:
                view[...] = value
            layer.params[name] = view
            offset += value.size
    return theta
