"""Reading DATA for ``neuroclust fit`` and ``predict``, and checking the files the command writes.

:func:`load_data` reads a built-in data set by name, or a .csv / .npy file. A .csv DATA whose
first line is read as column names says so in one line on stderr, ``neuroclust: note: ...``;
when no cell of that line begins like a number it is names, else data, whose every cell must
be a number (see ``DATA_HELP`` in ``_parser.py``). A cell that is not a number is named by
line and column. The output checks run before any data is loaded or any model trained.
"""
import os
import re
import stat
import tempfile

from .. import datasets
from .._csv import check_file, is_number, labels_column_of, read_rows, to_arrays
from ._errors import UsageError, _print_stderr

# ----------------------------------------------------------------- output files
def _check_output_file(path, option):
    """Make sure ``path`` can be written, before any work that would be lost if it cannot.

    The folder is created if needed and a temporary file is created and removed in it; an
    existing ``path`` must be a regular file that can be opened for writing (it is not
    changed); a new one is created and removed.

    Parameters
    ----------
    path : str
        The file to write.
    option : str
        The option that gave it, for the message (``"--output"``).

    Raises
    ------
    UsageError
        Naming ``option``, when ``path`` is empty, a folder, a FIFO, a device or a socket, or
        when it or its folder cannot be written.
    """
    if not path:
        raise UsageError(f"{option} is empty; give a file name.")
    if os.path.isdir(path):
        raise UsageError(f"{option} {path!r} is a folder; give a file name.")
    if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
        raise UsageError(f"{option} {path!r} is not a regular file (a FIFO, a device or a "
                         "socket); give the name of a file.")
    _check_output_folder(os.path.dirname(path) or os.curdir, option, path)
    existed = os.path.exists(path)
    try:
        with open(path, "ab" if existed else "xb"):  # an existing file is opened, not changed
            pass
        if not existed:  # (the name itself may be refused: too long, or not valid there)
            os.remove(path)
    except OSError as error:
        raise UsageError(f"{option} {path!r} cannot be written ({_reason(error)}).") from None


def _check_output_folder(folder, option, given=None):
    """Create ``folder`` if needed and make sure a file can be created in it.

    Parameters
    ----------
    folder : str
        The folder.
    option : str
        The option that gave it (or a file in it), for the message.
    given : str, optional
        The file of ``option`` when it is a file in ``folder``, for the message.

    Raises
    ------
    UsageError
        Naming ``option``, when ``folder`` is not a folder, cannot be created, or does not
        accept new files.
    """
    what = f"{option} {given!r}" if given is not None else f"{option} {folder!r}"
    if not folder:
        raise UsageError(f"{option} is empty; give a folder.")
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise UsageError(f"{what} cannot be written: {folder!r} is a file, not a folder.")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{what} cannot be written: the folder {folder!r} cannot be created "
                         f"({_reason(error)}).") from None
    try:
        handle, probe = tempfile.mkstemp(prefix=".neuroclust-", dir=folder)
        os.close(handle)
        os.remove(probe)
    except OSError as error:
        raise UsageError(f"{what} cannot be written: the folder {folder!r} does not accept "
                         f"new files ({_reason(error)}).") from None


def _reason(error):
    return (error.strerror or str(error)).lower()


def _check_regular_file(path, what):
    """UsageError unless ``path`` (when it exists) is a regular file: reading a FIFO or a
    device such as /dev/zero would wait, or read, forever."""
    if os.path.exists(path) and not os.path.isdir(path) and not stat.S_ISREG(
            os.stat(path).st_mode):
        raise UsageError(f"{what} {path!r} is not a regular file (a FIFO, a device or a "
                         "socket); give a file.")


# --------------------------------------------------------------------- data
#: The seed of a built-in data set drawn by ``predict``, which has no --random-state: fit's
#: default, so that ``predict`` on a built-in name sees the same samples as a plain ``fit``.
DEFAULT_DATA_SEED = 0


def load_data(name, random_state=DEFAULT_DATA_SEED):
    """A built-in data set by name, or a .csv / .npy file; returns (X, y or None)."""
    X, y, _names = load_named_data(name, random_state)
    return X, y


def load_named_data(name, random_state=DEFAULT_DATA_SEED):
    """As :func:`load_data`, and the names of X's columns: a csv file's header (its label
    column left out), else None.

    A synthetic built-in set is drawn with ``random_state`` (--random-state), so that the same
    command gives the same data, and so the same result, every time.
    """
    if name in datasets.BUILTIN_DATASETS:
        return (*datasets.load(name, **_seed_if_drawn(name, random_state)), None)
    extension = os.path.splitext(name)[1].lower()
    if extension in (".csv", ".npy"):
        _check_regular_file(name, "DATA")
        try:
            return (_load_csv(name) if extension == ".csv"
                    else (*datasets.load_file(name), None))
        except MemoryError:
            raise MemoryError(f"DATA {name!r} ({_size(name)}) does not fit in memory.") from None
    raise ValueError(f"DATA {name!r} is neither a built-in data set "
                     f"({', '.join(datasets.BUILTIN_DATASETS)}) nor a .csv or .npy file.")


def _seed_if_drawn(name, random_state):
    """``{"random_state": ...}`` for a built-in set drawn at random; nothing for a fixed one."""
    return {"random_state": random_state} if name in datasets.RANDOM_DATASETS else {}


#: A cell that is, or begins like, a number: a digit, or a sign or a point before one. A first
#: line with such a cell is data, never column names (``0x10``, ``1+2j``, ``1 2 3`` included).
_NUMBER_START = re.compile(r"[+-]?\.?[0-9]")

#: The separators a csv file may use, as the messages name them.
_SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs", " ": "spaces"}

#: The column names a note lists; more are counted.
_NAMES_SHOWN = 10


def _load_csv(path):
    """X, y (or None) and the column names (or None) of a csv file, read once by the csv
    reader ``datasets.load_file`` uses (``neuroclust/_csv.py``), once its first line is known
    to be column names or data (see DATA_HELP).

    A first line that is data must hold numbers only; column names are said in a note on
    stderr. A cell that is not a plain decimal number is named by line and column, with what
    the reader expects, whether on the first line or on a later one.
    """
    check_file(path)
    table = read_rows(path)
    rows = list(zip(table.line_numbers, table.rows))
    header = bool(rows) and not any(map(_begins_like_a_number, rows[0][1]))
    if rows and not header:
        _raise_bad_cell(path, table.delimiter, rows[:1], first_line=True)
    labels = labels_column_of(rows[0][1], [cells for _, cells in rows[1:]]) if header else None
    try:
        X, y = to_arrays(table)
    except ValueError as error:
        _raise_bad_cell(path, table.delimiter, rows[1:] if header else rows, cause=error,
                        skip=labels)
        raise
    if not header:
        return X, y, None
    label_column = labels if y is not None else None
    _note_column_names(rows[0][1], label_column)
    names = [name or f"column {k + 1}" for k, name in enumerate(rows[0][1])
             if k != label_column]
    return X, y, names if len(names) == X.shape[1] else None


def _begins_like_a_number(cell):
    return bool(_NUMBER_START.match(cell)) or is_number(cell)


def _raise_bad_cell(path, delimiter, rows, first_line=False, cause=None, skip=None):
    """ValueError naming the first cell of ``rows`` that is not a number, if there is one,
    outside the label column ``skip`` (counted from 0)."""
    for line, cells in rows:
        for column, cell in enumerate(cells, start=1):
            if column - 1 != skip and not is_number(cell):
                where = f"DATA {path!r}, line {line}, column {column}"
                message = _bad_cell_sentence(where, cell, delimiter, first_line)
                raise ValueError(message) from cause


def _bad_cell_sentence(where, cell, delimiter, first_line):
    """What is wrong with ``cell`` and what the reader expects, in one sentence."""
    expected = _SEPARATORS[delimiter]
    if not cell:
        return f"{where} is empty; every cell must hold a number."
    shown = cell if len(cell) <= 40 else cell[:37] + "..."
    for separator, name in _SEPARATORS.items():
        parts = cell.split(separator)
        if separator != delimiter and len(parts) > 1 and all(map(_begins_like_a_number, parts)):
            return (f"{where} holds {shown!r}, numbers separated by {name}, but the reader "
                    f"expects them separated by {expected} (the separator of the first line).")
    why = (" (the first line is read as column names only when none of its cells begins "
           "like a number)" if first_line else "")
    return (f"{where} holds {shown!r}, which is not a plain decimal number{why}; the reader "
            f"expects numbers such as 3, -0.25 or 1.5e-3, separated by {expected}.")


def _note_column_names(names, label_column):
    """Say on stderr, in one line, that the first line of DATA was read as column names (and
    which of them, if any, holds the labels)."""
    listed = ", ".join(name or "(empty)" for name in names[:_NAMES_SHOWN])
    if len(names) > _NAMES_SHOWN:
        listed += f", ... ({len(names)} in all)"
    labels = "" if label_column is None else (f"; column {names[label_column]!r} holds the "
                                              "labels")
    _print_stderr(f"neuroclust: note: the first line of DATA was read as column names: "
                  f"{listed}{labels}")


def _size(path):
    return f"{os.path.getsize(path) / 2**20:.1f} MiB on disk"
