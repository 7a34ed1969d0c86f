"""Fuzz: valid model files of every estimator, corrupted at random, then loaded and queried.

Hypothesis draws batches of corruptions (a JSON value of another type or size, an unknown
key, deep nesting, a scalar replaced by None, -1, 2**63 - 1, 2**70, 1e300, "bogus", {} or [],
an array of another shape or dtype or with NaN, a renamed or missing member, flipped bytes, a
truncated file). One subprocess loads and queries a whole batch, so a crash cannot take pytest
down with it: every case must either raise ValueError with a one-line message or work, and a
model that loads must hold only what a fit could have written (judged against the uncorrupted
file: the same kinds of values, counts within int64, nothing missing, nothing newly NaN), also
after ``partial_fit``; the process must exit normally (never killed by a signal, never hung).
The worker runs under an address-space limit, so a file that makes the loader allocate far
more than it holds shows up as a MemoryError.
"""
import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from persistence_helpers import MODEL_NAMES, contents_of, make_model  # noqa: E402

BATCH = 30
WORKER_MEMORY = 8 << 30

WORKER = r"""
import json, sys, traceback
import numpy as np
import neuroclust
try:  # after the imports, which may reserve address space of their own
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), resource.RLIM_INFINITY))
except (ImportError, ValueError, OSError):
    pass

BACKENDS = ("numpy", "cython", "cupy")


def lie(value, good, name, limit):
    # Why `value` (a loaded attribute) could not have come from fit, judged against `good`
    # (the same attribute of the uncorrupted file); None if it could.
    if isinstance(good, neuroclust.base.BaseEstimator):
        return lies(value, good, limit) if isinstance(value, type(good)) else "not a model"
    if good is None:
        return None
    if value is None:
        return "None"
    if isinstance(good, np.ndarray):
        if not isinstance(value, np.ndarray) or value.ndim != good.ndim \
                or (value.dtype.kind in "iu") != (good.dtype.kind in "iu"):
            return f"array {getattr(value, 'shape', type(value).__name__)}"
        if good.size and not value.size:
            return "empty"
        if np.isfinite(good).all() and not np.isfinite(value).all():
            return "not finite"
        return None
    if isinstance(good, str):
        return None if value in BACKENDS else repr(value)[:40]
    if isinstance(good, bool) or isinstance(value, bool):
        return None if type(value) is type(good) else repr(value)[:40]
    if isinstance(good, int):
        return None if isinstance(value, int) and 0 <= value <= limit else repr(value)[:40]
    if isinstance(good, float):  # inertia_: may be infinite, never NaN nor negative
        return None if isinstance(value, (int, float)) and value >= 0 else repr(value)[:40]
    if isinstance(good, (list, tuple)):
        if type(value) is not type(good):
            return type(value).__name__
        ints = bool(good) and all(isinstance(item, int) for item in good)
        kinds = (int,) if ints else (int, float)
        if not all(isinstance(item, kinds) and not isinstance(item, bool) for item in value):
            return "an entry of another kind"
        return None
    if isinstance(good, dict):
        if not isinstance(value, dict) or set(value) != set(good):
            return "other keys"
        for key in good:
            why = lie(value[key], good[key], f"{name}[{key!r}]", limit)
            if why:
                return why
    return None


def lies(model, original, limit):
    # The first attribute of `model` that no fit could have written, and why.
    same_params = json.dumps(model.get_params(), default=repr) == \
        json.dumps(original.get_params(), default=repr)
    for name, good in vars(original).items():
        if not name.endswith("_") or name.startswith("_"):
            continue
        if name not in vars(model):
            if same_params:
                return f"{name} missing"
            continue
        why = lie(vars(model)[name], good, name, limit)
        if why:
            return f"{name}: {why}"
    return None


results = []
for case in json.load(open(sys.argv[1])):
    try:
        model = neuroclust.load(case["path"])
        original = neuroclust.load(case["original"])
        X = np.load(case["data"])
        why = lies(model, original, 2 ** 62 - 1)
        if why:
            results.append(["LIE", "loaded: " + why])
            continue
        for method in ("predict", "transform", "topographic_error", "reconstruct",
                       "partial_fit"):
            if callable(getattr(model, method, None)):
                getattr(model, method)(X)
        if callable(getattr(model, "distance_map", None)):
            model.distance_map()
        why = lies(model, original, 2 ** 63 - 1)  # partial_fit counts on, in int64
        results.append(["LIE", "after the queries: " + why] if why else ["ok", ""])
    except ValueError as error:
        results.append(["ValueError", str(error)])
    except BaseException as error:
        results.append(["BUG", "".join(traceback.format_exception(error))])
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    """{name: (description, arrays, path of the data to query with)} of valid files."""
    folder = tmp_path_factory.mktemp("fuzz-originals")
    found = {}
    for name in MODEL_NAMES:
        model, X = make_model(name)
        path = model.fit(X).save(folder / name)
        np.save(folder / f"{name}-X.npy", X)
        meta, arrays = contents_of(path)
        found[name] = (meta, arrays, str(folder / f"{name}-X.npy"), str(path))
    return found


# ----------------------------------------------------------------- corruptions
json_values = st.recursive(
    st.none() | st.booleans()
    | st.integers(-3, 12) | st.sampled_from([-1, 0, 10 ** 11, 2 ** 63, -(2 ** 64), 10 ** 40])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["", "numpy", "cython", "float32", "k-means++", "x" * 70_000])
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6)

DTYPES = ["int8", "int64", "uint64", "float16", "float32", "float64", "bool", "complex64",
          ">f8", "<U3"]
SHAPE_CHANGES = ["transpose", "drop_row", "drop_column", "add_axis", "flatten", "empty",
                 "scalar", "double_rows", "fortran"]
VALUES = [math.nan, math.inf, -math.inf, -1, 10 ** 9, 0.5, 1e308, -2 ** 40]
# what a hostile file puts in place of a JSON number, text or flag (json_scalar)
SCALARS = [None, -1, 0, 2 ** 63 - 1, 2 ** 63, 2 ** 70, -(2 ** 70), 1e300, -1e300, math.nan,
           math.inf, 0.5, True, "bogus", "numpy", {}, [], [1.0], {"a": [1]}]
NAMES = ["__class__", "__dict__", "predict", "unknown_", "x.y", "labels_", "weights_",
         "autoencoder_.parameters_", "__param__init", "cluster_centers_"]

operation = st.one_of(
    st.tuples(st.just("json_set"), st.integers(0, 10 ** 6), json_values),
    st.tuples(st.just("json_delete"), st.integers(0, 10 ** 6)),
    st.tuples(st.just("json_add"), st.sampled_from(["", "params", "attributes", "extra"]),
              st.sampled_from(NAMES + ["colour"]), json_values),
    st.tuples(st.just("json_number"), st.integers(0, 10 ** 6),
              st.sampled_from([0, -1, 1, 2, 7, 10 ** 11, 0.5, math.nan, math.inf])),
    st.tuples(st.just("json_scalar"), st.integers(0, 10 ** 6), st.sampled_from(SCALARS)),
    st.tuples(st.just("deep"), st.integers(0, 10 ** 6), st.sampled_from([65, 500, 100_000])),
    st.tuples(st.just("array_shape"), st.integers(0, 10 ** 6), st.sampled_from(SHAPE_CHANGES)),
    st.tuples(st.just("array_dtype"), st.integers(0, 10 ** 6), st.sampled_from(DTYPES)),
    st.tuples(st.just("array_value"), st.integers(0, 10 ** 6), st.integers(0, 10 ** 6),
              st.sampled_from(VALUES)),
    st.tuples(st.just("array_rename"), st.integers(0, 10 ** 6), st.sampled_from(NAMES)),
    st.tuples(st.just("array_delete"), st.integers(0, 10 ** 6)),
)
raw_operation = st.one_of(  # mostly none: flipped bytes mostly stop at the zip checksums
    st.none(), st.none(), st.none(), st.none(),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255)),
    st.tuples(st.just("truncate"), st.floats(0, 1)),
)
case = st.tuples(st.sampled_from(MODEL_NAMES), st.lists(operation, min_size=1, max_size=3),
                 raw_operation)


def json_locations(value, path=()):
    """Every (container path, key) in a JSON value, parents before children."""
    found = []
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, inner in items:
        found.append((path, key))
        found += json_locations(inner, path + (key,))
    return found


def container(meta, path):
    for key in path:
        meta = meta[key]
    return meta


DEEP = "\u0000deep\u0000"


def apply(meta, arrays, op):
    """Apply one corruption to a description and its arrays (in place); returns the depth
    of nesting to splice into the JSON text, if any."""
    kind = op[0]
    locations = json_locations(meta)
    keys = sorted(arrays)
    if kind == "json_scalar":  # a value that is no list nor dict, often a fitted attribute's
        scalars = [(path, key) for path, key in locations
                   if not isinstance(container(meta, path)[key], (list, dict))]
        if scalars:
            path, key = scalars[op[1] % len(scalars)]
            container(meta, path)[key] = op[2]
        return None
    if kind in ("json_set", "json_delete", "json_number", "deep") and locations:
        path, key = locations[op[1] % len(locations)]
        parent = container(meta, path)
        if kind == "json_set":
            parent[key] = op[2]
        elif kind == "json_number":
            parent[key] = op[2]
        elif kind == "deep":
            parent[key] = DEEP
            return op[2]
        else:
            del parent[key]
    elif kind == "json_add":
        target = meta.get(op[1], None) if op[1] else meta
        if isinstance(target, dict):
            target[op[2]] = op[3]
    elif kind.startswith("array") and keys:
        key = keys[op[1] % len(keys)]
        array = arrays[key]
        if kind == "array_shape":
            change = op[2]
            if change == "transpose":
                array = array.T.copy()
            elif change == "drop_row" and array.ndim:
                array = array[:-1].copy()
            elif change == "drop_column" and array.ndim > 1:
                array = array[:, :-1].copy()
            elif change == "add_axis":
                array = array[None]
            elif change == "flatten":
                array = array.ravel()
            elif change == "empty":
                array = array.reshape(-1)[:0]
            elif change == "scalar":
                array = np.array(array.reshape(-1)[0] if array.size else 0)
            elif change == "double_rows" and array.ndim:
                array = np.concatenate([array, array])
            elif change == "fortran":
                array = np.asfortranarray(array)
        elif kind == "array_dtype":
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    array = array.astype(op[2]) if op[2] != "<U3" else array.astype(str)
            except (TypeError, ValueError):  # e.g. text that is no number
                pass
        elif kind == "array_value" and array.size:
            try:
                array = array.astype(np.result_type(array.dtype, type(op[3])), copy=True)
                array.reshape(-1)[op[2] % array.size] = op[3]
            except (OverflowError, ValueError, TypeError):
                pass
        elif kind == "array_rename":
            arrays[op[2]] = arrays.pop(key)
            return None
        elif kind == "array_delete":
            del arrays[key]
            return None
        arrays[key] = array
    return None


def write_case(path, meta, arrays, ops, raw):
    depth = None
    for op in ops:
        depth = apply(meta, arrays, op) or depth
    text = json.dumps(meta)
    if depth:
        text = text.replace(json.dumps(DEEP), "[" * depth + "]" * depth, 1)
    np.savez(path, __meta__=np.array(text), **arrays)
    if raw is not None:
        data = bytearray(open(path, "rb").read())
        if raw[0] == "flip" and data:
            data[int(raw[1] * (len(data) - 1))] ^= raw[2]
        elif raw[0] == "truncate":
            data = data[:int(raw[1] * len(data))]
        open(path, "wb").write(bytes(data))


def run_batch(folder, originals, cases):
    jobs = []
    for number, (name, ops, raw) in enumerate(cases):
        meta, arrays, data, original = originals[name]
        meta = json.loads(json.dumps(meta))
        arrays = {key: value.copy() for key, value in arrays.items()}
        path = os.path.join(folder, f"case-{number}.npz")
        write_case(path, meta, arrays, ops, raw)
        jobs.append({"path": path, "data": data, "original": original})
    with open(os.path.join(folder, "cases.json"), "w") as handle:
        json.dump(jobs, handle)
    environment = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                       MKL_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "-c", WORKER, os.path.join(folder, "cases.json"),
                             str(WORKER_MEMORY)], capture_output=True, text=True,
                            timeout=120, env=environment)
    assert result.returncode == 0, (f"the worker died (return code {result.returncode}) on "
                                    f"one of {cases!r}: {result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(cases=st.lists(case, min_size=BATCH, max_size=BATCH))
def test_corrupt_files_load_or_give_one_sentence(originals, tmp_path_factory, cases):
    folder = str(tmp_path_factory.mktemp("fuzz"))
    results = run_batch(folder, originals, cases)
    assert len(results) == len(cases)
    for (outcome, message), drawn in zip(results, cases):
        assert outcome in ("ok", "ValueError"), f"{drawn!r}:\n{message}"
        if outcome == "ValueError":
            assert message and "\n" not in message, f"{drawn!r}: {message!r}"


def test_the_uncorrupted_files_all_work(originals, tmp_path):
    cases = [(name, [("json_add", "", "note_", None)], None) for name in MODEL_NAMES]
    # an unknown top-level key is ignored; nothing else changed
    results = run_batch(str(tmp_path), originals, cases)
    assert [outcome for outcome, _ in results] == ["ok"] * len(MODEL_NAMES), results
