"""Tests for the Fuzzy ART figure of neuroclust/plotting/art.py: the category boxes on 2-D data."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from neuroclust import FuzzyART, NotFittedError, datasets, plotting
from neuroclust.plotting import plot_fuzzy_art_boxes, save_figure


@pytest.fixture(scope="module")
def blobs():
    return datasets.make_blobs(n_samples=300, random_state=0)


@pytest.fixture(scope="module")
def model(blobs):
    return FuzzyART(rho=0.8, scale=True).fit(blobs[0])


def outlines(ax):
    """The unfilled rectangles: one per category that is more than a point."""
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_facecolor()[3] == 0]


def test_one_box_per_category_at_its_corners(model, blobs, tmp_path):
    figure = plot_fuzzy_art_boxes(model, blobs[0])
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    lower, upper = model.category_boxes()
    boxes = [j for j in range(model.n_categories_) if (upper[j] > lower[j]).any()]
    drawn = outlines(ax)
    assert len(drawn) == len(boxes) and len(boxes) >= 3
    for j, patch in zip(boxes, drawn):
        np.testing.assert_allclose(patch.get_xy(), lower[j])
        np.testing.assert_allclose([patch.get_width(), patch.get_height()], upper[j] - lower[j])
    assert "rho = 0.8" in ax.get_title() and f"{model.n_categories_} boxes" in ax.get_title()
    path = save_figure(figure, tmp_path / "boxes.png")
    assert (tmp_path / "boxes.png").stat().st_size > 5000 and str(path).endswith("boxes.png")


def test_samples_take_their_categorys_colour(model, blobs):
    ax = plot_fuzzy_art_boxes(model, blobs[0], ax=plt.subplots()[1])
    assert isinstance(ax, plt.Axes)
    categories = model.predict(blobs[0])
    n_points = sum(len(c.get_offsets()) for c in ax.collections)
    assert n_points == len(blobs[0])
    first = ax.collections[0]
    np.testing.assert_allclose(first.get_facecolor()[0][:3],
                               matplotlib.colors.to_rgb(plotting.COLORS[categories.min() % 7]))


def test_a_point_category_is_a_cross_and_labels_colour_the_samples(blobs):
    X, y = blobs
    model = FuzzyART(rho=0.8, scale=True).fit(np.vstack([X, [[30.0, 30.0]]]))
    lower, upper = model.category_boxes()
    assert (lower == upper).all(axis=1).any()   # the outlier's category is a point
    ax = plot_fuzzy_art_boxes(model, X, labels=y, title="", ax=plt.subplots()[1])
    assert any(line.get_marker() == "x" for line in ax.lines)
    assert ax.get_title() == ""
    assert len(ax.get_legend().get_texts()) == 4   # three classes and the boxes


def test_boxes_alone(model):
    ax = plot_fuzzy_art_boxes(model).axes[0]
    assert len(ax.collections) == 0 and outlines(ax)


def test_bad_arguments_name_the_argument(model, blobs):
    X, y = blobs
    three_d = FuzzyART(scale=True).fit(np.random.default_rng(0).random((30, 3)))
    bad = [
        (lambda: plot_fuzzy_art_boxes(FuzzyART(), X), NotFittedError,
         r"This FuzzyART is not fitted yet"),
        (lambda: plot_fuzzy_art_boxes(three_d), ValueError,
         r"plot_fuzzy_art_boxes draws boxes on 2-D data, but the model was fit on 3 features"),
        (lambda: plot_fuzzy_art_boxes(model, labels=y), ValueError,
         r"labels colour the samples, so they need X"),
        (lambda: plot_fuzzy_art_boxes(model, X, labels=y[:4]), ValueError,
         r"labels must hold one label per sample"),
        (lambda: plot_fuzzy_art_boxes(model, np.zeros((4, 3))), ValueError,
         r"X must have 2 columns"),
        (lambda: plot_fuzzy_art_boxes(
            FuzzyART(complement_coding=False).fit(0.1 + 0.9 * np.random.default_rng(0).random(
                (20, 2)))), ValueError, r"category_boxes needs complement_coding=True"),
    ]
    for call, error, match in bad:
        with pytest.raises(error, match=match):
            call()


def test_module_exports_the_figure():
    assert "plot_fuzzy_art_boxes" in plotting.__all__
