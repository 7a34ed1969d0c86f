"""Reading and writing the ``.npz`` archive of a model file, safely.

A model file is a zip of ``.npy`` members: ``__meta__`` (the JSON description, as text) and
the arrays. Nothing in it is trusted: only regular files are opened (never a pipe or a device
that would hang the reader or never end), and what the archive declares (member sizes,
compression ratios, ``.npy`` headers, the depth and size of its JSON) is checked before
anything is allocated. Whatever is wrong becomes one ``_ModelFileError`` sentence naming the
file. What the description means is ``neuroclust/persistence/__init__.py``'s business; the
checks of the fitted attributes are in ``_state.py``.
"""
import io
import json
import lzma
import math
import os
import stat
import struct
import uuid
import zipfile
import zlib

import numpy as np

from .._validation import available_memory
from ._text import _reason, _shorten

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


def _read_archive(path, handle, file_size, check_meta):
    """The arrays and the description of a model archive, checked before they are read;
    ``check_meta(path, meta)`` checks the description before any array is read."""
    try:
        with zipfile.ZipFile(handle) as archive:
            members = _check_members(path, archive.infolist(), file_size)
            meta_info = members.pop("__meta__", None)
            if meta_info is None:
                raise _ModelFileError(f"{path!r} is not a neuroclust model file (it has no "
                                      "model description).")
            meta = _read_meta(path, _read_member(path, archive, meta_info, text=True))
            check_meta(path, meta)
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
    """The model description stored in the archive: one JSON text within the limits."""
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
