"""Saving and loading models: a ``.npz`` of arrays plus a JSON description.

A model file is read without pickle, so opening one never runs code. It is also read as a file
that may lie: ``load`` opens regular files only (never a pipe or a device that would hang it or
never end), checks what the archive declares (member sizes, compression ratios, array headers,
the depth and size of its JSON) before it allocates anything, builds only the attributes the
model's class declares, and hands the result to the class's ``_check_fitted_state``, which
compares every stored array with the parameters and ``n_features_in_``. Whatever is wrong
becomes one ``ValueError`` sentence naming the file.

The model a file describes is rebuilt from its class and parameters (see
:meth:`neuroclust.base.BaseEstimator.save` for what is stored where).

The package, in the order a file is read: ``_archive.py`` (the zip and its limits, the
description's JSON), this module (what the description means: classes, parameters, nested
estimators), ``_state.py`` (:class:`FittedState`, the checks each model's
``_check_fitted_state`` in ``neuroclust/models/`` runs on its attributes).
"""
import json
import math
import numbers

import numpy as np

from .._validation import check_is_fitted, is_dask_array, to_host
from ..base import _REGISTRY, BaseEstimator
from ._archive import (_file_name, _memory_budget, _ModelFileError, _open_regular_file,
                       _read_archive, _write_archive)
from ._formats import FORMAT_VERSION, READABLE_VERSIONS, is_view, upgrade
from ._state import MAX_COUNT, FittedState
from ._text import _a, _reason, _shorten

__all__ = ["save_model", "load", "FORMAT_NAME", "FORMAT_VERSION", "FittedState", "MAX_COUNT"]

FORMAT_NAME = "neuroclust-model"


# --------------------------------------------------------------------------- save
def _on_host(value):
    """A fitted attribute as a NumPy array: from the GPU, or computed when it is a lazy Dask
    array (the labels of a fit on a Dask array)."""
    return np.asarray(value.compute()) if is_dask_array(value) else to_host(value)


def save_model(estimator, path):
    """Write ``estimator`` to ``path``; see :meth:`neuroclust.base.BaseEstimator.save`.

    Raises
    ------
    ValueError
        If ``path`` is not a file name, names a folder or another non-file, or cannot be
        written.
    """
    path = _file_name(path)
    check_is_fitted(estimator, "n_features_in_")
    if not path.endswith(".npz"):
        path += ".npz"
    arrays, left_out = {}, []
    description = _describe(estimator, arrays, left_out=left_out)
    meta = {"format": FORMAT_NAME,
            # always today's format: since format 3, history_ is a dict on every model and
            # views are left out, so an older reader could misread even a flat model
            "format_version": FORMAT_VERSION,
            **description}
    # NaN and infinities are written as JSON's NaN / Infinity / -Infinity tokens, which
    # Python's json (and so every version of load) reads back exactly.
    text = json.dumps(meta, allow_nan=True)
    _write_archive(path, text, arrays)
    return path


def _describe(estimator, arrays, prefix="", fitted=True, _inside=(), left_out=None):
    """The JSON description of ``estimator``; its arrays are added to ``arrays``.

    Array keys start with ``prefix`` (``""`` for the saved model, ``"autoencoder_."`` for an
    estimator nested in it). With ``fitted=False`` only the class and the parameters are
    described (an estimator passed as a parameter). The keys of the views left out (stored
    once, as the array they view) are added to ``left_out``.
    """
    left_out = [] if left_out is None else left_out
    if any(estimator is outer for outer in _inside):
        raise ValueError(f"{type(estimator).__name__} cannot be saved: it contains itself.")
    _inside = _inside + (estimator,)
    params, array_params, tuple_params, estimator_params = {}, [], [], {}
    for name, value in estimator.get_params(deep=False).items():
        value = to_host(value)
        if isinstance(value, BaseEstimator):  # e.g. LatentClustering(autoencoder=...)
            estimator_params[name] = _describe(value, arrays, f"{prefix}{name}.", fitted=False,
                                               _inside=_inside, left_out=left_out)
            value = None
        elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            arrays[f"{prefix}__param__{name}"] = value
            array_params.append(name)
            value = None
        elif isinstance(value, tuple):  # JSON has lists only; load turns it back
            tuple_params.append(name)
        value = _as_json(value)
        params[name] = None if value is _NOT_JSON else value
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
    attributes = {name: _on_host(value) for name, value in vars(estimator).items()
                  if name.endswith("_") and not name.startswith("_")
                  and name not in estimator._param_names()}
    for name, value in attributes.items():
        if is_view(estimator, name, value, attributes):
            left_out.append(prefix + name)  # stored once, under the name of the array it views
            continue
        if isinstance(value, BaseEstimator):  # e.g. LatentClustering's autoencoder_
            estimators[name] = _describe(value, arrays, f"{prefix}{name}.", _inside=_inside,
                                         left_out=left_out)
        elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            arrays[prefix + name] = value
        elif value is not None and isinstance(value, (bool, numbers.Real, str, list, tuple,
                                                      dict, np.generic)):
            value = _as_json(value)  # numbers, lists, dicts of them (a SOM's history_)
            if value is not _NOT_JSON:
                scalars[name] = value
    description["attributes"] = scalars
    if estimators:
        description["estimators"] = estimators
    return description


_NOT_JSON = object()


def _as_json(value):
    """``value`` as plain JSON values (NumPy numbers as Python ones, tuples as lists), or
    ``_NOT_JSON`` when it holds anything else (a function, a Generator)."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (list, tuple)):
        items = [_as_json(item) for item in value]
        return _NOT_JSON if any(item is _NOT_JSON for item in items) else items
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        items = {key: _as_json(item) for key, item in value.items()}
        return _NOT_JSON if any(item is _NOT_JSON for item in items.values()) else items
    return _NOT_JSON


# --------------------------------------------------------------------------- load
def load(path):
    """Load a model written by ``save``.

    The file is read without pickle: it can hold only numbers and text, never code. A model
    made of models (a ``LatentClustering`` with its ``autoencoder_`` and ``clusterer_``) comes
    back whole, the estimators nested in it rebuilt to any depth. An array is stored once: a
    SOM's ``weights_`` comes back as a view of its ``cluster_centers_``. Files in the older
    formats 1 and 2 (which stored such views twice, and some parameters and ``history_``
    under their former names and forms) load too, put in today's terms.

    Nothing in the file is trusted: only regular files are opened (a folder, a named pipe, a
    socket or a device, also behind a link, is refused before it is read); the sizes the
    archive declares are checked against the memory available and the compressed sizes, and
    every array header against its member, before anything is allocated; the JSON
    description may not nest deeper than 64 levels nor hold a text longer than 65,536
    characters; only the fitted attributes the model's class declares are set, and the class
    then checks them against its parameters and ``n_features_in_``.

    Parameters
    ----------
    path : str or os.PathLike
        The model file.

    Returns
    -------
    estimator
        The fitted model.

    Raises
    ------
    ValueError
        If ``path`` is not a file name, or the file is missing, not a regular file, corrupt,
        larger than memory allows, inconsistent, or not a neuroclust model; the message is one
        sentence naming the file.
    """
    path = _file_name(path)
    handle, file_size = _open_regular_file(path)
    with handle:
        contents, meta = _read_archive(path, handle, file_size, _check_format)
    used = set()
    n_stored = sum(int(array.size) for array in contents.values())
    model = _rebuild(path, meta, contents, used, n_stored, meta["format_version"])
    unused = sorted(set(contents) - used)
    if unused:
        raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (it holds an array "
                              f"{_shorten(unused[0])!r} that belongs to no part of the model).")
    return model


def _check_format(path, meta):
    """ValueError unless ``meta`` describes a neuroclust model in a format this version reads."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise _ModelFileError(f"{path!r} is not a neuroclust model file.")
    version = meta.get("format_version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise _ModelFileError(f"{path!r} was written in model format {_shorten(repr(version))}, "
                              f"but this neuroclust reads formats 1 to {FORMAT_VERSION}.")


def _rebuild(path, description, contents, used, n_stored, version, prefix="", fitted=True):
    """The estimator ``description`` describes, with its arrays (keys starting with ``prefix``)
    from ``contents``; estimators nested in it are rebuilt the same way, to any depth. With
    ``fitted=False``, only from its class and parameters (an estimator passed as a parameter).
    A description from an older format ``version`` is first put in today's terms
    (``_formats.upgrade``). The keys of ``contents`` it takes are added to ``used``."""
    where = f" (in {prefix[:-1]})" if prefix else ""
    _check_description(path, description, fitted, where)
    name = description.get("class")
    cls = _REGISTRY.get(name) if isinstance(name, str) and not name.startswith("_") else None
    if cls is None:
        raise _ModelFileError(f"{path!r} holds an unknown model class "
                              f"{_shorten(repr(name))}{where}.")
    description = upgrade(cls, description, version)
    accepted = set(cls._param_names())
    params = dict(description["params"])
    for kind in ("params", "array_params", "tuple_params", "estimator_params"):
        section = description.get(kind, [])
        unknown = sorted(set(section) - accepted)
        if unknown:
            raise _ModelFileError(f"{path!r} holds parameters that {cls.__name__} does not "
                                  f"accept ({_shorten(', '.join(map(repr, unknown)))}){where}.")
    for param in description.get("array_params", []):
        key = f"{prefix}__param__{param}"
        if key not in contents:
            raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (the array of "
                                  f"the parameter {param!r} is missing){where}.")
        used.add(key)
        params[param] = contents[key]
    for param in description.get("tuple_params", []):
        if isinstance(params.get(param), list):
            params[param] = tuple(params[param])
    for param, inner in description.get("estimator_params", {}).items():
        params[param] = _rebuild(path, inner, contents, used, n_stored, version,
                                 f"{prefix}{param}.", fitted=False)
    try:
        model = cls(**params)
    except TypeError as error:
        raise _ModelFileError(f"{path!r} holds parameters that {cls.__name__} does not accept "
                              f"({_reason(error)}){where}.") from None
    if "extra" in description:  # what the parameters could not hold as JSON
        _check_declared_sizes(path, cls, description["extra"], n_stored, where)
        try:
            model._restore_extra(description["extra"])
        except (TypeError, ValueError, KeyError, IndexError, AttributeError,
                OverflowError) as error:
            raise _ModelFileError(f"{path!r} holds {_a(cls.__name__)} that cannot be rebuilt "
                                  f"({_reason(error)}){where}.") from None
    if callable(getattr(model, "_check_params", None)):
        try:
            model._check_params()
        except (ValueError, TypeError, OverflowError) as error:
            raise _ModelFileError(f"{path!r} holds {_a(cls.__name__)} with parameters it rejects "
                                  f"({_reason(error)}){where}.") from None
    if not fitted:
        return model

    arrays = {}
    for key in contents:
        rest = key[len(prefix):]
        if key.startswith(prefix) and "." not in rest and not rest.startswith("__param__"):
            arrays[rest] = contents[key]
            used.add(key)
    estimators = description.get("estimators", {})
    values = {}
    for source in (description["attributes"], arrays, estimators):
        for attribute, value in source.items():
            _check_attribute_name(path, cls, attribute, where)
            if attribute in values:
                raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (it holds "
                                      f"two values of {attribute}){where}.")
            values[attribute] = value
    for attribute in estimators:
        values[attribute] = _rebuild(path, estimators[attribute], contents, used, n_stored,
                                     version, f"{prefix}{attribute}.")
    for attribute, value in values.items():
        setattr(model, attribute, value)
    check = getattr(model, "_check_fitted_state", None)
    try:
        if callable(check):
            check()
        elif "n_features_in_" in values:
            FittedState(model).n_features()
    except (ValueError, TypeError, IndexError, OverflowError) as error:
        raise _ModelFileError(f"{path!r} holds a corrupt {cls.__name__}{where}: "
                              f"{_reason(error, keep_stop=True)}") from None
    model._remember_fit_params()   # a loaded model is as fitted: set_params cannot change it
    return model


def _check_description(path, description, fitted, where=""):
    """ValueError unless ``description`` (of a saved estimator) has the fields load needs."""
    def names_of_estimators(key):  # {attribute or parameter name: description}
        inner = description.get(key, {})
        return isinstance(inner, dict) and all(isinstance(name, str) and name.isidentifier()
                                               for name in inner)

    def list_of_names(key):
        names = description.get(key, [])
        return isinstance(names, list) and all(isinstance(name, str) for name in names)

    well_formed = (isinstance(description, dict)
                   and isinstance(description.get("params"), dict)
                   and (not fitted or isinstance(description.get("attributes"), dict))
                   and list_of_names("array_params")
                   and list_of_names("tuple_params")
                   and names_of_estimators("estimators")
                   and names_of_estimators("estimator_params"))
    if not well_formed:
        raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (its parameters or "
                              f"attributes are missing or malformed){where}.")


def _check_attribute_name(path, cls, name, where):
    """ValueError unless ``name`` is a fitted attribute ``cls`` may have: it ends in ``_``,
    does not start with ``_``, is no parameter, method or property of the class, and is
    among ``cls._fitted_attributes`` when the class declares them."""
    declared = getattr(cls, "_fitted_attributes", None)
    allowed = (isinstance(name, str) and name.isidentifier() and name.endswith("_")
               and not name.startswith("_") and name not in cls._param_names()
               and not hasattr(cls, name)
               and (declared is None or name in declared))
    if not allowed:
        raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (it sets "
                              f"{_shorten(repr(name))}, which is not a fitted attribute of "
                              f"{cls.__name__}){where}.")


def _check_declared_sizes(path, cls, extra, n_stored, where):
    """ValueError if the architecture in ``extra`` declares layers larger than memory or than
    the numbers the file stores could fill, before any layer is built (a layer allocates its
    weights when it is made). Each JSON object's whole numbers multiply to a size, such as a
    Dense layer's ``n_inputs * n_outputs``."""
    total, stack = 0, [extra]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            numbers_here = []
            for value in item.values():
                values = value if isinstance(value, list) else [value]
                numbers_here += [v for v in values if isinstance(v, int)
                                 and not isinstance(v, bool) and v > 0]
                stack.extend(v for v in values if isinstance(v, (list, dict)))
            if numbers_here:
                total += math.prod(numbers_here)
    limit = min(_memory_budget() // 8, 16 * n_stored + (1 << 24))
    if total > limit:
        raise _ModelFileError(f"{path!r} holds {_a(cls.__name__)} whose saved architecture "
                              f"declares layers of {total:,} values, far more than the "
                              f"{n_stored:,} numbers the file stores{where}.")
