"""What every neuroclust estimator shares: parameters, saving and loading, the epoch loop.

The conventions are scikit-learn's: ``__init__`` only stores hyper-parameters, ``fit`` returns
``self``, learned state ends in ``_``. Models are saved as a ``.npz`` of arrays plus the
hyper-parameters as JSON, and loaded with ``allow_pickle=False``, so opening a model file never
runs code.
"""
import inspect
import json
import math
import os
import warnings
import zipfile

import numpy as np

from ._validation import check_array, check_is_fitted, check_n_features

__all__ = ["BaseEstimator", "PrototypeClusterMixin", "load", "run_epochs", "DivergenceWarning", "TrainingInterruptedWarning"]

FORMAT_NAME = "neuroclust-model"
FORMAT_VERSION = 2  # 2 adds nested estimators; files without them are still 1
_REGISTRY = {}


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
        check_is_fitted(self, "n_features_in_")
        path = os.fspath(path)
        if not path.endswith(".npz"):
            path += ".npz"
        arrays = {}
        description = _describe(self, arrays)
        nested = "estimators" in description or "estimator_params" in description
        meta = {"format": FORMAT_NAME,
                # a model without nested estimators is written in format 1, which every
                # neuroclust reads; a nested one in format 2, which older versions refuse
                "format_version": FORMAT_VERSION if nested else 1,
                **description}
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        np.savez(path, __meta__=np.array(json.dumps(meta)), **arrays)
        return path


def _describe(estimator, arrays, prefix="", fitted=True, _inside=()):
    """The JSON description of ``estimator``; its arrays are added to ``arrays``.

    Array keys start with ``prefix`` (``""`` for the saved model, ``"autoencoder_."`` for an
    estimator nested in it). With ``fitted=False`` only the class and the parameters are
    described (an estimator passed as a parameter).
    """
    if any(estimator is outer for outer in _inside):
        raise ValueError(f"{type(estimator).__name__} cannot be saved: it contains itself.")
    _inside = _inside + (estimator,)
    params, array_params, tuple_params, estimator_params = {}, [], [], {}
    for name, value in estimator.get_params().items():
        value = _to_host(value)
        if isinstance(value, BaseEstimator):  # e.g. LatentClustering(autoencoder=...)
            estimator_params[name] = _describe(value, arrays, f"{prefix}{name}.", fitted=False,
                                               _inside=_inside)
            value = None
        elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            arrays[f"{prefix}__param__{name}"] = value
            array_params.append(name)
            value = None
        elif isinstance(value, np.generic):
            value = value.item()
        elif isinstance(value, tuple):  # JSON has lists only; load turns it back
            tuple_params.append(name)
            value = [v.item() if isinstance(v, np.generic) else v for v in value]
        params[name] = value if _is_json_value(value) else None
    description = {"class": type(estimator).__name__, "params": params,
                   "array_params": array_params, "tuple_params": tuple_params}
    extra = estimator._json_extra()
    if extra is not None:
        description["extra"] = extra
    if estimator_params:
        description["estimator_params"] = estimator_params
    if not fitted:
        return description
    scalars, estimators = {}, {}
    for name, value in vars(estimator).items():
        if not name.endswith("_") or name.startswith("_") or name in estimator._param_names():
            continue  # (a parameter may end in "_", as GrowingNeuralGas's lambda_)
        value = _to_host(value)
        if isinstance(value, BaseEstimator):  # e.g. LatentClustering's autoencoder_
            estimators[name] = _describe(value, arrays, f"{prefix}{name}.", _inside=_inside)
        elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            arrays[prefix + name] = value
        elif _is_json_scalar(value):
            scalars[name] = value
        elif isinstance(value, (list, tuple)) and all(_is_json_scalar(v) for v in value):
            scalars[name] = list(value)
        elif (isinstance(value, dict) and all(isinstance(key, str) for key in value)
              and _is_json_value(value)):  # e.g. a SOM's history_, lists by name
            scalars[name] = value
    description["attributes"] = scalars
    if estimators:
        description["estimators"] = estimators
    return description


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


def load(path):
    """Load a model written by ``save``.

    The file is read with ``allow_pickle=False``: it can hold only numbers and text, never code.
    A model made of models (a ``LatentClustering`` with its ``autoencoder_`` and
    ``clusterer_``) comes back whole, the estimators nested in it rebuilt to any depth; files
    written before nesting existed (format 1) load as they always did.

    Raises
    ------
    ValueError
        If the file is missing, corrupt, or not a neuroclust model.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ValueError(f"model file {path!r} does not exist.")
    contents = _read_archive(path)
    meta = _read_meta(path, contents.pop("__meta__", None))
    return _rebuild(path, meta, contents)


def _rebuild(path, description, contents, prefix="", fitted=True):
    """The estimator ``description`` describes, with its arrays (keys starting with ``prefix``)
    from ``contents``; estimators nested in it are rebuilt the same way, to any depth. With
    ``fitted=False``, only from its class and parameters (an estimator passed as a parameter)."""
    where = f" (in {prefix[:-1]})" if prefix else ""
    _check_description(path, description, fitted, where)
    cls = _REGISTRY.get(description.get("class"))
    if cls is None:
        raise ValueError(f"{path!r} holds an unknown model class "
                         f"{description.get('class')!r}{where}.")
    params = dict(description["params"])
    for name in description.get("array_params", []):
        params[name] = contents.get(f"{prefix}__param__{name}")
    for name in description.get("tuple_params", []):
        if isinstance(params.get(name), list):
            params[name] = tuple(params[name])
    for name, inner in description.get("estimator_params", {}).items():
        params[name] = _rebuild(path, inner, contents, f"{prefix}{name}.", fitted=False)
    try:
        model = cls(**params)
    except TypeError as error:
        raise ValueError(f"{path!r} holds parameters that {cls.__name__} does not accept "
                         f"({error}){where}.") from None
    if "extra" in description:  # what the parameters could not hold as JSON
        try:
            model._restore_extra(description["extra"])
        except (TypeError, ValueError, KeyError) as error:
            raise ValueError(f"{path!r} holds a {cls.__name__} that cannot be rebuilt "
                             f"({error}){where}.") from None
    if not fitted:
        return model
    arrays = {key[len(prefix):]: value for key, value in contents.items()
              if key.startswith(prefix) and "." not in key[len(prefix):]
              and not key[len(prefix):].startswith("__param__")}
    for name, value in {**description["attributes"], **arrays}.items():
        setattr(model, name, value)
    for name, inner in description.get("estimators", {}).items():
        setattr(model, name, _rebuild(path, inner, contents, f"{prefix}{name}."))
    return model


def _read_archive(path):
    """All arrays of a ``.npz`` file, read without pickle; ValueError if it is not one."""
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not a model archive")
        with archive:
            return {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise ValueError(f"{path!r} is not a readable neuroclust model file ({error}).") from None


def _read_meta(path, raw):
    """The model description stored in the archive, checked for the fields ``load`` needs."""
    if raw is None:
        raise ValueError(f"{path!r} is not a neuroclust model file (it has no model description).")
    try:
        meta = json.loads(str(raw))
    except json.JSONDecodeError:
        raise ValueError(f"{path!r} is a corrupt neuroclust model file "
                         "(its model description is not valid JSON).") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ValueError(f"{path!r} is not a neuroclust model file.")
    if meta.get("format_version") not in (1, FORMAT_VERSION):
        raise ValueError(f"{path!r} was written in model format {meta.get('format_version')}, "
                         f"but this neuroclust reads formats 1 to {FORMAT_VERSION}.")
    return meta


def _check_description(path, description, fitted, where=""):
    """ValueError unless ``description`` (of a saved estimator) has the fields load needs."""
    def names_of_estimators(key):  # {attribute or parameter name: description}
        inner = description.get(key, {})
        return isinstance(inner, dict) and all(isinstance(name, str) and name.isidentifier()
                                               for name in inner)

    well_formed = (isinstance(description, dict)
                   and isinstance(description.get("params"), dict)
                   and (not fitted or isinstance(description.get("attributes"), dict))
                   and isinstance(description.get("array_params", []), list)
                   and isinstance(description.get("tuple_params", []), list)
                   and names_of_estimators("estimators")
                   and names_of_estimators("estimator_params"))
    if not well_formed:
        raise ValueError(f"{path!r} is a corrupt neuroclust model file (its parameters or "
                         f"attributes are missing or malformed){where}.")


def _cython_built():
    from .backend import available_backends

    return "cython" in available_backends()


def _to_host(value):
    if type(value).__module__.startswith("cupy"):
        return value.get()
    return value


def _is_json_scalar(value):
    return isinstance(value, (bool, int, float, str, np.integer, np.floating)) and not (
        isinstance(value, (float, np.floating)) and not math.isfinite(value))


def _is_json_value(value):
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


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
