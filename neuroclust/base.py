"""What every neuroclust estimator shares: parameters, checks, the epoch loop.

The conventions are scikit-learn's: ``__init__`` only stores hyper-parameters, ``fit`` returns
``self``, learned state ends in ``_``. Saving and loading live in ``neuroclust/persistence.py``.
"""
import inspect
import math
import warnings

import numpy as np

from ._validation import check_array, check_is_fitted, check_n_features

__all__ = ["BaseEstimator", "PrototypeClusterMixin", "run_epochs", "DivergenceWarning",
           "TrainingInterruptedWarning"]

_REGISTRY = {}  # class name -> estimator class, for neuroclust.persistence.load


class DivergenceWarning(RuntimeWarning):
    """Training stopped because the loss became NaN or infinite."""


class TrainingInterruptedWarning(RuntimeWarning):
    """Training stopped early because of Ctrl-C (KeyboardInterrupt)."""


class BaseEstimator:
    """Parameter handling, ``repr``, ``save`` and the shared epoch loop."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

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
        """Tags for scikit-learn (>= 1.6), so these estimators work in its Pipeline."""
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type="clusterer", target_tags=TargetTags(required=False))

    def get_params(self, deep=True):
        """Return the hyper-parameters as a dict (scikit-learn convention)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set hyper-parameters by name and return ``self``."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"{name!r} is not a parameter of {type(self).__name__}; "
                    f"valid parameters are {', '.join(valid)}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = {name: p.default for name, p in
                    inspect.signature(type(self).__init__).parameters.items()}
        changed = [f"{name}={value!r}" for name, value in self.get_params().items()
                   if not _same(value, defaults.get(name))]
        return f"{type(self).__name__}({', '.join(changed)})"

    # ----------------------------------------------------------------- checks
    def _validate_for_fit(self, X, min_samples=1):
        """Check X, choose the backend; set ``n_features_in_`` and ``backend_``.

        Returns
        -------
        X : ndarray
            The validated data (float32 kept, other numbers become float64).
        kernels : module
            The kernel module of the chosen backend.
        """
        from .backend import get_kernels, resolve_backend

        reason = f" (one per cluster, n_clusters={min_samples})" if min_samples > 1 else ""
        X = check_array(X, min_samples=min_samples, min_samples_reason=reason)
        self.backend_ = resolve_backend(self.backend, X)
        self.n_features_in_ = X.shape[1]
        if self.backend_ == "cupy":
            import cupy

            X = cupy.asarray(X)
        return X, get_kernels(self.backend_)

    def _validate_for_predict(self, X, fitted_attribute):
        """Check that the model is fitted and that X matches it.

        The kernels follow the data: a CuPy array runs on the GPU, a NumPy array on the CPU
        (Cython when built, unless this model asked for the NumPy reference), whatever backend
        the model was trained on. Use :meth:`_like` to bring fitted arrays to X's module.

        Returns
        -------
        X : ndarray
        kernels : module
        """
        from .backend import get_kernels, resolve_backend

        check_is_fitted(self, fitted_attribute)
        X = check_array(X)
        check_n_features(X, self.n_features_in_)
        wanted = self.backend if self.backend in ("numpy", "cython") else "auto"
        if wanted == "cython" and not _cython_built():
            wanted = "auto"  # saved where the kernels were built, loaded where they are not
        return X, get_kernels(resolve_backend(wanted, X))

    @staticmethod
    def _like(array, X):
        """``array`` in the array module of ``X`` (NumPy or CuPy) and of X's dtype."""
        from ._validation import array_module

        xp = array_module(X)
        if xp is np and not isinstance(array, np.ndarray):
            array = array.get()
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

        Returns
        -------
        str
            The path written.
        """
        from .persistence import save_model

        return save_model(self, path)


class PrototypeClusterMixin:
    """``predict``, ``transform`` and ``fit_*`` for models whose clusters are prototypes.

    The model stores its prototypes in ``cluster_centers_``; a sample belongs to the nearest.
    """

    def predict(self, X):
        """Index of the nearest prototype (the winner) for each row of ``X``."""
        X, kernels = self._validate_for_predict(X, "cluster_centers_")
        return kernels.bmu(X, self._like(self.cluster_centers_, X))[0]

    def transform(self, X):
        """Euclidean distance from each row of ``X`` to each prototype, shape (n, n_clusters)."""
        from .backend.reference import squared_distances

        X, _ = self._validate_for_predict(X, "cluster_centers_")
        return squared_distances(X, self._like(self.cluster_centers_, X)) ** 0.5

    def fit_predict(self, X, y=None):
        """Fit, then return the cluster of each training sample."""
        return self.fit(X).labels_

    def fit_transform(self, X, y=None):
        """Fit, then return :meth:`transform` of the training data."""
        return self.fit(X).transform(X)

    def _winner_distances(self, X):
        """Squared distance from each row of X to its nearest prototype."""
        X, kernels = self._validate_for_predict(X, "cluster_centers_")
        return kernels.bmu(X, self._like(self.cluster_centers_, X))[1]


def _cython_built():
    from .backend import available_backends

    return "cython" in available_backends()


def _same(a, b):
    try:
        return bool(a == b) and type(a) is type(b)
    except (ValueError, TypeError):
        return a is b


def run_epochs(n_epochs, run_epoch, *, get_state, set_state, estimator, verbose=False,
               callbacks=None, description="training", metric="loss"):
    """The training loop every model shares.

    ``run_epoch(epoch)`` trains one epoch and returns the value to record (a loss or an error).
    The loop keeps a copy of the last good state: if the value is NaN or infinite it restores
    that state, warns and stops; on Ctrl-C it restores the state at the end of the last
    complete epoch, warns and stops, leaving a usable model. ``callbacks`` are called as
    ``callback(estimator, epoch)`` after each epoch; one that returns ``False`` stops training.

    Returns
    -------
    list of float
        The recorded value of every completed epoch.
    """
    from tqdm.auto import tqdm

    history = []
    good_state = get_state()
    epochs = tqdm(range(n_epochs), desc=description, disable=not verbose, leave=False)
    for epoch in epochs:
        try:
            value = float(run_epoch(epoch))
        except KeyboardInterrupt:
            set_state(good_state)
            warnings.warn(f"training interrupted during epoch {epoch + 1}; the model keeps "
                          f"the weights after epoch {epoch}.", TrainingInterruptedWarning,
                          stacklevel=3)
            break
        if not math.isfinite(value):
            set_state(good_state)
            warnings.warn(f"training diverged at epoch {epoch + 1} ({metric} became {value}); "
                          "stopped and kept the last good weights. Try a smaller learning rate "
                          "or scale the data.", DivergenceWarning, stacklevel=3)
            break
        good_state = get_state()
        history.append(value)
        if verbose:
            epochs.set_postfix({metric: f"{value:.4g}"})
            if verbose >= 2:
                epochs.write(f"epoch {epoch + 1}/{n_epochs}  {metric} {value:.6g}")
        if any(callback(estimator, epoch) is False for callback in (callbacks or ())):
            break
    epochs.close()
    return history
