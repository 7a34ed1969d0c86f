"""neuroclust.plotting.density: the reachability plot of OPTICS (one bar per sample in its
order, coloured by cluster, noise grey, infinite bars drawn above the rest, the eps line of
the dbscan extraction), the 2-D clusters of DBSCAN and OPTICS, and their standard figures."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from neuroclust import DBSCAN, OPTICS, KMeans
from neuroclust.plotting import plot_density_clusters, plot_reachability, standard_figures
from neuroclust.plotting._style import _NOISE_COLOR


def test_one_bar_per_sample_in_optics_order(moons):
    X, _ = moons
    model = OPTICS(min_samples=10).fit(X)
    fig = plot_reachability(model)
    bars = [patch for patch in fig.axes[0].patches]
    assert len(bars) == len(X)
    heights = {round(bar.get_x() + 0.5): bar.get_height() for bar in bars}
    plot = model.reachability_[model.ordering_]
    finite = np.isfinite(plot)
    np.testing.assert_allclose([heights[i] for i in np.flatnonzero(finite)], plot[finite])
    assert all(heights[i] > plot[finite].max() for i in np.flatnonzero(~finite))
    noise = {round(bar.get_x() + 0.5) for bar in bars
             if to_hex(bar.get_facecolor(), keep_alpha=False) == _NOISE_COLOR.lower()}
    assert noise == set(np.flatnonzero(model.labels_[model.ordering_] == -1))


def test_the_eps_line_of_the_dbscan_extraction(moons):
    X, _ = moons
    ax = plt.figure().add_subplot()
    assert plot_reachability(OPTICS(min_samples=10, cluster_method="dbscan", eps=0.2).fit(X),
                             ax=ax) is ax
    assert [line.get_ydata()[0] for line in ax.lines] == [0.2]


@pytest.mark.parametrize("Model, params", [(DBSCAN, dict(eps=0.2)),
                                           (OPTICS, dict(min_samples=10))])
def test_standard_figures(Model, params, moons, tmp_path):
    X, y = moons
    model = Model(**params).fit(X)
    figures = standard_figures(model, X, y)
    assert sorted(figures) == (["clusters", "reachability"] if Model is OPTICS
                               else ["clusters"])
    fig = plot_density_clusters(model, X, title="density")
    assert fig.axes[0].get_title() == "density"


def test_only_the_training_samples_can_be_drawn(moons):
    X, _ = moons
    model = DBSCAN(eps=0.2).fit(X)
    with pytest.raises(ValueError, match="samples the model was fit on"):
        standard_figures(model, X[:50])
    with pytest.raises(ValueError, match="2 columns"):
        plot_density_clusters(DBSCAN(eps=0.2).fit(np.c_[X, X]), np.c_[X, X])


def test_other_models_are_refused(moons):
    X, _ = moons
    with pytest.raises(ValueError, match="neuroclust.OPTICS"):
        plot_reachability(DBSCAN(eps=0.2).fit(X))
    with pytest.raises(ValueError, match="neuroclust.DBSCAN or neuroclust.OPTICS"):
        plot_density_clusters(KMeans(2, random_state=0).fit(X), X)
