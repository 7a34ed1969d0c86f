"""What every neuroclust estimator shares: parameters, checks, queries, saving.

The conventions are scikit-learn's: ``__init__`` only stores hyper-parameters, ``fit`` returns
``self``, learned state ends in ``_``. Saving and loading live in ``neuroclust/persistence/``;
the epoch loop every model trains on, and the rule that a failed ``fit`` leaves the model as
it was, in ``neuroclust/_epochs.py`` (imported from here).

Which kernels run
-----------------
A model reaches its kernels only through the kernel module of its backend,
``get_kernels(backend)`` (``neuroclust/backend/``), never by importing the NumPy reference.
``fit`` and every query (``predict``, ``transform``, ``partial_fit`` after the first call,
``quantization_error``...) choose that backend by one rule, :meth:`BaseEstimator._backend_for`:
``resolve_backend(self.backend, X)``, the estimator's ``backend`` parameter and the data
(a CuPy array makes "auto" choose CuPy; ``NEUROCLUST_BACKEND`` overrides both), and with the
CuPy backend the data go to the GPU. So a model fitted with ``backend="numpy"`` answers with
the NumPy reference too, and asking for a backend this machine cannot run is the same clear
error at ``predict`` as at ``fit`` (a model saved with ``backend="cython"`` and loaded where
the kernels are not built: set ``model.backend = "numpy"``). A nested estimator (the k-means of
the SOM's two-level clustering, the clusterer of ``LatentClustering``) gets its parent's
backend.
"""
import inspect
import math
import numbers

import numpy as np

from ._validation import (_check_finite, array_module, check_array, check_is_fitted,
                          check_n_features, is_dask_array, shown, to_host)
from ._epochs import (DivergenceWarning, EpochHistory, LastPass,  # noqa: F401
                      TrainingInterruptedWarning, _is_state, _keeps_state_on_error,
                      ignore_further_interrupts, interrupts_deferred, run_epochs)
from .backend import get_kernels, resolve_backend
from .distributed import check_dask_query, host_backend, map_rows, unit_sums

__all__ = ["BaseEstimator", "PrototypeClusterMixin", "run_epochs", "EpochHistory", "clone",
           "DivergenceWarning", "TrainingInterruptedWarning"]

_REGISTRY = {}  # class name -> estimator class, for neuroclust.persistence.load


class BaseEstimator:
    """Parameter handling, ``repr``, ``save`` and the shared epoch loop."""

    #: Whether the model compares samples by Euclidean distance (then X is checked to be small
    #: enough that squared distances do not overflow).
    _compares_distances = False

    #: The parameters a fitted model is made of (a SOM's shape, an autoencoder's widths):
    #: changing one with ``set_params`` after ``fit`` makes every query and ``save`` refuse,
    #: with a sentence, until the next ``fit``. The others only steer the next fit.
    _params_fixed_by_fit = ()

    def _remember_fit_params(self):
        """Keep the parameters in ``_params_fixed_by_fit`` as they are now (after a fit or a
        load), for :meth:`_check_params_unchanged`."""
        self._fit_params = {name: _copy_param(getattr(self, name))
                            for name in self._params_fixed_by_fit}

    def _check_params_unchanged(self):
        """ValueError if a parameter in ``_params_fixed_by_fit`` changed since the last fit
        (``check_is_fitted`` calls this, so every query does)."""
        for name, value in getattr(self, "_fit_params", {}).items():
            now = getattr(self, name, None)
            if not _same_param(now, value):
                raise ValueError(f"{name} was changed after fit (from {shown(value)} to "
                                 f"{shown(now)}), but the fitted model was made with the old "
                                 f"value; fit again, or set {name} back, to use it.")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls
        for name in ("fit", "partial_fit"):   # a rejected fit leaves the model as it was
            method = cls.__dict__.get(name)
            if callable(method) and not getattr(method, "_keeps_state_on_error", False):
                setattr(cls, name, _keeps_state_on_error(method))

    @classmethod
    def _param_names(cls):
        signature = inspect.signature(cls.__init__)
        return sorted(name for name, p in signature.parameters.items()
                      if name != "self" and p.kind != p.VAR_KEYWORD)

    def _json_extra(self):
        """JSON that :meth:`save` stores for what the parameters cannot hold as JSON (an
        Autoencoder's explicit layers); None when there is nothing. :func:`load` hands it to
        :meth:`_restore_extra` right after building the model from its parameters."""
        return None

    def _restore_extra(self, extra):
        """Undo :meth:`_json_extra` on a model just built by :func:`load`."""

    def __sklearn_tags__(self):
        """What this estimator is, in scikit-learn's terms (scikit-learn >= 1.6 asks for it).

        A clusterer when it has ``fit_predict``, a transformer when it has ``transform``
        (keeping float32 and float64), unsupervised (``y`` is ignored), dense real input
        without NaN. Only scikit-learn calls this, so scikit-learn is imported only then.
        A model adjusts the result in its own ``__sklearn_tags__`` (ART1 takes binary
        input only).
        """
        from sklearn.utils import Tags, TargetTags, TransformerTags  # optional: tests only

        tags = Tags(estimator_type="clusterer" if hasattr(self, "fit_predict") else None,
                    target_tags=TargetTags(required=False))
        if hasattr(self, "transform"):
            tags.transformer_tags = TransformerTags(preserves_dtype=["float64", "float32"])
        return tags

    def fit_transform(self, X, y=None):
        """Fit, then return :meth:`transform` of the training data (for every model that has
        a ``transform``; ``y`` is ignored)."""
        return self.fit(X).transform(X)

    def get_params(self, deep=True):
        """Return the hyper-parameters as a dict (scikit-learn convention).

        With ``deep=True`` the parameters of a parameter that is itself an estimator are
        included too, as ``"<parameter>__<its parameter>"`` (``"autoencoder__epochs"`` of a
        ``LatentClustering``), so a grid search can tune them.
        """
        params = {name: getattr(self, name) for name in self._param_names()}
        if deep:
            for name, value in list(params.items()):
                if callable(getattr(value, "get_params", None)) and not isinstance(value, type):
                    params.update((f"{name}__{key}", item)
                                  for key, item in value.get_params(deep=True).items())
        return params

    def set_params(self, **params):
        """Set hyper-parameters by name and return ``self``.

        ``"<parameter>__<its parameter>"`` sets a parameter of a parameter that is an
        estimator (scikit-learn convention), after the plain names are set.
        """
        valid = self._param_names()
        plain, nested = {}, {}
        for key, value in params.items():
            name, nesting, inner = key.partition("__")
            if name not in valid:       # checked for all before any is set
                raise ValueError(
                    f"{key!r} is not a parameter of {type(self).__name__}; "
                    f"valid parameters are {', '.join(valid)}."
                )
            if nesting:
                nested.setdefault(name, {})[inner] = value
            else:
                plain[name] = value
        for name, value in plain.items():
            setattr(self, name, value)
        for name, inner_params in nested.items():
            estimator = getattr(self, name)
            if not callable(getattr(estimator, "set_params", None)) or isinstance(estimator,
                                                                                   type):
                key = f"{name}__{next(iter(inner_params))}"
                raise ValueError(f"{key!r} sets a parameter of {name}, but {name} is "
                                 f"{shown(estimator)}, not an estimator with parameters.")
            estimator.set_params(**inner_params)
        return self

    def __repr__(self):
        defaults = {name: p.default for name, p in
                    inspect.signature(type(self).__init__).parameters.items()}
        changed = [f"{name}={value!r}" for name, value in self.get_params(deep=False).items()
                   if not _same(value, defaults.get(name))]
        return f"{type(self).__name__}({', '.join(changed)})"

    # ----------------------------------------------------------------- Dask arrays
    def _lazy_rows(self, X, method, n_columns=None):
        """``method`` (``predict``: one integer per row; ``transform``: ``n_columns`` numbers
        of X's dtype) on every row chunk of the Dask array X, lazily, after the checks a query
        makes (:mod:`neuroclust.distributed`)."""
        X = check_dask_query(self, X, "cluster_centers_")
        return map_rows(X, method, n_columns, np.int64 if n_columns is None else X.dtype)

    def _unit_sums(self, X, adjacency=None):
        """One pass of the fitted prototypes over the Dask array X
        (:func:`neuroclust.distributed.unit_sums`), for the scores."""
        X = check_dask_query(self, X, "cluster_centers_")
        W = np.asarray(to_host(self.cluster_centers_), dtype=X.dtype)
        return unit_sums(X, W, host_backend(self.backend), adjacency)

    # ----------------------------------------------------------------- checks
    def _backend_for(self, X):
        """The backend that runs on ``X``, by the rule of ``fit`` and of every query:
        ``resolve_backend(self.backend, X)`` ("numpy", "cython" or "cupy"; see the module's
        docstring)."""
        return resolve_backend(self.backend, X)

    def _kernels_for(self, X):
        """The kernel module that runs on ``X`` (the backend of :meth:`_backend_for`), for a
        query that has no data to check (``ART1.bottom_up_weights_`` passes its templates)."""
        return get_kernels(self._backend_for(X))

    @staticmethod
    def _to_backend(X, backend):
        """``X`` where ``backend`` computes: on the GPU for "cupy", else as it is."""
        if backend == "cupy":
            import cupy  # optional dependency: imported only when the CuPy backend was chosen

            return cupy.asarray(X)
        return X

    def _validate_for_fit(self, X, min_samples=1, min_samples_reason=None):
        """Check X, choose the backend; set ``n_features_in_`` and ``backend_`` (and, for a
        model that compares distances, ``_data_range``: X's smallest and largest value).

        A ``fit`` calls this once; its epochs take the X it returns as it is, unchecked.

        Returns
        -------
        X : ndarray
            The validated data (float32 kept, other numbers become float64), on the GPU when
            the backend is CuPy.
        kernels : module
            The kernel module of the chosen backend.
        """
        reason = min_samples_reason
        if reason is None:
            reason = f" (one per cluster, n_clusters={min_samples})" if min_samples > 1 else ""
        # (a distance model checks finiteness together with the range, in the same two passes)
        X = check_array(X, min_samples=min_samples, min_samples_reason=reason,
                        allow_nan=self._compares_distances)
        # (low, high): the data's range, found by the check, for a model's divergence guard
        self._data_range = (check_distances_representable(X, fitting=True)
                            if self._compares_distances else None)
        self.backend_ = self._backend_for(X)
        self.n_features_in_ = X.shape[1]
        return self._to_backend(X, self.backend_), get_kernels(self.backend_)

    def _validate_for_predict(self, X, fitted_attribute):
        """Check that the model is fitted and that X matches it; choose the backend as ``fit``
        does (:meth:`_backend_for`).

        Use :meth:`_like` to bring fitted arrays to X's module.

        Returns
        -------
        X : ndarray
            On the GPU when the backend is CuPy.
        kernels : module
            The kernel module of the chosen backend.
        """
        check_is_fitted(self, fitted_attribute)
        X = check_array(X, allow_nan=self._compares_distances)
        check_n_features(X, self.n_features_in_, owner=type(self).__name__)
        if self._compares_distances:
            check_distances_representable(X)
        backend = self._backend_for(X)
        return self._to_backend(X, backend), get_kernels(backend)

    @staticmethod
    def _like(array, X):
        """``array`` in the array module of ``X`` (NumPy or CuPy) and of X's dtype.

        A float64 model asked about float32 data has its arrays cast down; values beyond
        float32's range would become infinite, so that is refused with a sentence.
        """
        xp = array_module(X)
        if xp is np:
            array = to_host(array)
        if (np.dtype(X.dtype).itemsize < np.dtype(array.dtype).itemsize and array.size
                and array.dtype.kind == "f"):
            largest = float(xp.abs(xp.asarray(array)).max())
            if largest > float(np.finfo(X.dtype).max):
                raise ValueError(f"this model holds values up to {largest:.3g}, beyond the "
                                 f"range of X's {X.dtype} ({float(np.finfo(X.dtype).max):.3g});"
                                 " pass X as float64.")
        return xp.asarray(array, dtype=X.dtype)

    # ------------------------------------------------------------ save / load
    def save(self, path):
        """Save the fitted model to ``path`` (a ``.npz`` file; the suffix is added if missing).

        Arrays go in as arrays, hyper-parameters and scalar results as JSON. Parameters that
        cannot be written as JSON (a ``numpy.random.Generator``, callbacks) are stored as
        ``null``.

        Models made of models are saved whole, to any depth. A fitted attribute that is itself
        a neuroclust estimator (``LatentClustering.autoencoder_``) is stored nested: its
        arrays under keys prefixed by the attribute's name and a dot
        (``"autoencoder_.parameters_"``), its description (class, parameters, attributes)
        inside this model's, under ``"estimators"``. A parameter that is a neuroclust
        estimator (``LatentClustering(autoencoder=Autoencoder(...))``) is stored as its class
        and parameters, under ``"estimator_params"``, and built again by :func:`load`.
        What a model's parameters cannot hold as JSON (an Autoencoder's explicit layers) it
        describes itself, under ``"extra"`` (``_json_extra``, undone by ``_restore_extra``).
        Numbers keep their value exactly, NaN and infinities included (as JSON's ``NaN`` and
        ``Infinity``). The file is written beside ``path`` and then moved into place, so a
        save that fails leaves an older file there as it was. An attribute that is a view of
        another (a SOM's ``weights_`` of its ``cluster_centers_``, declared in
        ``_view_attributes``) is stored once, and made a view again on load. :func:`load`
        builds only the fitted attributes a class declares (``_fitted_attributes``) and
        checks them with the class's ``_check_fitted_state``.

        Returns
        -------
        str
            The path written.

        Raises
        ------
        ValueError
            If ``path`` is not a file name, is a folder or another non-file, or cannot be
            written (a folder that cannot be made, no permission, a full disk).
        """
        # Local: neuroclust.persistence imports this module (BaseEstimator, _REGISTRY).
        from .persistence import save_model

        return save_model(self, path)

    # ------------------------------------------------------------ the epoch loop's snapshots
    def _snapshot(self):
        """The training state after an epoch, as :func:`run_epochs` keeps it: whatever
        :meth:`_restore` needs to put the fitted attributes back as they were then (a copy of
        each array that training changes in place; arrays an epoch replaces are kept as
        they are)."""
        raise NotImplementedError(f"{type(self).__name__} does not train on run_epochs.")

    def _restore(self, snapshot):
        """Put back the state :meth:`_snapshot` took (after a divergence or Ctrl-C; training
        stops there)."""
        raise NotImplementedError(f"{type(self).__name__} does not train on run_epochs.")


class PrototypeClusterMixin:
    """``predict``, ``transform`` and ``fit_*`` for models whose clusters are prototypes.

    The model stores its prototypes in ``cluster_centers_``; a sample belongs to the nearest.
    """

    _compares_distances = True

    def predict(self, X):
        """Index of the nearest prototype (the winner) for each row of ``X``; on a Dask array,
        a lazy Dask array of them."""
        if is_dask_array(X):
            return self._lazy_rows(X, self.predict)
        X, kernels = self._validate_for_predict(X, "cluster_centers_")
        return kernels.bmu(X, self._like(self.cluster_centers_, X))[0]

    def transform(self, X):
        """Euclidean distance from each row of ``X`` to each prototype, shape (n, n_clusters)
        (on a Dask array, a lazy Dask array)."""
        if is_dask_array(X):
            return self._lazy_rows(X, self.transform, n_columns=len(self.cluster_centers_))
        X, kernels = self._validate_for_predict(X, "cluster_centers_")
        return kernels.squared_distances(X, self._like(self.cluster_centers_, X)) ** 0.5

    def fit_predict(self, X, y=None):
        """Fit, then return the cluster of each training sample."""
        return self.fit(X).labels_

    def _check_centres_and_labels(self, state):
        """The checks a loaded prototype model shares (see ``_check_fitted_state``):
        ``cluster_centers_`` of shape (n_clusters, n_features_in_), ``labels_`` unit indices."""
        n_features = state.n_features()
        state.array("cluster_centers_", [("n_clusters", self.n_clusters),
                                         ("n_features_in_", n_features)], required=True)
        state.array("labels_", [("n_samples", None)], kind="index", low=0,
                    high=self.n_clusters - 1)

    def _winner_distances(self, X):
        """Squared distance from each row of X to its nearest prototype."""
        X, kernels = self._validate_for_predict(X, "cluster_centers_")
        return kernels.bmu(X, self._like(self.cluster_centers_, X))[1]


def clone(estimator, **params):
    """An unfitted copy of ``estimator`` with the same parameters, ``params`` changed.

    What ``sklearn.base.clone`` does, except that an estimator passed as a parameter is
    handed on as it is, not copied. Works on any object with ``get_params`` (a
    scikit-learn clusterer too).
    """
    copy = type(estimator)(**estimator.get_params(deep=False))
    return copy.set_params(**params) if params else copy


def check_distances_representable(X, name="X", fitting=False):
    r"""Fail when ``X`` holds NaN or infinity, or its squared distances overflow, or
    (``fitting``) underflow, ``X``'s dtype.

    With every entry at most :math:`m` in absolute value, a squared distance between two
    points of the data's range is at most :math:`4 d m^2` (d features), and so are the terms
    of the expansion :math:`\|x\|^2 - 2 x \cdot w + \|w\|^2` the kernels use; above
    :math:`m = \sqrt{\text{max} / 4d}` every distance is inf. At the other end, when all the
    data lies within :math:`\sqrt{\text{tiny} / \epsilon}` (about 1e-146 in float64, 3e-16 in
    float32), the squared distances underflow to zero or lose their precision, and every
    sample would look like every other. Two passes over X (its minimum and maximum, which are
    NaN or infinite exactly when X holds such a value) do all three checks.

    Returns
    -------
    (float, float)
        X's smallest and largest value.
    """
    info = np.finfo(X.dtype)
    low, high = float(X.min()), float(X.max())
    if not (math.isfinite(low) and math.isfinite(high)):
        _check_finite(X, name, array_module(X))      # the sentence that counts them
    largest = max(abs(low), abs(high))
    if largest > math.sqrt(float(info.max) / (4 * X.shape[1])):
        wider = " or pass float64 data" if X.dtype == np.float32 else ""
        raise ValueError(f"{name} holds values up to {largest:.3g} in absolute value; squared "
                         f"distances between such points overflow {X.dtype} (largest "
                         f"{float(info.max):.3g}), so no nearest prototype can be found. Scale "
                         f"the data (e.g. divide it by {largest:.3g}){wider}.")
    span = high - low
    if fitting and 0 < span < math.sqrt(float(info.tiny) / float(info.eps)):
        raise ValueError(f"{name} spans at most {span:.3g}; squared distances between such "
                         f"points underflow {X.dtype} (smallest normal number "
                         f"{float(info.tiny):.3g}), so the samples cannot be told apart. Scale "
                         f"the data (e.g. standardise it, or divide it by {span:.3g}).")
    return low, high


def _same(a, b):
    try:
        return bool(a == b) and type(a) is type(b)
    except (ValueError, TypeError):
        return a is b


def _copy_param(value):
    """A parameter as it was at fit: arrays and lists copied (they could be changed in
    place), everything else kept."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return tuple(_copy_param(item) for item in value)
    return value


def _same_param(a, b):
    """Whether two parameter values are the same setting: (10, 10) and [10, 10] are, so are
    equal arrays; objects (layers, callbacks) only when they are the same object."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and bool(np.array_equal(a, b)))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_param(x, y) for x, y in zip(a, b))
    plain = (str, bytes, numbers.Number, type(None))
    if isinstance(a, plain) and isinstance(b, plain):
        if isinstance(a, (bool, np.bool_)) != isinstance(b, (bool, np.bool_)):
            return False
        if a != a and b != b:      # NaN is the same setting as NaN
            return True
        return bool(a == b)
    return a is b
