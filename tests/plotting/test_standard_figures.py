"""Tests for the standard figures: each family's ``standard_figures`` and the dispatcher
``neuroclust.plotting.standard_figures``, which picks the family by the model's class; and the
history helper every family reads ``history_`` through (a dict of lists, or a plain list)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from neuroclust import (ART1, DBSCAN, OPTICS, SOM, Autoencoder, CompetitiveLearning, FuzzyART,
                        GrowingNeuralGas, KMeans, LatentClustering, NotFittedError, plotting)
from neuroclust.plotting import art, autoencoder, competitive, gng, som, standard_figures
from neuroclust.plotting.history import _history_series, plot_history


def _kinds(figures):
    assert all(isinstance(f, (Figure, FuncAnimation)) for f in figures.values())
    return sorted(figures)


@pytest.mark.parametrize("make", [lambda: KMeans(2, random_state=0),
                                  lambda: CompetitiveLearning(2, epochs=2, random_state=0)])
def test_competitive_family(make, moons):
    X, y = moons
    model = make().fit(X)
    assert _kinds(standard_figures(model, X, y)) == ["clusters", "history"]
    assert _kinds(competitive.standard_figures(model, X)) == ["clusters", "history"]


def test_competitive_family_on_images_draws_prototypes(digits):
    X, y = digits
    figures = standard_figures(KMeans(3, n_init=1, random_state=0).fit(X), X, y)
    assert _kinds(figures) == ["history", "prototypes"]


def test_som_family(moons, digits):
    X, y = moons
    model = SOM(shape=(3, 3), epochs=2, random_state=0,
                callbacks=[plotting.som_snapshot_callback([])]).fit(X)
    figures = standard_figures(model, X, y)
    assert _kinds(figures) == ["component_planes", "history", "hit_map", "labels_map",
                               "som_grid", "umatrix", "unfolding"]
    assert isinstance(figures["unfolding"], FuncAnimation)
    assert _kinds(som.standard_figures(model, X)) == ["component_planes", "history", "hit_map",
                                                      "som_grid", "umatrix", "unfolding"]
    X, y = digits
    model = SOM(shape=(3, 3), epochs=1, random_state=0).fit(X)
    assert _kinds(standard_figures(model, X)) == ["history", "hit_map", "prototypes",
                                                  "umatrix"]


def test_gng_family(moons):
    X, y = moons
    model = GrowingNeuralGas(max_nodes=10, epochs=2, random_state=0,
                             callbacks=[plotting.gng_snapshot_callback([])]).fit(X)
    figures = standard_figures(model, X, y)
    assert list(figures) == ["gng_graph", "history", "growing"]
    assert _kinds(gng.standard_figures(GrowingNeuralGas(max_nodes=10, epochs=1,
                                                        random_state=0).fit(X), X)) == [
        "gng_graph", "history"]


def test_art_family(moons, digits):
    X, y = moons
    model = FuzzyART(rho=0.7, scale=True, epochs=1).fit(X)
    assert _kinds(standard_figures(model, X, y)) == ["categories", "history"]
    X = (digits[0] > 8).astype(float)
    model = ART1(rho=0.5, epochs=1).fit(X)
    assert _kinds(art.standard_figures(model, X)) == ["history", "templates"]


def test_autoencoder_family(digits):
    X, y = digits
    ae = Autoencoder(hidden=(8,), latent_dim=2, epochs=1, random_state=0)
    model = LatentClustering(autoencoder=ae, n_clusters=3, random_state=0).fit(X)
    figures = standard_figures(model, X, y)
    assert _kinds(figures) == ["latent_space", "reconstructions", "training_curves"]
    assert len(figures["latent_space"].axes) == 2          # clusters, and true labels
    alone = ae.fit(X)
    figures = autoencoder.standard_figures(alone, X, y)
    assert _kinds(figures) == ["latent_space", "reconstructions", "training_curves"]
    assert len(figures["latent_space"].axes) == 1          # no clusters: one panel


def test_a_subclass_gets_its_parents_figures(moons):
    class MyKMeans(KMeans):
        pass

    X, _ = moons
    assert "clusters" in standard_figures(MyKMeans(2, random_state=0).fit(X), X)


@pytest.mark.parametrize("model", [KMeans(2), CompetitiveLearning(2), SOM(shape=(2, 2)),
                                   GrowingNeuralGas(), FuzzyART(), ART1(), Autoencoder(),
                                   LatentClustering()])
def test_an_unfitted_model_is_refused(model, moons):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        standard_figures(model, moons[0])


@pytest.mark.parametrize("model", [object(), "kmeans", None, np.zeros(3)])
def test_an_object_of_another_class_is_refused(model, moons):
    with pytest.raises(ValueError, match=r"^model must be a fitted neuroclust estimator .*, "
                                         r"got \w+\.$"):
        standard_figures(model, moons[0])


def test_a_family_refuses_another_familys_model(moons):
    X, _ = moons
    with pytest.raises(ValueError, match=r"model must be a fitted neuroclust\.SOM, got KMeans"):
        som.standard_figures(KMeans(2, random_state=0).fit(X), X)


def test_bad_data_is_one_sentence(moons):
    X, y = moons
    model = KMeans(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but the model is expecting 2 "
                                         "features"):
        standard_figures(model, np.ones((5, 3)))
    with pytest.raises(ValueError, match="y must hold one label per sample"):
        standard_figures(model, X, y[:5])
    with pytest.raises(ValueError, match="labels must hold one label per sample"):
        standard_figures(model, X, labels=y[:5])


# ------------------------------------------------------------------------------ history
def test_history_series_reads_both_forms():
    series = _history_series({"loss": [3.0, 2.0], "val_loss": [], "best_epoch": 1})
    assert list(series) == ["loss"]
    np.testing.assert_array_equal(series["loss"], [3.0, 2.0])
    assert list(_history_series([1.0, 0.5])) == [None]          # a list: one unnamed series
    assert _history_series(None) == {}
    assert _history_series(KMeans(2)) == {}                     # no history_ yet


def test_plot_history_takes_a_one_metric_dict_or_a_model(moons):
    figure = plot_history({"inertia": [3.0, 2.0, 1.0]})
    assert figure.axes[0].get_ylabel() == "inertia"
    assert plot_history([3.0, 2.0]).axes[0].get_ylabel() == "quantization error"
    model = SOM(shape=(2, 2), epochs=2, random_state=0).fit(moons[0])
    with pytest.raises(ValueError, match="history holds several metrics"):
        plot_history(model)
    with pytest.raises(ValueError, match="history has no values to plot"):
        plot_history({"loss": []})


def _standard_figures_of_every_family(moons, digits):
    """``{family: standard figures}`` of one small fitted model of each family."""
    X, y = moons
    Xd, yd = digits
    ae = Autoencoder(hidden=(8,), latent_dim=2, epochs=2, random_state=0, verbose=False)
    fitted = {
        "k-means": (KMeans(2, random_state=0).fit(X), X, y),
        "competitive": (CompetitiveLearning(2, epochs=2, random_state=0).fit(X), X, y),
        "SOM": (SOM(shape=(3, 3), epochs=2, random_state=0).fit(X), X, y),
        "SOM on images": (SOM(shape=(3, 3), epochs=1, random_state=0).fit(Xd), Xd, yd),
        "GNG": (GrowingNeuralGas(max_nodes=10, epochs=2, random_state=0).fit(X), X, y),
        "Fuzzy ART": (FuzzyART(rho=0.7, scale=True, epochs=2).fit(X), X, y),
        "ART1": (ART1(rho=0.5, epochs=1).fit(Xd > 8), (Xd > 8).astype(float), yd),
        "DBSCAN": (DBSCAN(eps=0.2).fit(X), X, y),
        "OPTICS": (OPTICS(min_samples=5).fit(X), X, y),
        "latent clustering": (LatentClustering(autoencoder=ae, n_clusters=3,
                                               random_state=0).fit(Xd), Xd, yd),
    }
    for name, (model, data, labels) in fitted.items():
        yield name, standard_figures(model, data, labels)
        plt.close("all")


def test_every_standard_figure_says_what_it_shows(moons, digits):
    """A student opens a PNG on its own: every panel that draws data has a title (its own or
    the figure's), and every history starts its vertical axis at zero, where a reader expects
    an error or a count to start."""
    for family, figures in _standard_figures_of_every_family(moons, digits):
        for stem, figure in figures.items():
            figure = getattr(figure, "_fig", figure)                 # an animation's figure
            suptitle = figure._suptitle.get_text() if figure._suptitle else ""
            panels = [ax for ax in figure.axes if ax.has_data() and ax.get_label() != "<colorbar>"]
            assert panels, f"{family} {stem}: nothing drawn"
            for ax in panels:
                assert ax.get_title() or suptitle, f"{family} {stem}: a panel without a title"
            if stem == "history":
                for ax in panels:
                    assert ax.get_ylim()[0] == 0, f"{family} history starts at {ax.get_ylim()}"
