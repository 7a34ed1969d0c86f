"""The distance kernels: the compiled ``bmu``, ``accumulate``, ``bmu_accumulate`` and ``two_nearest``
(csrc/distances.pyx) against the NumPy reference (backend/reference/distances.py), on
hypothesis-generated inputs.

The rules are DESIGN.md's ("Kernels: three implementations of one function"):

- float64: the winners are identical to the reference's;
- float32: the BLAS expansion may pick another unit when two are nearly equidistant, so the
  chosen unit's true distance (computed in float64) must be within a tolerance of the minimum;
- returned distances, sums and updated weights are ``allclose``; counts are equal;
- a tie goes to the lowest index, in both implementations (``two_nearest``'s second unit too);
- 1 thread and 2 threads give identical winners and ``allclose`` sums.

Shapes go up to 700 rows so that several 256-row chunks and a ragged last chunk occur; inputs
come C-ordered, Fortran-ordered and strided, and data sit around 0 or around 1000 (uncentred).
"""
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from kernel_helpers import DTYPES, W_LAYOUTS, X_LAYOUTS, layout
from neuroclust.backend import available_backends, reference

if "cython" not in available_backends():
    pytest.skip("the compiled kernels (neuroclust._kernels) are not built; run "
                "`python setup.py build_ext --inplace`", allow_module_level=True)

from neuroclust.backend import cython as cy  # noqa: E402  (needs the compiled kernels)


@dataclass
class Problem:
    X: np.ndarray        # (n_samples, n_features), possibly non-contiguous
    W: np.ndarray        # (n_units, n_features), possibly non-contiguous
    seed: int


@st.composite
def problems(draw, min_samples=1, max_samples=700, max_features=40, max_units=30):
    n_samples = draw(st.integers(min_samples, max_samples))
    n_features = draw(st.integers(1, max_features))
    n_units = draw(st.integers(1, max_units))
    dtype = draw(st.sampled_from(DTYPES))
    offset = draw(st.sampled_from([0.0, 1000.0]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    X = (rng.normal(scale=3.0, size=(n_samples, n_features)) + offset).astype(dtype)
    W = (rng.normal(scale=3.0, size=(n_units, n_features)) + offset).astype(dtype)
    X = layout(X, draw(st.sampled_from(X_LAYOUTS)), rng)
    W = layout(W, draw(st.sampled_from(W_LAYOUTS)), rng)
    return Problem(X, W, seed)


threads = st.sampled_from([1, 2])


def true_squared_distances(X, W):
    """(n_samples, n_units) squared distances in float64, straight from the differences."""
    X = np.asarray(X, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    return ((X[:, None, :] - W[None, :, :]) ** 2).sum(axis=-1)


def float32_tolerance(X, W):
    """Per sample, how far a float32 winner's true distance may exceed the minimum.

    The score ||w - m||^2 - 2 (x - m).(w - m) is summed over n_features terms in float32, each
    rounded with relative error eps, so its error is at most about
    (n_features + 2) eps (||x - m||^2 + ||w - m||^2); two scores are compared, hence 4x.
    """
    X64, W64 = X.astype(np.float64), W.astype(np.float64)
    centre = W64.mean(axis=0)
    x_sq = ((X64 - centre) ** 2).sum(axis=1)
    w_sq = ((W64 - centre) ** 2).sum(axis=1).max()
    return 4 * (X.shape[1] + 2) * np.finfo(np.float32).eps * (x_sq + w_sq)


def summation_tolerance(X, labels, n_units):
    """Per unit, a bound on the rounding error of summing its rows in any order:
    n_j * eps * sum_i |x_i| (shape (n_units, n_features))."""
    eps = np.finfo(X.dtype).eps
    abs_sums = np.zeros((n_units, X.shape[1]))
    np.add.at(abs_sums, labels, np.abs(X.astype(np.float64)))
    counts = np.bincount(labels, minlength=n_units)
    return counts[:, None] * eps * abs_sums + np.finfo(X.dtype).tiny


def assert_winners_valid(X, W, index, reference_index):
    """DESIGN.md's rule: identical in float64; nearest within tolerance in float32."""
    assert index.dtype == np.int64 and index.shape == (X.shape[0],)
    assert ((0 <= index) & (index < W.shape[0])).all()
    if X.dtype == np.float64:
        np.testing.assert_array_equal(index, reference_index)
    else:
        truth = true_squared_distances(X, W)
        excess = truth[np.arange(len(index)), index] - truth.min(axis=1)
        assert (excess <= float32_tolerance(X, W)).all(), excess.max()


def assert_distances_valid(X, W, index, distance):
    """The returned distance is the chosen unit's, computed in X's dtype."""
    assert distance.dtype == X.dtype
    truth = true_squared_distances(X, W)[np.arange(len(index)), index]
    rtol = 1e-12 if X.dtype == np.float64 else 1e-5
    np.testing.assert_allclose(distance, truth, rtol=rtol, atol=1e-30)


# --- bmu -----------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(problem=problems(), n_threads=threads)
def test_bmu_matches_reference(problem, n_threads):
    X, W = problem.X, problem.W
    X_before, W_before = X.copy(), W.copy()
    ref_index, ref_distance = reference.bmu(X, W)
    index, distance = cy.bmu(X, W, n_threads=n_threads)
    assert_winners_valid(X, W, index, ref_index)
    assert_distances_valid(X, W, index, distance)
    same = index == ref_index
    rtol = 1e-12 if X.dtype == np.float64 else 1e-5
    np.testing.assert_allclose(distance[same], ref_distance[same], rtol=rtol, atol=1e-30)
    # The inputs are read, never written.
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(W, W_before)


# More than one 256-row chunk, so that the second thread has work.
multi_chunk = problems(min_samples=257)


@settings(max_examples=30, deadline=None)
@given(problem=multi_chunk)
def test_bmu_one_and_two_threads_agree(problem):
    index_1, distance_1 = cy.bmu(problem.X, problem.W, n_threads=1)
    index_2, distance_2 = cy.bmu(problem.X, problem.W, n_threads=2)
    np.testing.assert_array_equal(index_1, index_2)
    np.testing.assert_array_equal(distance_1, distance_2)


def test_bmu_default_thread_count_and_float64_prototypes_for_float32_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 7)).astype(np.float32)
    W = rng.normal(size=(9, 7))          # float64: cast to X's dtype by the wrapper
    index, distance = cy.bmu(X, W)       # n_threads=None: the default
    assert distance.dtype == np.float32
    assert_winners_valid(X, W.astype(np.float32), index, None)


# --- accumulate ----------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(problem=problems(), n_threads=threads, data=st.data())
def test_accumulate_matches_reference(problem, n_threads, data):
    X, n_units = problem.X, problem.W.shape[0]
    rng = np.random.default_rng(problem.seed + 1)
    # Some units may get no samples at all when n_units is large.
    labels = rng.integers(0, n_units, size=X.shape[0])
    if data.draw(st.booleans(), label="labels as int32, strided"):
        labels = np.repeat(labels.astype(np.int32), 2)[::2]
    ref_sums, ref_counts = reference.accumulate(X, labels, n_units)
    sums, counts = cy.accumulate(X, labels, n_units, n_threads=n_threads)
    assert sums.shape == (n_units, X.shape[1]) and sums.dtype == X.dtype
    assert counts.dtype == np.int64
    np.testing.assert_array_equal(counts, ref_counts)
    tolerance = summation_tolerance(X, np.asarray(labels, dtype=np.int64), n_units)
    assert (np.abs(sums.astype(np.float64) - ref_sums) <= 2 * tolerance).all()


@settings(max_examples=25, deadline=None)
@given(problem=multi_chunk)
def test_accumulate_one_and_two_threads_agree(problem):
    X, n_units = problem.X, problem.W.shape[0]
    labels = np.random.default_rng(problem.seed).integers(0, n_units, size=X.shape[0])
    sums_1, counts_1 = cy.accumulate(X, labels, n_units, n_threads=1)
    sums_2, counts_2 = cy.accumulate(X, labels, n_units, n_threads=2)
    np.testing.assert_array_equal(counts_1, counts_2)
    tolerance = summation_tolerance(X, labels, n_units)
    assert (np.abs(sums_1.astype(np.float64) - sums_2) <= 2 * tolerance).all()


# --- bmu_accumulate ------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(problem=problems(), n_threads=threads)
def test_bmu_accumulate_equals_bmu_then_accumulate(problem, n_threads):
    X, W = problem.X, problem.W
    n_units = W.shape[0]
    index, distance, sums, counts = cy.bmu_accumulate(X, W, n_threads=n_threads)
    # The same winners and distances as the separate kernel (same chunks, same arithmetic)...
    bmu_index, bmu_distance = cy.bmu(X, W, n_threads=n_threads)
    np.testing.assert_array_equal(index, bmu_index)
    np.testing.assert_array_equal(distance, bmu_distance)
    # ...the sums and counts of those winners...
    acc_sums, acc_counts = reference.accumulate(X, index, n_units)
    np.testing.assert_array_equal(counts, acc_counts)
    tolerance = summation_tolerance(X, index, n_units)
    assert (np.abs(sums.astype(np.float64) - acc_sums) <= 2 * tolerance).all()
    # ...and winners valid against the reference's fused kernel.
    ref_index, _, _, ref_counts = reference.bmu_accumulate(X, W)
    assert_winners_valid(X, W, index, ref_index)
    if X.dtype == np.float64:
        np.testing.assert_array_equal(counts, ref_counts)


@settings(max_examples=20, deadline=None)
@given(problem=multi_chunk)
def test_bmu_accumulate_one_and_two_threads_agree(problem):
    X, W = problem.X, problem.W
    index_1, distance_1, sums_1, counts_1 = cy.bmu_accumulate(X, W, n_threads=1)
    index_2, distance_2, sums_2, counts_2 = cy.bmu_accumulate(X, W, n_threads=2)
    np.testing.assert_array_equal(index_1, index_2)
    np.testing.assert_array_equal(distance_1, distance_2)
    np.testing.assert_array_equal(counts_1, counts_2)
    tolerance = summation_tolerance(X, index_1, W.shape[0])
    assert (np.abs(sums_1.astype(np.float64) - sums_2) <= 2 * tolerance).all()


def test_compiled_kernels_with_more_threads_than_chunks():
    # The compiled kernels called directly, so that no wrapper lowers the thread count:
    # threads left without a chunk must contribute nothing (zero partial sums).
    from neuroclust import _kernels

    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 4))          # two chunks
    W = rng.normal(size=(6, 4))
    ref_index, ref_distance, ref_sums, ref_counts = reference.bmu_accumulate(X, W)
    for n_threads in (1, 2, 4):
        index, distance = _kernels.distances.bmu(X, W, n_threads)
        np.testing.assert_array_equal(index, ref_index)
        np.testing.assert_allclose(distance, ref_distance, rtol=1e-12)
        sums, counts = _kernels.distances.accumulate(X, ref_index, 6, n_threads)
        np.testing.assert_array_equal(counts, ref_counts)
        np.testing.assert_allclose(sums, ref_sums, rtol=1e-12, atol=1e-12)
        two = _kernels.distances.two_nearest(X, W, n_threads)
        np.testing.assert_array_equal(two[0], ref_index)
        np.testing.assert_array_equal(two[1], reference.two_nearest(X, W)[1])
        fused = _kernels.distances.bmu_accumulate(X, W, n_threads)
        np.testing.assert_array_equal(fused[0], ref_index)
        np.testing.assert_array_equal(fused[3], ref_counts)
        np.testing.assert_allclose(fused[2], ref_sums, rtol=1e-12, atol=1e-12)


# --- two_nearest ---------------------------------------------------------------------------

def assert_two_nearest_valid(X, W, result, reference_result):
    """First as bmu's rule; second: identical in float64, and in float32 its true distance
    within tolerance of the second smallest; both distances those of the chosen units."""
    first, second, first_distance, second_distance = result
    assert_winners_valid(X, W, first, reference_result[0])
    assert_distances_valid(X, W, first, first_distance)
    assert second.dtype == np.int64 and second.shape == (X.shape[0],)
    assert second_distance.dtype == X.dtype
    if W.shape[0] == 1:   # no second unit: the reference's answer
        assert (second == 0).all() and np.isinf(second_distance).all()
        return
    assert (second != first).all()
    assert ((0 <= second) & (second < W.shape[0])).all()
    assert_distances_valid(X, W, second, second_distance)
    if X.dtype == np.float64:
        np.testing.assert_array_equal(second, reference_result[1])
    else:
        truth = true_squared_distances(X, W)
        runner_up = np.sort(truth, axis=1)[:, 1]
        excess = truth[np.arange(len(second)), second] - runner_up
        assert (excess <= float32_tolerance(X, W)).all(), excess.max()


@settings(max_examples=60, deadline=None)
@given(problem=problems(), n_threads=threads)
def test_two_nearest_matches_reference(problem, n_threads):
    X, W = problem.X, problem.W
    X_before, W_before = X.copy(), W.copy()
    expected = reference.two_nearest(X, W)
    result = cy.two_nearest(X, W, n_threads=n_threads)
    assert_two_nearest_valid(X, W, result, expected)
    # The reference obeys the same rules, and its first unit is its bmu's.
    assert_two_nearest_valid(X, W, expected, expected)
    np.testing.assert_array_equal(expected[0], reference.bmu(X, W)[0])
    # The first unit and its distance are the compiled bmu's: same chunks, same arithmetic.
    index, distance = cy.bmu(X, W, n_threads=n_threads)
    np.testing.assert_array_equal(result[0], index)
    np.testing.assert_array_equal(result[2], distance)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(W, W_before)


@settings(max_examples=25, deadline=None)
@given(problem=multi_chunk)
def test_two_nearest_one_and_two_threads_agree(problem):
    one = cy.two_nearest(problem.X, problem.W, n_threads=1)
    two = cy.two_nearest(problem.X, problem.W, n_threads=2)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", DTYPES)
def test_two_nearest_of_a_single_prototype(dtype):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 3)).astype(dtype)
    W = rng.normal(size=(1, 3)).astype(dtype)
    for first, second, first_distance, second_distance in (reference.two_nearest(X, W),
                                                            cy.two_nearest(X, W, n_threads=2)):
        assert (first == 0).all() and (second == 0).all()
        assert_distances_valid(X, W, first, first_distance)
        assert np.isinf(second_distance).all() and second_distance.dtype == dtype


def test_two_nearest_hand_worked_example():
    # x = 0 ties between -1 and +1 (units 0 and 1); x = 4.5 is nearest 5 (unit 2) then 3 (unit 3).
    X = np.array([[0.0], [4.5], [3.1]])
    W = np.array([[1.0], [-1.0], [5.0], [3.0]])
    for module in (reference, cy):
        first, second, first_distance, second_distance = module.two_nearest(X, W)
        np.testing.assert_array_equal(first, [0, 2, 3])
        np.testing.assert_array_equal(second, [1, 3, 2])
        np.testing.assert_allclose(first_distance, [1.0, 0.25, 0.01], rtol=1e-12)
        np.testing.assert_allclose(second_distance, [1.0, 2.25, 3.61], rtol=1e-12)


# --- ties ----------------------------------------------------------------------------------

@st.composite
def tied_problems(draw, max_features=40, max_pool=14, max_copies=2):
    """Integer data and prototypes in which every pool row appears ``copies`` times, plus one
    row that makes the prototypes' mean exactly zero: all arithmetic is then exact in float32
    and float64, so equal true distances give equal scores and the tie rule alone decides."""
    n_samples = draw(st.integers(1, 700))
    n_features = draw(st.integers(1, max_features))
    n_pool = draw(st.integers(1, max_pool))
    copies = draw(st.integers(2, max_copies))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pool = rng.integers(-3, 4, size=(n_pool, n_features))
    body = pool[rng.permutation(np.repeat(np.arange(n_pool), copies))]
    W = np.vstack([body, -body.sum(axis=0, keepdims=True)])
    # The first sample sits on a pool row, so it is certainly tied between that row's copies.
    X = np.vstack([pool[rng.integers(0, n_pool, size=1)],
                   rng.integers(-3, 4, size=(n_samples - 1, n_features))])
    return X, W


def assert_ties_go_to_the_lowest_index(X, W, n_threads):
    """Every kernel's winner is the first of the exactly equal nearest units, and
    two_nearest's second unit the first nearest of the others."""
    truth = true_squared_distances(X, W)
    first_minimum = truth.argmin(axis=1)   # numpy's argmin: the first of equal minima
    tied = (truth == truth.min(axis=1, keepdims=True)).sum(axis=1) > 1
    assert tied[0]
    for index in (reference.bmu(X, W)[0],
                  cy.bmu(X, W, n_threads=n_threads)[0],
                  cy.bmu_accumulate(X, W, n_threads=n_threads)[0]):
        np.testing.assert_array_equal(index, first_minimum)
    rows = np.arange(len(X))
    without_first = truth.copy()
    without_first[rows, first_minimum] = np.inf
    second_minimum = without_first.argmin(axis=1) if W.shape[0] > 1 else np.zeros(len(X), int)
    for first, second, _, _ in (reference.two_nearest(X, W),
                                cy.two_nearest(X, W, n_threads=n_threads)):
        np.testing.assert_array_equal(first, first_minimum)
        np.testing.assert_array_equal(second, second_minimum)
    winners = cy.wta_online(X, W.copy(), np.zeros(1, dtype=np.int64), 0.5)
    assert winners[0] == first_minimum[0]


@settings(max_examples=40, deadline=None)
@given(problem=tied_problems(), dtype=st.sampled_from(DTYPES), n_threads=threads)
def test_ties_go_to_the_lowest_index(problem, dtype, n_threads):
    X, W = (A.astype(dtype) for A in problem)
    assert_ties_go_to_the_lowest_index(X, W, n_threads)


@settings(max_examples=60, deadline=None)
@given(problem=tied_problems(max_features=5, max_pool=40, max_copies=4),
       dtype=st.sampled_from(DTYPES), n_threads=threads)
def test_ties_go_to_the_lowest_index_across_blocks_of_units(problem, dtype, n_threads):
    """Up to 161 units in 1 to 5 features, so that many rows tie: the compiled search takes
    the units in blocks of 16 (csrc/argmin.h), a tie may fall inside a block, across two
    blocks or in the units after the last whole block, and the copies of a unit may stand on
    either side of the winner (two_nearest's second unit)."""
    X, W = (A.astype(dtype) for A in problem)
    assert_ties_go_to_the_lowest_index(X, W, n_threads)


# --- wta_online ----------------------------------------------------------------------------
