# cython: language_level=3
# Inline helpers shared by the compiled kernels (csrc/distances.pyx, competitive.pyx, som.pyx,
# gng.pyx, art.pyx): the O(1) argument checks, the checked allocation, the thread clamp and the
# squared distance. Everything here is ``inline``, so each extension compiles its own copy and
# no call crosses a module boundary.
#
# Conventions of every kernel, after scikit-learn's k-means: ``floating`` serves float32 and
# float64 from one source; arguments are tagged IN / OUT / INOUT; a tie goes to the lowest index.
# Every kernel checks, before it releases the GIL, what it can check in O(1) (shapes, counts,
# capacities) and that its index arrays lie in range, so that no call can read or write outside
# its arrays; every allocation is checked and a failed one raises MemoryError. The wrappers in
# ``neuroclust/backend/cython.py`` check the rest (dtypes, layouts, the ranges of the parameters)
# and give the same sentences as the NumPy reference: call the kernels through them.
#
from cython cimport floating
from libc.stdlib cimport malloc

cdef extern from *:
    """
    #ifndef NEUROCLUST_BOUNDSCHECK
    #define NEUROCLUST_BOUNDSCHECK 0
    #endif
    """
    # 1 in the build made with NEUROCLUST_BOUNDSCHECK=1 (see setup.py)
    int NEUROCLUST_BOUNDSCHECK
    const Py_ssize_t PY_SSIZE_T_MAX

cdef enum:
    INT_MAX = 2147483647  # BLAS and the vector loops count rows and features in C ints
    WIDE_ROW = 48         # features from which the out-of-line, CPU-dispatched loops pay off


cdef inline int check_width(str kernel, Py_ssize_t n_features, Py_ssize_t w_features,
                            str w_name, Py_ssize_t n_units, Py_ssize_t minimum) except -1:
    """O(1) shape checks shared by the kernels (see ``backend/_checks.py`` for the full set)."""
    if n_features < 1:
        raise ValueError(f"{kernel}: X must have at least one feature (column), got 0.")
    if w_features != n_features:
        raise ValueError(f"{kernel}: {w_name} must have as many features (columns) as X "
                         f"({n_features}), got {w_features}.")
    if n_units < minimum:
        raise ValueError(f"{kernel}: {w_name} must hold at least {minimum} row(s), got "
                         f"{n_units}.")
    if n_units > INT_MAX or n_features > INT_MAX:
        raise ValueError(f"{kernel}: {w_name} of {n_units} rows and {n_features} features is "
                         f"more than the compiled kernels can count.")
    return 0


cdef inline int check_length(str kernel, str name, Py_ssize_t length,
                             Py_ssize_t expected) except -1:
    if length != expected:
        raise ValueError(f"{kernel}: {name} must have {expected} entries, got {length}.")
    return 0


cdef inline int check_range(str kernel, str name, const long long[::1] indices,
                            Py_ssize_t upper) except -1:
    """Every index in [0, upper): one pass, before any of them is used."""
    cdef Py_ssize_t k, n = indices.shape[0]
    cdef long long low = 0, high = 0, value
    with nogil:
        if n > 0:
            low = indices[0]
            high = indices[0]
        for k in range(1, n):
            value = indices[k]
            if value < low:
                low = value
            elif value > high:
                high = value
    if n > 0 and (low < 0 or high >= upper):
        raise ValueError(f"{kernel}: {name} must hold indices in [0, {upper}), but it has "
                         f"values from {low} to {high}.")
    return 0


cdef inline void *allocate(Py_ssize_t count, Py_ssize_t size, Py_ssize_t itemsize, str kernel,
                           str what) except NULL:
    """malloc of ``count * size`` items, or MemoryError with a sentence (also on overflow)."""
    cdef void *memory
    cdef Py_ssize_t n_bytes
    count = max(count, 1)
    size = max(size, 1)
    if size > PY_SSIZE_T_MAX // itemsize // count:
        raise MemoryError(f"{kernel} cannot allocate {what}: {count} x {size} items of "
                          f"{itemsize} bytes are more bytes than a size can count.")
    n_bytes = count * size * itemsize
    memory = malloc(<size_t> n_bytes)
    if memory == NULL:
        raise MemoryError(f"{kernel} could not allocate {n_bytes} bytes "
                          f"({<double> n_bytes / 2**30:.3g} GiB) for {what}.")
    return memory


cdef inline int clamp_threads(int n_threads, Py_ssize_t work_items) noexcept:
    """At least one thread, and none more than there are items (chunks, units) of work."""
    if n_threads > work_items:
        n_threads = <int> work_items
    return n_threads if n_threads >= 1 else 1


cdef inline floating squared_distance(
    const floating *x, const floating *w, Py_ssize_t n_features,
) noexcept nogil:
    # Four partial sums let the compiler keep several vector lanes busy without -ffast-math.
    cdef floating s0 = 0, s1 = 0, s2 = 0, s3 = 0, diff
    cdef Py_ssize_t f = 0
    while f + 4 <= n_features:
        diff = x[f] - w[f]
        s0 = s0 + diff * diff
        diff = x[f + 1] - w[f + 1]
        s1 = s1 + diff * diff
        diff = x[f + 2] - w[f + 2]
        s2 = s2 + diff * diff
        diff = x[f + 3] - w[f + 3]
        s3 = s3 + diff * diff
        f += 4
    while f < n_features:
        diff = x[f] - w[f]
        s0 = s0 + diff * diff
        f += 1
    return (s0 + s1) + (s2 + s3)
