"""Tests for the growing neural gas figures of neuroclust/plotting/gng.py: the graph over the data
and the animation of its growth."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from PIL import Image

from neuroclust import GrowingNeuralGas, NotFittedError, datasets, plotting
from neuroclust.plotting import COLORS, animate_gng, gng_snapshot_callback, plot_gng

GNG_FUNCTIONS = ["plot_gng", "animate_gng", "gng_snapshot_callback"]


@pytest.fixture(scope="module")
def moons():
    return datasets.make_moons(n_samples=1000, random_state=0)


@pytest.fixture(scope="module")
def grown(moons):
    """A graph grown on the moons over 6 epochs, with its snapshots."""
    snapshots = []
    model = GrowingNeuralGas(insert_every=50, epochs=6, random_state=0,
                             callbacks=[gng_snapshot_callback(snapshots)]).fit(moons[0])
    return model, snapshots


def graph_artists(ax):
    """The edges (a LineCollection) and the nodes (the scatter drawn above the samples)."""
    (links,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    (nodes,) = [c for c in ax.collections if isinstance(c, PathCollection)
                and c.get_zorder() > links.get_zorder()]
    return links, nodes


def test_plot_gng_draws_every_edge_and_node_coloured_by_cluster(grown, moons, tmp_path, saved_png):
    model, _ = grown
    figure = plot_gng(model, moons[0])
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    links, nodes = graph_artists(ax)
    segments = links.get_segments()
    assert len(segments) == len(model.edges_)
    np.testing.assert_allclose(segments[0], model.nodes_[model.edges_[0]])
    np.testing.assert_allclose(nodes.get_offsets(), model.nodes_)
    expected = [to_rgba(COLORS[c]) for c in model.unit_labels_]
    np.testing.assert_allclose(nodes.get_facecolors(), expected)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["cluster 0", "cluster 1", "nodes (colour: cluster)", "edges"]
    assert ax.get_title() == f"Growing neural gas: {len(model.nodes_)} nodes, 2 clusters"
    saved_png(figure, tmp_path / "gng.png", min_bytes=5000)


def test_samples_take_the_colour_of_their_cluster(grown, moons):
    model, _ = grown
    ax = plot_gng(model, moons[0], ax=plt.subplots()[1])
    samples = [c for c in ax.collections if isinstance(c, PathCollection) and c.get_zorder() < 5]
    assert len(samples) == model.n_clusters_
    for cluster, scatter in enumerate(samples):
        np.testing.assert_allclose(scatter.get_offsets(), moons[0][model.labels_ == cluster])
        np.testing.assert_allclose(scatter.get_facecolors()[0][:3], to_rgba(COLORS[cluster])[:3])


def test_plot_gng_with_given_labels_alone_and_into_an_axes(grown, moons):
    model, _ = grown
    _figure, (left, right) = plt.subplots(1, 2)
    assert plot_gng(model, moons[0], labels=moons[1], ax=left, title="") is left
    assert left.get_title() == ""
    assert plot_gng(model, ax=right) is right                      # the graph alone
    links, _nodes = graph_artists(right)
    assert len(links.get_segments()) == len(model.edges_)


def test_title_says_one_cluster_in_the_singular(moons):
    model = GrowingNeuralGas(max_nodes=5, epochs=1, random_state=0).fit(moons[0])
    assert model.n_clusters_ == 1
    assert plot_gng(model).axes[0].get_title().endswith("5 nodes, 1 cluster")


def test_snapshot_callback_keeps_copies(grown):
    model, snapshots = grown
    assert len(snapshots) == 6
    last = snapshots[-1]
    np.testing.assert_array_equal(last["nodes"], model.nodes_)
    np.testing.assert_array_equal(last["edges"], model.edges_)
    np.testing.assert_array_equal(last["unit_labels"], model.unit_labels_)
    assert last["nodes"] is not model.nodes_
    assert len(snapshots[0]["nodes"]) < len(last["nodes"])            # it grew
    store = []
    callback = gng_snapshot_callback(store)
    assert callback.snapshots is store and callback(model, 0) is None and len(store) == 1


def test_animate_gng_writes_a_gif_with_one_frame_per_snapshot(grown, moons, tmp_path):
    model, snapshots = grown
    path = tmp_path / "gifs" / "growing.gif"
    animation = animate_gng(snapshots, moons[0], path=path, interval=100, labels=moons[1])
    assert isinstance(animation, FuncAnimation)
    with Image.open(path) as gif:
        assert gif.n_frames == len(snapshots)
    ax = plt.gcf().axes[0]
    assert ax.get_title() == (f"Growing neural gas: epoch 6 of 6, {len(model.nodes_)} nodes, "
                              f"{model.n_clusters_} clusters")
    links, nodes = graph_artists(ax)
    np.testing.assert_allclose(nodes.get_offsets(), model.nodes_)
    assert len(links.get_segments()) == len(model.edges_)


def test_animate_gng_colours_each_frame_by_its_own_clusters(grown, moons):
    """Without labels each sample takes its nearest node's cluster in that frame: a frame
    whose graph is one piece shows one colour, whatever the final graph found."""
    model, snapshots = grown
    X = moons[0]
    animation = animate_gng(snapshots, X)
    ax = plt.gcf().axes[0]
    samples = [c for c in ax.collections if isinstance(c, PathCollection)][0]
    colours_seen = []
    for i, snapshot in enumerate(snapshots):
        animation._func(i)
        nodes, components = snapshot["nodes"], np.asarray(snapshot["unit_labels"])
        nearest = ((X[:, None, :] - nodes[None]) ** 2).sum(axis=2).argmin(axis=1)
        expected = np.array([to_rgba(COLORS[c], 0.45) for c in components[nearest]])
        np.testing.assert_allclose(samples.get_facecolors(), expected)
        colours_seen.append(len(np.unique(samples.get_facecolors(), axis=0)))
        assert str(len(np.unique(components))) in ax.get_title()
    assert colours_seen[-1] == model.n_clusters_
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "samples (colour: nearest node's cluster)"


def test_animate_gng_without_data_or_saving(grown):
    _, snapshots = grown
    animation = animate_gng(snapshots[:2], None)
    plt.gcf().canvas.draw()                                          # draws the first frame
    assert isinstance(animation, FuncAnimation)
    assert plt.gcf().axes[0].get_title().startswith("Growing neural gas: epoch 1 of 2")


def test_unfitted_model_is_a_clear_error(moons):
    with pytest.raises(NotFittedError, match=r"This GrowingNeuralGas is not fitted yet .*call "
                                             r"fit\(X\)"):
        plot_gng(GrowingNeuralGas(), moons[0])


def test_bad_arguments_name_the_argument(grown, moons, tmp_path):
    model, snapshots = grown
    X, y = moons
    model_3d = GrowingNeuralGas(max_nodes=4, epochs=1, random_state=0).fit(np.eye(3))  # 2 nodes
    broken = dict(snapshots[0], edges=np.array([[0, 999]]))
    bad = [
        (lambda: plot_gng(model_3d), r"plot_gng draws the graph over 2-D data, but the model's "
                                     r"nodes have shape \(2, 3\)"),
        (lambda: plot_gng(model, np.zeros((4, 3))), r"X has 3 features, but plot_gng draws 2-D"),
        (lambda: plot_gng(model, labels=y), r"labels colour the samples, so they need X"),
        (lambda: plot_gng(model, X, labels=y[:3]), r"labels must hold one label per sample"),
        (lambda: animate_gng([], X), r"snapshots must be a non-empty list"),
        (lambda: animate_gng([np.zeros((3, 2))], X), r"snapshots\[0\] must be a dict"),
        (lambda: animate_gng([broken], X), r"snapshots\[0\]'s edges must join nodes 0 to"),
        (lambda: animate_gng([dict(snapshots[0], nodes=np.zeros((2, 3)))], X),
         r"snapshots\[0\]\['nodes'\] must have shape \(n_nodes, 2\)"),
        (lambda: animate_gng(snapshots, X, path=tmp_path / "a.mp4"), r"path must end with \.gif"),
        (lambda: animate_gng(snapshots, X, interval=0), r"interval must be > 0"),
        (lambda: gng_snapshot_callback(None), r"store must be a list"),
    ]
    for call, match in bad:
        with pytest.raises(ValueError, match=match):
            call()
        plt.close("all")


def test_fonts_read_on_a_projector(grown, moons):
    ax = plot_gng(grown[0], moons[0]).axes[0]
    texts = [ax.title, ax.xaxis.label, ax.yaxis.label] + ax.get_xticklabels()
    assert min(t.get_fontsize() for t in texts if t.get_text()) >= 11


def test_module_exports_the_gng_figures():
    assert set(GNG_FUNCTIONS) <= set(plotting.__all__)
    assert all(callable(getattr(plotting, name)) for name in GNG_FUNCTIONS)
