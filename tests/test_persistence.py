"""Model files: every estimator round-trips exactly, and a file that lies is one sentence.

The files are crafted with numpy, zipfile and json directly. The cases that used to crash
(a segfault through the compiled kernels) or hang (a FIFO) run in a subprocess and assert its
exit status: never a negative one.
"""
import io
import json
import math
import os
import socket
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import neuroclust
from neuroclust import (ART1, SOM, Autoencoder, CompetitiveLearning, FuzzyART,
                        GrowingNeuralGas, KMeans, LatentClustering, load, nn, persistence)


# ------------------------------------------------------------------------ models
def blobs(n=60, seed=0):
    """Three blobs in [0, 1]^4 (so Fuzzy ART takes them without scaling)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.2, 0.2, 0.8, 0.5], [0.8, 0.3, 0.2, 0.5], [0.5, 0.8, 0.5, 0.2]])
    return np.clip(centres[rng.integers(0, 3, n)] + rng.normal(0, 0.05, (n, 4)), 0, 1)


def binary(n=60, seed=0):
    rng = np.random.default_rng(seed)
    patterns = np.array([[1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 1, 1]])
    return patterns[rng.integers(0, 3, n)].astype(float)


def signals(n=30, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2, 16))


def make_model(name):
    """(unfitted model, training data) for each kind of estimator a file can hold."""
    X = blobs()
    return {
        "KMeans": lambda: (KMeans(3, random_state=0), X),
        "CompetitiveLearning": lambda: (CompetitiveLearning(3, epochs=3, conscience=True,
                                                            conscience_bias=2.0,
                                                            random_state=0), X),
        "SOM": lambda: (SOM((3, 4), epochs=2, random_state=0), X),
        "SOM-clusters": lambda: (SOM((4, 3), topology="hexagonal", epochs=2, n_clusters=3,
                                     random_state=0), X),
        "GrowingNeuralGas": lambda: (GrowingNeuralGas(max_nodes=10, insert_every=20, epochs=3,
                                                      random_state=0), X),
        "FuzzyART": lambda: (FuzzyART(rho=0.6), X),
        "FuzzyART-scaled": lambda: (FuzzyART(rho=0.6, scale=True, complement_coding=False),
                                    X * 10 - 3),
        "ART1": lambda: (ART1(rho=0.5), binary()),
        "Autoencoder": lambda: (Autoencoder(hidden=(8,), latent_dim=2, epochs=2,
                                            random_state=0), X),
        "Autoencoder-conv1d": lambda: (Autoencoder(kind="conv1d", channels=(4,), kernel_size=3,
                                                   latent_dim=2, epochs=2, random_state=0),
                                       signals()),
        "Autoencoder-explicit": lambda: (Autoencoder(
            encoder=[nn.Dense(4, 3, random_state=0), nn.Tanh(), nn.Dense(3, 2, random_state=1)],
            decoder=[nn.Dense(2, 4, random_state=2)], epochs=2, dtype="float64",
            random_state=0), X),
        "LatentClustering": lambda: (LatentClustering(
            Autoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0), n_clusters=3,
            random_state=0), X),
    }[name]()


MODEL_NAMES = ["KMeans", "CompetitiveLearning", "SOM", "SOM-clusters", "GrowingNeuralGas",
               "FuzzyART", "FuzzyART-scaled", "ART1", "Autoencoder", "Autoencoder-conv1d",
               "Autoencoder-explicit", "LatentClustering"]


def queries(model):
    """The query methods a model has: predict and transform, where it has them."""
    return [name for name in ("predict", "transform") if callable(getattr(model, name, None))]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """{name: (path of the saved model, the model, its data)}, fitted once per module."""
    folder = tmp_path_factory.mktemp("models")
    files = {}
    for name in MODEL_NAMES:
        model, X = make_model(name)
        model.fit(X)
        files[name] = (model.save(folder / name), model, X)
    return files


def contents_of(path):
    """(description, {key: array}) of a model file."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    return json.loads(str(arrays.pop("__meta__"))), arrays


def write(path, meta, arrays, meta_text=None):
    np.savez(path, __meta__=np.array(meta_text or json.dumps(meta)), **arrays)
    return str(path)


def altered(saved, name, tmp_path, change):
    """A copy of the saved ``name`` model with ``change(meta, arrays)`` applied."""
    meta, arrays = contents_of(saved[name][0])
    change(meta, arrays)
    return write(tmp_path / f"altered-{name}.npz", meta, arrays)


# ----------------------------------------------------------------- round trips
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_estimator_round_trips(saved, name):
    path, model, X = saved[name]
    loaded = load(path)
    assert type(loaded) is type(model)
    for method in queries(model):
        np.testing.assert_array_equal(getattr(loaded, method)(X), getattr(model, method)(X))
    for attribute, value in vars(model).items():
        if attribute.endswith("_") and not attribute.startswith("_") \
                and isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(loaded, attribute), value)
            assert getattr(loaded, attribute).dtype == value.dtype


def test_a_loaded_som_keeps_weights_a_view_and_gng_one_array(saved):
    som = load(saved["SOM"][0])
    assert np.shares_memory(som.weights_, som.cluster_centers_)
    gng = load(saved["GrowingNeuralGas"][0])
    assert gng.cluster_centers_ is gng.nodes_


def test_non_finite_numbers_round_trip_exactly(tmp_path):
    X = blobs()
    model = KMeans(3, random_state=0).fit(X)
    model.inertia_ = float("inf")
    model.history_ = {"inertia": [1.5, float("nan"), float("-inf"), float("inf"), -0.0]}
    model.n_iter_ = 5  # one entry of history_ per iteration
    loaded = load(model.save(tmp_path / "kmeans"))
    assert loaded.inertia_ == math.inf
    inertia = loaded.history_["inertia"]
    assert inertia[0] == 1.5 and math.isnan(inertia[1])
    assert inertia[2:4] == [-math.inf, math.inf]
    assert math.copysign(1, inertia[4]) == -1

    som = SOM((2, 2), epochs=2, random_state=0).fit(X)
    som.history_ = {"quantization_error": [np.float32(0.5), np.nan],
                    "topographic_error": [np.float64(np.inf), 0.25]}
    loaded = load(som.save(tmp_path / "som"))
    assert loaded.history_["quantization_error"][0] == 0.5
    assert math.isnan(loaded.history_["quantization_error"][1])
    assert loaded.history_["topographic_error"] == [math.inf, 0.25]


def test_a_file_written_before_these_checks_still_loads(tmp_path):
    # As neuroclust wrote it before: format 1, n_features_in_ as a 0-d array, a NaN token
    # in a dict attribute.
    meta = {"format": "neuroclust-model", "format_version": 1, "class": "SOM",
            "params": {"shape": [1, 2], "epochs": 1, "init": "random"},
            "array_params": [], "tuple_params": ["shape"],
            "attributes": {"backend_": "numpy",
                           "history_": {"quantization_error": [float("nan")],
                                        "topographic_error": [0.0]}}}
    centres = np.array([[0.0, 0.0], [5.0, 5.0]])
    text = json.dumps(meta)
    assert "NaN" in text
    path = write(tmp_path / "old.npz", None, {
        "cluster_centers_": centres, "weights_": centres.reshape(1, 2, 2),
        "grid_positions_": np.array([[0.0, 0.0], [1.0, 0.0]]), "n_features_in_": np.array(2),
        "labels_": np.array([0, 1, 1])},
        meta_text=text)
    model = load(path)
    assert model.n_features_in_ == 2 and isinstance(model.n_features_in_, int)
    assert math.isnan(model.history_["quantization_error"][0])
    np.testing.assert_array_equal(model.predict([[0.1, 0.2], [4.0, 6.0]]), [0, 1])


# -------------------------------------------------------------------- the path
@pytest.mark.parametrize("path", [None, 123, 4.5, ["model.npz"], ""])
def test_load_and_save_want_a_file_name(saved, path):
    with pytest.raises(ValueError, match=r"^path must be a file name \(str or os.PathLike\), "
                                         r"got .*\.$"):
        load(path)
    with pytest.raises(ValueError, match=r"^path must be a file name"):
        saved["KMeans"][1].save(path)


def test_save_into_a_folder_it_cannot_write(saved, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ValueError, match=r"cannot write the model file '.*a-file/model.npz': "
                                         r"its folder '.*a-file' cannot be made"):
        saved["KMeans"][1].save(blocker / "model")
    (tmp_path / "folder.npz").mkdir()
    with pytest.raises(ValueError, match=r"folder.npz'.* it is a directory, not a regular file"):
        saved["KMeans"][1].save(tmp_path / "folder.npz")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="permissions do not stop root")
def test_save_into_a_read_only_folder(saved, tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ValueError, match=r"cannot write the model file .*read-only/m.npz' "
                                             r"\(Permission denied\)"):
            saved["KMeans"][1].save(folder / "m")
    finally:
        folder.chmod(0o700)


def test_a_failed_save_keeps_the_older_file(saved, tmp_path, monkeypatch):
    path = saved["KMeans"][1].save(tmp_path / "model")
    before = open(path, "rb").read()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", full_disk)
    with pytest.raises(ValueError, match="No space left on device"):
        saved["KMeans"][1].save(path)
    assert open(path, "rb").read() == before
    assert os.listdir(tmp_path) == ["model.npz"]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_link_to_a_device_is_refused_before_it_is_read(tmp_path, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    link = tmp_path / "model.npz"
    link.symlink_to(device)
    with pytest.raises(ValueError, match=r"is not a readable neuroclust model file \(it is a "
                                         r"link to .*, which is a device, not a regular file"):
        load(link)


def test_a_directory_a_socket_and_a_broken_link_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"it is a directory, not a regular file"):
        load(tmp_path)
    (tmp_path / "dangling.npz").symlink_to(tmp_path / "nowhere.npz")
    with pytest.raises(ValueError, match=r"is a link to .*nowhere.npz', which does not exist"):
        load(tmp_path / "dangling.npz")
    if hasattr(socket, "AF_UNIX"):
        server = socket.socket(socket.AF_UNIX)
        try:
            try:
                server.bind(str(tmp_path / "socket.npz"))
            except OSError:  # e.g. a temporary folder too deep for a socket's name
                return
            with pytest.raises(ValueError, match=r"it is a socket, not a regular file"):
                load(tmp_path / "socket.npz")
        finally:
            server.close()


def run_python(code, *args, timeout=60):
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True,
                          text=True, timeout=timeout)


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


@needs_fifo
def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    result = run_python("import sys, neuroclust\n"
                        "try:\n    neuroclust.load(sys.argv[1])\n"
                        "except ValueError as error:\n    print(error)\n", fifo, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "named pipe (FIFO), not a regular file" in result.stdout


# ------------------------------------------------------------ what a file declares
def bomb(path, member_size, declared_size=None):
    """A model archive whose cluster_centers_ member inflates to ``member_size`` bytes of
    zeros (a real deflate bomb); with ``declared_size`` its directory claims that size."""
    meta = {"format": "neuroclust-model", "format_version": 1, "class": "KMeans",
            "params": {"n_clusters": 1}, "attributes": {"n_features_in_": 1}}
    header = io.BytesIO()
    count = (member_size - 128) // 8
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (count, 1)})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("__meta__.npy", _npy_bytes(np.array(json.dumps(meta))))
        with archive.open("cluster_centers_.npy", "w", force_zip64=True) as member:
            member.write(header.getvalue())
            zeros = bytes(1 << 22)
            left = count * 8
            while left:
                member.write(zeros[:min(left, len(zeros))])
                left -= min(left, len(zeros))
    if declared_size is not None:
        _patch_declared_size(path, "cluster_centers_.npy", declared_size)
    return path


def _npy_bytes(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _patch_declared_size(path, name, size):
    """Make the central directory claim ``size`` uncompressed bytes for member ``name``."""
    data = bytearray(open(path, "rb").read())
    start = 0
    while True:
        start = data.index(b"PK\x01\x02", start)
        length = struct.unpack("<H", data[start + 28:start + 30])[0]
        if data[start + 46:start + 46 + length] == name.encode():
            break
        start += 4
    extra = struct.unpack("<H", data[start + 30:start + 32])[0]
    if struct.unpack("<I", data[start + 24:start + 28])[0] == 0xFFFFFFFF:  # zip64 sizes
        offset = start + 46 + length
        end = offset + extra
        while offset < end:
            tag, tag_length = struct.unpack("<HH", data[offset:offset + 4])
            if tag == 1:
                data[offset + 4:offset + 12] = struct.pack("<Q", size)
                break
            offset += 4 + tag_length
    else:
        data[start + 24:start + 28] = struct.pack("<I", size)
    open(path, "wb").write(bytes(data))


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    path = bomb(tmp_path / "bomb.npz", 64 << 20)
    assert os.path.getsize(path) < 1 << 20
    with pytest.raises(ValueError, match=r"would expand from [\d,]+ to 67,108,864 bytes, "
                                         r"[\d,]+ times; a model file may expand at most 100"):
        load(path)


def test_a_3_mb_archive_declaring_3_gb_is_refused(tmp_path):
    path = bomb(tmp_path / "bomb.npz", 3 << 20, declared_size=3 << 30)
    with pytest.raises(ValueError, match=r"to 3,221,225,472 bytes"):
        load(path)


def test_declared_sizes_beyond_the_memory_budget_are_refused(tmp_path, monkeypatch):
    path = KMeans(2, random_state=0).fit(blobs()).save(tmp_path / "model")
    monkeypatch.setattr(persistence, "_memory_budget", lambda: 100)
    with pytest.raises(ValueError, match=r"declares [\d,]+ bytes of arrays, more than the 100 "
                                         r"bytes of memory this process can spare"):
        load(path)


def test_the_memory_budget_is_at_most_what_is_available():
    budget = persistence._memory_budget()
    assert budget >= 1 << 26
    if os.path.exists("/proc/meminfo"):
        for line in open("/proc/meminfo"):
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
                assert budget <= max(0.7 * available, 1 << 26)


def test_a_member_larger_than_its_declared_size_is_cut_there(tmp_path):
    # zipfile stops inflating at the declared size; its checksum then fails
    path = bomb(tmp_path / "bomb.npz", 1 << 20, declared_size=4096)
    with pytest.raises(ValueError, match=r"not a readable neuroclust model file \(Bad CRC-32 "
                                         r"for file 'cluster_centers_.npy'\)"):
        load(path)


@pytest.mark.parametrize("shape", [(10 ** 11,), (10 ** 6, 10 ** 6), (-5,), (2 ** 62, 4)])
def test_an_npy_header_declaring_a_huge_shape_is_refused(tmp_path, shape):
    meta = {"format": "neuroclust-model", "format_version": 1, "class": "KMeans",
            "params": {"n_clusters": 1}, "attributes": {"n_features_in_": 1}}
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": shape})
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("__meta__.npy", _npy_bytes(np.array(json.dumps(meta))))
        archive.writestr("cluster_centers_.npy", header.getvalue() + bytes(8))
    with pytest.raises(ValueError, match=r"corrupt neuroclust model file \(its member "
                                         r"'cluster_centers_.npy' declares"):
        load(path)


def test_deeply_nested_json_is_one_sentence(saved, tmp_path):
    meta, arrays = contents_of(saved["KMeans"][0])
    text = json.dumps(meta)[:-1] + ', "deep": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = write(tmp_path / "deep.npz", None, arrays, meta_text=text)
    with pytest.raises(ValueError, match=r"its model description is nested too deeply"):
        load(path)
    text = json.dumps(meta)[:-1] + ', "deep": ' + "[" * 200 + "]" * 200 + "}"
    path = write(tmp_path / "deep.npz", None, arrays, meta_text=text)
    with pytest.raises(ValueError, match=r"nests deeper than 64 levels"):
        load(path)


@pytest.mark.parametrize("where", ["param", "key", "attribute"])
def test_a_huge_json_text_is_one_sentence(saved, tmp_path, where):
    huge = "x" * 1_000_000

    def change(meta, arrays):
        if where == "param":
            meta["params"]["init"] = huge
        elif where == "key":
            meta["attributes"][huge] = 1
        else:
            meta["attributes"]["backend_"] = huge

    path = altered(saved, "KMeans", tmp_path, change)
    with pytest.raises(ValueError, match=r"holds a text of 1,000,000 characters; at most "
                                         r"65,536 are allowed"):
        load(path)


def test_a_huge_json_integer_is_one_sentence(saved, tmp_path):
    meta, arrays = contents_of(saved["KMeans"][0])
    for digits, message in [(60, "an integer of 60 digits"), (5000, "not valid JSON")]:
        text = json.dumps(meta).replace('"n_clusters": 3', '"n_clusters": ' + "9" * digits)
        with pytest.raises(ValueError, match=message):
            load(write(tmp_path / "int.npz", None, arrays, meta_text=text))


# ---------------------------------------------------- only declared attributes
@pytest.mark.parametrize("name, attribute", [
    ("KMeans", "__class__"), ("KMeans", "__dict__"), ("KMeans", "predict"),
    ("KMeans", "fit"), ("KMeans", "unknown_"), ("KMeans", "n_clusters"),
    ("ART1", "bottom_up_weights_"), ("Autoencoder", "encoder_"),
    ("GrowingNeuralGas", "insert_every"), ("SOM", "_neighbours"),
])
def test_only_declared_attributes_can_be_set(saved, tmp_path, name, attribute):
    path = altered(saved, name, tmp_path,
                   lambda meta, arrays: meta["attributes"].update({attribute: 1}))
    with pytest.raises(ValueError, match=rf"it sets '{attribute}', which is not a fitted "
                                         rf"attribute of {name}"):
        load(path)


def test_an_array_member_cannot_set_an_undeclared_attribute(saved, tmp_path):
    path = altered(saved, "KMeans", tmp_path,
                   lambda meta, arrays: arrays.update({"__class__": np.zeros(2)}))
    with pytest.raises(ValueError, match=r"it sets '__class__', which is not a fitted"):
        load(path)
    path = altered(saved, "LatentClustering", tmp_path,
                   lambda meta, arrays: arrays.update({"nobody_.codes_": np.zeros(2)}))
    with pytest.raises(ValueError, match=r"holds an array 'nobody_.codes_' that belongs to no "
                                         r"part of the model"):
        load(path)


def test_a_value_given_twice_is_refused(saved, tmp_path):
    path = altered(saved, "KMeans", tmp_path,
                   lambda meta, arrays: meta["attributes"].update(cluster_centers_=[[0.0]]))
    with pytest.raises(ValueError, match=r"two values of cluster_centers_"):
        load(path)


@pytest.mark.parametrize("name", ["_ART", "BaseEstimator", "PrototypeClusterMixin"])
def test_a_private_or_abstract_class_is_unknown(saved, tmp_path, name):
    path = altered(saved, "FuzzyART", tmp_path, lambda meta, arrays: meta.update({"class": name}))
    with pytest.raises(ValueError, match=r"unknown model class"):
        load(path)


# -------------------------------------------------- stored arrays must match
def narrow_centres(meta, arrays):
    arrays["cluster_centers_"] = arrays["cluster_centers_"][:, :2].copy()


def set_array(name, value):
    def change(meta, arrays):
        arrays[name] = value(arrays[name]) if callable(value) else value
    return change


def set_attribute(name, value):
    return lambda meta, arrays: meta["attributes"].update({name: value})


def set_param(name, value):
    return lambda meta, arrays: meta["params"].update({name: value})


def drop_array(name):
    return lambda meta, arrays: arrays.pop(name)


CORRUPTIONS = [
    ("KMeans", narrow_centres,
     r"cluster_centers_ has shape \(3, 2\), but it must have shape \(n_clusters, "
     r"n_features_in_\) = \(3, 4\)"),
    ("KMeans", set_param("n_clusters", 5), r"\(n_clusters, n_features_in_\) = \(5, 4\)"),
    ("KMeans", set_array("labels_", lambda a: a.astype(float)), r"labels_ must hold integers"),
    ("KMeans", set_array("labels_", lambda a: a + 7), r"labels_ holds values from 7 to 9, but "
                                                      r"they must be between 0 and 2"),
    ("KMeans", set_array("labels_", lambda a: a.reshape(-1, 2)), r"labels_ has shape \(30, 2\)"),
    ("KMeans", set_array("cluster_centers_", lambda a: a.astype(np.int64)),
     r"must hold float32 or float64 numbers, got int64"),
    ("KMeans", set_array("cluster_centers_", lambda a: np.where(a > 0.5, np.nan, a)),
     r"cluster_centers_ holds NaN or infinite values"),
    ("KMeans", drop_array("cluster_centers_"), r"cluster_centers_ is missing"),
    ("KMeans", set_param("n_clusters", 10 ** 30), r"n_clusters"),
    ("KMeans", set_attribute("n_features_in_", 0), r"n_features_in_ must be >= 1, got 0"),
    ("KMeans", set_attribute("n_features_in_", 4.0), r"n_features_in_ must be an integer"),
    ("KMeans", set_attribute("n_features_in_", True), r"n_features_in_ must be an integer"),
    ("KMeans", set_attribute("n_features_in_", "4"), r"n_features_in_ must be an integer"),
    ("KMeans", set_attribute("inertia_", "low"), r"inertia_ must be a number"),
    ("KMeans", set_attribute("history_", {"a": "b"}), r"history_ must be a dict with the keys "
                                                      r"\['inertia'\], got \['a'\]"),
    ("KMeans", set_attribute("backend_", "fortran"), r"backend_ must be one of"),
    ("CompetitiveLearning", set_array("win_frequency_", np.ones(7)),
     r"win_frequency_ has shape \(7,\)"),
    ("SOM", set_array("weights_", lambda a: a.reshape(4, 3, 4)),
     r"weights_ has shape \(4, 3, 4\), but it must have shape \(rows, cols, n_features_in_\) "
     r"= \(3, 4, 4\)"),
    ("SOM", set_array("weights_", lambda a: a + 1), r"weights_ and cluster_centers_ hold "
                                                    r"different prototypes"),
    ("SOM", set_param("shape", [10 ** 11, 10 ** 11]),
     r"cluster_centers_ has shape \(12, 4\), but .* = \(10000000000000000000000, 4\)"),
    ("SOM", set_array("grid_positions_", lambda a: a * 2), r"grid_positions_ are not those of"),
    ("SOM-clusters", set_array("unit_labels_", lambda a: a + 3),
     r"unit_labels_ holds values from 3 to 5, but they must be between 0 and 2"),
    ("SOM-clusters", drop_array("unit_labels_"), r"unit_labels_ is missing"),
    ("GrowingNeuralGas", set_array("edges_", lambda a: a + 50),
     r"edges_ holds values from \d+ to \d+, but they must be between 0 and \d+"),
    ("GrowingNeuralGas", set_array("edges_", lambda a: a[:, ::-1].copy()),
     r"edges_ must list every edge once"),
    ("GrowingNeuralGas", set_array("unit_labels_", lambda a: np.arange(len(a))),
     r"unit_labels_ are not the connected components"),
    ("GrowingNeuralGas", set_attribute("n_clusters_", 7), r"n_clusters_ must be between"),
    ("GrowingNeuralGas", set_param("max_nodes", 3), r"nodes_ holds 10 nodes, but a graph has "
                                                    r"from 2 to max_nodes=3"),
    ("GrowingNeuralGas", set_array("edge_ages_", lambda a: a[:-1].copy()),
     r"edge_ages_ has shape"),
    ("FuzzyART", set_array("weights_", lambda a: a[:, :4].copy()),
     r"weights_ has shape \(\d+, 4\), but it must have shape \(n_categories_, "
     r"2 \* n_features_in_\) = \(\d+, 8\)"),
    ("FuzzyART", set_attribute("n_categories_", 40), r"\(n_categories_, 2 \* n_features_in_\) "
                                                     r"= \(40, 8\)"),
    ("FuzzyART", set_array("weights_", lambda a: a * 3), r"weights_ holds values from"),
    ("FuzzyART", set_array("labels_", lambda a: a - 5), r"labels_ holds values from -5"),
    ("FuzzyART-scaled", drop_array("data_min_"), r"data_min_ is missing"),
    ("FuzzyART-scaled", set_array("data_max_", lambda a: a - 100), r"data_min_ exceeds"),
    ("ART1", set_array("weights_", lambda a: a * 0.5), r"weights_ of ART1 must hold only 0 "
                                                       r"and 1"),
    ("FuzzyART", set_param("max_categories", 1), r"n_categories_ must be between 1 and 1, got 4"),
    ("Autoencoder", set_array("parameters_", lambda a: a[:-3].copy()),
     r"parameters_ has \d+ values, but this architecture has \d+"),
    ("Autoencoder", set_array("parameters_", lambda a: a.astype(np.float64)),
     r"parameters_ holds float64 numbers, but dtype='float32'"),
    ("Autoencoder", set_param("hidden", [10 ** 11, 10 ** 11]),
     r"parameters_ has \d+ values, but this architecture has 2000000000\d+"),
    ("Autoencoder", set_attribute("latent_dim_", 5), r"latent_dim_=5 differs from latent_dim=2"),
    ("Autoencoder-conv1d", set_attribute("input_shape_", [3, 16]),
     r"input_shape_ must be \(length,\) or \(channels, length\) with n_features_in_=32"),
    ("Autoencoder-conv1d", set_param("channels", [10 ** 9]),
     r"parameters_ has \d+ values, but this architecture has"),
    ("LatentClustering", set_array("codes_", lambda a: a[:, :1].copy()),
     r"codes_ has shape \(60, 1\), but it must have shape \(n_samples, latent_dim_\)"),
    ("LatentClustering", set_array("labels_", lambda a: a[:5].copy()), r"labels_ has shape"),
    ("LatentClustering", set_array("autoencoder_.parameters_", lambda a: a[:4].copy()),
     r"corrupt Autoencoder \(in autoencoder_\): parameters_ has 4 values"),
    ("LatentClustering", lambda meta, arrays: meta["estimators"]["autoencoder_"].update(
        {"class": "KMeans"}), r"parameters that KMeans does not accept"),
]


@pytest.mark.parametrize("name, change, message", CORRUPTIONS,
                         ids=[f"{case[0]}-{i}" for i, case in enumerate(CORRUPTIONS)])
def test_stored_arrays_are_checked_against_the_parameters(saved, tmp_path, name, change,
                                                           message):
    path = altered(saved, name, tmp_path, change)
    with pytest.raises(ValueError, match=message) as info:
        load(path)
    text = str(info.value)
    assert text.startswith(repr(path)) and "\n" not in text and text.endswith(".")


def test_an_explicit_architecture_too_large_to_build_is_refused_unbuilt(saved, tmp_path):
    def huge_layer(meta, arrays):
        meta["extra"]["encoder"][0][1] = {"n_inputs": 10 ** 6, "n_outputs": 10 ** 6}

    path = altered(saved, "Autoencoder-explicit", tmp_path, huge_layer)
    with pytest.raises(ValueError, match=r"saved architecture declares layers of "
                                         r"1,000,000,[\d,]+ values, far more than the"):
        load(path)


@pytest.mark.parametrize("name, param, value, message", [
    ("KMeans", "n_clusters", 0, r"n_clusters must be >= 1, got 0"),
    ("KMeans", "n_clusters", "three", r"n_clusters must be an integer"),
    ("SOM", "shape", [0, 3], r"shape must be two positive integers"),
    ("GrowingNeuralGas", "max_nodes", 1, r"max_nodes must be >= 2"),
    ("FuzzyART", "rho", 1.5, r"rho must be"),
    ("Autoencoder", "dtype", "float16", r"dtype must be one of"),
])
def test_parameters_the_class_rejects_are_one_sentence(saved, tmp_path, name, param, value,
                                                       message):
    path = altered(saved, name, tmp_path, set_param(param, value))
    with pytest.raises(ValueError, match=rf"holds an? {name} with parameters it rejects "
                                         rf"\(.*{message}"):
        load(path)


# ------------------------------------- stored values: type, shape and range, each named
def set_init(value):
    """Store ``value`` as the ``init`` parameter, as save writes an array parameter."""
    def change(meta, arrays):
        arrays["__param__init"] = value
        meta["array_params"].append("init")
        meta["params"]["init"] = None
    return change


def set_history(key, value):
    return lambda meta, arrays: meta["attributes"]["history_"].update({key: value})


LIES = [
    # GNG: counts the kernels can go on with, ages the algorithm keeps, finite errors
    ("GrowingNeuralGas", set_attribute("n_steps_", 2 ** 63 - 1),
     r"n_steps_ must be at most 2\*\*62 - 1 in magnitude .*, got 9223372036854775807"),
    ("GrowingNeuralGas", set_attribute("n_steps_", 2 ** 70), r"n_steps_ must be at most 2\*\*62"),
    ("GrowingNeuralGas", set_attribute("n_steps_", -1), r"n_steps_ must be >= 0, got -1"),
    ("GrowingNeuralGas", set_attribute("n_steps_", None), r"n_steps_ is None, but a fitted "
                                                          r"GrowingNeuralGas always has one"),
    ("GrowingNeuralGas", set_array("edge_ages_", lambda a: a - 100),
     r"edge_ages_ holds values from -\d+ to -?\d+, but they must be"),
    ("GrowingNeuralGas", set_array("errors_", lambda a: a * 0 + np.inf),
     r"errors_ holds NaN or infinite values"),
    ("GrowingNeuralGas", set_array("errors_", lambda a: a * 0 - 1), r"errors_ holds values "
                                                                    r"from -1.0"),
    ("GrowingNeuralGas", set_array("nodes_", lambda a: a[:1].copy()), r"nodes_ holds 1 nodes"),
    ("GrowingNeuralGas", set_attribute("n_clusters_", 2 ** 70), r"n_clusters_ must be at most"),
    # labels_: save always writes them, one per training sample
    ("KMeans", drop_array("labels_"), r"labels_ is missing"),
    ("KMeans", set_array("labels_", lambda a: a[:0].copy()), r"labels_ holds 0 label\(s\), but "
                                                             r"a fitted KMeans labels at least 3"),
    ("KMeans", set_array("labels_", np.array(1)), r"labels_ has shape \(\), but it must have "
                                                  r"shape \(n_samples,\)"),
    ("CompetitiveLearning", drop_array("labels_"), r"labels_ is missing"),
    ("SOM", drop_array("labels_"), r"labels_ is missing"),
    ("SOM", set_array("labels_", lambda a: a[:0].copy()), r"labels_ holds 0 label\(s\)"),
    ("GrowingNeuralGas", drop_array("labels_"), r"labels_ is missing"),
    ("FuzzyART", drop_array("labels_"), r"labels_ is missing"),
    ("ART1", set_array("labels_", lambda a: a[:0].copy()), r"labels_ holds 0 label\(s\)"),
    ("LatentClustering", set_array("labels_", lambda a: (a + 1) % 3),
     r"labels_ differ from clusterer_.labels_"),
    ("LatentClustering", lambda meta, arrays: arrays.update(
        codes_=arrays["codes_"][:0].copy(), labels_=arrays["labels_"][:0].copy()),
     r"codes_ holds no code"),
    # history_: the shape each model's fit writes
    ("KMeans", set_attribute("history_", -1), r"history_ must be a dict with the keys "
                                              r"\['inertia'\], got int"),
    ("KMeans", set_attribute("history_", {}), r"history_ must be a dict with the keys "
                                              r"\['inertia'\], got \[\]"),
    ("KMeans", set_attribute("history_", ["a", 1.0]), r"history_\['inertia'\] must be a list of "
                                                      r"numbers, but it holds 'a'"),
    ("KMeans", set_attribute("history_", None), r"history_ is None"),
    ("KMeans", set_attribute("history_", [1.0] * 40), r"history_ holds 40 entries, but "
                                                      r"n_iter_=\d+ counts"),
    ("CompetitiveLearning", set_attribute("history_", [[1.0]]),
     r"history_\['quantization_error'\] must be a list of numbers, but it holds \[1.0\]"),
    ("CompetitiveLearning", set_attribute("history_", {"loss": [1.0]}),
     r"history_ must be a dict with the keys \['quantization_error'\]"),
    ("SOM", set_attribute("history_", {}), r"history_ must be a dict with the keys "
                                           r"\['quantization_error', 'topographic_error'\]"),
    ("SOM", set_attribute("history_", [1, 2]), r"history_ must be a dict .*, got list"),
    ("SOM", set_history("topographic_error", [0.5]),
     r"history_\['topographic_error'\] holds 1 entries, but the other lists"),
    ("SOM", set_history("colour", [1.0]), r"history_ must be a dict with the keys"),
    ("GrowingNeuralGas", set_history("n_nodes", [2.5, 3, 4]),
     r"history_\['n_nodes'\] must be a list of integers from 0 to \d+, but it holds 2.5"),
    ("GrowingNeuralGas", set_history("quantization_error", {}),
     r"history_\['quantization_error'\] must be a list of numbers, got dict"),
    ("FuzzyART", set_history("n_changed", [-1]), r"history_\['n_changed'\] must be a list of "
                                                 r"integers"),
    ("FuzzyART", set_history("n_changed", [True]), r"history_\['n_changed'\] must be a list "
                                                   r"of integers"),
    ("Autoencoder", set_attribute("best_epoch_", 7), r"best_epoch_ must be .*1, got 7"),
    ("Autoencoder", set_attribute("best_epoch_", "last"), r"best_epoch_ must be an integer"),
    ("Autoencoder", set_history("val_loss", [0.5]), r"history_\['val_loss'\] holds 1 entries"),
    ("Autoencoder", set_history("loss", None), r"history_\['loss'\] must be a list of numbers"),
    ("Autoencoder", lambda meta, arrays: meta["attributes"]["history_"].pop("val_loss"),
     r"history_ must be a dict with the keys \['loss', 'val_loss'\]"),
    # KMeans' scalars and the backend
    ("KMeans", set_attribute("inertia_", None), r"inertia_ is None, but a fitted KMeans"),
    ("KMeans", set_attribute("inertia_", -1), r"inertia_ must be >= 0, got -1.0"),
    ("KMeans", set_attribute("inertia_", math.nan), r"inertia_ must be a number, got nan"),
    ("KMeans", set_attribute("inertia_", "bogus"), r"inertia_ must be a number, got 'bogus'"),
    ("KMeans", set_attribute("n_iter_", None), r"n_iter_ is None"),
    ("KMeans", set_attribute("n_iter_", 2 ** 70), r"n_iter_ must be at most 2\*\*62 - 1"),
    ("KMeans", set_attribute("n_iter_", 301), r"history_ holds \d+ entries, but n_iter_=301"),
    ("KMeans", set_attribute("n_iter_", 2.0), r"n_iter_ must be an integer, got 2.0"),
    ("KMeans", set_attribute("backend_", "bogus"), r"backend_ must be one of 'numpy', "
                                                   r"'cython', 'cupy', got 'bogus'"),
    ("KMeans", set_attribute("backend_", None), r"backend_ is None"),
    ("KMeans", set_attribute("n_features_in_", 2 ** 63 - 1), r"n_features_in_ must be at most"),
    # init arrays: one prototype of n_features_in_ values per unit
    ("KMeans", set_init(np.zeros((3, 2))), r"init has shape \(3, 2\), but it must have shape "
                                           r"\(n_clusters, n_features_in_\) = \(3, 4\)"),
    ("CompetitiveLearning", set_init(np.zeros((3, 7))), r"init has shape \(3, 7\), but .* = "
                                                        r"\(3, 4\)"),
    ("SOM", set_init(np.zeros((12, 2))), r"init has shape \(12, 2\), but it must have shape "
                                         r"\(rows \* cols, n_features_in_\) = \(12, 4\) or "),
    ("SOM", set_init(np.zeros((3, 4, 5))), r"init has shape \(3, 4, 5\), .* \(rows, cols, "
                                           r"n_features_in_\) = \(3, 4, 4\)"),
    # the rest of each class's attributes
    ("CompetitiveLearning", set_array("win_frequency_", lambda a: a * 2),
     r"win_frequency_ sums to 2.0, but the shares of the wins sum to 1"),
    ("CompetitiveLearning", set_array("win_frequency_", lambda a: a + 1),
     r"win_frequency_ holds values from .* but they must be between 0 and 1"),
    ("CompetitiveLearning", drop_array("win_frequency_"), r"win_frequency_ is missing"),
    ("FuzzyART", set_attribute("n_categories_", 0), r"n_categories_ must be >= 1, got 0"),
    ("FuzzyART", set_attribute("n_categories_", 2 ** 63 - 1), r"n_categories_ must be at most"),
    ("Autoencoder", set_attribute("latent_dim_", 2 ** 70), r"latent_dim_ must be at most"),
    ("Autoencoder", set_attribute("history_", None), r"history_ is None"),
]


@pytest.mark.parametrize("name, change, message", LIES,
                         ids=[f"{case[0]}-{i}" for i, case in enumerate(LIES)])
def test_stored_values_are_checked_for_type_shape_and_range(saved, tmp_path, name, change,
                                                            message):
    path = altered(saved, name, tmp_path, change)
    with pytest.raises(ValueError, match=message) as info:
        load(path)
    text = str(info.value)
    assert text.startswith(f"{path!r} holds a corrupt ") and "\n" not in text
    assert text.endswith(".")


@pytest.mark.parametrize("model", [
    KMeans(3, init=np.array([[0.2, 0.2, 0.8, 0.5], [0.8, 0.3, 0.2, 0.5], [0.5, 0.8, 0.5, 0.2]]),
           n_init=1),
    CompetitiveLearning(3, epochs=2, init=blobs()[:3].tolist(), random_state=0),
    SOM((2, 3), epochs=2, init=blobs()[:6].reshape(2, 3, 4), random_state=0),
    SOM((2, 3), epochs=2, record_history=False, random_state=0),
    Autoencoder(hidden=(6,), latent_dim=2, epochs=3, validation_split=0.2, patience=1,
                random_state=0),
    LatentClustering(Autoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0),
                     clusterer=SOM((2, 2), epochs=2, random_state=0)),
    LatentClustering(Autoencoder(hidden=(6,), latent_dim=2, epochs=2, random_state=0),
                     clusterer=FuzzyART(rho=0.3, scale=True)),
    GrowingNeuralGas(max_nodes=6, insert_every=5, max_age=2, epochs=4, random_state=0),
], ids=lambda model: type(model).__name__)
def test_what_fit_writes_passes_every_check(tmp_path, model):
    """The checks refuse lies, never a file ``save`` wrote: init arrays, an empty history,
    early stopping, nested clusterers, a graph whose edges reach max_age."""
    X = blobs()
    model.fit(X)
    loaded = load(model.save(tmp_path / "model"))
    if hasattr(model, "labels_"):
        np.testing.assert_array_equal(loaded.labels_, model.labels_)
    if hasattr(model, "history_"):
        assert loaded.history_ == model.history_


# ------------------------------------------------------ broken archives
def test_object_arrays_text_arrays_and_foreign_members_are_refused(saved, tmp_path):
    meta, arrays = contents_of(saved["KMeans"][0])
    cases = [
        (dict(arrays, labels_=np.array([{"a": 1}], dtype=object)), r"holds pickled Python"),
        (dict(arrays, labels_=np.array(["a", "b"])), r"holds <U1 values, not numbers"),
        (dict(arrays, labels_=np.zeros(2, dtype=[("a", "<f8")])), r"not numbers"),
        (dict(arrays, labels_=np.zeros(2, dtype=complex)), r"holds complex128 values"),
    ]
    for contents, message in cases:
        path = tmp_path / "bad.npz"
        np.savez(path, __meta__=np.array(json.dumps(meta)), **contents)
        with pytest.raises(ValueError, match=message):
            load(path)
    path = tmp_path / "extra-member.npz"
    write(path, meta, arrays)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match=r"its member 'readme.txt' is not an array"):
        load(path)


def test_renamed_truncated_and_flipped_files_are_one_sentence(saved, tmp_path):
    data = open(saved["KMeans"][0], "rb").read()
    for name, content in [("renamed", data.replace(b"cluster_centers_.npy",
                                                   b"xluster_centers_.npy")),
                          ("truncated", data[:len(data) // 2]),
                          ("flipped", data[:200] + bytes([data[200] ^ 0xFF]) + data[201:]),
                          ("empty", b"")]:
        path = tmp_path / f"{name}.npz"
        path.write_bytes(content)
        with pytest.raises(ValueError) as info:
            load(path)
        assert str(info.value).startswith(repr(str(path))) and "\n" not in str(info.value)


def test_a_fortran_ordered_big_endian_array_is_read_as_a_normal_one(saved, tmp_path):
    path, model, X = saved["KMeans"]
    centres = np.asfortranarray(model.cluster_centers_.astype(">f8"))
    altered_path = altered(saved, "KMeans", tmp_path,
                           set_array("cluster_centers_", centres))
    loaded = load(altered_path)
    assert loaded.cluster_centers_.flags.c_contiguous and loaded.cluster_centers_.dtype.isnative
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


# ------------------------------------------------- what used to crash: subprocesses
CRASHED = {
    "kmeans-narrow": ("KMeans", narrow_centres),
    "competitive-narrow": ("CompetitiveLearning", narrow_centres),
    "som-weights": ("SOM", lambda meta, arrays: arrays.update(
        cluster_centers_=arrays["cluster_centers_"][:, :2].copy(),
        weights_=arrays["weights_"][:, :, :2].copy())),
    "gng-edges": ("GrowingNeuralGas", set_array("edges_", lambda a: a * 1000)),
    "fuzzy-art-width": ("FuzzyART", set_array("weights_", lambda a: a[:, :2].copy())),
    "som-shape": ("SOM", set_param("shape", [10 ** 11, 10 ** 11])),
    "class-key": ("KMeans", set_attribute("__class__", "GrowingNeuralGas")),
}


@pytest.mark.parametrize("case", sorted(CRASHED))
def test_the_cli_predicts_on_a_crafted_file_with_one_line_and_exit_2(saved, tmp_path, case):
    name, change = CRASHED[case]
    path = altered(saved, name, tmp_path, change)
    data = tmp_path / "data.csv"
    np.savetxt(data, saved[name][2], delimiter=",")
    result = subprocess.run([sys.executable, "-m", "neuroclust", "predict", path, str(data)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("neuroclust: error: ") and \
        "Traceback" not in result.stderr, result.stderr
    assert repr(path) in lines[0]


@needs_fifo
def test_the_cli_refuses_a_fifo_model_with_exit_2(tmp_path):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    data = tmp_path / "data.csv"
    np.savetxt(data, blobs(), delimiter=",")
    result = subprocess.run([sys.executable, "-m", "neuroclust", "predict", str(fifo),
                             str(data)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "FIFO" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_compiled_backend_never_sees_a_narrow_model(saved, tmp_path):
    from neuroclust.backend import available_backends

    if "cython" not in available_backends():
        pytest.skip("the compiled kernels are not built here")
    path = altered(saved, "KMeans", tmp_path, narrow_centres)
    code = ("import sys, numpy as np, neuroclust\n"
            "try:\n"
            "    model = neuroclust.load(sys.argv[1])\n"
            "except ValueError as error:\n"
            "    print('refused:', error)\n"
            "else:\n"
            "    model.backend = 'cython'\n"
            "    print(model.predict(np.random.default_rng(0).random((500, 4))))\n")
    result = run_python(code, path)
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert result.stdout.startswith("refused:") and "cluster_centers_ has shape (3, 2)" in \
        result.stdout
