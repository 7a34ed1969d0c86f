"""Tests for neuroclust/datasets/ (synthetic.py, __init__.py: the digits, load, load_file)."""
import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest

from neuroclust import datasets
from neuroclust.datasets import (
    BUILTIN_DATASETS,
    FIVE_CENTROIDS,
    load,
    load_digits,
    load_file,
    make_blobs,
    make_circles,
    make_five_centroids,
    make_moons,
)

GENERATORS = [make_blobs, make_five_centroids, make_moons, make_circles]


def _check_xy(X, y, n_samples, n_features):
    assert X.shape == (n_samples, n_features) and X.dtype == np.float64
    assert y.shape == (n_samples,) and y.dtype == np.int64
    assert np.isfinite(X).all()


# ------------------------------------------------------------------------- generators
@pytest.mark.parametrize("generator", GENERATORS)
def test_same_seed_same_data_other_seed_other_data(generator):
    X1, y1 = generator(random_state=3)
    X2, y2 = generator(random_state=3)
    X3, _ = generator(random_state=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("generator", GENERATORS)
def test_generator_object_is_accepted_and_advanced(generator):
    rng = np.random.default_rng(0)
    X1, _ = generator(random_state=rng)
    X2, _ = generator(random_state=rng)
    assert not np.allclose(X1, X2)


def test_make_five_centroids_shapes_counts_and_means():
    X, y, centres = make_five_centroids(random_state=0, return_centers=True)
    _check_xy(X, y, 500, 3)
    assert np.bincount(y).tolist() == [100] * 5
    np.testing.assert_array_equal(centres, FIVE_CENTROIDS)
    means = np.array([X[y == k].mean(axis=0) for k in range(5)])
    assert np.abs(means - FIVE_CENTROIDS).max() < 0.3
    stds = np.array([X[y == k].std(axis=0) for k in range(5)])
    assert np.abs(stds - 0.8).max() < 0.2


def test_five_centroids_constant():
    expected = [[1, 2, 1], [2, 5, 2], [-3, 3, 0], [5, -1, -1], [-2, -2, -2]]
    assert FIVE_CENTROIDS.dtype == np.float64 and FIVE_CENTROIDS.shape == (5, 3)
    np.testing.assert_array_equal(FIVE_CENTROIDS, expected)
    with pytest.raises(ValueError):
        FIVE_CENTROIDS[0, 0] = 9.0             # read-only: a demo cannot corrupt it
    _, _, centres = make_five_centroids(random_state=0, return_centers=True)
    centres[0, 0] = 9.0                        # the returned copy is the caller's
    assert FIVE_CENTROIDS[0, 0] == 1.0


def test_make_five_centroids_odd_total_and_sizes():
    _, y = make_five_centroids(n_samples=503, random_state=0)
    assert np.bincount(y).tolist() == [101, 101, 101, 100, 100]
    _, y = make_five_centroids(n_samples=[1, 2, 3, 4, 5], random_state=0)
    assert np.bincount(y).tolist() == [1, 2, 3, 4, 5]


def test_make_blobs_random_centres():
    X, y, centres = make_blobs(n_samples=301, centers=4, n_features=5, center_box=(0, 1),
                               random_state=0, return_centers=True)
    _check_xy(X, y, 301, 5)
    assert centres.shape == (4, 5) and centres.dtype == np.float64
    assert ((centres >= 0) & (centres <= 1)).all()
    assert np.bincount(y).tolist() == [76, 75, 75, 75]


def test_make_blobs_defaults_and_sizes_list():
    X, y = make_blobs(random_state=0)
    _check_xy(X, y, 500, 2)
    assert len(np.unique(y)) == 3
    X, y = make_blobs(n_samples=[10, 20], random_state=0)
    _check_xy(X, y, 30, 2)
    assert np.bincount(y).tolist() == [10, 20]


def test_make_blobs_given_centres_std_and_no_shuffle():
    centres = [[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]]
    X, y = make_blobs(n_samples=[3, 4], centers=centres, cluster_std=0.0, shuffle=False,
                      random_state=0)
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1, 1, 1])
    np.testing.assert_array_equal(X, np.repeat(centres, [3, 4], axis=0))
    X, y = make_blobs(n_samples=4000, centers=centres, cluster_std=[0.5, 2.0], random_state=0)
    assert X[y == 0].std() == pytest.approx(0.5, rel=0.1)
    assert X[y == 1].std() == pytest.approx(2.0, rel=0.1)


def test_make_blobs_shuffles():
    _, y = make_blobs(n_samples=100, random_state=0)
    assert not np.all(np.diff(y) >= 0)


def test_make_moons_geometry():
    X, y = make_moons(n_samples=101, noise=0.0, random_state=0)
    _check_xy(X, y, 101, 2)
    assert np.bincount(y).tolist() == [51, 50]
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)                         # unit arc
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert (upper[:, 1] >= -1e-12).all() and (lower[:, 1] <= 0.5 + 1e-12).all()


def test_make_circles_geometry():
    X, y = make_circles(n_samples=200, noise=0.0, factor=0.3, random_state=0)
    _check_xy(X, y, 200, 2)
    assert np.bincount(y).tolist() == [100, 100]
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), 0.0, atol=1e-12)


def test_noise_spreads_points():
    X, y = make_circles(n_samples=2000, noise=0.1, random_state=0)
    radii = np.hypot(*X[y == 0].T)
    assert radii.std() == pytest.approx(0.1, rel=0.15)


@pytest.mark.parametrize("call, match", [
    (lambda: make_blobs(n_samples=0), r"n_samples must be >= 1, got 0\."),
    (lambda: make_blobs(n_samples=2.5), r"n_samples must be an integer or a list"),
    (lambda: make_blobs(n_samples="10"), r"n_samples must be an integer or a list"),
    (lambda: make_blobs(n_samples=[3, 0]), r"n_samples must be .*each a whole number >= 1"),
    (lambda: make_blobs(n_samples=[3.5, 2]), r"n_samples must be .*each a whole number >= 1"),
    (lambda: make_blobs(n_samples=2, centers=3), (r"n_samples must be at least the number of "
                                                 r"clusters \(3\)")),
    (lambda: make_blobs(n_samples=[3, 4], centers=3), (r"n_samples lists 2 cluster sizes, "
                                                      r"but there are 3 centres\.")),
    (lambda: make_blobs(centers=0), r"centers must be >= 1, got 0\."),
    (lambda: make_blobs(centers=[1.0, 2.0]), r"centers must be a 2-D array"),
    (lambda: make_blobs(centers=3.0), r"centers must be an integer \(the number of clusters\)"),
    (lambda: make_blobs(centers=[[0, np.nan]]), r"centers contains 1 NaN"),
    (lambda: make_blobs(n_features=0), r"n_features must be >= 1, got 0\."),
    (lambda: make_blobs(n_features=2.0), r"n_features must be an integer"),
    (lambda: make_blobs(cluster_std=-1.0), r"cluster_std must be >= 0, got -1\.0\."),
    (lambda: make_blobs(cluster_std="big"), r"cluster_std must be a number"),
    (lambda: make_blobs(cluster_std=[1.0, 2.0]), (r"cluster_std must be a number >= 0 or a "
                                                 r"list of 3 such numbers")),
    (lambda: make_blobs(center_box=(5, 1)), r"center_box must be a pair \(low, high\)"),
    (lambda: make_blobs(center_box=3), r"center_box must be a pair \(low, high\)"),
    (lambda: make_blobs(shuffle="yes"), r"shuffle must be True or False"),
    (lambda: make_blobs(random_state=-1), r"random_state must be a non-negative integer"),
    (lambda: make_blobs(random_state="seed"), r"random_state must be None, an int or"),
    (lambda: make_five_centroids(n_samples=[1, 2]), (r"n_samples lists 2 cluster sizes, but "
                                                    r"there are 5 centres\.")),
    (lambda: make_five_centroids(cluster_std=-0.5), r"cluster_std must be >= 0"),
    (lambda: make_five_centroids(return_centers=1), r"return_centers must be True or False"),
    (lambda: make_moons(n_samples=1), r"n_samples must be >= 2, got 1\."),
    (lambda: make_moons(n_samples=10.0), r"n_samples must be an integer, got 10\.0\."),
    (lambda: make_moons(noise=-0.1), r"noise must be >= 0, got -0\.1\."),
    (lambda: make_moons(noise=np.inf), r"noise must be finite"),
    (lambda: make_circles(factor=1.0), r"factor must be > 0 and < 1, got 1\.0\."),
    (lambda: make_circles(factor=0), r"factor must be > 0 and < 1, got 0\."),
    (lambda: make_circles(noise=True), r"noise must be a number, got True\."),
    (lambda: load_digits(return_images="no"), r"return_images must be True or False"),
])
def test_bad_arguments_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ----------------------------------------------------------------------------- digits
def test_load_digits():
    X, y = load_digits()
    _check_xy(X, y, 1797, 64)
    assert X.min() == 0 and X.max() == 16
    np.testing.assert_array_equal(X, np.round(X))
    assert np.unique(y).tolist() == list(range(10))
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_load_digits_images():
    X, _y, images = load_digits(return_images=True)
    assert images.shape == (1797, 8, 8) and images.dtype == np.float64
    np.testing.assert_array_equal(images.reshape(1797, 64), X)
    images[0, 0, 0] = -1.0                     # a copy: X is untouched
    assert X[0, 0] != -1.0


def _scikit_learn_digits():
    """scikit-learn's copy of the digits: its raw file when found (fast), else its loader."""
    spec = importlib.util.find_spec("sklearn")  # finds the package without importing it
    if spec is None:
        pytest.skip("scikit-learn is not installed")
    raw = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    if raw.is_file():
        table = np.loadtxt(raw, delimiter=",")  # 64 pixels, then the digit
        return table[:, :-1], table[:, -1]
    reference = pytest.importorskip("sklearn.datasets").load_digits()
    return reference.data, reference.target


def test_load_digits_matches_scikit_learn():
    reference_X, reference_y = _scikit_learn_digits()
    X, y, images = load_digits(return_images=True)
    np.testing.assert_array_equal(X, reference_X)
    np.testing.assert_array_equal(y, reference_y)
    np.testing.assert_array_equal(images, reference_X.reshape(-1, 8, 8))


def test_digits_file_is_small_and_documented():
    folder = datasets._DATA_DIR
    assert (folder / "digits.npz").stat().st_size < 100_000
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "Alpaydin" in readme and "CC BY 4.0" in readme
    assert "Alpaydin" in load_digits.__doc__ and "CC BY 4.0" in load_digits.__doc__


# ------------------------------------------------------------------------------- load
def test_builtin_names():
    assert BUILTIN_DATASETS == ("five_centroids", "blobs", "moons", "circles", "digits")


@pytest.mark.parametrize("name, function", [
    ("five_centroids", make_five_centroids), ("blobs", make_blobs), ("moons", make_moons),
    ("circles", make_circles),
])
def test_load_dispatches_with_arguments(name, function):
    X, y = load(name, n_samples=60, random_state=1)
    X_direct, y_direct = function(n_samples=60, random_state=1)
    np.testing.assert_array_equal(X, X_direct)
    np.testing.assert_array_equal(y, y_direct)


def test_load_digits_by_name():
    X, _y = load("digits")
    assert X.shape == (1797, 64)
    assert len(load("digits", return_images=True)) == 3


def test_load_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError, match=r"name must be one of 'five_centroids', 'blobs', "
                                         r"'moons', 'circles', 'digits'.*got 'iris'\."):
        load("iris")
    with pytest.raises(ValueError, match=r"name must be one of"):
        load(3)


def test_load_unknown_argument():
    with pytest.raises(ValueError, match=r"load\('moons'\) got the unknown argument\(s\) "
                                         r"'centers'; make_moons takes n_samples, noise"):
        load("moons", centers=3)


# -------------------------------------------------------------------------- load_file
def test_load_file_npy_round_trip(tmp_path):
    data = np.arange(12, dtype=np.int32).reshape(4, 3)
    path = tmp_path / "data.npy"
    np.save(path, data)
    X, y = load_file(path)
    assert y is None and X.dtype == np.float64
    np.testing.assert_array_equal(X, data)
    X, _ = load_file(str(path))                # a str works as well as a Path
    np.testing.assert_array_equal(X, data)


def test_load_file_csv_without_header(tmp_path):
    data = np.array([[1.5, -2.0], [3.0, 4.25], [0.0, 1e3]])
    path = tmp_path / "points.csv"
    np.savetxt(path, data, delimiter=",")
    X, y = load_file(path)
    assert y is None
    np.testing.assert_array_equal(X, data)


def test_load_file_csv_with_header_no_labels(tmp_path):
    path = tmp_path / "points.CSV"
    path.write_text("a, b, c\n1, 2, 3\n\n4, 5, 6\n", encoding="utf-8")
    X, y = load_file(path)
    assert y is None
    np.testing.assert_array_equal(X, [[1, 2, 3], [4, 5, 6]])


def test_load_file_csv_label_column(tmp_path):
    X_true, y_true = make_blobs(n_samples=30, random_state=0)
    path = tmp_path / "labelled.csv"
    table = np.column_stack([X_true[:, 0], y_true, X_true[:, 1]])
    np.savetxt(path, table, delimiter=",", header="f1,label,f2", comments="",
               fmt=["%.17g", "%d", "%.17g"])
    X, y = load_file(path)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(X, X_true)
    np.testing.assert_array_equal(y, y_true)


def test_load_file_csv_y_column_and_x_y_coordinates(tmp_path):
    path = tmp_path / "y.csv"
    path.write_text("f1,f2,Y\n0.5,1.5,2\n2.5,3.5,0\n", encoding="utf-8")
    X, y = load_file(path)
    np.testing.assert_array_equal(X, [[0.5, 1.5], [2.5, 3.5]])
    np.testing.assert_array_equal(y, [2, 0])
    path = tmp_path / "xy.csv"                 # x, y are coordinates, not labels
    path.write_text("x,y\n0.5,1.5\n2.5,3.5\n", encoding="utf-8")
    X, y = load_file(path)
    assert y is None and X.shape == (2, 2)
    path = tmp_path / "xylabel.csv"
    path.write_text("x,y,label\n0.5,1.5,1\n2.5,3.5,0\n", encoding="utf-8")
    X, y = load_file(path)
    np.testing.assert_array_equal(X, [[0.5, 1.5], [2.5, 3.5]])
    np.testing.assert_array_equal(y, [1, 0])


def test_load_file_csv_semicolons_tabs_and_excel_bom(tmp_path):
    for name, text in [("semi.csv", "a;b\n1;2\n3;4\n"), ("tab.csv", "1\t2\n3\t4\n"),
                       ("bom.csv", "\ufeffa,b\r\n1,2\r\n3,4\r\n")]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        X, _y = load_file(path)
        np.testing.assert_array_equal(X, [[1, 2], [3, 4]])


def _write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize("name, content, match", [
    ("data.txt", "1,2\n", (r"File '.*data\.txt' has the extension '\.txt', but load_file reads "
                          r"only \.csv and \.npy files\.")),
    ("data", "1,2\n", r"has the extension '\(none\)'"),
    ("empty.csv", "\n\n", r"File '.*empty\.csv' is empty\."),
    ("header.csv", "a,b\n", r"File '.*header\.csv' has a header line but no data\."),
    ("text.csv", "a,b\n1,2\n3,oops\n", (r"File '.*text\.csv', line 3, column 2 \('b'\) holds "
                                       r"'oops', which is not a number\.")),
    ("hole.csv", "1,2\n3,\n", r"File '.*hole\.csv', line 2, column 2 is empty\."),
    ("ragged.csv", "1,2,3\n4,5\n", (r"File '.*ragged\.csv' has 2 values on line 2, but 3 on "
                                   r"line 1\.")),
    ("frac.csv", "a,label\n1,0\n2,1.5\n", (r"File '.*frac\.csv' has the label '1\.5' on line 3, "
                                          r"but numeric labels must be whole numbers")),
    ("only.csv", "label\n1\n2\n", (r"File '.*only\.csv' has only the label column 'label' and "
                                  r"no features\.")),
    ("latin.csv", "caf\xe9,b\n1,2\n".encode("latin-1"), r"is not a UTF-8 text file\."),
    ("fake.npy", "1,2\n", r"File '.*fake\.npy' is not a NumPy \.npy file"),
])
def test_load_file_bad_content(tmp_path, name, content, match):
    path = _write(tmp_path, name, content)
    with pytest.raises(ValueError, match=match):
        load_file(path)


def test_load_file_bad_npy_arrays(tmp_path):
    cases = [
        ("one_d.npy", np.arange(5.0), (r"holds a 1-D array of shape \(5,\), but a 2-D array "
                                      r"\(n_samples, n_features\) is needed \(save one feature")),
        ("three_d.npy", np.zeros((2, 2, 2)), r"holds a 3-D array"),
        ("text.npy", np.array([["a", "b"]]), r"holds text, not real numbers\."),
        ("complex.npy", np.ones((2, 2), dtype=complex), (r"holds dtype complex128, not real "
                                                        r"numbers\.")),
        ("empty.npy", np.zeros((0, 3)), r"holds an empty array of shape \(0, 3\)\."),
        ("objects.npy", np.array([[1, None]], dtype=object), (r"holds Python objects, which are "
                                                             r"not loaded")),
    ]
    for name, array, match in cases:
        path = tmp_path / name
        np.save(path, array, allow_pickle=True)
        with pytest.raises(ValueError, match=match):
            load_file(path)


def test_load_file_truncated_npy(tmp_path):
    path = tmp_path / "cut.npy"
    np.save(path, np.ones((50, 4)))
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match=r"File '.*cut\.npy' could not be read as a \.npy array"):
        load_file(path)


def test_load_file_missing_folder_and_bad_path(tmp_path):
    with pytest.raises(ValueError, match=r"File '.*nothing\.csv' does not exist\."):
        load_file(tmp_path / "nothing.csv")
    folder = tmp_path / "folder.npy"
    folder.mkdir()
    with pytest.raises(ValueError, match=r"File '.*folder\.npy' is a folder, not a file\."):
        load_file(folder)
    with pytest.raises(ValueError, match=r"path must be a file name"):
        load_file(42)


# ------------------------------------------------- parameters that overflow the output
HUGE = [
    (datasets.make_blobs, "cluster_std", 1e308),
    (datasets.make_blobs, "cluster_std", [1.0, 1e308, 1.0]),
    (datasets.make_five_centroids, "cluster_std", 1e308),
    (datasets.make_five_centroids, "cluster_std", np.finfo(np.float64).max),
    (datasets.make_moons, "noise", 1e308),
    (datasets.make_circles, "noise", 1e308),
    (datasets.make_signals, "noise", 1e308),
    (datasets.make_signals, "frequency", 1e308),
    (datasets.make_signals, "frequency", (1e307, 1e308)),
]


@pytest.mark.parametrize("make, argument, value", HUGE,
                         ids=[f"{make.__name__}-{argument}-{i}" for i, (make, argument, _)
                              in enumerate(HUGE)])
def test_a_parameter_that_overflows_the_data_is_named(make, argument, value):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one sentence, no RuntimeWarning on the way
        with pytest.raises(ValueError, match=rf"^{argument}=.* is too large: .* beyond the "
                                             rf"float64 range .*choose a smaller {argument}\.$"):
            make(random_state=0, **{argument: value})


NON_FINITE = [(make, argument, bad) for make, argument, _ in HUGE
              for bad in (np.nan, np.inf, -np.inf)
              if not isinstance(_, (list, tuple))]


@pytest.mark.parametrize("make, argument, value", NON_FINITE,
                         ids=[f"{make.__name__}-{argument}-{value}" for make, argument, value
                              in NON_FINITE])
def test_non_finite_parameters_are_refused(make, argument, value):
    with pytest.raises(ValueError, match=argument):
        make(random_state=0, **{argument: value})


@pytest.mark.parametrize("center_box", [(-1e308, 1e308), (-np.inf, 0), (0, np.nan)])
def test_a_center_box_beyond_float64_is_refused(center_box):
    with pytest.raises(ValueError, match=r"center_box"):
        datasets.make_blobs(centers=3, center_box=center_box, random_state=0)


def test_large_but_representable_parameters_give_finite_data():
    for X in (datasets.make_blobs(cluster_std=1e300, random_state=0)[0],
              datasets.make_moons(noise=1e300, random_state=0)[0],
              datasets.make_circles(noise=1e300, random_state=0)[0],
              datasets.make_signals(noise=1e300, frequency=1e300, random_state=0)[0]):
        assert np.isfinite(X).all()


def test_the_random_datasets_are_those_that_take_a_seed():
    import inspect

    from neuroclust import datasets

    takes_seed = [name for name in datasets.BUILTIN_DATASETS
                  if "random_state" in inspect.signature(datasets._LOADERS[name]).parameters]
    assert list(datasets.RANDOM_DATASETS) == takes_seed
