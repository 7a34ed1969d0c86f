"""The one csv reader, shared by :func:`neuroclust.datasets.load_file` and the command line.

:func:`read_rows` reads the non-blank rows of a file once (UTF-8, an Excel byte-order mark
dropped, the separator guessed from the first non-blank line); :func:`to_arrays` turns them
into ``X`` and ``y``, with the loader's rule for the header (a first line with a cell that is
not a number) and the label column (:func:`label_column`). :func:`read_csv` is the two in a
row, which is what ``load_file`` does. The command line (``cli/_data.py``) reads the rows with
:func:`read_rows`, checks the first line by its stricter rule and names a bad cell in its own
words, then calls :func:`to_arrays` on the same rows: the file is read once, one way.

Every error is a ValueError whose sentence names the file and, for a cell, its line and column.
"""
import csv
import io
import os
from typing import NamedTuple

import numpy as np

__all__ = ["CsvRows", "check_file", "read_rows", "to_arrays", "read_csv", "is_number",
           "guess_delimiter", "label_column", "labels_column_of"]


class CsvRows(NamedTuple):
    """The non-blank rows of a csv file, as :func:`read_rows` read them."""

    #: The file, as given.
    path: str
    #: The separator guessed from the first non-blank line: ``","``, ``";"`` or ``"\\t"``.
    delimiter: str
    #: Each row's cells, stripped of spaces.
    rows: list
    #: The line of the file each row starts on.
    line_numbers: list
    #: Why reading stopped before the end (the file is not valid csv there), or None.
    error: str = None


def check_file(path):
    """ValueError unless ``path`` exists and is not a folder (the checks before any reading)."""
    if not os.path.exists(path):
        raise ValueError(f"File {path!r} does not exist.")
    if os.path.isdir(path):
        raise ValueError(f"File {path!r} is a folder, not a file.")


def read_rows(path):
    """The non-blank rows of the csv file ``path``, read once.

    Parameters
    ----------
    path : str
        The file; :func:`check_file` has passed.

    Returns
    -------
    CsvRows
        The rows read; where the file stops being valid csv, the rows before it and the
        sentence that says why in ``error`` (:func:`to_arrays` raises it).

    Raises
    ------
    ValueError
        When the file cannot be read or is not UTF-8 text.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise ValueError(f"File {path!r} is not a UTF-8 text file.") from None
    except OSError as error:
        raise ValueError(f"File {path!r} could not be read ({error.strerror}).") from None
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = guess_delimiter(first_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    rows, line_numbers, stopped = [], [], None
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append([cell.strip() for cell in row])
                line_numbers.append(reader.line_num)
    except csv.Error as error:
        stopped = f"File {path!r} is not valid csv near line {reader.line_num} ({error})."
    return CsvRows(path, delimiter, rows, line_numbers, stopped)


def to_arrays(table):
    """``X`` and ``y`` (or None) of the rows :func:`read_rows` read.

    The first row is a header when any of its cells is not a number. The labels are the
    column named as in :data:`LABEL_NAMES` (``label``, ``class``, ``species`` ...; or ``y``
    without an ``x``), else the one column that holds no number at all (iris's species); they
    may be whole numbers or names (numbered 0, 1, ... in sorted order).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), int64, or None

    Raises
    ------
    ValueError
        Naming the file (and the line and column of a bad cell) when the rows are not a table
        of numbers.
    """
    path, rows, line_numbers = table.path, table.rows, table.line_numbers
    if not rows and table.error is None:
        raise ValueError(f"File {path!r} is empty.")
    if table.error is not None:
        raise ValueError(table.error)
    header = None
    if not all(is_number(cell) for cell in rows[0]):
        header, rows, first_number = rows[0], rows[1:], line_numbers[0]
        line_numbers = line_numbers[1:]
        if not rows:
            raise ValueError(f"File {path!r} has a header line but no data.")
    width = len(header) if header is not None else len(rows[0])
    for row, number in zip(rows, line_numbers):
        if len(row) != width:
            first = first_number if header is not None else line_numbers[0]
            raise ValueError(f"File {path!r} has {len(row)} values on line {number}, but "
                             f"{width} on line {first}.")

    column = labels_column_of(header, rows)
    if column is not None and width == 1:
        raise ValueError(f"File {path!r} has only the label column {header[column]!r} "
                         "and no features.")
    features = rows if column is None else [row[:column] + row[column + 1:] for row in rows]
    try:
        X = np.array(features, dtype=np.float64)  # (n, n_features)
    except ValueError:
        _raise_first_bad_cell(path, rows, line_numbers, header, skip=column)
    if column is None:
        return X, None
    return X, _labels(path, [row[column] for row in rows], line_numbers)


def labels_column_of(header, rows):
    """The index of the label column of a table with this header (None: no header) and these
    data rows: the one :func:`label_column` names, else the one column that holds no number
    (the class names of a file such as iris's), else None."""
    if header is None:
        return None
    column = label_column(header)
    return column if column is not None else _text_column(rows)


def _text_column(rows):
    """The one column in which no cell is a number and some name repeats (the class names of a
    file such as iris's), or None when there is not exactly one. (A column of names that
    never repeat names no classes: it is more likely a typo, and is reported as one.)"""
    if not rows:
        return None
    text = [column for column in range(len(rows[0]))
            if not any(is_number(row[column]) for row in rows)
            and len({row[column].strip() for row in rows}) < len(rows)]
    return text[0] if len(text) == 1 else None


def _labels(path, cells, line_numbers):
    """The labels as integers: whole numbers as they are, names numbered in sorted order."""
    cells = [cell.strip() for cell in cells]
    if "" in cells:
        raise ValueError(f"File {path!r} has no label on line "
                         f"{line_numbers[cells.index('')]}.")
    if all(is_number(cell) for cell in cells):
        labels = np.array(cells, dtype=np.float64)
        whole = np.isfinite(labels) & (labels == np.round(labels))
        if not whole.all():
            bad = int(np.argmin(whole))
            raise ValueError(f"File {path!r} has the label {cells[bad]!r} on line "
                             f"{line_numbers[bad]}, but numeric labels must be whole numbers "
                             "(or give the classes by name).")
        return labels.astype(np.int64)
    return np.unique(np.array(cells), return_inverse=True)[1].astype(np.int64).ravel()


def read_csv(path):
    """``X`` and ``y`` (or None) of the csv file ``path``: :func:`to_arrays` of :func:`read_rows`."""
    return to_arrays(read_rows(path))


def _raise_first_bad_cell(path, rows, line_numbers, header, skip=None):
    """The first cell that is not a number, outside the label column ``skip``, by its line and
    its column in the file."""
    for row, number in zip(rows, line_numbers):
        for column, cell in enumerate(row):
            if column != skip and not is_number(cell):
                where = f"column {column + 1}"
                if header is not None:
                    where += f" ({header[column]!r})"
                problem = "is empty" if cell == "" else f"holds {cell!r}, which is not a number"
                raise ValueError(f"File {path!r}, line {number}, {where} {problem}.")
    raise ValueError(f"File {path!r} could not be read as a table of numbers.")


def guess_delimiter(line):
    """The most frequent of comma, semicolon and tab in ``line``; comma on a tie or none."""
    counts = {delimiter: line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > counts[","] else ","


def is_number(cell):
    """Whether ``float`` reads the string ``cell``."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


#: Header names of a label column (case and spaces ignored), in order of preference; ``y``
#: too, unless there is an ``x`` column (then ``x`` and ``y`` are coordinates).
LABEL_NAMES = ("label", "labels", "class", "species", "target", "category")


def label_column(header):
    """The index of the label column of a csv header (a list of names), or None."""
    if header is None:
        return None
    names = [name.strip().lower() for name in header]
    for name in LABEL_NAMES:
        if name in names:
            return names.index(name)
    if "y" in names and "x" not in names:
        return names.index("y")
    return None
