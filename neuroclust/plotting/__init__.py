"""Figures for the tutorials, the demo and lectures: one function per picture, one module per
model family.

* :mod:`neuroclust.plotting.competitive` (k-means and competitive learning):
  :func:`plot_centroids_3d` and :func:`plot_centroids_2d` (the samples coloured by cluster,
  with the true centres as black crosses and the learned ones as circles with a vermillion
  rim), :func:`plot_prototype_images` (each prototype as a small image), :func:`plot_elbow`.
* :mod:`neuroclust.plotting.som` (self-organizing maps, :class:`neuroclust.SOM`):
  :func:`plot_umatrix`, :func:`plot_component_planes`, :func:`plot_hit_map`,
  :func:`plot_labels_map`, :func:`plot_som_prototypes`, :func:`plot_som_grid`,
  :func:`animate_som` and :func:`som_snapshot_callback`. The map figures draw one cell per
  unit (squares on a rectangular grid, hexagons on a hexagonal one) with row 0 at the top
  and column 0 at the left, like the rows and columns of ``som.weights_``.
* :mod:`neuroclust.plotting.gng` (growing neural gas, drawn in input space): :func:`plot_gng`,
  :func:`animate_gng` and :func:`gng_snapshot_callback`.
* :mod:`neuroclust.plotting.art` (Fuzzy ART): :func:`plot_fuzzy_art_boxes` (2-D data) and
  :func:`plot_fuzzy_art_categories` (any dimension).
* :mod:`neuroclust.plotting.autoencoder` (:class:`neuroclust.Autoencoder`,
  :class:`neuroclust.LatentClustering`, time series): :func:`plot_training_curves`,
  :func:`plot_latent_space`, :func:`plot_reconstructions`, :func:`plot_signals_by_cluster`.
* :mod:`neuroclust.plotting.density` (:class:`neuroclust.DBSCAN`, :class:`neuroclust.OPTICS`):
  :func:`plot_reachability` (OPTICS's reachability plot) and :func:`plot_density_clusters`.
* :func:`plot_history`: the training error per epoch of any model; :func:`plot_schedule`:
  a SOM's or competitive layer's learning rate, radius and neighbourhood before training;
  :func:`save_figure`:
  write a figure (or an animation, as a GIF) to a file, creating its folder.

Each family module has one function, ``standard_figures(model, X, y=None, labels=None)``,
that draws a fitted model's standard figures and returns them by file stem;
:func:`standard_figures` here picks the family by the model's class. ``neuroclust fit
--plot`` and ``neuroclust demo`` save what it returns.

Every function is importable from here (``neuroclust.plotting.plot_umatrix``). The figures
are made to be read on a projector: fonts of 11 points and more, large centre markers, and
the Okabe-Ito colours, which stay distinct under the common forms of colour blindness (beyond
seven clusters the marker shape changes too). A function that draws one panel takes ``ax=``:
without it, it makes a new figure and returns the ``Figure``; with it, it draws into that
Axes and returns the Axes. Nothing here calls ``plt.show()``; in a script call it yourself or
save the figure with :func:`save_figure`.
"""
from ..models import (ART1, SOM, Autoencoder, CompetitiveLearning, FuzzyART, GrowingNeuralGas,
                      KMeans, LatentClustering)
from ..models import DBSCAN, OPTICS
from . import art, autoencoder, competitive, gng, som
from . import density
from ._style import COLORS  # noqa: F401 - the palette, for figures drawn by hand
from ._style import save_figure
from .art import plot_fuzzy_art_boxes, plot_fuzzy_art_categories
from .autoencoder import (plot_latent_space, plot_reconstructions, plot_signals_by_cluster,
                          plot_training_curves)
from .density import plot_density_clusters, plot_reachability
from .competitive import (plot_centroids_2d, plot_centroids_3d, plot_elbow,
                          plot_prototype_images)
from .gng import animate_gng, gng_snapshot_callback, plot_gng
from .history import plot_history, plot_schedule
from .som import (animate_som, plot_component_planes, plot_hit_map, plot_labels_map,
                  plot_som_grid, plot_som_prototypes, plot_umatrix, som_snapshot_callback)

__all__ = [
    "plot_centroids_3d",
    "plot_centroids_2d",
    "plot_prototype_images",
    "plot_history",
    "plot_schedule",
    "save_figure",
    "plot_umatrix",
    "plot_component_planes",
    "plot_hit_map",
    "plot_labels_map",
    "plot_som_prototypes",
    "plot_som_grid",
    "animate_som",
    "som_snapshot_callback",
    "plot_fuzzy_art_boxes",
    "plot_fuzzy_art_categories",
    "plot_gng",
    "gng_snapshot_callback",
    "animate_gng",
    "plot_elbow",
    "plot_training_curves",
    "plot_latent_space",
    "plot_reconstructions",
    "plot_signals_by_cluster",
    "standard_figures",
    "plot_reachability",
    "plot_density_clusters",
]

#: The family module that draws each estimator class's standard figures.
_FAMILIES = {KMeans: competitive, CompetitiveLearning: competitive, SOM: som,
            GrowingNeuralGas: gng, FuzzyART: art, ART1: art, Autoencoder: autoencoder,
            LatentClustering: autoencoder}
_FAMILIES.update({DBSCAN: density, OPTICS: density})


def standard_figures(model, X, y=None, labels=None, feature_names=None):
    """The standard figures of a fitted model, by file stem, drawn by its family's module.

    The family is chosen by the model's class (a subclass counts as its parent), never
    guessed from its attributes: see ``standard_figures`` in
    :mod:`~neuroclust.plotting.competitive` (KMeans, CompetitiveLearning),
    :mod:`~neuroclust.plotting.som` (SOM), :mod:`~neuroclust.plotting.gng`
    (GrowingNeuralGas), :mod:`~neuroclust.plotting.art` (FuzzyART, ART1),
    :mod:`~neuroclust.plotting.autoencoder` (Autoencoder, LatentClustering) and
    :mod:`~neuroclust.plotting.density` (DBSCAN, OPTICS) for the figures each draws.

    Parameters
    ----------
    model : fitted neuroclust estimator
    X : array-like of shape (n_samples, n_features)
        The samples to draw, with as many features as the model was fit on.
    y : array-like of shape (n_samples,), default=None
        The true labels, for the figures that compare with them (never used to train).
    labels : array-like of shape (n_samples,), default=None
        The cluster of each sample; None computes ``model.predict(X)``.
    feature_names : list of str, default=None
        The names of X's columns (a csv file's header): they replace the figures' generic
        names of the features (the axes :math:`x_1, x_2, x_3` over the data, "feature f" on
        component planes and category boxes).

    Returns
    -------
    dict of str to matplotlib.figure.Figure or matplotlib.animation.FuncAnimation
        ``{file stem: figure}``, e.g. ``{"umatrix": ..., "hit_map": ...}``; an animation
        (the SOM unfolding, the graph growing) is saved as a GIF by :func:`save_figure`.

    Examples
    --------
    >>> from neuroclust import KMeans, datasets
    >>> X, y = datasets.make_moons(n_samples=200, random_state=0)
    >>> figures = standard_figures(KMeans(2, random_state=0).fit(X), X, y)
    >>> sorted(figures)
    ['clusters', 'history']
    """
    family = next((_FAMILIES[cls] for cls in type(model).__mro__ if cls in _FAMILIES), None)
    if family is None:
        names = ", ".join(sorted(cls.__name__ for cls in _FAMILIES))
        raise ValueError(f"model must be a fitted neuroclust estimator ({names}), got "
                         f"{type(model).__name__}.")
    figures = family.standard_figures(model, X, y=y, labels=labels)
    if feature_names is not None:
        names = [str(name) for name in feature_names]
        n_features = getattr(model, "n_features_in_", None)
        if n_features is not None and len(names) != n_features:
            raise ValueError(f"feature_names has {len(names)} names, but the model was fit on "
                             f"{n_features} features.")
        for figure in figures.values():
            _name_features(getattr(figure, "_fig", figure), names)
    return figures


def _name_features(figure, names):
    """Put the features' names where a figure drew the generic ones: axis labels x_1, x_2,
    x_3, titles and tick labels "feature f"."""
    generic = {f"$x_{k + 1}$": name for k, name in enumerate(names)}
    generic.update({f"feature {k}": name for k, name in enumerate(names)})
    for ax in figure.axes:
        labels = [ax.xaxis.label, ax.yaxis.label, ax.title]
        if hasattr(ax, "zaxis"):
            labels.append(ax.zaxis.label)
        for text in labels:
            if text.get_text() in generic:
                text.set_text(generic[text.get_text()])
        ticks = ax.get_xticklabels()
        if any(tick.get_text() in generic for tick in ticks):
            ax.set_xticks(ax.get_xticks(), [generic.get(tick.get_text(), tick.get_text())
                                            for tick in ticks],
                          rotation=ticks[0].get_rotation(), ha=ticks[0].get_ha())
