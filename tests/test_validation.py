"""The checks of neuroclust._validation on every kind of input a user may pass.

Each input either works (and comes back as a plain float32 / float64 ndarray) or is refused
with one sentence naming the argument. The estimators' use of these checks is tested in
tests/models/test_bad_input.py and tests/models/test_resource_limits.py.
"""
import decimal
import fractions
import numbers
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest

from neuroclust._validation import (
    MAX_COUNT,
    InsufficientMemoryError,
    NonFiniteError,
    NotFittedError,
    as_float_dtype,
    available_memory,
    check_array,
    check_callbacks,
    check_count,
    check_fits_dtype,
    check_init_array,
    check_memory,
    check_scalar,
    check_seed,
    check_verbose,
    format_bytes,
    shown,
)


def one_sentence(message):
    """A message is one sentence: it ends with its only full stop followed by a space
    (abbreviations such as "e.g." and numbers such as "1.8e+308" aside)."""
    text = re.sub(r"e\.g\.|i\.e\.|\d\.\d|\.(toarray|filled|item|asarray|float64)", "", message)
    return message.endswith(".") and ". " not in text


def refused(X, match, **kwargs):
    with pytest.raises(ValueError, match=match) as info:
        check_array(X, **kwargs)
    assert one_sentence(str(info.value)), str(info.value)
    return str(info.value)


# ------------------------------------------------------------------ arrays that work
def test_a_plain_list_becomes_float64():
    X = check_array([[1, 2], [3, 4]])
    assert type(X) is np.ndarray and X.dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_and_float64_are_kept(dtype):
    X = np.ones((3, 2), dtype=dtype)
    assert check_array(X) is X


@pytest.mark.parametrize("dtype, expected", [
    (np.float16, np.float64), (np.int8, np.float64), (np.uint64, np.float64),
    (bool, np.float64), (">f8", np.float64), (">f4", np.float32), ("<f4", np.float32),
])
def test_other_real_types(dtype, expected):
    """float16 becomes float64 (the kernels compute in float32 or float64; float64 loses
    nothing of a float16); a big-endian float keeps its width in native byte order."""
    X = check_array(np.ones((3, 2), dtype=dtype))
    assert X.dtype == expected and X.dtype.isnative


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")    # np.matrix itself warns
def test_np_matrix_becomes_an_ndarray():
    X = check_array(np.matrix([[1.0, 2.0], [3.0, 4.0]]))
    assert type(X) is np.ndarray and X.shape == (2, 2)


def test_masked_array_without_masked_values_becomes_an_ndarray():
    X = check_array(np.ma.masked_array([[1.0, 2.0], [3.0, 4.0]]))
    assert type(X) is np.ndarray and X.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_read_only_array_is_accepted_unchanged():
    X = np.ones((3, 2))
    X.flags.writeable = False
    assert check_array(X) is X


def test_memmap_becomes_a_plain_view(tmp_path):
    data = np.memmap(tmp_path / "x.dat", dtype=np.float32, mode="w+", shape=(4, 3))
    data[:] = 1.5
    X = check_array(data)
    assert type(X) is np.ndarray and X.dtype == np.float32 and float(X.sum()) == 18.0


def test_an_object_with_array_interface():
    class Table:      # what pandas.DataFrame offers
        def __array__(self, dtype=None, copy=None):
            return np.arange(6.0).reshape(3, 2)

    assert check_array(Table()).shape == (3, 2)


def test_a_pandas_dataframe():
    pd = pytest.importorskip("pandas")
    X = check_array(pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 1.5, 2.5]}))
    assert type(X) is np.ndarray and X.dtype == np.float64


# ----------------------------------------------------------------- arrays refused
def test_masked_values_are_refused():
    X = np.ma.masked_array([[1.0, 2.0], [3.0, 4.0]], mask=[[0, 1], [1, 0]])
    refused(X, r"X is a masked array with 2 masked value\(s\); fill or drop them first")


def test_sparse_matrices_are_refused_with_a_hint():
    sparse = pytest.importorskip("scipy.sparse")
    message = refused(sparse.csr_matrix(np.eye(3)), r"X is a sparse matrix \(csr_matrix, 3 x 3\)")
    assert "X.toarray()" in message


def test_a_pandas_dataframe_with_text_names_the_value():
    pd = pytest.importorskip("pandas")
    refused(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}),
            r"X must hold numbers, but its dtype is object \(Python objects, e.g. 'x' at "
            r"row 0, column 1\)")


@pytest.mark.parametrize("X, match", [
    (np.ones((2, 2), dtype=complex), r"complex128 \(Complex data not supported: pass X\.real "
                                     r"for the real parts or np\.abs\(X\) for the magnitudes\)"),
    ([["a", "b"]], r"X must hold numbers, but its dtype is <U1 \(text\)"),
    (np.array([[1.0, 2.5]], dtype=object), r"dtype is object \(Python objects\); convert"),
    (np.array([[1.0, None]], dtype=object), r"e.g. None at row 0, column 1"),
    ([[10 ** 400, 1]], r"dtype is object"),
    (np.array([["2020-01-01"]], dtype="datetime64[D]"), r"not a real number type"),
], ids=["complex", "strings", "object-numbers", "object-None", "huge-int", "datetime"])
def test_non_numeric_data(X, match):
    message = refused(X, "^X must hold numbers|" + match)
    assert re.search(match, message), message


def test_not_fitted_error_without_scikit_learn_loaded():
    """neuroclust never imports scikit-learn; without it loaded, NotFittedError is plain."""
    code = ("import pickle, sys\n"
            "import neuroclust\n"
            "try:\n"
            "    neuroclust.KMeans().predict([[1.0]])\n"
            "except neuroclust.NotFittedError as error:\n"
            "    caught = error\n"
            "assert type(caught) is neuroclust.NotFittedError, type(caught).__mro__\n"
            "assert isinstance(caught, ValueError) and isinstance(caught, AttributeError)\n"
            "assert type(pickle.loads(pickle.dumps(caught))) is neuroclust.NotFittedError\n"
            "assert not [name for name in sys.modules if name.split('.')[0] == 'sklearn']\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_not_fitted_error_is_scikit_learns_once_scikit_learn_is_loaded():
    sklearn_exceptions = pytest.importorskip("sklearn.exceptions")
    error = NotFittedError("This SOM is not fitted yet; call fit(X) before using it.")
    assert isinstance(error, (NotFittedError, sklearn_exceptions.NotFittedError))
    assert isinstance(error, sklearn_exceptions.NotFittedError)
    assert type(error) is type(NotFittedError("another"))        # made once
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and again.args == error.args


def test_ragged_nested_list():
    refused([[1.0, 2.0], [3.0]], r"X could not be read as an array: it is a ragged nested "
                                 r"sequence \(its rows do not all have the same length\)\.$")


@pytest.mark.parametrize("X, match", [
    (np.array(3.0), r"X must be a 2-D array, but it has 0 dimension\(s\), shape \(\)"),
    (np.zeros((0, 3)), r"X is empty \(shape \(0, 3\)\)"),
    (np.zeros((3, 0)), r"X has 0 feature\(s\) \(shape=\(3, 0\)\) while a minimum of 1 is "
                       r"required\.$"),
    (np.zeros(3), r"X must be a 2-D array, but it has 1 dimension\(s\), shape \(3,\): Reshape "
                  r"your data with X\.reshape\(-1, 1\) if it holds one feature, or "
                  r"X\.reshape\(1, -1\) if it holds one sample\.$"),
])
def test_shapes(X, match):
    refused(X, match)


def test_long_double_beyond_float64_is_not_reported_as_infinite():
    X = np.full((2, 2), np.longdouble(1))
    X[1, 1] = np.longdouble("1e400")
    if not np.isfinite(X[1, 1]):
        pytest.skip("long double is float64 on this platform")
    refused(X, r"X holds values up to 1e\+400, beyond the float64 range \(1.8e\+308\)")


def test_name_and_allow_nan():
    refused([[np.nan, 1.0]], r"^init contains 1 NaN value\(s\)", name="init")
    assert np.isnan(check_array([[np.nan, 1.0]], allow_nan=True)).sum() == 1
    with pytest.raises(NonFiniteError):
        check_array([[np.inf, 1.0]])


def test_integer_mode_refuses_values_beyond_int64():
    with pytest.raises(ValueError, match="beyond the int64 range"):
        check_array(np.array([[2.0 ** 64]]), dtype="int")
    with pytest.raises(ValueError, match="beyond the int64 range"):
        check_array(np.array([[2 ** 63]], dtype=np.uint64), dtype="int")
    assert check_array([[3.0, -2.0]], dtype="int").dtype == np.int64


# ------------------------------------------------------------- casts down to float32
def test_a_cast_to_float32_checks_the_range_first():
    X = np.ones((3, 2))
    X[2, 1] = 1e39
    with pytest.raises(ValueError) as info:
        as_float_dtype(X, "float32")
    assert str(info.value) == ("X holds values up to 1e+39, beyond the float32 range (3.4e+38) "
                               "of this model; scale the data or use dtype='float64'.")
    with pytest.raises(ValueError, match=r"^init holds .* of X; pass float64 data\.$"):
        check_fits_dtype(X, np.float32, name="init", owner="X", advice="pass float64 data")


def test_a_cast_to_float32_within_range_works():
    X = np.array([[3e38, -3e38, np.nan]])     # NaN is no range problem (allow_nan callers)
    assert as_float_dtype(X, "float32").dtype == np.float32
    assert as_float_dtype(X, "float64") is X
    Y = np.ones((2, 2), dtype=np.float32)
    assert as_float_dtype(Y, "float64").dtype == np.float64


# -------------------------------------------------------------------------- scalars
@pytest.mark.parametrize("value", [1, 10 ** 20, 10 ** 400, np.int64(3), np.uint8(2)])
def test_integers_of_any_size(value):
    assert check_scalar(value, "n", numbers.Integral, low=1) is value


@pytest.mark.parametrize("value", [0.5, np.float32(0.5), np.float64(2.0), 3, np.longdouble(1)])
def test_reals(value):
    assert check_scalar(value, "x") is value


@pytest.mark.parametrize("value, kind, match", [
    (float("nan"), numbers.Real, r"^x must be finite, got nan\.$"),
    (float("inf"), numbers.Real, r"^x must be finite, got inf\.$"),
    (np.float32("-inf"), numbers.Real, r"^x must be finite"),
    (True, numbers.Real, r"^x must be a number, got True\.$"),
    (np.bool_(False), numbers.Integral, r"^x must be an integer, got (np\.)?(False|bool)"),
    ("3", numbers.Real, r"^x must be a number, got '3'\.$"),
    (None, numbers.Integral, r"^x must be an integer, got None\.$"),
    (3.0, numbers.Integral, r"^x must be an integer, got 3\.0\.$"),
    (1 + 2j, numbers.Real, r"^x must be a number, got \(1\+2j\)\.$"),
    (decimal.Decimal("0.5"), numbers.Real, r"got Decimal\('0.5'\); convert it with int\(\) or "
                                           r"float\(\)\.$"),
    (fractions.Fraction(1, 2), numbers.Real, r"got Fraction\(1, 2\); convert it"),
    (np.array(3), numbers.Integral, r"got array\(3\); pass a plain number, e.g. value.item\(\)"),
    (np.array([3]), numbers.Integral, r"^x must be an integer, got array\(\[3\]\)\.$"),
], ids=["nan", "inf", "float32-inf", "bool", "numpy-bool", "string", "None", "float-for-int",
        "complex", "decimal", "fraction", "0-d-array", "1-d-array"])
def test_bad_scalars(value, kind, match):
    with pytest.raises(ValueError, match=match) as info:
        check_scalar(value, "x", kind)
    assert one_sentence(str(info.value))


def test_ranges_with_huge_values():
    with pytest.raises(ValueError, match=r"^n must be <= 5, got an integer of about 401 digits"):
        check_scalar(10 ** 400, "n", numbers.Integral, high=5)
    with pytest.raises(ValueError, match=r"^x must be > 0, got -1e\+300\.$"):
        check_scalar(-1e300, "x", low=0, low_inclusive=False)


def test_counts():
    assert check_count(MAX_COUNT, "epochs") == MAX_COUNT
    with pytest.raises(ValueError, match=r"^epochs must be at most 1,000,000,000,000,000, got "
                                         r"100000000000000000000\.$"):
        check_count(10 ** 20, "epochs")
    with pytest.raises(ValueError, match=r"^epochs must be >= 1, got 0\.$"):
        check_count(0, "epochs")


def test_seed():
    for seed in (None, 0, 10 ** 30, np.int32(4), np.random.default_rng(0),
                 np.random.RandomState(0)):
        assert check_seed(seed) is seed
    legacy = np.random.RandomState(0)
    check_seed(legacy)
    assert legacy.randint(100) == np.random.RandomState(0).randint(100)   # nothing drawn
    for bad in (-1, 1.5, "0", True, [1]):
        with pytest.raises(ValueError, match="^random_state must be"):
            check_seed(bad)


# --------------------------------------------------------------- verbose, callbacks
@pytest.mark.parametrize("value, expected", [(False, 0), (True, 1), (2, 2), (np.int64(3), 3),
                                             (10 ** 20, 10 ** 20)])
def test_verbose(value, expected):
    assert check_verbose(value) == expected


@pytest.mark.parametrize("value", [-1, 0.5, "yes", None, [1]])
def test_bad_verbose(value):
    with pytest.raises(ValueError, match=r"^verbose must be \"auto\", True, False or an "
                                         r"integer >= 0, got .*\.$"):
        check_verbose(value)


def test_callbacks():
    def callback(model, epoch):
        return None

    assert check_callbacks(None) == ()
    assert check_callbacks([callback, print]) == (callback, print)
    assert check_callbacks((callback,)) == (callback,)


@pytest.mark.parametrize("value, match", [
    (print, r"got a single builtin_function_or_method; wrap it in a list\.$"),
    (5, r"got 5\.$"), ("abc", r"got 'abc'\.$"), ([print, 1], r"but it holds 1\.$"),
    ({print}, r"got \{<built-in function print>\}\.$"),
], ids=["single", "int", "string", "list-with-int", "set"])
def test_bad_callbacks(value, match):
    with pytest.raises(ValueError, match=r"^callbacks must be a list of functions "
                                         r"callback\(model, epoch\)") as info:
        check_callbacks(value)
    assert re.search(match, str(info.value)), str(info.value)


def test_init_array():
    assert check_init_array("k-means++", 3) == "k-means++"
    assert check_init_array([[0.0, 1.0]] * 3, 3).shape == (3, 2)
    with pytest.raises(ValueError, match=r"^init has shape \(2, 2\), but 3 prototypes"):
        check_init_array([[0.0, 1.0]] * 2, 3)
    with pytest.raises(ValueError, match=r"^init must be a 2-D array"):
        check_init_array(5, 3)


# --------------------------------------------------------------------------- memory
@pytest.mark.parametrize("n_bytes, text", [
    (0, "0 bytes"), (1023, "1023 bytes"), (1024, "1 KiB"), (3 * 2 ** 30, "3 GiB"),
    (int(8.9 * 2 ** 50), "8.9 PiB"), (121 * 2 ** 30 + 2 ** 29, "122 GiB"),
    (2 ** 90, "1024 YiB"), (10 ** 40, "10^40 bytes"),
])
def test_format_bytes(n_bytes, text):
    assert format_bytes(n_bytes) == text


def test_available_memory_is_read():
    available = available_memory()
    assert available is not None and available[0] > 0 and isinstance(available[1], str)


def test_check_memory_refuses_in_one_sentence():
    check_memory(2 ** 20, "Small()", "nothing", "carry on")        # small: never refused
    with pytest.raises(InsufficientMemoryError) as info:
        check_memory(10 ** 40, "SOM(shape=(10**10, 10))", "its grid distances", "use a "
                     "smaller map")
    message = str(info.value)
    assert re.fullmatch(r"SOM\(shape=\(10\*\*10, 10\)\) needs about 10\^40 bytes for its grid "
                        r"distances, more than the [\d.]+ [KMGTPE]iB [a-z' ()-]+; use a smaller "
                        r"map\.", message), message
    assert isinstance(info.value, MemoryError) and isinstance(info.value, ValueError)


def test_shown_cuts_long_values():
    assert shown("x" * 100).endswith("...") and len(shown("x" * 100)) == 60
    assert shown(10 ** 5000) == "an integer of about 5001 digits"
    assert shown(3) == "3"


# ------------------------------------------------------------------ shared helpers (issue 11)
def test_to_host_returns_numpy_arrays_and_anything_else_unchanged():
    from neuroclust._validation import to_host

    a = np.arange(3.0)
    assert to_host(a) is a
    assert to_host([1, 2]) == [1, 2]


def test_check_prototypes_shape_one_message():
    from neuroclust._validation import check_prototypes_shape

    check_prototypes_shape(np.zeros((3, 2)), 3, 2)
    check_prototypes_shape(np.zeros((2, 3, 4)), 6, 4, grid_shape=(2, 3))
    with pytest.raises(ValueError, match=r"^W has shape \(2, 2\), but 3 prototypes of 2 "
                                         r"features, shape \(3, 2\), are needed\.$"):
        check_prototypes_shape(np.zeros((2, 2)), 3, name="W")
    with pytest.raises(ValueError, match=r"shape \(6, 4\) or \(2, 3, 4\), are needed"):
        check_prototypes_shape(np.zeros((3, 2, 4)), 6, 4, grid_shape=(2, 3))
