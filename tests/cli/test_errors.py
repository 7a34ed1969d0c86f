"""The ``neuroclust`` command as a hostile or careless user meets it, each case run as a process.

Every failure must be exactly one line on stderr, ``neuroclust: error: ...``, exit code 2, no
traceback; requests too large for memory are refused (also under a tight address-space limit,
where an allocation that is not refused beforehand raises MemoryError); outputs are checked
before any training; a closed stdout exits quietly; Ctrl-C saves the model trained so far.
"""
import io
import json
import os
import pickle
import resource
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

#: The address-space limit of the memory cases: far below what they ask for, enough for
#: Python, NumPy and neuroclust (single-threaded, see ENV).
MEMORY_LIMIT = 1536 * 2**20

#: One thread for BLAS and OpenMP: their per-thread buffers would count against the limit.
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
       "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
ENV.pop("NEUROCLUST_DEBUG", None)

#: A training that takes far longer than the timeout: a check that refuses it before training
#: is seen to do so by ending within the timeout. (A billion epochs is allowed: it needs no
#: more memory than one, and Ctrl-C keeps what was trained.)
LONG_TRAINING = ["fit", "competitive", "digits", "--epochs", "1000000000"]


def run(args, *, cwd=None, limit=None, timeout=30, env=None):
    """``python -m neuroclust ARGS`` in a subprocess; ``limit`` caps its address space."""
    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "-m", "neuroclust", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env=env or ENV, preexec_fn=cap_memory if limit else None)


def assert_one_line_error(result, *words, code=2):
    """Exit ``code``, exactly one ``neuroclust: error:`` line on stderr holding ``words``."""
    lines = result.stderr.splitlines()
    assert result.returncode == code, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert len(lines) == 1 and lines[0].startswith("neuroclust: error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A folder of hostile and careless inputs, and a small fitted k-means model."""
    folder = tmp_path_factory.mktemp("inputs")
    from neuroclust import Autoencoder, KMeans
    from neuroclust.datasets import load

    X, _ = load("moons")
    KMeans(2, random_state=0).fit(X).save(folder / "kmeans.npz")
    Autoencoder(hidden=(4,), latent_dim=2, epochs=1, random_state=0).fit(X).save(
        folder / "autoencoder.npz")
    _write_data_files(folder)
    _write_model_files(folder)
    return folder


def _write_data_files(folder):
    (folder / "empty.csv").write_text("")
    (folder / "text.csv").write_text("a,b\n1,x\n")
    (folder / "header_only.csv").write_text("a,b\n")
    (folder / "latin1.csv").write_bytes(b"\xe9t\xe9,\xff\n1,2\n")
    (folder / "huge_cell.csv").write_text("1" * 300_000 + ",2\n")
    (folder / "wide_line.csv").write_text(",".join(["1"] * 200_000) + "\n")
    np.save(folder / "one_d.npy", np.arange(6.0))
    np.save(folder / "three_d.npy", np.zeros((2, 3, 4)))
    np.save(folder / "empty.npy", np.zeros((0, 2)))
    np.save(folder / "wide.npy", np.zeros((5, 7)))
    np.save(folder / "points.npy", np.random.default_rng(0).normal(size=(40, 2)))
    np.save(folder / "objects.npy", np.array([_Trap(folder / "TRAPPED")], dtype=object),
            allow_pickle=True)
    os.makedirs(folder / "folder.csv")
    os.mkfifo(folder / "fifo.csv")
    os.symlink(os.devnull.replace("null", "zero"), folder / "endless.npy")


class _Trap:
    """Unpickling this creates a file: proof that a file's code ran."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def _write_model_files(folder):
    with np.load(folder / "kmeans.npz") as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(str(arrays.pop("__meta__")))
    deep = '{"format": "neuroclust-model", "format_version": 1, "x": ' \
        + "[" * 100_000 + "]" * 100_000 + "}"
    np.savez(folder / "deep.npz", __meta__=np.array(deep), **arrays)
    crafted = {**meta, "attributes": {**meta["attributes"], "__class__": "KMeans"}}
    np.savez(folder / "class_key.npz", __meta__=np.array(json.dumps(crafted)), **arrays)
    _write_declared_shape(folder / "declared.npz", arrays, meta)
    (folder / "not_a_model.npz").write_text("this is not a model")
    (folder / "empty.npz").write_bytes(b"")
    np.save(folder / "array.npy", np.zeros((3, 2)))
    os.makedirs(folder / "folder.npz")
    os.mkfifo(folder / "fifo.npz")


def _write_declared_shape(path, arrays, meta):
    """A model whose centres declare 10**11 rows (1.6 TB) and hold 32 bytes."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, value in {**arrays, "__meta__": np.array(json.dumps(meta))}.items():
            buffer = io.BytesIO()
            if name == "cluster_centers_":
                np.lib.format.write_array_header_1_0(
                    buffer, {"descr": "<f8", "fortran_order": False, "shape": (10**11, 2)})
                buffer.write(bytes(32))
            else:
                np.lib.format.write_array(buffer, value, allow_pickle=False)
            archive.writestr(f"{name}.npy", buffer.getvalue())


@pytest.fixture(scope="module")
def zip_bomb(files):
    """A 1 MB model file whose centres expand to 1 GB of zeros."""
    path = files / "bomb.npz"
    with np.load(files / "kmeans.npz") as archive:
        arrays = {name: archive[name] for name in archive.files}
    rows = 2**30 // 16
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, value in arrays.items():
            if name == "cluster_centers_":
                continue
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, value, allow_pickle=False)
            archive.writestr(f"{name}.npy", buffer.getvalue())
        with archive.open("cluster_centers_.npy", "w", force_zip64=True) as member:
            np.lib.format.write_array_header_1_0(
                member, {"descr": "<f8", "fortran_order": False, "shape": (rows, 2)})
            block = bytes(2**24)
            for _ in range(rows * 16 // len(block)):
                member.write(block)
    return path


# ------------------------------------------------------------------ too large for memory
MEMORY_CASES = {
    "som 300x300": ["fit", "som", "digits", "--shape", "300", "300"],
    "som 5000x5000": ["fit", "som", "digits", "--shape", "5000", "5000"],
    "gng 100000 nodes": ["fit", "gng", "moons", "--max-nodes", "100000"],
    "autoencoder 1e9 wide": ["fit", "autoencoder", "moons", "--hidden", "1000000000"],
    "autoencoder 1e9 code": ["fit", "autoencoder", "moons", "--latent-dim", "1000000000"],
}


@pytest.mark.parametrize("limit", [None, MEMORY_LIMIT], ids=["no limit", "1.5 GiB limit"])
@pytest.mark.parametrize("case", MEMORY_CASES)
def test_a_request_too_large_for_memory_is_one_line(case, limit, tmp_path):
    result = run([*MEMORY_CASES[case], "-o", tmp_path / "model.npz"], limit=limit)
    line = assert_one_line_error(result, "memory")
    assert "--" in line                           # names the option to lower
    assert "; use " not in line                   # not the Python parameter (max_nodes)
    assert not (tmp_path / "model.npz").exists()


def test_data_larger_than_memory_is_one_line(tmp_path):
    path = tmp_path / "large.npy"                 # 4 GB declared, a sparse file on disk
    with open(path, "wb") as handle:
        np.lib.format.write_array_header_1_0(
            handle, {"descr": "<f8", "fortran_order": False, "shape": (2**19, 1024)})
        handle.truncate(handle.tell() + 2**32)
    result = run(["fit", "kmeans", path, "-o", tmp_path / "m.npz"], limit=MEMORY_LIMIT)
    assert_one_line_error(result, "memory", "large.npy")


@pytest.mark.parametrize("limit", [None, MEMORY_LIMIT], ids=["no limit", "1.5 GiB limit"])
@pytest.mark.parametrize("name", ["declared.npz", "bomb.npz"])
def test_a_model_file_declaring_too_much_is_one_line(name, limit, files, zip_bomb):
    result = run(["predict", files / name, "moons"], limit=limit)
    assert_one_line_error(result, name)


# ------------------------------------------------------------------------ model files
@pytest.mark.parametrize("name, words", [
    ("deep.npz", []),
    ("class_key.npz", []),
    ("not_a_model.npz", ["not_a_model.npz"]),
    ("empty.npz", ["empty.npz"]),
    ("array.npy", ["array.npy"]),
    ("folder.npz", ["is a folder"]),
    ("fifo.npz", ["not a regular file"]),
    ("missing.npz", ["does not exist"]),
    ("autoencoder.npz", ["Autoencoder", "no clusters to predict", "fit autoencoder"]),
])
def test_predict_with_a_bad_model_file_is_one_line(name, words, files):
    result = run(["predict", files / name, "moons"], timeout=20)   # a FIFO must not hang
    assert_one_line_error(result, *words)


def test_predict_with_data_of_the_wrong_width_is_one_line(files):
    assert_one_line_error(run(["predict", files / "kmeans.npz", files / "wide.npy"]),
                          "7 features", "2 features")


# --------------------------------------------------- csv files: the header, the cells
CSV_CASES = {
    "hex": ("0x10,2,3\n4,5,6\n", ["line 1, column 1", "'0x10'", "not a plain decimal number",
                                   "column names only when"]),
    "complex": ("1+2j,3\n4,5\n", ["line 1, column 1", "'1+2j'", "not a plain decimal number"]),
    "spaces": ("1 2 3\n4 5 6\n", ["line 1, column 1", "'1 2 3'", "separated by spaces",
                                  "expects them separated by commas"]),
    "spaces after a header": ("a,b,c\n1 2 3\n", ["line 2, column 1", "separated by spaces"]),
    "decimal commas": ("1,5;2,5;3,5\n", ["line 1, column 2", "'5;2'",
                                         "separated by semicolons"]),
    "commas in a semicolon file": ("1;2;3\n4,5,6\n", ["line 2, column 1", "'4,5,6'",
                                                      "expects them separated by semicolons"]),
    "hex on a later line": ("a,b\n1,2\n3,0x4\n", ["line 3, column 2", "'0x4'"]),
    "an empty cell": ("1,2,3\n4,,6\n", ["line 2, column 2", "is empty"]),
    "names that begin with digits": ("1st,2nd\n1,2\n", ["line 1, column 1", "'1st'"]),
}


@pytest.mark.parametrize("command", ["fit", "predict"])
@pytest.mark.parametrize("case", CSV_CASES)
def test_a_csv_cell_that_is_not_a_plain_number_is_named(case, command, files, tmp_path):
    """The first line is data as soon as one cell begins like a number: it is never eaten as a
    header (which left "only 1 sample"); the first bad cell is named by line and column."""
    text, words = CSV_CASES[case]
    data = tmp_path / "data.csv"
    data.write_text(text)
    args = (["fit", "kmeans", data, "--n-clusters", "1", "-o", tmp_path / "m.npz"]
            if command == "fit" else ["predict", files / "kmeans.npz", data])
    line = assert_one_line_error(run(args), "DATA", "data.csv", *words)
    assert "sample" not in line
    assert not (tmp_path / "m.npz").exists()


NAMES = [f"c{number}" for number in range(1, 13)]


@pytest.mark.parametrize("text, note, shape", [
    ("a,b,c\n1,2,3\n4,5,6\n", "a, b, c", "2 samples, 3 features"),
    ("\ufeffa;b\n1;2\n3;4\n", "a, b", "2 samples, 2 features"),           # BOM, semicolons
    ('"a","b"\n"1","2"\n"3","4"\n', "a, b", "2 samples, 2 features"),   # quoted cells
    ("x,y,label\n1,2,0\n3,4,1\n", "x, y, label; column 'label' holds the labels",
     "2 samples, 2 features"),
    (",".join(NAMES) + "\n" + ",".join("1" * 12) + "\n" + ",".join("2" * 12) + "\n",
     ", ".join(NAMES[:10]) + ", ... (12 in all)", "2 samples, 12 features"),
    ("-,.\n1,2\n3,4\n", "-, .", "2 samples, 2 features"),     # no digit: names
])
def test_a_header_is_said_in_one_note_and_nothing_else_is(text, note, shape, tmp_path):
    data, model = tmp_path / "data.csv", tmp_path / "m.npz"
    data.write_text(text, encoding="utf-8")
    said = f"neuroclust: note: the first line of DATA was read as column names: {note}"
    fitted = run(["fit", "kmeans", data, "--n-clusters", "2", "-o", model])
    assert fitted.returncode == 0 and fitted.stderr.splitlines() == [said], fitted.stderr
    assert shape in fitted.stdout
    predicted = run(["predict", model, data])
    assert predicted.returncode == 0 and predicted.stderr.splitlines() == [said]
    assert len(predicted.stdout.split()) == 2


@pytest.mark.parametrize("text", ["1,2\n3,4\n", "\ufeff1;2\n3;4\n", '"1","2"\n"3","4"\n',
                                  "-1,.5\n+3,4e0\n"])
def test_a_csv_without_a_header_keeps_its_first_line_and_says_nothing(text, tmp_path):
    data, model = tmp_path / "data.csv", tmp_path / "m.npz"
    data.write_text(text, encoding="utf-8")
    result = run(["fit", "kmeans", data, "--n-clusters", "2", "-o", model])
    assert result.returncode == 0 and result.stderr == ""
    assert "2 samples, 2 features" in result.stdout


# ------------------------------------------------------------------------- data files
@pytest.mark.parametrize("name, words", [
    ("empty.csv", ["empty"]),
    ("text.csv", ["line 2, column 2", "'x'", "not a plain decimal number"]),
    ("header_only.csv", ["no data"]),
    ("latin1.csv", ["UTF-8"]),
    ("huge_cell.csv", ["huge_cell.csv"]),
    ("wide_line.csv", ["1 sample"]),
    ("one_d.npy", ["1-D"]),
    ("three_d.npy", ["3-D"]),
    ("empty.npy", ["empty"]),
    ("objects.npy", ["Python objects"]),
    ("folder.csv", ["folder"]),
    ("fifo.csv", ["not a regular file"]),
    ("endless.npy", ["not a regular file"]),
    ("missing.csv", ["does not exist"]),
    ("no_such_data_set", ["neither a built-in data set"]),
    ("points.txt", ["neither a built-in data set"]),
])
def test_fit_with_bad_data_is_one_line(name, words, files, tmp_path):
    result = run(["fit", "kmeans", files / name if "." in name else name,
                  "-o", tmp_path / "m.npz"], timeout=20)
    assert_one_line_error(result, *words)
    assert not (tmp_path / "m.npz").exists()
    assert not (files / "TRAPPED").exists()      # the pickled object never ran


# ---------------------------------------------------------------------------- options
@pytest.mark.parametrize("args, words", [
    (["kmeans", "--n-init", "0"], ["--n-init must be >= 1, got 0"]),
    (["kmeans", "--n-clusters", "-1"], ["--n-clusters must be >= 1"]),
    (["kmeans", "--n-clusters", "10" * 10], ["--n-clusters must be <="]),
    (["kmeans", "--n-clusters", "2000"], ["--n-clusters is 2000", "1000 samples"]),
    (["kmeans", "--random-state", "-1"], ["--random-state must be >= 0"]),
    (["kmeans", "--epochs", "5"], ["--epochs does not apply to kmeans"]),
    (["som", "--n-init", "3"], ["--n-init does not apply to som"]),
    (["competitive", "--shape", "3", "3"], ["--shape does not apply to competitive"]),
    (["competitive", "--learning-rate", "nan"], ["--learning-rate", "nan"]),
    (["competitive", "--learning-rate", "inf"], ["--learning-rate", "inf"]),
    (["competitive", "--learning-rate", "1e400"], ["--learning-rate", "inf"]),
    (["competitive", "--learning-rate", "-1"], ["--learning-rate", "> 0"]),
    (["competitive", "--epochs", "-1"], ["--epochs must be >= 1"]),
    (["competitive", "--epochs", "1e3"], ["invalid int value"]),
    (["som", "--shape", "0", "5"], ["--shape must be >= 1"]),
    (["som", "--shape", "3", "3", "--n-clusters", "10"], ["9 units"]),
    (["gng", "--max-nodes", "1"], ["--max-nodes must be >= 2"]),
    (["gng", "--n-clusters", "2"], ["--n-clusters does not apply to gng"]),
    (["fuzzy_art", "--rho", "nan"], ["--rho must be between 0 and 1"]),
    (["fuzzy_art", "--rho", "-0.5"], ["--rho must be between 0 and 1"]),
    (["autoencoder", "--batch-size", "0"], ["--batch-size must be >= 1"]),
    (["autoencoder", "--hidden", "16", "-3"], ["--hidden must be >= 1"]),
    (["kmeans", "--backend", "quantum"], ["backend"]),
    (["kmeans", "--no-such-option"], ["unrecognized arguments"]),
])
def test_fit_with_a_bad_option_is_one_line(args, words, tmp_path):
    model, *options = args
    result = run(["fit", model, "moons", *options, "-o", tmp_path / "m.npz"])
    assert_one_line_error(result, *words)
    assert not (tmp_path / "m.npz").exists()


def _env_without_forced_backend():
    return {name: value for name, value in ENV.items() if name != "NEUROCLUST_BACKEND"}


@pytest.mark.parametrize("args, words, parameter", [
    (["competitive", "--learning-rate", "5"], ["--learning-rate must be <= 1", "got 5"],
     "learning_rate"),
    (["kmeans", "--backend", "quantum"], ["argument --backend", "invalid choice"], "backend="),
    (["kmeans", "--backend", "cupy"], ["--backend cupy cannot run on this machine"],
     "backend="),
])
def test_fit_checks_its_options_by_their_names_before_reading_the_data(args, words, parameter,
                                                                       tmp_path):
    """An option the model would refuse is refused first, naming the option; the data (a file
    the reader would refuse) is not read."""
    from neuroclust.backend import available_backends

    if "cupy" in args and "cupy" in available_backends():
        pytest.skip("CuPy runs on this machine")
    (tmp_path / "bad.csv").write_text("0x10,2\n")
    result = run(["fit", args[0], tmp_path / "bad.csv", *args[1:], "-o", tmp_path / "m.npz"],
                 env=_env_without_forced_backend())
    line = assert_one_line_error(result, *words)
    assert parameter not in line and "bad.csv" not in line
    assert result.stdout == ""


@pytest.mark.parametrize("value, words", [
    ("-5", ["--random-state must be >= 0, got -5"]),
    ("2147483648", ["--random-state must be <= 2147483647"]),
    ("seven", ["--random-state", "invalid int value"]),
])
def test_demo_checks_its_options_before_printing_anything(value, words, tmp_path):
    result = run(["demo", "--random-state", value, "--out", tmp_path / "figures"])
    line = assert_one_line_error(result, *words)
    assert "random_state" not in line
    assert result.stdout == ""                    # not even the banner
    assert not (tmp_path / "figures").exists()


# -------------------------------------------------------------- outputs, before training
@pytest.mark.parametrize("where, words", [
    (["-o", "/proc/no-such-folder/model.npz"], ["--output", "cannot be written"]),
    (["-o", "{tmp}/a_file.txt/model.npz"], ["--output", "a_file.txt"]),
    (["-o", "{tmp}/a_folder"], ["--output", "is a folder"]),
    (["-o", "{tmp}/a_fifo.npz"], ["--output", "not a regular file"]),
    (["-o", ""], ["--output is empty"]),
    (["-o", "{tmp}/" + "x" * 300 + ".npz"], ["--output", "name too long"]),
    (["--plot", "/proc/no-such-folder"], ["--plot", "cannot be written"]),
    (["--plot", "{tmp}/a_file.txt"], ["--plot", "not a folder"]),
])
def test_fit_checks_its_outputs_before_training(where, words, tmp_path):
    (tmp_path / "a_file.txt").write_text("keep me")
    os.makedirs(tmp_path / "a_folder.npz")
    os.makedirs(tmp_path / "a_folder")
    os.mkfifo(tmp_path / "a_fifo.npz")
    before = sorted(os.listdir(tmp_path))
    where = [part.replace("{tmp}", str(tmp_path)) for part in where]
    start = time.perf_counter()
    result = run([*LONG_TRAINING, *where], cwd=tmp_path)     # would train for minutes
    assert_one_line_error(result, *words)
    assert time.perf_counter() - start < 20
    assert sorted(os.listdir(tmp_path)) == before            # nothing written
    assert (tmp_path / "a_file.txt").read_text() == "keep me"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only folder")
def test_fit_refuses_a_read_only_folder_before_training(tmp_path):
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = run([*LONG_TRAINING, "-o", folder / "m.npz"])
    finally:
        folder.chmod(0o700)
    assert_one_line_error(result, "--output", "does not accept new files")


@pytest.mark.parametrize("name", ["with space.npz", "new\nline.npz", "d\u00e9j\u00e0-\u5b66.npz",
                                  "-dash.npz", "no_extension"])
def test_fit_and_predict_with_odd_output_names(name, tmp_path):
    result = run(["fit", "kmeans", "moons", "-o", tmp_path / "sub dir" / name])
    assert result.returncode == 0 and result.stderr == "", result.stderr
    saved = tmp_path / "sub dir" / (name if name.endswith(".npz") else name + ".npz")
    assert saved.is_file()
    labels = tmp_path / ("labels " + name + ".txt")
    result = run(["predict", saved, "moons", "-o", labels])
    assert result.returncode == 0 and len(labels.read_text().split()) == 1000


def test_predict_refuses_to_write_over_its_inputs(files, tmp_path):
    data = tmp_path / "points.npy"
    data.write_bytes((files / "points.npy").read_bytes())
    result = run(["predict", files / "kmeans.npz", data, "-o", data])
    assert_one_line_error(result, "--output", "DATA")
    assert np.load(data).shape == (40, 2)


@pytest.mark.parametrize("args", [["predict", "{model}", "moons", "-o", "/proc/nope/l.txt"],
                                  ["predict", "{model}", "moons", "-o", "{tmp}"],
                                  ["demo", "--out", "/proc/nope"]])
def test_predict_and_demo_check_their_outputs_first(args, files, tmp_path):
    args = [arg.format(model=files / "kmeans.npz", tmp=tmp_path) for arg in args]
    assert_one_line_error(run(args), "cannot be written" if "/proc" in args[-1] else "folder")


# ------------------------------------------------------ pipes, Ctrl-C, unexpected errors
@pytest.mark.parametrize("command", [["predict", "{model}", "digits"],
                                     ["fit", "gng", "moons", "-o", "{tmp}/gng.npz"]])
def test_a_closed_stdout_exits_quietly_and_keeps_the_work(command, files, tmp_path):
    command = [arg.format(model=files / "kmeans.npz", tmp=tmp_path) for arg in command]
    if command[0] == "predict":
        command[1:2] = [tmp_path / "digits.npz"]
        assert run(["fit", "kmeans", "digits", "-o", command[1]]).returncode == 0
    process = subprocess.Popen([sys.executable, "-m", "neuroclust", *map(str, command)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    process.stdout.close()                         # as `| head -0` would, before any output
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=30) in (0, 141)
    assert stderr == ""
    if command[0] == "fit":
        assert (tmp_path / "gng.npz").is_file()   # the model was saved all the same


def test_ctrl_c_during_training_saves_the_model_trained_so_far(tmp_path):
    output = tmp_path / "interrupted.npz"
    process = subprocess.Popen(
        [sys.executable, "-m", "neuroclust", *LONG_TRAINING, "-o", str(output)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    _wait_for_training(process.pid)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert all(line.startswith("neuroclust: ") for line in stderr.splitlines()), stderr
    assert "interrupted" in stderr and f"model saved to {output}" in stdout
    from neuroclust import load

    assert load(output).cluster_centers_.shape == (10, 64)


def _wait_for_training(pid, seconds=20):
    """Wait until the process has loaded the compiled kernels (then it is about to train),
    and a little longer."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/maps") as maps:
            if "_kernels" in maps.read():
                break
        time.sleep(0.05)
    time.sleep(1.5)


BOOM = ("import sys, neuroclust.cli as cli\n"
        "def boom(args): raise {error}\n"
        "cli.run_info = boom\n"
        "sys.exit(cli.main(['info']))\n")


@pytest.mark.parametrize("error, words", [
    ("TypeError('bad operand')", ["unexpected TypeError: bad operand", "NEUROCLUST_DEBUG=1"]),
    ("KeyError('weights_')", ["unexpected KeyError: 'weights_'"]),
    ("RecursionError('too deep')", ["unexpected RecursionError"]),
    ("MemoryError()", ["not enough memory"]),
    ("KeyboardInterrupt()", ["interrupted by Ctrl-C"]),
])
def test_an_unexpected_exception_is_one_line_and_debug_shows_it(error, words):
    script = BOOM.format(error=error)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=30, env=ENV)
    code = 130 if "Keyboard" in error else 2
    assert_one_line_error(result, *words, code=code)
    if code == 2:
        debug = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               timeout=30, env={**ENV, "NEUROCLUST_DEBUG": "1"})
        assert debug.returncode == 1 and "Traceback" in debug.stderr
        assert error.split("(")[0] in debug.stderr


def test_a_warning_is_one_line(tmp_path):
    """Divergence (Adam's step size far too large: the moons are float64, so the model
    trains in float64) is a warning of one line, not a report with a file name and a source
    line."""
    result = run(["fit", "autoencoder", "moons", "--learning-rate", "1e300", "--hidden", "8",
                  "--epochs", "3", "-o", tmp_path / "m.npz"])
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr and lines, result.stderr
    assert all(line.startswith("neuroclust: ") for line in lines), result.stderr
    assert any("diverged" in line for line in lines)


def test_pickle_trap_is_real(tmp_path):
    """The trap used above does create its file when unpickled (so its absence means
    something)."""
    pickle.loads(pickle.dumps(_Trap(tmp_path / "sprung")))
    assert (tmp_path / "sprung").exists()
