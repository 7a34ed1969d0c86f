"""Tests for neuroclust/_csv.py, the one csv reader of datasets.load_file and the command line."""
import numpy as np
import pytest

from neuroclust import _csv
from neuroclust.datasets import load_file


def test_read_rows_keeps_line_numbers_and_skips_blank_lines(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("\ufeffa;label\n\n1;0\n 2 ; 1\n", encoding="utf-8")
    table = _csv.read_rows(str(path))
    assert table.delimiter == ";" and table.error is None
    assert table.rows == [["a", "label"], ["1", "0"], ["2", "1"]]
    assert table.line_numbers == [1, 3, 4]


def test_load_file_is_to_arrays_of_read_rows(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("x,y,label\n1,2,0\n3,4,1\n")
    X, y = _csv.to_arrays(_csv.read_rows(str(path)))
    X_file, y_file = load_file(path)
    np.testing.assert_array_equal(X, X_file)
    np.testing.assert_array_equal(y, y_file)
    assert y.tolist() == [0, 1] and X.shape == (2, 2)


def test_invalid_csv_keeps_the_rows_before_and_says_why(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("1,2\n" + "1" * 300_000 + ",2\n")
    table = _csv.read_rows(str(path))
    assert table.rows == [["1", "2"]]
    with pytest.raises(ValueError, match=r"is not valid csv near line 2"):
        _csv.to_arrays(table)


def test_an_empty_file_and_a_missing_one(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("\n\n")
    with pytest.raises(ValueError, match=r"is empty\."):
        _csv.read_csv(str(path))
    with pytest.raises(ValueError, match=r"does not exist\."):
        _csv.check_file(str(tmp_path / "missing.csv"))
