"""Tests for neuroclust/plotting/competitive.py, plot_history and save_figure: every figure
draws under Agg and saves a non-empty PNG."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from neuroclust import plotting
from neuroclust.datasets import FIVE_CENTROIDS, make_five_centroids
from neuroclust.plotting import (
    plot_centroids_2d,
    plot_centroids_3d,
    plot_history,
    plot_prototype_images,
    save_figure,
)


@pytest.fixture
def blobs():
    return make_five_centroids(n_samples=150, random_state=0)


def _legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def _font_sizes(figure):
    sizes = []
    for ax in figure.axes:
        texts = [ax.title, ax.xaxis.label, ax.yaxis.label]
        texts += ax.get_xticklabels() + ax.get_yticklabels()
        if ax.get_legend() is not None:
            texts += ax.get_legend().get_texts()
        sizes += [text.get_fontsize() for text in texts if text.get_text()]
    return sizes


def test_plot_centroids_3d(blobs, tmp_path, saved_png):
    X, y = blobs
    learned = FIVE_CENTROIDS + 0.1
    figure = plot_centroids_3d(X, y, centers_true=FIVE_CENTROIDS, centers_learned=learned,
                               title="five centroids")
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    assert ax.name == "3d" and ax.get_title() == "five centroids"
    legend = _legend_texts(ax)
    assert legend[:5] == [f"cluster {k}" for k in range(5)]
    assert legend[5:] == ["learned centres", "true centres"]
    assert len(ax.collections) == 5 + 2        # one scatter per cluster, two of centres
    assert min(_font_sizes(figure)) >= 11
    saved_png(figure, tmp_path / "centroids_3d.png")


def test_plot_centroids_3d_into_given_axes_without_labels(blobs):
    X, _ = blobs
    figure = plt.figure()
    ax = figure.add_subplot(projection="3d")
    assert plot_centroids_3d(X, None, ax=ax) is ax
    assert _legend_texts(ax) == ["samples"]


def test_plot_centroids_2d(tmp_path, saved_png):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    labels = np.repeat([-1, 0, 1, 2], 30)       # -1: noise, drawn grey
    figure = plot_centroids_2d(X, labels, centers=[[0, 0], [1, 1], [2, 2]],
                               centers_true=[[0, 1]], title="2-D")
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    assert _legend_texts(ax) == ["noise", "cluster 0", "cluster 1", "cluster 2",
                                 "learned centres", "true centres"]
    assert min(_font_sizes(figure)) >= 11
    saved_png(figure, tmp_path / "sub" / "dir" / "centroids_2d.png")   # folders created


def test_plot_centroids_2d_into_given_axes_many_clusters():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 2))
    labels = np.arange(300) % 15                 # 15 clusters: colour and marker vary
    _figure, (left, right) = plt.subplots(1, 2)
    assert plot_centroids_2d(X, labels, ax=right) is right
    assert not left.collections and len(right.collections) == 15
    assert right.get_legend() is None          # too many clusters for a legend
    styles = {(tuple(c.get_facecolor()[0]), c.get_paths()[0].vertices.shape)
              for c in right.collections}
    assert len(styles) == 15                   # every cluster looks different


def test_plot_prototype_images_draws_one_image_per_prototype(tmp_path, saved_png):
    prototypes = np.random.default_rng(0).uniform(0, 16, size=(10, 64))
    figure = plot_prototype_images(prototypes)
    assert isinstance(figure, Figure)
    images = [artist for ax in figure.axes for artist in ax.get_images()]
    assert len(images) == 10
    assert all(isinstance(image, AxesImage) for image in images)
    assert images[3].get_array().shape == (8, 8)
    np.testing.assert_array_equal(images[3].get_array(), prototypes[3].reshape(8, 8))
    assert {image.get_clim() for image in images} == {(prototypes.min(), prototypes.max())}
    assert [ax.get_title() for ax in figure.axes] == [f"unit {j}" for j in range(10)]
    saved_png(figure, tmp_path / "prototypes.png")


def test_plot_prototype_images_grid_titles_and_shape(tmp_path, saved_png):
    prototypes = np.arange(7 * 12, dtype=float).reshape(7, 12)
    figure = plot_prototype_images(prototypes, image_shape=(3, 4), n_cols=3,
                                   titles=list("abcdefg"), cmap="viridis")
    assert len(figure.axes) == 9               # 3 x 3 grid, two cells blank
    images = [artist for ax in figure.axes for artist in ax.get_images()]
    assert len(images) == 7 and images[0].get_array().shape == (3, 4)
    assert [ax.get_title() for ax in figure.axes][:7] == list("abcdefg")
    saved_png(figure, tmp_path / "grid.png")


def test_plot_history(tmp_path, saved_png):
    history = 1.0 / np.arange(1, 13)
    figure = plot_history(history)
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 13))
    np.testing.assert_array_equal(line.get_ydata(), history)
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "quantization error"
    assert ax.get_legend() is None
    saved_png(figure, tmp_path / "history.png")


def test_plot_history_two_runs_on_one_axes():
    _figure, ax = plt.subplots()
    assert plot_history([3.0, 2.0, 1.0], ax=ax, label="run 1", ylabel="loss") is ax
    plot_history([3.0, 2.5, np.nan], ax=ax, label="run 2", ylabel="loss")
    assert len(ax.lines) == 2
    assert ax.lines[0].get_color() != ax.lines[1].get_color()
    assert _legend_texts(ax) == ["run 1", "run 2"]


def test_save_figure_accepts_axes_and_other_formats(tmp_path):
    _figure, ax = plt.subplots()
    path = str(tmp_path / "a.svg")
    assert save_figure(ax, path) == path
    with open(path, encoding="utf-8") as handle:
        assert "<svg" in handle.read(2000)


def test_module_exports():
    assert {"plot_centroids_3d", "plot_centroids_2d", "plot_prototype_images", "plot_history",
            "save_figure"} <= set(plotting.__all__)
    assert all(callable(getattr(plotting, name)) for name in plotting.__all__)


@pytest.mark.parametrize("call, match", [
    (lambda: plot_centroids_3d(np.zeros((5, 2)), None), (r"X must have 3 columns \(features\) "
                                                        r"for a 3-D plot, but it has 2")),
    (lambda: plot_centroids_2d(np.zeros((5, 3)), None), r"X must have 2 columns"),
    (lambda: plot_centroids_2d(np.zeros((5, 2)), [0, 1]), (r"labels must hold one label per "
                                                         r"sample \(5\), but its shape is \(2,\)")),
    (lambda: plot_centroids_2d(np.zeros((5, 2)), None, centers=np.zeros((2, 3))),
     r"centers must have 2 columns"),
    (lambda: plot_centroids_3d(np.zeros((5, 3)), None, centers_true=np.zeros(3)),
     r"centers_true must be a 2-D array"),
    (lambda: plot_centroids_3d(np.zeros((5, 3)), None, ax=plt.subplots()[1]),
     r"ax must be a 3-D Axes, made with projection='3d'\."),
    (lambda: plot_centroids_2d([[np.nan, 0.0]], None), r"X contains 1 NaN"),
    (lambda: plot_prototype_images(np.zeros((3, 10))), (r"image_shape \(8, 8\) holds 64 pixels, "
                                                       r"but the prototypes have 10 features\.")),
    (lambda: plot_prototype_images(np.zeros(64)), r"prototypes must be a 2-D array"),
    (lambda: plot_prototype_images(np.zeros((2, 4)), image_shape=(2, 0)),
     r"image_shape must be a pair \(height, width\) of positive integers"),
    (lambda: plot_prototype_images(np.zeros((2, 64)), n_cols=0), r"n_cols must be >= 1"),
    (lambda: plot_prototype_images(np.zeros((2, 64)), titles=["a"]),
     r"titles must be a list of 2 strings"),
    (lambda: plot_history([]), r"history is empty"),
    (lambda: plot_history([[1.0, 2.0]]), r"history must be a 1-D array"),
    (lambda: save_figure("not a figure", "x.png"), r"fig must be a matplotlib Figure or Axes"),
    (lambda: save_figure(plt.figure(), 3), r"path must be a file name"),
])
def test_bad_arguments_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
