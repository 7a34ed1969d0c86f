"""The archive (``neuroclust/persistence/_archive.py``): only regular files are opened, what a
file declares is checked before anything is allocated, and a broken file is one sentence.

The cases that used to hang (a FIFO) run in a subprocess and assert its exit status.
"""
import io
import json
import os
import socket
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from neuroclust import KMeans, load, persistence

from persistence_helpers import (altered, blobs, contents_of, needs_fifo, run_python, set_array,
                                 write)


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


@needs_fifo
def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    result = run_python("import sys, neuroclust\n"
                        "try:\n    neuroclust.load(sys.argv[1])\n"
                        "except ValueError as error:\n    print(error)\n", fifo, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "named pipe (FIFO), not a regular file" in result.stdout


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
    monkeypatch.setattr(persistence._archive, "_memory_budget", lambda: 100)
    with pytest.raises(ValueError, match=r"declares [\d,]+ bytes of arrays, more than the 100 "
                                         r"bytes of memory this process can spare"):
        load(path)


def test_the_memory_budget_is_at_most_what_is_available():
    budget = persistence._archive._memory_budget()
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
