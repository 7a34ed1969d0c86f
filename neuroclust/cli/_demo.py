"""``neuroclust demo``: competitive learning, k-means and a SOM on two data sets, no labels used
for training; a table of scores and four figures, each taken from the model's standard
figures (:func:`neuroclust.plotting.standard_figures`)."""
import time

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
    paths = _demo_figures(args.out, blobs_X, centres, digits_X, fitted)
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



def _demo_figures(folder, blobs_X, centres, digits_X, fitted):
    """Four standard figures, saved under the demo's own names: the 3-D clusters of
    competitive learning with the true centres, its digit prototypes, and the digits SOM's
    prototypes and U-matrix."""
    import matplotlib.pyplot as plt

    plotting = _plotting()
    model = fitted[("competitive learning", "five centroids (3-D)")]
    blobs = plotting.competitive.standard_figures(model, blobs_X, labels=model.labels_,
                                                  centers_true=centres)
    clusters = blobs["clusters"]
    clusters.axes[0].set_title("Competitive learning: learned (circles) vs true (crosses) "
                               "centroids", fontsize=_TITLE_SIZE)
    model = fitted[("competitive learning", "digits (8x8 images)")]
    digits = plotting.standard_figures(model, digits_X, labels=model.labels_)
    prototypes = digits["prototypes"]
    som = fitted[("self-organizing map", "digits (8x8 images)")]
    som_figures = plotting.standard_figures(som, digits_X, labels=som.labels_)
    som_figures["umatrix"].axes[0].set_title("U-matrix of the digits map (dark: borders)",
                                             fontsize=_TITLE_SIZE)
    chosen = {"five_centroids": clusters, "digit_prototypes": prototypes,
              "digits_som": som_figures["prototypes"], "digits_umatrix": som_figures["umatrix"]}
    shown = [id(figure) for figure in chosen.values()]
    for figure in [*blobs.values(), *digits.values(), *som_figures.values()]:
        if id(figure) not in shown:  # the standard figures the demo does not save
            plt.close(figure)
    return _save_figures(chosen, folder)
