"""``neuroclust demo``: competitive learning, k-means and a SOM on two data sets, no labels used
for training; a table of scores and four figures drawn with :mod:`neuroclust.plotting` (the
competitive layer's clusters and prototypes, the digits map's prototypes beside its U-matrix,
and its labels map)."""
import time

import numpy as np

from .. import datasets
from ..models import SOM, CompetitiveLearning, KMeans
from ._data import _check_output_folder
from ._errors import _say
from ._fit import _label_scores, _plotting, _save_figures
from ._parser import _check_ranges

#: The size of the figures' titles, as neuroclust.plotting draws them.
_TITLE_SIZE = 15

def run_demo(args):
    """Train both models on both data sets, print the table, save the figures."""
    _check_ranges(args)
    _check_output_folder(args.out, "--out")
    _say("neuroclust demo: competitive learning, k-means and a self-organizing map, no labels "
         "used for training\n")
    blobs_X, blobs_y, centres = datasets.make_five_centroids(
        n_samples=1000, random_state=args.random_state, return_centers=True)
    digits_X, digits_y = datasets.load_digits()
    runs = [("five centroids (3-D)", blobs_X, blobs_y, 5),
            ("digits (8x8 images)", digits_X, digits_y, 10)]
    rows, fitted = [], {}
    for data_name, X, y, k in runs:
        for model_name, model in _demo_models(k, args.random_state):
            start = time.perf_counter()
            labels = model.fit_predict(X)
            seconds = time.perf_counter() - start
            rows.append((model_name, data_name, _label_scores(y, labels), seconds))
            fitted[(model_name, data_name)] = model
    _print_table(rows)
    paths = _demo_figures(args.out, blobs_X, centres, digits_X, digits_y, fitted)
    _say("\nfigures written:")
    for path in paths:
        _say(f"  {path}")
    return 0


def _demo_models(n_clusters, random_state):
    return [("competitive learning",
             CompetitiveLearning(n_clusters, learning_rate=0.05, epochs=20,
                                 learning_rate_final=0.005, init="k-means++",
                                 random_state=random_state)),
            ("k-means", KMeans(n_clusters, n_init=10, random_state=random_state)),
            ("self-organizing map",  # the two-level SOM: k-means on a 10x10 map's prototypes
             SOM(shape=(10, 10), epochs=20, n_clusters=n_clusters, record_history=False,
                 random_state=random_state))]


def _print_table(rows):
    header = f"{'model':<22}{'data':<22}{'ARI':>7}{'NMI':>7}{'accuracy':>10}{'seconds':>9}"
    _say(header)
    _say("-" * len(header))
    for model_name, data_name, scores, seconds in rows:
        _say(f"{model_name:<22}{data_name:<22}{scores['ARI']:>7.3f}{scores['NMI']:>7.3f}"
              f"{scores['accuracy']:>10.3f}{seconds:>9.3f}")



def _demo_figures(folder, blobs_X, centres, digits_X, digits_y, fitted):
    """Four figures, saved under the demo's own names: the 3-D clusters of competitive
    learning with the true centres, its digit prototypes, the digits SOM's prototypes beside
    its U-matrix, and the digit most of each unit's samples show."""
    import matplotlib.pyplot as plt

    plotting = _plotting()
    model = fitted[("competitive learning", "five centroids (3-D)")]
    blobs = plotting.competitive.standard_figures(model, blobs_X, labels=model.labels_,
                                                  centers_true=centres)
    clusters = blobs.pop("clusters")
    clusters.axes[0].set_title("Competitive learning: learned (circles) vs true (crosses) "
                               "centroids", fontsize=_TITLE_SIZE)
    for figure in blobs.values():   # the standard figures the demo does not save
        plt.close(figure)
    model = fitted[("competitive learning", "digits (8x8 images)")]
    wins = np.bincount(model.labels_, minlength=model.n_clusters)
    prototypes = plotting.plot_prototype_images(
        model.cluster_centers_, image_shape=(8, 8), n_cols=5,
        titles=[f"unit {j}: {n} digits" for j, n in enumerate(wins)])
    prototypes.suptitle("Competitive learning on the digits: its 10 prototypes (a unit's "
                        "number is not a digit)", fontsize=_TITLE_SIZE)
    som = fitted[("self-organizing map", "digits (8x8 images)")]
    rows, cols = som.shape
    som_figure, (left, right) = plt.subplots(1, 2, figsize=(17, 7.8), layout="constrained")
    plotting.plot_som_prototypes(som, ax=left, title="Prototypes, laid out like the grid")
    plotting.plot_umatrix(som, ax=right, title="U-matrix: dark cells are borders")
    som_figure.suptitle(f"Self-organizing map of the digits ({rows} x {cols}): similar "
                        "digits sit together, dark ridges separate them", fontsize=_TITLE_SIZE)
    labels_map = plotting.plot_labels_map(som, digits_X, digits_y)
    labels_map.axes[0].set_title("Majority digit of each unit's samples (no labels in "
                                 "training)", fontsize=_TITLE_SIZE)
    chosen = {"five_centroids": clusters, "digit_prototypes": prototypes,
              "digits_som": som_figure, "digits_som_labels": labels_map}
    return _save_figures(chosen, folder)
