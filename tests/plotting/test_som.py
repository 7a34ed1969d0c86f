"""Tests for the SOM figures of neuroclust/plotting/som.py: U-matrix, component planes, hit map,
labels map, prototype images, the map in input space and its animation."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from PIL import Image

from neuroclust import NotFittedError, datasets, plotting
from neuroclust.models import SOM
from neuroclust.plotting import (
    animate_som,
    plot_component_planes,
    plot_hit_map,
    plot_labels_map,
    plot_som_grid,
    plot_som_prototypes,
    plot_umatrix,
    som_snapshot_callback,
)

SOM_FUNCTIONS = ["plot_umatrix", "plot_component_planes", "plot_hit_map", "plot_labels_map",
                 "plot_som_prototypes", "plot_som_grid", "animate_som", "som_snapshot_callback"]


@pytest.fixture(scope="module")
def blobs():
    return datasets.make_five_centroids(n_samples=200, random_state=0)


@pytest.fixture(scope="module")
def rect_som(moons):
    """A 2-D rectangular map of 4 rows and 6 columns, with its snapshots per epoch."""
    snapshots = []
    som = SOM(shape=(4, 6), epochs=4, random_state=0,
              callbacks=[som_snapshot_callback(snapshots)]).fit(moons[0])
    return som, snapshots


@pytest.fixture(scope="module")
def hex_som(blobs):
    """A 3-D hexagonal map of 5 rows and 7 columns."""
    return SOM(shape=(5, 7), topology="hexagonal", epochs=3, random_state=0).fit(blobs[0])


@pytest.fixture(scope="module")
def digits_som(digits):
    return SOM(shape=(6, 6), epochs=3, mode="batch", random_state=0).fit(digits[0])


def _cells(ax):
    (cells,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    return cells


def _corners(cells):
    """Each cell's distinct corners (matplotlib closes polygons by repeating the first)."""
    return [np.unique(np.round(path.vertices, 9), axis=0) for path in cells.get_paths()]


def _map_axes(figure):
    return [ax for ax in figure.axes if ax.get_label() != "<colorbar>"]


def _cell_texts(ax):
    return [text.get_text() for text in ax.texts]


def _grid_links(rows, cols, topology):
    if topology == "hexagonal":  # along a row, and two per unit to the next row but one
        return rows * (cols - 1) + (rows - 1) * (2 * cols - 1)
    return rows * (cols - 1) + cols * (rows - 1)


# ------------------------------------------------------------------------------ U-matrix
def test_umatrix_rectangular_draws_one_square_per_unit(rect_som, tmp_path, saved_png):
    som, _ = rect_som
    figure = plot_umatrix(som)
    assert isinstance(figure, Figure)
    (ax,) = _map_axes(figure)
    cells = _cells(ax)
    corners = _corners(cells)
    assert len(corners) == 4 * 6 and all(c.shape == (4, 2) for c in corners)
    sides = np.ptp(corners[0], axis=0)
    np.testing.assert_allclose(sides, [1.0, 1.0])                 # unit squares: they touch
    np.testing.assert_allclose(corners[7].mean(axis=0), som.grid_positions_[7])
    np.testing.assert_allclose(cells.get_array(), som.distance_map().ravel())
    bar = figure.axes[1]
    assert bar.get_ylabel() == "mean distance to neighbours"
    assert ax.get_title() == "U-matrix"
    bottom, top = ax.get_ylim()
    assert bottom > top                                           # row 0 at the top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2", "3"]
    saved_png(figure, tmp_path / "umatrix_rect.png")


def test_umatrix_hexagonal_draws_touching_hexagons(hex_som, tmp_path, saved_png):
    figure = plot_umatrix(hex_som, title="")
    (ax,) = _map_axes(figure)
    corners = _corners(_cells(ax))
    assert len(corners) == 5 * 7 and all(c.shape == (6, 2) for c in corners)
    positions = hex_som.grid_positions_
    for unit, neighbours in enumerate(hex_som.grid_neighbours()):
        for other in neighbours:                                  # neighbours share an edge
            shared = (np.abs(corners[unit][:, None] - corners[other][None]).sum(-1) < 1e-9)
            assert shared.sum() == 2, (unit, other)
    np.testing.assert_allclose(np.linalg.norm(corners[0] - positions[0], axis=1),
                               1 / np.sqrt(3))
    assert ax.get_title() == ""
    saved_png(figure, tmp_path / "umatrix_hex.png")


def test_umatrix_into_given_axes(rect_som):
    _figure, (left, right) = plt.subplots(1, 2)
    assert plot_umatrix(rect_som[0], ax=right, cmap="viridis", title="mine") is right
    assert not left.collections and right.get_title() == "mine"
    assert _cells(right).get_cmap().name == "viridis"


# ---------------------------------------------------------------------- component planes
def test_component_planes_one_map_per_feature(hex_som, tmp_path, saved_png):
    figure = plot_component_planes(hex_som, feature_names=["a", "b", "c"])
    assert isinstance(figure, Figure)
    maps = _map_axes(figure)
    assert [ax.get_title() for ax in maps] == ["a", "b", "c"]
    for f, ax in enumerate(maps):
        cells = _cells(ax)
        assert all(c.shape == (6, 2) for c in _corners(cells))
        np.testing.assert_allclose(cells.get_array(), hex_som.weights_[:, :, f].ravel())
    saved_png(figure, tmp_path / "planes.png")


def test_component_planes_in_rows_of_n_cols(som_5d):
    figure = plot_component_planes(som_5d[0], n_cols=2)
    maps = _map_axes(figure)
    assert len(maps) == 5                                         # the spare cell removed
    assert maps[4].get_title() == "feature 4"
    assert {round(ax.get_position().x0, 3) for ax in maps} == {
        round(maps[0].get_position().x0, 3), round(maps[1].get_position().x0, 3)}


# ------------------------------------------------------------------------------ hit map
def test_hit_map_writes_counts_in_cells(rect_som, moons, tmp_path, saved_png):
    som, _ = rect_som
    X = moons[0]
    figure = plot_hit_map(som, X)
    (ax,) = _map_axes(figure)
    hits = som.activation_response(X)
    np.testing.assert_array_equal(_cells(ax).get_array(), hits.ravel())
    assert _cell_texts(ax) == [str(h) for h in hits.ravel()]
    assert min(t.get_fontsize() for t in ax.texts) >= 7
    assert "200 in all" in ax.get_title()
    saved_png(figure, tmp_path / "hits.png")


def test_hit_map_of_a_large_map_has_no_numbers(moons):
    big = SOM(shape=(16, 16), epochs=1, record_history=False, random_state=0).fit(moons[0])
    _figure, ax = plt.subplots()
    assert plot_hit_map(big, moons[0], ax=ax) is ax
    assert len(ax.texts) == 0 and len(_cells(ax).get_paths()) == 256


# ---------------------------------------------------------------------------- labels map
def test_labels_map_writes_the_majority_label(digits_som, digits, tmp_path, saved_png):
    X, y = digits
    figure = plot_labels_map(digits_som, X, y)
    (ax,) = _map_axes(figure)
    counters = digits_som.labels_map(X, y)
    expected = []
    for unit in range(36):
        counter = counters.get(divmod(unit, 6))
        expected.append(str(max(sorted(counter), key=counter.__getitem__)) if counter else "")
    texts = [t.get_text() for t in ax.texts]
    assert texts == [text for text in expected if text]          # empty units: no text
    faces = _cells(ax).get_facecolor()
    empty = [unit for unit, text in enumerate(expected) if not text]
    assert all(tuple(faces[unit]) == (1.0, 1.0, 1.0, 1.0) for unit in empty)
    same_label = [unit for unit, text in enumerate(expected) if text == expected[0]]
    assert all(np.allclose(faces[unit], faces[0]) for unit in same_label)
    assert ax.get_legend() is None                               # the cells say it all
    saved_png(figure, tmp_path / "labels.png")


def test_labels_map_ties_go_to_the_smallest_label_and_names_are_used():
    som = SOM(shape=(1, 2), epochs=1, init=np.array([[0.0, 0.0], [10.0, 10.0]]),
              learning_rate=1e-9, learning_rate_final=1e-10, random_state=0)
    X = np.array([[0.0, 0.1], [0.1, 0.0], [10.0, 10.1], [9.9, 10.0], [10.1, 10.0]])
    som.fit(X)
    y = np.array([2, 1, 0, 1, 1])
    _figure, ax = plt.subplots()
    plot_labels_map(som, X, y, ax=ax)
    assert _cell_texts(ax) == ["1", "1"]                          # tie 1-2 goes to 1
    plot_labels_map(som, X, y, ax=ax, label_names={0: "a", 1: "b", 2: "c"})
    assert _cell_texts(ax)[-2:] == ["b", "b"]
    _figure, ax = plt.subplots()
    plot_labels_map(som, X, y, ax=ax, label_names=["zero", "one", "two"])
    assert _cell_texts(ax) == ["1", "1"]                          # long names: in the legend
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["1: one"]


# ------------------------------------------------------------------------ prototype images
def test_som_prototypes_laid_out_like_the_grid(digits_som, tmp_path, saved_png):
    figure = plot_som_prototypes(digits_som)
    (ax,) = _map_axes(figure)
    (image,) = ax.get_images()
    canvas = image.get_array()
    assert canvas.shape == (1 + 6 * 9, 1 + 6 * 9)                 # 8x8 images, 1-pixel lines
    row, col = 2, 4
    tile = canvas[1 + row * 9:1 + row * 9 + 8, 1 + col * 9:1 + col * 9 + 8]
    np.testing.assert_allclose(tile, digits_som.weights_[row, col].reshape(8, 8))
    assert np.ma.getmaskarray(canvas)[0].all()                    # the separators are blank
    saved_png(figure, tmp_path / "prototypes.png")


def test_som_prototypes_hexagonal_rows_are_shifted():
    X = np.random.default_rng(0).uniform(size=(60, 6))
    som = SOM(shape=(2, 3), topology="hexagonal", epochs=1, random_state=0).fit(X)
    canvas = plot_som_prototypes(som, image_shape=(2, 3), cmap="viridis").axes[0] \
        .get_images()[0].get_array()
    assert canvas.shape == (1 + 2 * 3, 1 + 3 * 4 + 2)
    np.testing.assert_allclose(canvas[4:6, 3:6], som.weights_[1, 0].reshape(2, 3))


# ------------------------------------------------------------------------- input space
def test_som_grid_2d_links_grid_neighbours(rect_som, moons, tmp_path, saved_png):
    som, _ = rect_som
    X, y = moons
    figure = plot_som_grid(som, X, labels=y)
    ax = figure.axes[0]
    (links,) = [c for c in ax.collections if isinstance(c, LineCollection)
                and not isinstance(c, PolyCollection)]
    segments = links.get_segments()
    assert len(segments) == _grid_links(4, 6, "rectangular")
    prototypes = som.cluster_centers_
    np.testing.assert_allclose(segments[0], prototypes[[0, 1]])
    (units,) = ax.lines
    np.testing.assert_allclose(np.column_stack(units.get_data()), prototypes)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["cluster 0", "cluster 1", "prototypes", "grid neighbours"]
    assert ax.get_title() == "SOM in input space"
    saved_png(figure, tmp_path / "grid_2d.png")


def test_som_grid_3d_hexagonal(hex_som, blobs, tmp_path, saved_png):
    figure = plot_som_grid(hex_som, blobs[0], title="hex")
    ax = figure.axes[0]
    assert ax.name == "3d" and ax.computed_zorder is False
    links = [c for c in ax.collections if type(c).__name__ == "Line3DCollection"]
    assert len(links) == 1
    figure.canvas.draw()                                          # projects the 3-D links
    assert len(links[0].get_segments()) == _grid_links(5, 7, "hexagonal")
    saved_png(figure, tmp_path / "grid_3d.png")


@pytest.mark.parametrize("topology", ["rectangular", "hexagonal"])
def test_som_grid_toroidal_draws_no_wrap_around_links(topology, moons):
    som = SOM(shape=(4, 5), topology=topology, toroidal=True, epochs=1,
              random_state=0).fit(moons[0])
    _figure, ax = plt.subplots()
    assert plot_som_grid(som, ax=ax) is ax                        # the map alone, no data
    (links,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(links.get_segments()) == _grid_links(4, 5, topology)


def test_som_grid_computes_links_without_grid_neighbours(rect_som):
    som, _ = rect_som

    class Bare:                                                   # no grid_neighbours()
        weights_, grid_positions_, topology = som.weights_, som.grid_positions_, "rectangular"

    _figure, (with_method, without) = plt.subplots(1, 2)
    plot_som_grid(som, ax=with_method)
    plot_som_grid(Bare(), ax=without)
    assert np.allclose(with_method.collections[0].get_segments(),
                       without.collections[0].get_segments())


# ---------------------------------------------------------------------------- animation
def test_snapshot_callback_keeps_copies(rect_som):
    som, snapshots = rect_som
    assert len(snapshots) == 4
    np.testing.assert_array_equal(snapshots[-1], som.weights_)
    assert snapshots[-1] is not som.weights_
    assert not np.allclose(snapshots[0], snapshots[-1])
    store = []
    callback = som_snapshot_callback(store)
    assert callback.snapshots is store and callback(som, 0) is None and len(store) == 1


def test_animate_som_writes_a_gif_with_one_frame_per_snapshot(rect_som, moons, tmp_path):
    som, snapshots = rect_som
    path = tmp_path / "gifs" / "unfolding.gif"
    animation = animate_som(snapshots, moons[0], som, path=path, interval=100, labels=moons[1])
    assert isinstance(animation, FuncAnimation)
    with Image.open(path) as gif:
        assert gif.n_frames == len(snapshots)
        gif.seek(gif.n_frames - 1)
    ax = plt.gcf().axes[0]
    assert ax.get_title() == f"SOM unfolding: epoch {len(snapshots)} of {len(snapshots)}"
    np.testing.assert_allclose(np.column_stack(ax.lines[0].get_data()), som.cluster_centers_)


def test_animate_som_3d_without_saving(hex_som, blobs):
    frames = [hex_som.weights_ * 0.5, hex_som.weights_]
    animation = animate_som(frames, blobs[0], hex_som, labels=blobs[1])
    assert isinstance(animation, FuncAnimation)
    ax = plt.gcf().axes[0]
    assert ax.name == "3d" and ax.computed_zorder is False
    plt.gcf().canvas.draw()                                       # draws the first frame
    assert ax.get_title() == "SOM unfolding: epoch 1 of 2"


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("name", SOM_FUNCTIONS[:-1])
def test_unfitted_som_is_a_clear_error(name, moons):
    X, y = moons
    calls = {"plot_umatrix": lambda som: plot_umatrix(som),
             "plot_component_planes": lambda som: plot_component_planes(som),
             "plot_hit_map": lambda som: plot_hit_map(som, X),
             "plot_labels_map": lambda som: plot_labels_map(som, X, y),
             "plot_som_prototypes": lambda som: plot_som_prototypes(som, image_shape=(1, 2)),
             "plot_som_grid": lambda som: plot_som_grid(som, X),
             "animate_som": lambda som: animate_som([np.zeros((2, 2, 2))], X, som)}
    with pytest.raises(NotFittedError, match=r"This SOM is not fitted yet .*call fit\(X\)"):
        calls[name](SOM(shape=(2, 2)))
    assert issubclass(NotFittedError, ValueError)


@pytest.fixture(scope="module")
def som_5d():
    X = np.random.default_rng(0).normal(size=(50, 5))
    return SOM(shape=(3, 3), epochs=1, random_state=0).fit(X), X


def test_bad_arguments_name_the_argument(rect_som, hex_som, moons, digits_som, som_5d,
                                         tmp_path):
    som, snapshots = rect_som
    X, y = moons
    bad = [
        (lambda: plot_som_grid(som_5d[0], som_5d[1]),
         (r"plot_som_grid draws the map in input space, so the SOM must be fit on 2-D or 3-D "
          r"data, but its prototypes have 5 features")),
        (lambda: plot_som_grid(som, np.zeros((4, 5))),
         r"X has 5 features, but the SOM was fit on 2-D data"),
        (lambda: plot_som_grid(som, labels=y), r"labels colour the samples, so they need X"),
        (lambda: plot_som_grid(som, X, labels=y[:3]), r"labels must hold one label per sample"),
        (lambda: plot_som_grid(hex_som, ax=plt.subplots()[1]),
         r"ax must be a 3-D Axes, made with projection='3d'"),
        (lambda: animate_som([], X, som), r"snapshots is empty"),
        (lambda: animate_som([np.zeros((4, 6, 3))], X, som),
         r"snapshots\[0\] has shape \(4, 6, 3\), but the map's weights_ have shape \(4, 6, 2\)"),
        (lambda: animate_som(snapshots, X, som, path=tmp_path / "a.mp4"),
         r"path must end with \.gif"),
        (lambda: animate_som(snapshots, X, som, interval=0), r"interval must be > 0"),
        (lambda: animate_som(snapshots, som_5d[1], som), r"X has 5 features"),
        (lambda: plot_som_prototypes(digits_som, image_shape=(4, 4)),
         r"image_shape \(4, 4\) holds 16 pixels, but the SOM's prototypes have 64 features"),
        (lambda: plot_som_prototypes(digits_som, image_shape=8), r"image_shape must be a pair"),
        (lambda: plot_component_planes(som, feature_names=["a"]),
         r"feature_names must be a list of 2 strings"),
        (lambda: plot_component_planes(som, n_cols=0), r"n_cols must be >= 1"),
        (lambda: plot_labels_map(som, X, y[:5]), r"labels must hold one label per sample"),
        (lambda: plot_labels_map(som, X, y, label_names=["only zero"]),
         r"label_names is a list of 1 names, so the labels must be integers from 0 to 0"),
        (lambda: plot_labels_map(som, X, y, label_names={0: "a"}),
         r"label_names has no name for the label\(s\) \[1\]"),
        (lambda: plot_hit_map(som, np.zeros((3, 5))), r"features"),
        (lambda: som_snapshot_callback(None), r"store must be a list"),
    ]
    for call, match in bad:
        with pytest.raises(ValueError, match=match):
            call()
        plt.close("all")


def test_fonts_read_on_a_projector(rect_som, moons):
    som, _ = rect_som
    figures = [plot_umatrix(som), plot_hit_map(som, moons[0]), plot_som_grid(som, moons[0]),
               plot_labels_map(som, *moons)]
    for figure in figures:
        for ax in figure.axes:
            texts = [ax.title, ax.xaxis.label, ax.yaxis.label]
            texts += ax.get_xticklabels() + ax.get_yticklabels()
            assert min(t.get_fontsize() for t in texts if t.get_text()) >= 11


def test_module_exports_the_som_figures():
    assert set(SOM_FUNCTIONS) <= set(plotting.__all__)
    assert all(callable(getattr(plotting, name)) for name in SOM_FUNCTIONS)
