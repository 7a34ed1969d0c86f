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
"""
import io
import json
import lzma
import math
import numbers
import os
import stat
import struct
import uuid
import zipfile
import zlib

import numpy as np

from ._validation import available_memory, check_is_fitted
from .base import _REGISTRY, BaseEstimator

__all__ = ["save_model", "load", "FORMAT_NAME", "FORMAT_VERSION"]

FORMAT_NAME = "neuroclust-model"
FORMAT_VERSION = 2  # 2 adds nested estimators; files without them are still 1

# What a model file may declare. A real model is far inside every one of these.
MAX_MEMBERS = 4096                 # arrays in one archive
MAX_RATIO = 100                    # uncompressed size / compressed size of a large member
RATIO_FREE_BYTES = 1 << 24         # members up to 16 MiB may compress by any ratio
MAX_DESCRIPTION_BYTES = 1 << 28    # the JSON description (stored as UTF-32 text)
MAX_JSON_DEPTH = 64                # nesting of lists and objects in the description
MAX_TEXT_LENGTH = 65_536           # characters in one JSON string or key
MAX_INTEGER = 1 << 128             # magnitude of one JSON integer
MAX_ARRAY_DIMENSIONS = 32
_HEADER_PREFIX_BYTES = 1 << 16     # enough for any .npy header numpy accepts
_CHUNK_BYTES = 1 << 22

# What reading a hostile archive can raise besides our own sentences.
_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                zlib.error, lzma.LZMAError, NotImplementedError, RuntimeError, struct.error,
                OverflowError, KeyError, IndexError, UnicodeDecodeError, RecursionError,
                MemoryError, SyntaxError, TypeError)


class _ModelFileError(ValueError):
    """A sentence about a model file, raised as it is (other errors get wrapped)."""


# --------------------------------------------------------------------------- save
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
    arrays = {}
    description = _describe(estimator, arrays)
    nested = "estimators" in description or "estimator_params" in description
    meta = {"format": FORMAT_NAME,
            # a model without nested estimators is written in format 1, which every
            # neuroclust reads; a nested one in format 2, which older versions refuse
            "format_version": FORMAT_VERSION if nested else 1,
            **description}
    # NaN and infinities are written as JSON's NaN / Infinity / -Infinity tokens, which
    # Python's json (and so every version of load) reads back exactly.
    text = json.dumps(meta, allow_nan=True)
    _write_archive(path, text, arrays)
    return path


def _write_archive(path, text, arrays):
    """Write the archive beside ``path`` and move it into place, so a failed save never leaves
    half a file where an older model was."""
    if os.path.exists(path) and not os.path.isfile(path):
        raise ValueError(f"cannot save the model to {path!r}: it is "
                         f"{_kind_of(os.stat(path).st_mode)}, not a regular file.")
    folder = os.path.dirname(path)
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
    if folder:
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as error:
            raise ValueError(f"cannot write the model file {path!r}: its folder {folder!r} "
                             f"cannot be made ({error.strerror or error}).") from None
    try:
        with open(temporary, "xb") as handle:
            np.savez(handle, __meta__=np.array(text), **arrays)
        os.replace(temporary, path)
    except OSError as error:
        try:
            os.remove(temporary)
        except OSError:
            pass
        reason = error.strerror or str(error)
        raise ValueError(f"cannot write the model file {path!r} ({reason}).") from None


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
    for name, value in estimator.get_params(deep=False).items():
        value = _to_host(value)
        if isinstance(value, BaseEstimator):  # e.g. LatentClustering(autoencoder=...)
            estimator_params[name] = _describe(value, arrays, f"{prefix}{name}.", fitted=False,
                                               _inside=_inside)
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
    for name, value in vars(estimator).items():
        if not name.endswith("_") or name.startswith("_") or name in estimator._param_names():
            continue  # (a parameter may end in "_", as GrowingNeuralGas's lambda_)
        value = _to_host(value)
        if isinstance(value, BaseEstimator):  # e.g. LatentClustering's autoencoder_
            estimators[name] = _describe(value, arrays, f"{prefix}{name}.", _inside=_inside)
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
    back whole, the estimators nested in it rebuilt to any depth; files written before nesting
    existed (format 1) load as they always did.

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
        contents, meta = _read_archive(path, handle, file_size)
    used = set()
    n_stored = sum(int(array.size) for array in contents.values())
    model = _rebuild(path, meta, contents, used, n_stored)
    unused = sorted(set(contents) - used)
    if unused:
        raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (it holds an array "
                              f"{_shorten(unused[0])!r} that belongs to no part of the model).")
    return model


def _file_name(path):
    """``path`` as a str, or a ValueError sentence when it is not a file name."""
    if isinstance(path, (str, bytes, os.PathLike)):
        try:
            name = os.fsdecode(path)
        except (TypeError, UnicodeError):
            name = None
        if isinstance(name, str) and name and "\0" not in name:
            return name
    raise ValueError(f"path must be a file name (str or os.PathLike), got {_shorten(repr(path))}.")


def _kind_of(mode):
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _open_regular_file(path):
    """An open binary handle on ``path`` and its size; ValueError unless it is a regular file
    (after following links). Opened without blocking, so a pipe swapped in after the check
    cannot hang the caller either."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise _ModelFileError(f"model file {path!r} is a link to {os.readlink(path)!r}, "
                                  "which does not exist.") from None
        raise _ModelFileError(f"model file {path!r} does not exist.") from None
    except (OSError, ValueError) as error:
        raise _ModelFileError(f"model file {path!r} cannot be read "
                              f"({_reason(error)}).") from None

    def refuse_unless_regular(mode):
        if not stat.S_ISREG(mode):
            target = (f"a link to {os.path.realpath(path)!r}, which is "
                      if os.path.islink(path) else "")
            raise _ModelFileError(f"{path!r} is not a readable neuroclust model file (it is "
                                  f"{target}{_kind_of(mode)}, not a regular file).")

    refuse_unless_regular(info.st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise _ModelFileError(f"model file {path!r} cannot be read "
                              f"({_reason(error)}).") from None
    try:
        info = os.fstat(descriptor)
        refuse_unless_regular(info.st_mode)
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "rb"), info.st_size


def _read_archive(path, handle, file_size):
    """The arrays and the description of a model archive, checked before they are read."""
    try:
        with zipfile.ZipFile(handle) as archive:
            members = _check_members(path, archive.infolist(), file_size)
            meta_info = members.pop("__meta__", None)
            if meta_info is None:
                raise _ModelFileError(f"{path!r} is not a neuroclust model file (it has no "
                                      "model description).")
            meta = _read_meta(path, _read_member(path, archive, meta_info, text=True))
            contents = {key: _read_member(path, archive, info) for key, info in members.items()}
    except _ModelFileError:
        raise
    except _READ_ERRORS as error:
        raise _ModelFileError(f"{path!r} is not a readable neuroclust model file "
                              f"({_reason(error)}).") from None
    return contents, meta


def _memory_budget():
    """The most bytes a model file may expand to: half the memory this process can still get
    (:func:`neuroclust._validation.available_memory`), or 2 GiB when the system does not say."""
    found = available_memory()
    return max((found[0] if found is not None else 4 << 30) // 2, 1 << 26)


def _check_members(path, infos, file_size):
    """``{key: ZipInfo}`` of the archive's ``.npy`` members, once their declared sizes are
    known to fit: in memory, in the file, and within a sane compression ratio."""
    if len(infos) > MAX_MEMBERS:
        raise _ModelFileError(f"{path!r} is not a readable neuroclust model file (it holds "
                              f"{len(infos):,} members; a model file holds at most "
                              f"{MAX_MEMBERS:,}).")
    budget = _memory_budget()
    members, total = {}, 0
    for info in infos:
        name = info.filename
        if not name.endswith(".npy"):
            raise _ModelFileError(f"{path!r} is not a neuroclust model file (its member "
                                  f"{_shorten(name)!r} is not an array).")
        key = name[:-len(".npy")]
        if key in members:
            raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (it holds two "
                                  f"members named {_shorten(name)!r}).")
        if info.flag_bits & 0x1:
            raise _ModelFileError(f"{path!r} is not a readable neuroclust model file (its "
                                  f"member {_shorten(name)!r} is encrypted).")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED,
                                      zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
            raise _ModelFileError(f"{path!r} is not a readable neuroclust model file (its "
                                  f"member {_shorten(name)!r} uses an unknown compression).")
        size, packed = int(info.file_size), int(info.compress_size)
        if packed > file_size or (info.compress_type == zipfile.ZIP_STORED and size != packed):
            raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (the sizes of "
                                  f"its member {_shorten(name)!r} do not fit the file).")
        if size > RATIO_FREE_BYTES and size > MAX_RATIO * max(packed, 1):
            raise _ModelFileError(
                f"{path!r} is not a readable neuroclust model file (its member "
                f"{_shorten(name)!r} would expand from {packed:,} to {size:,} bytes, "
                f"{size // max(packed, 1):,} times; a model file may expand at most "
                f"{MAX_RATIO} times).")
        total += size
        members[key] = info
    if total > budget:
        raise _ModelFileError(f"{path!r} declares {total:,} bytes of arrays, more than the "
                              f"{budget:,} bytes of memory this process can spare to load it.")
    return members


def _read_member(path, archive, info, text=False):
    """One ``.npy`` member as an array, its header checked against the member's size before
    any memory is allocated for it; C-contiguous, native byte order, writable."""
    name = _shorten(info.filename)
    if text and info.file_size > MAX_DESCRIPTION_BYTES:
        raise _ModelFileError(f"{path!r} is not a readable neuroclust model file (its model "
                              f"description takes {info.file_size:,} bytes; at most "
                              f"{MAX_DESCRIPTION_BYTES:,} are allowed).")
    with archive.open(info) as stream:
        prefix = stream.read(min(info.file_size, _HEADER_PREFIX_BYTES))
        header = io.BytesIO(prefix)
        version = np.lib.format.read_magic(header)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(header)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(header)
        else:
            raise _ModelFileError(f"{path!r} is not a readable neuroclust model file (its "
                                  f"member {name!r} is in .npy format {version}, which a model "
                                  "file never uses).")
        allowed = "U" if text else "biuf"
        if dtype.hasobject:
            raise _ModelFileError(f"{path!r} is not a readable neuroclust model file (its "
                                  f"member {name!r} holds pickled Python objects, which a "
                                  "model file never contains).")
        if dtype.kind not in allowed or dtype.fields is not None or dtype.subdtype is not None:
            what = "text" if text else "numbers"
            raise _ModelFileError(f"{path!r} is not a readable neuroclust model file (its "
                                  f"member {name!r} holds {dtype} values, not {what}).")
        if len(shape) > MAX_ARRAY_DIMENSIONS or any(size < 0 for size in shape):
            raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (its member "
                                  f"{name!r} declares the shape {_shorten(str(shape))}).")
        count = math.prod(shape)
        start = header.tell()
        held = int(info.file_size) - start
        if count * dtype.itemsize != held:
            raise _ModelFileError(
                f"{path!r} is a corrupt neuroclust model file (its member {name!r} declares "
                f"shape {_shorten(str(shape))} of {dtype}, {count * dtype.itemsize:,} bytes, "
                f"but holds {held:,}).")
        flat = np.empty(count, dtype=dtype)
        target = flat.view(np.uint8) if count else np.empty(0, np.uint8)
        filled = len(prefix) - start
        target[:filled] = np.frombuffer(prefix, np.uint8, offset=start)
        while filled < held:
            chunk = stream.read(min(_CHUNK_BYTES, held - filled))
            if not chunk:
                raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (its "
                                      f"member {name!r} ends early).")
            target[filled:filled + len(chunk)] = np.frombuffer(chunk, np.uint8)
            filled += len(chunk)
        stream.read(1)  # at the end of the member: zipfile checks its CRC here
    array = flat.reshape(shape, order="F" if fortran_order else "C")
    if not array.flags.c_contiguous:
        array = array.copy(order="C")
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return array


def _read_meta(path, raw):
    """The model description stored in the archive, checked for the fields ``load`` needs."""
    if raw.ndim != 0:
        raise _ModelFileError(f"{path!r} is not a neuroclust model file (its model description "
                              "is not one text).")
    try:
        meta = json.loads(str(raw[()]))
    except RecursionError:
        raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (its model "
                              "description is nested too deeply).") from None
    except ValueError as error:  # also the limit on the digits of an integer
        raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (its model "
                              f"description is not valid JSON: {_reason(error)}).") from None
    _check_json_limits(path, meta)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise _ModelFileError(f"{path!r} is not a neuroclust model file.")
    version = meta.get("format_version")
    if isinstance(version, bool) or version not in (1, FORMAT_VERSION):
        raise _ModelFileError(f"{path!r} was written in model format {_shorten(repr(version))}, "
                              f"but this neuroclust reads formats 1 to {FORMAT_VERSION}.")
    return meta


def _check_json_limits(path, value):
    """ValueError if the description nests deeper than MAX_JSON_DEPTH, or holds a text longer
    than MAX_TEXT_LENGTH or an integer beyond MAX_INTEGER (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (its model "
                                  f"description nests deeper than {MAX_JSON_DEPTH} levels).")
        if isinstance(item, str):
            texts = [item]
        elif isinstance(item, dict):
            texts = list(item)
            stack.extend((inner, depth + 1) for inner in item.values())
        elif isinstance(item, list):
            texts = []
            stack.extend((inner, depth + 1) for inner in item)
        else:
            texts = []
            if isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_INTEGER:
                raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (its model "
                                      f"description holds an integer of {len(str(item))} "
                                      "digits).")
        for text in texts:
            if len(text) > MAX_TEXT_LENGTH:
                raise _ModelFileError(f"{path!r} is a corrupt neuroclust model file (its model "
                                      f"description holds a text of {len(text):,} characters; "
                                      f"at most {MAX_TEXT_LENGTH:,} are allowed).")


def _rebuild(path, description, contents, used, n_stored, prefix="", fitted=True):
    """The estimator ``description`` describes, with its arrays (keys starting with ``prefix``)
    from ``contents``; estimators nested in it are rebuilt the same way, to any depth. With
    ``fitted=False``, only from its class and parameters (an estimator passed as a parameter).
    The keys of ``contents`` it takes are added to ``used``."""
    where = f" (in {prefix[:-1]})" if prefix else ""
    _check_description(path, description, fitted, where)
    name = description.get("class")
    cls = _REGISTRY.get(name) if isinstance(name, str) and not name.startswith("_") else None
    if cls is None:
        raise _ModelFileError(f"{path!r} holds an unknown model class "
                              f"{_shorten(repr(name))}{where}.")
    accepted = set(cls._param_names())
    params = dict(description["params"])
    for kind in ("params", "array_params", "tuple_params", "estimator_params"):
        section = description.get(kind, [])
        unknown = sorted(set(section) - accepted)
        if unknown:
            raise _ModelFileError(f"{path!r} holds parameters that {cls.__name__} does not "
                                  f"accept ({_shorten(', '.join(unknown))}){where}.")
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
        params[param] = _rebuild(path, inner, contents, used, n_stored, f"{prefix}{param}.",
                                 fitted=False)
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
                                     f"{prefix}{attribute}.")
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


# ------------------------------------------------------------------ fitted state
#: The largest whole number a loaded model may hold (a count of steps, iterations, nodes):
#: int64, as the kernels take it, with room to go on counting.
MAX_COUNT = (1 << 62) - 1


class FittedState:
    """Checks of a model's fitted attributes, for the ``_check_fitted_state`` of each class.

    Each method reads one attribute from the model, raises ValueError with a sentence naming
    it when it is required and missing (or None) or when its type, shape or range is wrong,
    stores it back in its normal form (an integer as ``int``, an index array as int64, every
    array C-contiguous) and returns it; an absent optional attribute gives None.

    Parameters
    ----------
    model : estimator
        A model whose attributes were just set, typically by :func:`load`.
    """

    BACKENDS = ("numpy", "cython", "cupy")

    def __init__(self, model):
        self.model = model

    def _get(self, name, required):
        attributes = vars(self.model)
        value = attributes.get(name)
        if value is None and required:
            if name in attributes:
                raise ValueError(f"{name} is None, but a fitted {type(self.model).__name__} "
                                 "always has one.")
            raise ValueError(f"{name} is missing.")
        return value

    def n_features(self):
        """``n_features_in_``, a positive integer (required)."""
        return self.integer("n_features_in_", low=1, required=True)

    def integer(self, name, low=None, high=None, required=False):
        """A whole number (not a bool) in ``[low, high]``, and never beyond
        :data:`MAX_COUNT` in magnitude."""
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise ValueError(f"{name} must be an integer, got {_shorten(repr(value))}.")
        value = int(value)
        if abs(value) > MAX_COUNT:
            raise ValueError(f"{name} must be at most 2**62 - 1 in magnitude (a count the "
                             f"kernels can go on with in int64), got {_shorten(value)}.")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{name} must be {_range(low, high)}, got {value}.")
        setattr(self.model, name, value)
        return value

    def number(self, name, low=None, high=None, finite=False, required=False):
        """A real number (not a bool, never NaN) in ``[low, high]``; infinities only when
        ``finite`` is False."""
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} must be a number, got {_shorten(repr(value))}.")
        value = float(value)
        if math.isnan(value) or (finite and not math.isfinite(value)):
            raise ValueError(f"{name} must be a {'finite ' if finite else ''}number, got "
                             f"{value}.")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{name} must be {_range(low, high)}, got {value}.")
        setattr(self.model, name, value)
        return value

    def choice(self, name, choices, required=False):
        """One of the strings ``choices``."""
        value = self._get(name, required)
        if value is not None and (not isinstance(value, str) or value not in choices):
            raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got "
                             f"{_shorten(repr(value))}.")
        return value

    def backend(self, required=True):
        """``backend_``: the name of a backend (every fit sets it)."""
        return self.choice("backend_", self.BACKENDS, required=required)

    def array(self, name, shape, kind="float", finite=True, low=None, high=None,
              required=False):
        """An array of the given shape and kind, its values in ``[low, high]``.

        Parameters
        ----------
        name : str
        shape : list of (str, int or None)
            One ``(description, size)`` per dimension, e.g. ``("n_clusters", 3)``; a size of
            None accepts any length.
        kind : {"float", "index"}
            "float": float32 or float64 numbers; "index": whole numbers of any integer dtype,
            returned as int64.
        finite : bool
            Refuse NaN and infinities (float arrays).
        low, high : number, optional
            Inclusive bounds of the values.
        """
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, np.ndarray):
            raise ValueError(f"{name} must be an array, got {type(value).__name__}.")
        if kind == "float" and value.dtype not in (np.float32, np.float64):
            raise ValueError(f"{name} must hold float32 or float64 numbers, got {value.dtype}.")
        if kind == "index" and value.dtype.kind not in "iu":
            raise ValueError(f"{name} must hold integers, got {value.dtype}.")
        _check_shape(name, value.shape, [shape])
        if kind == "float" and finite and value.size and not np.isfinite(value).all():
            raise ValueError(f"{name} holds NaN or infinite values.")
        if value.size and (low is not None or high is not None):
            smallest, largest = value.min(), value.max()
            if (low is not None and smallest < low) or (high is not None and largest > high):
                raise ValueError(f"{name} holds values from {smallest} to {largest}, but they "
                                 f"must be {_range(low, high)}.")
        if kind == "index":
            if value.dtype == np.uint64 and value.size and value.max() > np.iinfo(np.int64).max:
                raise ValueError(f"{name} holds integers too large for int64.")
            value = value.astype(np.int64, copy=False)
        if not value.flags.c_contiguous:
            value = value.copy(order="C")
        setattr(self.model, name, value)
        return value

    def labels(self, low=0, high=None, n_samples=None, min_samples=1):
        """``labels_`` (required: ``save`` always writes it): a 1-D array of cluster indices
        in ``[low, high]``, ``n_samples`` of them when known, else at least ``min_samples``
        (a fit sees at least one sample)."""
        labels = self.array("labels_", [("n_samples", n_samples)], kind="index", low=low,
                            high=high, required=True)
        if len(labels) < min_samples:
            raise ValueError(f"labels_ holds {len(labels)} label(s), but a fitted "
                             f"{type(self.model).__name__} labels at least {min_samples} "
                             "training sample(s).")
        return labels

    def init_array(self, shapes):
        """The parameter ``init`` when it is an array (its values were checked with the other
        parameters): it must have one of ``shapes``, given as for :meth:`array`, such as
        ``[("n_clusters", 3), ("n_features_in_", 4)]``."""
        init = vars(self.model).get("init")
        if init is None or isinstance(init, str):
            return init
        _check_shape("init", np.shape(init), shapes)
        return init

    def history(self, lists=None, length=None, may_be_empty=(), index=None, required=True):
        """``history_`` as ``fit`` writes it, a record of the epochs.

        Parameters
        ----------
        lists : dict of {str: {"number", "count"}}, optional
            Without it, ``history_`` is a list of numbers. With it, a dict holding exactly
            these keys (and ``index``), each a list of "number"s (ints or floats; NaN and
            infinities too, as they were recorded) or "count"s (integers from 0 to
            :data:`MAX_COUNT`), all of one length.
        length : (str, int), optional
            The attribute that counts the entries and its value, such as ``("n_iter_", 7)``:
            each list must have that many.
        may_be_empty : tuple of str
            Keys of ``lists`` that may be empty instead (a validation loss without a
            validation split).
        index : str, optional
            A key holding None or the index of an entry (such as the best epoch).
        required : bool
        """
        value = self._get("history_", required)
        if value is None:
            return None
        if lists is None:
            _check_entries("history_", value, "number")
            entries = value
        else:
            entries = self._check_history_dict(value, lists, may_be_empty, index)
        if length is not None and len(entries) != length[1]:
            raise ValueError(f"history_ holds {len(entries)} entries, but {length[0]}="
                             f"{length[1]} counts the entries it records.")
        return value

    @staticmethod
    def _check_history_dict(value, lists, may_be_empty, index):
        """The checks of a history kept as a dict of lists; returns its longest list."""
        keys = set(lists) | ({index} if index else set())
        if not isinstance(value, dict) or set(value) != keys:
            found = sorted(map(str, value)) if isinstance(value, dict) else \
                type(value).__name__
            raise ValueError(f"history_ must be a dict with the keys {sorted(keys)}, got "
                             f"{_shorten(found)}.")
        for key, kind in lists.items():
            _check_entries(f"history_[{key!r}]", value[key], kind)
        longest = max((value[key] for key in lists), key=len)
        for key in lists:
            if len(value[key]) != len(longest) and not (key in may_be_empty
                                                       and not value[key]):
                raise ValueError(f"history_[{key!r}] holds {len(value[key])} entries, but "
                                 f"the other lists of history_ hold {len(longest)}.")
        best = value.get(index)
        if index and best is not None and not (
                isinstance(best, int) and not isinstance(best, bool)
                and 0 <= best < len(longest)):
            raise ValueError(f"history_[{index!r}] must be None or the index of an entry, "
                             f"from 0 to {len(longest) - 1}, got {_shorten(repr(best))}.")
        return longest


def _check_entries(name, values, kind):
    """ValueError unless ``values`` is a list of numbers (``kind`` "number") or of counts
    (``kind`` "count": integers from 0 to MAX_COUNT)."""
    wanted = "numbers" if kind == "number" else f"integers from 0 to {MAX_COUNT}"
    if not isinstance(values, list):
        raise ValueError(f"{name} must be a list of {wanted}, got {type(values).__name__}.")
    for value in values:
        good = _is_real(value) if kind == "number" else (
            isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT)
        if not good:
            raise ValueError(f"{name} must be a list of {wanted}, but it holds "
                             f"{_shorten(repr(value))}.")


def _check_shape(name, found, shapes):
    """ValueError unless the shape ``found`` matches one of ``shapes`` (each a list of
    ``(description, size or None)``)."""
    for shape in shapes:
        if len(found) == len(shape) and all(size is None or found[axis] == size
                                            for axis, (_, size) in enumerate(shape)):
            return
    wanted = []
    for shape in shapes:
        text = "(" + ", ".join(label for label, _ in shape) + ("," if len(shape) == 1 else "") \
            + ")"
        if any(size is not None for _, size in shape) and len(found) == len(shape):
            sizes = tuple(found[axis] if size is None else int(size)
                          for axis, (_, size) in enumerate(shape))
            text += f" = {sizes}"
        wanted.append(text)
    raise ValueError(f"{name} has shape {tuple(found)}, but it must have shape "
                     f"{' or '.join(wanted)}.")


def _is_real(value):
    return isinstance(value, (int, float, np.integer, np.floating)) \
        and not isinstance(value, (bool, np.bool_))


def _range(low, high):
    if low is not None and high is not None:
        return f"between {low} and {high}"
    return f">= {low}" if low is not None else f"<= {high}"


# ------------------------------------------------------------------------ helpers
def _to_host(value):
    if type(value).__module__.startswith("cupy"):
        return value.get()
    return value


def _a(name):
    """``name`` with its indefinite article: "a KMeans", "an Autoencoder"."""
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _shorten(text, limit=80):
    text = str(text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _reason(error, keep_stop=False):
    """An exception's message on one line, shortened; without its final full stop unless
    ``keep_stop`` (so it reads inside parentheses)."""
    text = getattr(error, "strerror", None) if isinstance(error, OSError) else None
    text = " ".join(str(text or error or type(error).__name__).split())
    text = _shorten(text, 300)
    if keep_stop:
        return text if text.endswith((".", "?", "!")) else text + "."
    return text.rstrip(".")
