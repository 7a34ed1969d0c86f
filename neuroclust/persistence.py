"""Saving and loading models: a ``.npz`` of arrays plus a JSON description.

A model file is read with ``allow_pickle=False``, so opening one never runs code. The model a
file describes is rebuilt from its class and parameters (see
:meth:`neuroclust.base.BaseEstimator.save` for what is stored where).
"""
import json
import math
import os
import zipfile

import numpy as np

from ._validation import check_is_fitted
from .base import _REGISTRY, BaseEstimator

__all__ = ["save_model", "load", "FORMAT_NAME", "FORMAT_VERSION"]

FORMAT_NAME = "neuroclust-model"
FORMAT_VERSION = 2  # 2 adds nested estimators; files without them are still 1


def save_model(estimator, path):
    """Write ``estimator`` to ``path``; see :meth:`neuroclust.base.BaseEstimator.save`."""
    check_is_fitted(estimator, "n_features_in_")
    path = os.fspath(path)
    if not path.endswith(".npz"):
        path += ".npz"
    arrays = {}
    description = _describe(estimator, arrays)
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


