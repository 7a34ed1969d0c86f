"""Tests for the figures of neuroclust/plotting/autoencoder.py: each draws under Agg and saves
a non-trivial PNG, on a tiny Autoencoder (2 epochs, 200 digits) and small synthetic signals."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from neuroclust import Autoencoder, LatentClustering, datasets, plotting
from neuroclust.plotting import (
    plot_latent_space,
    plot_reconstructions,
    plot_signals_by_cluster,
    plot_training_curves,
)


@pytest.fixture(scope="module")
def digits():
    X, y = datasets.load_digits()
    return X[:200] / 16.0, y[:200]


@pytest.fixture(scope="module")
def autoencoder(digits):
    X, _y = digits
    return Autoencoder(hidden=(16,), latent_dim=3, epochs=2, batch_size=64,
                       validation_split=0.2, random_state=0).fit(X)


@pytest.fixture(scope="module")
def signals():
    """Three shapes of signal (sine, square, ramp), 10 noisy copies each: X (30, 40), y."""
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, 40)
    shapes = [np.sin(2 * np.pi * 2 * t), np.sign(np.sin(2 * np.pi * 3 * t)), 2 * t - 1]
    y = np.repeat(np.arange(3), 10)
    X = np.array([shapes[k] for k in y]) + 0.1 * rng.standard_normal((30, 40))
    return X, y


def test_exported():
    for name in ("plot_training_curves", "plot_latent_space", "plot_reconstructions",
                 "plot_signals_by_cluster"):
        assert name in plotting.__all__


# ---------------------------------------------------------------- plot_training_curves
def test_training_curves_autoencoder_history(autoencoder, tmp_path, saved_png):
    figure = plot_training_curves(autoencoder.history_, title="tiny autoencoder")
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["training", "validation (held-out samples)"]
    assert len(ax.lines[0].get_xdata()) == 2
    assert ax.get_title() == "tiny autoencoder"
    assert ax.get_ylabel() == "loss" and ax.get_legend() is not None
    saved_png(figure, tmp_path / "curves.png", min_bytes=3000)


def test_training_curves_without_val_loss_and_model_accepted(digits):
    X, _y = digits
    model = Autoencoder(hidden=(8,), latent_dim=2, epochs=2, batch_size=64,
                        random_state=0).fit(X)
    assert model.history_["val_loss"] == [] or len(model.history_["val_loss"]) == 0
    figure = plot_training_curves(model)          # a fitted model: its history_
    ax = figure.axes[0]
    assert [line.get_label() for line in ax.lines] == ["training"]
    assert ax.get_legend() is None                # one curve: no legend to decode
    assert ax.get_title() == "Autoencoder: training loss per epoch"
    assert ax.get_ylabel().startswith("squared error per sample")
    assert "64 features" in ax.get_ylabel() and ax.get_ylim()[0] == 0


def test_training_curves_log_scale_and_best_epoch(tmp_path, saved_png):
    history = {"loss": [100.0, 10.0, 1.0, 0.5, 0.4], "val_loss": [], "best_epoch": 3}
    figure = plot_training_curves(history)
    ax = figure.axes[0]
    assert ax.get_yscale() == "log"
    assert "best epoch (4)" in [line.get_label() for line in ax.lines]
    saved_png(figure, tmp_path / "log.png", min_bytes=3000)
    flat = plot_training_curves({"loss": [1.0, 0.9, 0.8]})
    assert flat.axes[0].get_yscale() == "linear"


def test_training_curves_into_axes():
    _fig, ax = plt.subplots()
    assert plot_training_curves({"loss": [0.3, 0.2], "val_loss": [0.4, 0.3]}, ax=ax) is ax


@pytest.mark.parametrize("bad", [None, {"val_loss": [1.0]}, [1.0, 2.0], {"loss": None}])
def test_training_curves_bad_history(bad):
    with pytest.raises(ValueError, match="history must be a dict with a 'loss'"):
        plot_training_curves(bad)


# ------------------------------------------------------------------- plot_latent_space
def test_latent_space_pca_two_panels(autoencoder, digits, tmp_path, saved_png):
    X, y = digits
    codes = autoencoder.transform(X)
    assert codes.shape[1] == 3
    labels = np.arange(200) % 4
    figure = plot_latent_space(codes, labels, true_labels=y, title="latent space")
    assert isinstance(figure, Figure) and len(figure.axes) == 2
    assert figure.axes[0].get_xlabel().startswith("PC 1")
    assert figure.axes[0].get_title() == "clusters (coloured as their matched class)"
    assert figure.axes[1].get_title() == "true labels"
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend == [f"cluster {k}" for k in range(4)]
    legend = [t.get_text() for t in figure.axes[1].get_legend().get_texts()]
    assert legend == [f"true {k}" for k in range(10)]
    saved_png(figure, tmp_path / "latent.png", min_bytes=3000)


def test_latent_space_pca_matches_numpy_projection():
    rng = np.random.default_rng(1)
    codes = rng.standard_normal((50, 5)) * np.array([5.0, 3.0, 1.0, 0.5, 0.1])
    figure = plot_latent_space(codes, method="pca")
    points = figure.axes[0].collections[0].get_offsets()
    centred = codes - codes.mean(axis=0)
    eigvals, eigvecs = np.linalg.eigh(np.cov(centred.T))
    expected = centred @ eigvecs[:, ::-1][:, :2]
    for j in range(2):   # equal up to the sign of each component
        assert np.allclose(np.abs(points[:, j]), np.abs(expected[:, j]))
    first = plot_latent_space(codes, method="first")
    assert np.allclose(first.axes[0].collections[0].get_offsets(), codes[:, :2])


def test_latent_space_two_dims_drawn_directly(tmp_path, saved_png):
    rng = np.random.default_rng(2)
    codes = rng.standard_normal((40, 2))
    figure = plot_latent_space(codes)                     # labels None: one colour
    ax = figure.axes[0]
    assert ax.get_xlabel() == "code 1" and ax.get_ylabel() == "code 2"
    assert np.allclose(ax.collections[0].get_offsets(), codes)
    assert ax.get_legend() is None
    saved_png(figure, tmp_path / "two.png", min_bytes=3000)


def test_latent_space_one_dim_strip_plot(tmp_path, saved_png):
    rng = np.random.default_rng(3)
    codes = rng.standard_normal((60, 1))
    labels = np.repeat([0, 1, 2], 20)
    figure = plot_latent_space(codes, labels, true_labels=labels[::-1])
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2"]
    assert ax.get_xlabel() == "code"
    assert ax.get_ylabel() == "cluster" and figure.axes[1].get_ylabel() == "true label"
    saved_png(figure, tmp_path / "one.png", min_bytes=3000)
    assert len(plot_latent_space(codes).axes) == 1        # no labels


def test_latent_space_into_axes_uses_marker_shapes(autoencoder, digits):
    X, y = digits
    codes = autoencoder.transform(X)
    _fig, ax = plt.subplots()
    labels = np.arange(200) % 3
    assert plot_latent_space(codes, labels, true_labels=y, ax=ax, title="one panel") is ax
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:3] == ["cluster 0", "cluster 1", "cluster 2"] and "true 9" in legend
    assert ax.get_title() == "one panel"


def test_latent_space_with_latent_clustering(digits, tmp_path, saved_png):
    X, y = digits
    ae = Autoencoder(hidden=(8,), latent_dim=2, epochs=2, batch_size=64, random_state=0)
    model = LatentClustering(autoencoder=ae, n_clusters=3, random_state=0).fit(X)
    figure = plot_latent_space(model.codes_, model.labels_, true_labels=y)
    saved_png(figure, tmp_path / "latent_clustering.png", min_bytes=3000)


def test_latent_space_bad_input():
    codes = np.zeros((10, 3))
    with pytest.raises(ValueError, match=r"labels must hold one label per sample \(10\)"):
        plot_latent_space(codes, labels=np.zeros(9))
    with pytest.raises(ValueError, match=r"true_labels must hold one label per sample \(10\)"):
        plot_latent_space(codes, true_labels=np.zeros(11))
    with pytest.raises(ValueError, match="method must be 'pca' or 'first'"):
        plot_latent_space(codes, method="tsne")


# ---------------------------------------------------------------- plot_reconstructions
def test_reconstructions_images(autoencoder, digits, tmp_path, saved_png):
    X, _y = digits
    figure = plot_reconstructions(autoencoder, X, n=6, image_shape=(8, 8))
    ax = figure.axes[0]
    image = ax.get_images()[0].get_array()
    assert image.shape == (17, 6 * 9 - 1)
    assert np.allclose(image[:8, :8], X[0].reshape(8, 8))
    assert np.allclose(image[9:, :8], autoencoder.reconstruct(X[:1]).reshape(8, 8), atol=1e-6)
    assert ax.get_images()[0].get_clim() == (X[:6].min(), X[:6].max())   # the inputs' scale
    assert [t.get_text() for t in ax.get_yticklabels()] == ["input", "reconstruction"]
    saved_png(figure, tmp_path / "reconstructions.png", min_bytes=3000)


class _TransformOnly:
    """A model with transform and inverse_transform only (no reconstruct)."""

    def transform(self, X):
        return X[:, :2]

    def inverse_transform(self, Z):
        return np.repeat(Z.mean(axis=1, keepdims=True), 40, axis=1)


def test_reconstructions_signals(signals, tmp_path, saved_png):
    X, _y = signals
    figure = plot_reconstructions(_TransformOnly(), X, n=5)
    drawn = [ax for ax in figure.axes if ax.lines]
    assert len(drawn) == 5 and all(len(ax.lines) == 2 for ax in drawn)
    assert np.allclose(drawn[0].lines[0].get_ydata(), X[0])
    saved_png(figure, tmp_path / "signals.png", min_bytes=3000)


def test_reconstructions_signals_into_axes_and_n_capped(signals):
    X, _y = signals
    _fig, ax = plt.subplots()
    assert plot_reconstructions(_TransformOnly(), X[:3], n=8, ax=ax) is ax
    assert len(ax.lines) == 6                             # n capped at 3 samples


def test_reconstructions_bad_input(autoencoder, digits):
    X, _y = digits
    with pytest.raises(ValueError, match="n must be"):
        plot_reconstructions(autoencoder, X, n=0)
    with pytest.raises(ValueError, match=r"image_shape \(4, 4\) holds 16 pixels, but X has 64"):
        plot_reconstructions(autoencoder, X, image_shape=(4, 4))
    with pytest.raises(ValueError, match="model must have reconstruct"):
        plot_reconstructions(object(), X)
    with pytest.raises(ValueError, match="features, but Autoencoder is expecting"):
        plot_reconstructions(autoencoder, X[:, :32])       # the model's own message
    with pytest.raises(ValueError, match=r"reconstructions have shape \(8, 40\)"):
        plot_reconstructions(_TransformOnly(), X, n=8)     # 64 features in, 40 out


# ------------------------------------------------------------- plot_signals_by_cluster
def test_signals_by_cluster(signals, tmp_path, saved_png):
    X, y = signals
    figure = plot_signals_by_cluster(X, y, n_per_cluster=4)
    drawn = [ax for ax in figure.axes if ax.lines]
    assert len(drawn) == 3
    assert all(len(ax.lines) == 5 for ax in drawn)        # 4 members + the mean
    assert np.allclose(drawn[1].lines[-1].get_ydata(), X[y == 1].mean(axis=0))
    assert drawn[0].get_title() == "cluster 0 (10 signals)"
    assert figure.get_suptitle() == "Signals by cluster: a few members and the mean"
    saved_png(figure, tmp_path / "by_cluster.png", min_bytes=3000)
    figure = plot_signals_by_cluster(X, y, title="The true kinds", group_name="kind")
    assert figure.get_suptitle() == "The true kinds"
    assert [ax.get_title() for ax in figure.axes if ax.lines][2] == "kind 2 (10 signals)"
    plt.close("all")


def test_signals_by_cluster_noise_last_and_axes(signals):
    X, y = signals
    labels = np.where(np.arange(30) % 10 == 0, -1, y)
    _fig, axes = plt.subplots(2, 2)
    drawn = plot_signals_by_cluster(X, labels, n_per_cluster=20, ax=axes)
    assert len(drawn) == 4 and all(isinstance(ax, Axes) for ax in drawn)
    assert drawn[-1].get_title() == "noise (3 signals)"
    assert len(drawn[0].lines) == 9 + 1                   # all 9 members + the mean
    _fig, ax = plt.subplots()
    assert plot_signals_by_cluster(X, np.zeros(30, dtype=int), ax=ax) == [ax]


def test_signals_by_cluster_bad_input(signals):
    X, y = signals
    with pytest.raises(ValueError, match=r"labels must hold one label per sample \(30\)"):
        plot_signals_by_cluster(X, y[:-1])
    with pytest.raises(ValueError, match="labels must hold one cluster label"):
        plot_signals_by_cluster(X, None)
    with pytest.raises(ValueError, match="n_per_cluster must be"):
        plot_signals_by_cluster(X, y, n_per_cluster=0)
    _fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="ax must be a sequence of at least 3 matplotlib Axes"):
        plot_signals_by_cluster(X, y, ax=ax)


def _colour_of_each_point(ax):
    """The RGBA colour of every point drawn in ``ax``, in the order of ``offsets``."""
    colours, points = [], []
    for collection in ax.collections:
        offsets = collection.get_offsets()
        faces = collection.get_facecolors()
        faces = np.repeat(faces, len(offsets), axis=0) if len(faces) == 1 else faces
        colours += [tuple(np.round(face, 3)) for face in faces]
        points += [tuple(np.round(point, 6)) for point in offsets]
    return dict(zip(points, colours))


def test_latent_space_colours_each_cluster_as_its_matched_class():
    """The cluster ids are another numbering of the classes: the two panels must show the same
    colours where cluster and class agree (once, cluster 0 and class 0 shared a colour though
    cluster 0 was class 2)."""
    rng = np.random.default_rng(0)
    true_labels = np.repeat(np.arange(10), 20)
    codes = np.c_[np.cos(true_labels), np.sin(true_labels)] * 5 + rng.normal(0, 0.2, (200, 2))
    permutation = rng.permutation(10)
    labels = permutation[true_labels]                  # perfect clusters, renumbered
    fig = plotting.plot_latent_space(codes, labels, true_labels)
    clusters, classes = (_colour_of_each_point(ax) for ax in fig.axes[:2])
    assert clusters == classes
    assert len(set(classes.values())) == 10            # ten classes, ten colours
    assert fig.axes[0].get_title() == "clusters (coloured as their matched class)"
    plt.close(fig)


def test_matched_colour_order_gives_extra_clusters_fresh_colours():
    from neuroclust.plotting._style import matched_colour_order

    true_labels = np.array([0, 0, 1, 1, 1, 1])
    labels = np.array([5, 5, 7, 7, 9, 9])    # class 1 split in two
    order = matched_colour_order(labels, true_labels)
    assert order[5] == 0 and {order[7], order[9]} == {1, 2}
    noisy = matched_colour_order(np.array([-1, 0, 0, 1]), np.array([0, 0, 0, 1]))
    assert noisy == {0: 0, 1: 1}
