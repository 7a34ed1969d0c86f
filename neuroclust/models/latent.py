r"""Clustering in an autoencoder's latent space: compress, then cluster the codes.

Raw pixels are a poor space for distances: two images of the same digit shifted by a pixel
are far apart. An autoencoder's codes keep what the data vary in and drop much of the noise,
so a clustering method run on them often does better, and faster (m numbers per sample
instead of d).

The files a reader follows, in order: ``models/autoencoder.py`` (the autoencoder) ->
``models/latent.py`` (this estimator) -> the clusterer's own module (``models/kmeans.py`` by
default) -> ``plotting/autoencoder.py`` -> ``docs/algorithms/autoencoder.md`` ->
``tutorials/plot_05_autoencoder_clustering.py``.

The algorithm, in the order it runs:

1. train the autoencoder on X (:class:`~neuroclust.models.Autoencoder`, eqs. (1) to (4) of
   its module);
2. encode every training sample, :math:`z_i = f_{\text{enc}}(x_i)` (``codes_``);
3. cluster the codes with any object that has ``fit_predict`` (k-means by default; a
   scikit-learn clusterer such as ``DBSCAN`` works unchanged);
4. a new sample is encoded, then labelled by the clusterer's own ``predict`` when it has
   one, otherwise it takes the label of the nearest training code,

   .. math:: c(x) = \text{labels}_{j^*}, \qquad
             j^* = \arg\min_j \|f_{\text{enc}}(x) - z_j\|^2.                          \tag{1}

References
----------
J. Xie, R. Girshick and A. Farhadi, "Unsupervised deep embedding for clustering analysis",
ICML 2016 (which goes on to fine-tune encoder and clusters together).
"""
import numbers

import numpy as np

from .._validation import (array_module, check_is_fitted, check_random_state, check_scalar,
                           to_module)
from ..base import BaseEstimator, clone
from ..persistence import FittedState
from .autoencoder import Autoencoder
from .kmeans import KMeans

__all__ = ["LatentClustering"]


class LatentClustering(BaseEstimator):
    r"""Train an autoencoder, then cluster its codes.

    Parameters
    ----------
    autoencoder : Autoencoder or None, default=None
        Left unchanged: a copy with the same parameters is trained (``autoencoder_``). None
        is ``Autoencoder(random_state=random_state)``. A
        :class:`~neuroclust.models.VariationalAutoencoder` is an Autoencoder: its codes are
        the means of eq. (1) of its module.
    clusterer : object with fit_predict, or None, default=None
        Left unchanged: a copy is fitted on the codes (``clusterer_``); copies are made with
        :func:`neuroclust.base.clone`, ``type(c)(**c.get_params(deep=False))``. None is ``KMeans(n_clusters=n_clusters,
        random_state=random_state)``.
    n_clusters : int >= 1, default=8
        Used by the default clusterer only.
    random_state : int or None, default=None
        Used by the default autoencoder and clusterer only (a passed-in object keeps its own).
    backend : {"auto", "numpy", "cython", "cupy"}, default="auto"
        The kernels of the clusterer and of ``predict``'s nearest-code search, chosen as every
        estimator chooses them (from this and the codes' array module). The default clusterer
        runs on the backend this resolves to, and so does a passed-in clusterer that has a
        ``backend`` parameter, unless this is "auto" (then it keeps its own).

    Attributes
    ----------
    autoencoder_ : Autoencoder
        The trained copy of ``autoencoder``.
    clusterer_ : object
        The fitted copy of ``clusterer``.
    codes_ : ndarray of shape (n_samples, latent_dim\_)
        The codes of the training samples.
    labels_ : ndarray of shape (n_samples,)
        The cluster of each training sample (DBSCAN marks noise with -1).
    n_features_in_ : int

    Notes
    -----
    ``save`` writes the whole model to one ``.npz`` file, the trained autoencoder and the
    fitted clusterer nested inside it (their arrays under keys such as
    ``"autoencoder_.parameters_"``), and :func:`neuroclust.load` gives back a model whose
    ``predict`` and ``transform`` return exactly what the original's did. This needs a
    neuroclust clusterer (the default :class:`~neuroclust.models.KMeans`, or any other
    neuroclust estimator); with a foreign one, such as scikit-learn's ``DBSCAN``, ``save``
    raises ``ValueError``: save ``autoencoder_`` alone and keep ``labels_`` (and ``codes_``)
    as arrays.
    """

    def __init__(self, autoencoder=None, clusterer=None, n_clusters=8, random_state=None,
                 backend="auto"):
        self.autoencoder = autoencoder
        self.clusterer = clusterer
        self.n_clusters = n_clusters
        self.random_state = random_state
        self.backend = backend

    def fit(self, X, y=None):
        """Train the autoencoder on ``X`` (n_samples, n_features), cluster the codes; self."""
        if self.autoencoder is not None and not isinstance(self.autoencoder, Autoencoder):
            raise ValueError(f"autoencoder must be an Autoencoder or None, got "
                             f"{type(self.autoencoder).__name__}.")
        if self.clusterer is not None and not callable(getattr(self.clusterer, "fit_predict",
                                                               None)):
            raise ValueError(f"clusterer must have a fit_predict(X) method (e.g. KMeans()), "
                             f"got {type(self.clusterer).__name__}.")
        if self.clusterer is not None and not callable(getattr(self.clusterer, "get_params",
                                                               None)):
            raise ValueError(f"clusterer must have a get_params() method, as scikit-learn "
                             f"estimators do (it is copied before fitting), got "
                             f"{type(self.clusterer).__name__}.")
        check_scalar(self.n_clusters, "n_clusters", numbers.Integral, low=1)
        if isinstance(self.random_state, np.random.Generator):
            raise ValueError("random_state must be None or an int here (it seeds two models), "
                             "got a Generator.")
        check_random_state(self.random_state)
        backend = self._backend_for(X)   # the codes live in X's array module
        autoencoder = (Autoencoder(random_state=self.random_state) if self.autoencoder is None
                       else clone(self.autoencoder))
        if self.clusterer is None:
            clusterer = KMeans(n_clusters=self.n_clusters, random_state=self.random_state,
                               backend=backend)
        else:
            clusterer = clone(self.clusterer)
            if self.backend != "auto" and "backend" in clusterer.get_params(deep=False):
                clusterer.set_params(backend=backend)
        _check_before_training(X, autoencoder, clusterer)
        codes = autoencoder.fit_transform(X)
        labels = _as_array_like(clusterer.fit_predict(codes), codes)
        self.autoencoder_, self.clusterer_ = autoencoder, clusterer
        self.codes_, self.labels_ = codes, labels
        self.n_features_in_ = autoencoder.n_features_in_
        return self

    def fit_predict(self, X, y=None):
        """Fit, then return the cluster of each training sample."""
        return self.fit(X).labels_

    def __sklearn_tags__(self):
        """scikit-learn's tags (see ``BaseEstimator``): the codes come out in the dtype of
        the autoencoder."""
        tags = super().__sklearn_tags__()
        autoencoder = self.autoencoder if isinstance(self.autoencoder, Autoencoder) else (
            Autoencoder())
        tags.transformer_tags.preserves_dtype = list(
            autoencoder.__sklearn_tags__().transformer_tags.preserves_dtype)
        return tags

    def transform(self, X):
        """The codes of ``X``, shape (n_samples, latent_dim)."""
        check_is_fitted(self, "labels_")
        return self.autoencoder_.transform(X)

    def predict(self, X):
        """The cluster of each row of ``X``: the clusterer's ``predict`` on the codes, or the
        label of the nearest training code, eq. (1), when the clusterer has no ``predict``."""
        Z = self.transform(X)
        if callable(getattr(self.clusterer_, "predict", None)):
            return _as_array_like(self.clusterer_.predict(Z), Z)
        xp = array_module(Z)
        codes = _as_array_like(self.codes_, Z).astype(Z.dtype, copy=False)
        distances = self._kernels_for(Z).squared_distances(Z, codes)
        nearest = xp.argmin(distances, axis=1)                                      # eq. (1)
        return _as_array_like(self.labels_, Z)[nearest]

    def save(self, path):
        """Save the fitted model, its autoencoder and clusterer nested, to one ``.npz`` file.

        Raises
        ------
        ValueError
            If the clusterer is not a neuroclust estimator (e.g. scikit-learn's ``DBSCAN``):
            a model file holds no foreign objects.
        """
        check_is_fitted(self, "labels_")
        for clusterer in (self.clusterer_, self.clusterer):
            if clusterer is not None and not isinstance(clusterer, BaseEstimator):
                raise ValueError(f"LatentClustering cannot be saved with a "
                                 f"{type(clusterer).__name__} clusterer (only neuroclust "
                                 f"estimators go into a model file); save model.autoencoder_ "
                                 f"and keep model.labels_ instead.")
        return super().save(path)

    # The attributes a model file may set (neuroclust.load refuses any other).
    _fitted_attributes = ("autoencoder_", "clusterer_", "codes_", "labels_", "n_features_in_")

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other (:func:`neuroclust.load`
        checks every model it reads from a file with this, after checking the nested
        autoencoder and clusterer with theirs)."""
        state = FittedState(self)
        n_features = state.n_features()
        autoencoder, clusterer = vars(self).get("autoencoder_"), vars(self).get("clusterer_")
        if not isinstance(autoencoder, Autoencoder) or "parameters_" not in vars(autoencoder):
            raise ValueError("autoencoder_ must be a fitted Autoencoder.")
        if autoencoder.n_features_in_ != n_features:
            raise ValueError(f"autoencoder_ takes {autoencoder.n_features_in_} features, but "
                             f"n_features_in_={n_features}.")
        if not isinstance(clusterer, BaseEstimator):
            raise ValueError("clusterer_ must be a fitted neuroclust estimator.")
        latent_dim = autoencoder.latent_dim_
        if vars(clusterer).get("n_features_in_", latent_dim) != latent_dim:
            raise ValueError(f"clusterer_ was fitted on {clusterer.n_features_in_} features, but "
                             f"the codes have latent_dim_={latent_dim}.")
        codes = state.array("codes_", [("n_samples", None), ("latent_dim_", latent_dim)],
                            required=True)
        if len(codes) == 0:
            raise ValueError("codes_ holds no code, but a fitted LatentClustering holds the "
                             "code of each training sample.")
        labels = state.labels(low=-1, n_samples=len(codes))
        if not np.array_equal(labels, vars(clusterer).get("labels_", labels)):
            raise ValueError("labels_ differ from clusterer_.labels_, the clusters the codes "
                             "were given.")


def _as_array_like(values, reference):
    """``values`` (an array, or a list from a foreign clusterer) as an array of
    ``reference``'s module: a host clusterer's labels go to the device when the codes live
    there, and back."""
    if array_module(values) is np:
        values = np.asarray(values)
    return to_module(values, array_module(reference))


def _check_before_training(X, autoencoder, clusterer):
    """Everything that can fail before the autoencoder trains: its parameters and X (with
    the memory they need), the clusterer's parameters (a neuroclust one's), and at least as
    many samples as the clusterer's ``n_clusters``."""
    autoencoder._check_params()
    if isinstance(clusterer, BaseEstimator) and callable(getattr(clusterer, "_check_params",
                                                                 None)):
        clusterer._check_params()
    n_samples = autoencoder._check_X_for_fit(X)[0].shape[0]
    wanted = getattr(clusterer, "n_clusters", None)
    if (isinstance(wanted, numbers.Integral) and not isinstance(wanted, bool)
            and wanted > n_samples):
        raise ValueError(f"X has {n_samples} samples but at least {wanted} are needed (one "
                         f"per cluster, n_clusters={wanted}).")
