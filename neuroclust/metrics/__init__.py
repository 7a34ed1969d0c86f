r"""Clustering quality measures: agreement with known classes, internal indices, map quality.

Three kinds of measure live here.

* **External** measures compare a clustering with known classes: :func:`adjusted_rand_score`,
  :func:`normalized_mutual_info_score`, :func:`clustering_accuracy` and :func:`purity_score`.
  Each is a function of the table :func:`contingency_matrix` counts; :func:`match_clusters`
  renames the clusters after the classes they are matched to.
* **Internal** measures judge a clustering from the data alone: :func:`silhouette_samples`,
  :func:`silhouette_score`, :func:`davies_bouldin_score` and :func:`calinski_harabasz_score`.
* **Map quality**: :func:`quantization_error`, how far the samples lie from their nearest
  prototype.

Labels may be integers of either sign, with gaps, or strings: only which samples share a label
matters. The values agree with scikit-learn's functions of the same names (the tests check
it), except where a docstring says otherwise.

Notation: :math:`n` samples; :math:`y_s` the class and :math:`\hat y_s` the cluster of sample
:math:`s`; :math:`n_{ij}` the contingency table, :math:`a_i` its row sums (class sizes) and
:math:`b_j` its column sums (cluster sizes); :math:`C_k` the set of samples in cluster
:math:`k`, :math:`K` the number of clusters, :math:`d(x, x')` the Euclidean distance.

The files: ``metrics/external.py`` (against known classes), ``metrics/internal.py`` (from the
data alone), ``metrics/_labels.py`` (the input checks they share) and
``neuroclust/_quantization.py`` (the quantization error, which the estimators compute with the
same function, imported from here as ``_quantization_error``).
"""
from .._quantization import _quantization_error, quantization_error  # noqa: F401
from .external import (adjusted_rand_score, clustering_accuracy, contingency_matrix,
                       match_clusters, normalized_mutual_info_score, purity_score)
from .internal import (calinski_harabasz_score, davies_bouldin_score, silhouette_samples,
                       silhouette_score)

__all__ = [
    "contingency_matrix",
    "adjusted_rand_score",
    "normalized_mutual_info_score",
    "clustering_accuracy",
    "match_clusters",
    "purity_score",
    "silhouette_samples",
    "silhouette_score",
    "davies_bouldin_score",
    "calinski_harabasz_score",
    "quantization_error",
]
