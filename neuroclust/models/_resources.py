"""How much memory a request will need, estimated before anything is allocated.

Each estimator calls one of these at the start of ``fit``, once the data is checked (the
sizes depend on its shape and dtype), so that a request that cannot fit in memory, such as
``SOM(shape=(5000, 5000))`` or ``GrowingNeuralGas(max_nodes=100000)``, fails at once with
one sentence (:func:`neuroclust._validation.check_memory`) instead of swapping, being killed,
or failing half-way. A request that would merely take long is not refused.

The estimates count the largest arrays and the copies training keeps of them (the state
after the last good epoch, the optimizer's moments); they are deliberately rough, and
generous rather than tight. Sizes are Python ints, so no product can overflow.
"""
import math

import numpy as np

from .._validation import check_memory, shown
from ..backend import get_kernels

__all__ = ["check_prototype_memory", "check_som_memory", "check_gng_memory",
           "check_art_memory", "check_autoencoder_memory"]

#: Peak of the SOM's grid distances while they are built, in (n_units, n_units) float64
#: matrices: the per-axis differences (two), their squares, the sum and its rounding
#: (measured: about 6).
GRID_MATRICES = 6
#: Copies of a model's prototypes alive during training: the weights, the fitted attribute,
#: the last good state and the state being taken, a temporary of the update.
PROTOTYPE_COPIES = 5


def check_prototype_memory(estimator, n_units, X):
    """Competitive learning and k-means: prototypes, the kernels' buffers, the seeding.

    Parameters
    ----------
    estimator : CompetitiveLearning or KMeans
        Fitted on ``X`` (``backend_`` set).
    n_units : int
        The number of prototypes.
    X : ndarray
        The validated data.
    """
    n_samples, n_features = X.shape
    itemsize = X.dtype.itemsize
    prototypes = PROTOTYPE_COPIES * n_units * n_features * itemsize
    buffers = _distance_buffers(estimator, n_units, n_features, n_samples, itemsize)
    seeding = _seeding_bytes(estimator.init, n_units, n_features, n_samples)
    total = prototypes + buffers + seeding
    largest = max((prototypes, f"its prototypes ({n_units:,} x {n_features:,} "
                               f"{X.dtype.name}, with the copies training keeps)"),
                  (buffers, f"the distance blocks the kernels fill ({n_units:,} distances "
                            "per sample, for a block of samples per thread)"),
                  (seeding, "the k-means++ seeding's candidate distances"))[1]
    check_memory(total, f"{type(estimator).__name__}(n_clusters={n_units:,})", largest,
                 "use fewer clusters")


def _distance_buffers(estimator, n_units, n_features, n_samples, itemsize):
    """The per-thread (chunk, n_units) distance blocks and per-thread partial sums."""
    if getattr(estimator, "backend_", None) == "cython":
        cython = get_kernels("cython")    # built, since the fit chose it
        threads = min(cython.default_n_threads(), -(-n_samples // cython.CHUNK_ROWS))
        return threads * cython.bmu_bytes_per_thread(n_units, n_features, itemsize, True)
    # The NumPy reference's chunks (the CuPy backend runs the reference's distance code).
    rows = min(n_samples, get_kernels("numpy").CHUNK_ROWS)
    return 3 * rows * n_units * itemsize + n_units * n_features * 8   # scores and temporaries


def _seeding_bytes(init, n_units, n_features, n_samples):
    """k-means++ keeps (n_local_trials, n_samples) candidate distances and temporaries;
    "random" draws the prototypes in float64."""
    if isinstance(init, str) and init == "k-means++":
        n_local_trials = 2 + int(math.log(n_units))
        return 4 * n_local_trials * n_samples * 8
    if isinstance(init, str) and init == "random":
        return 3 * n_units * n_features * 8
    return 0


def check_som_memory(estimator, rows, cols, X):
    """The SOM: the grid-distance matrix, the adjacency matrix, the prototypes."""
    n_units = rows * cols
    n_features = X.shape[1]
    grid = GRID_MATRICES * n_units * n_units * 8 + n_units * n_units      # + bool adjacency
    prototypes = (PROTOTYPE_COPIES * X.dtype.itemsize + 3 * 8) * n_units * n_features  # + PCA
    check_memory(grid + prototypes, f"SOM(shape=({shown(rows)}, {shown(cols)}))",
                 f"its grid distances ({_count(n_units)} x {_count(n_units)} float64) and "
                 "prototypes", "use a smaller map")


def check_gng_memory(estimator, X):
    """Growing neural gas: the (max_nodes, max_nodes) int64 edge ages and the node arrays,
    kept three times during training (the state, the last good one, the one being taken)."""
    n = int(estimator.max_nodes)
    per_copy = n * n * 8 + n * (X.shape[1] * X.dtype.itemsize + 8)
    check_memory(3 * per_copy + 2 * n * n, f"GrowingNeuralGas(max_nodes={_count(n)})",
                 f"its edge ages ({_count(n)} x {_count(n)} int64) and nodes",
                 "use a smaller max_nodes")


def check_art_memory(estimator, capacity, width, itemsize):
    """Fuzzy ART and ART1: the templates' capacity (a row per category that may be
    committed), twice while it grows, and the kernel's per-category sizes."""
    total = capacity * (2 * width * itemsize + 8)
    if estimator.max_categories is not None:
        request, advice = (f"{type(estimator).__name__}(max_categories="
                           f"{_count(estimator.max_categories)})", "use a smaller max_categories")
    else:
        request, advice = (type(estimator).__name__ + "()",
                           "set max_categories, or fit on fewer samples at a time")
    check_memory(total, request, f"room for {_count(capacity)} category templates of {width:,} "
                 "values", advice)


def _count(n):
    """An int with thousands separators, or a short description when it is enormous."""
    n = int(n)
    return f"{n:,}" if n.bit_length() <= 200 else shown(n)


def check_autoencoder_memory(estimator, input_shape, n_samples, itemsize):
    """An Autoencoder built from ``hidden`` or ``channels``: its parameters, times the copies
    training keeps (gradients, Adam's two moments, the last good weights and the ones being
    taken, the layers' initial weights), plus the activations of a batch and of the
    validation samples. An explicit encoder and decoder already exist: not counted."""
    if estimator.encoder is not None or estimator.decoder is not None:
        return
    if estimator.kind == "conv1d":
        n_params, widths = _conv1d_sizes(estimator, input_shape)
    else:
        n_params, widths = _dense_sizes(estimator, int(np.prod(input_shape)))
    copies = 8 if estimator.optimizer == "adam" else 6
    n_val = math.floor(n_samples * estimator.validation_split)
    rows = min(int(estimator.batch_size), n_samples - n_val) + n_val
    total = copies * n_params * itemsize + 3 * rows * widths * itemsize
    shape = (f"hidden={tuple(int(h) for h in estimator.hidden)}" if estimator.kind == "dense"
             else f"channels={tuple(int(c) for c in estimator.channels)}")
    # the parameter the user set for the code's width (SoftmaxAutoencoder: n_clusters)
    code = getattr(estimator, "_code_parameter", "latent_dim")
    check_memory(total, f"{type(estimator).__name__}({shape}, "
                 f"{code}={int(getattr(estimator, code))})",
                 f"its {n_params:,} parameters (with the copies training keeps) and the "
                 "activations of a batch", "use narrower layers or a smaller batch_size")


def _dense_sizes(estimator, n_features):
    """(number of parameters, sum of the layers' output widths) of the dense networks."""
    hidden = [int(h) for h in estimator.hidden]
    encoder = [n_features] + hidden + [int(estimator.latent_dim)]
    decoder = encoder[::-1]
    n_params = sum(a * b + b for network in (encoder, decoder)
                   for a, b in zip(network, network[1:]))
    return n_params, sum(encoder[1:]) + sum(decoder[1:])


def _conv1d_sizes(estimator, input_shape):
    """(number of parameters, values per sample in all layers' outputs) of the
    convolutional networks, lengths as Conv1D computes them (at least 1)."""
    channels_in, length = (1, input_shape[0]) if len(input_shape) == 1 else input_shape
    K = int(estimator.kernel_size)
    channels = [int(channels_in)] + [int(c) for c in estimator.channels]
    lengths = [int(length)]
    for _ in channels[1:]:
        lengths.append(max(1, (lengths[-1] + 2 * (K // 2) - K) // 2 + 1))
    convolutions = sum(a * b * K + b for a, b in zip(channels, channels[1:]))
    code_in = channels[-1] if estimator.global_pool else channels[-1] * lengths[-1]
    latent = int(estimator.latent_dim)
    dense = (code_in * latent + latent) + (latent * channels[-1] * lengths[-1]
                                           + channels[-1] * lengths[-1])
    activations = sum(c * n for c, n in zip(channels, lengths))
    return 2 * convolutions + dense, 2 * activations + latent
