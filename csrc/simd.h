/* Small vector loops for the SOM kernel, written once per dtype, and a thread barrier.
 *
 * `#pragma omp simd reduction` lets the compiler vectorise the sums without -ffast-math
 * (build with -fopenmp-simd; without it the pragmas are ignored and the loops stay correct).
 */
#ifndef NEUROCLUST_SIMD_H
#define NEUROCLUST_SIMD_H

/* Long rows get AVX2+FMA clones chosen at run time where the compiler and CPU have them; the
 * "default" clone is the portable build, so an installed copy runs on any x86-64. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define NC_WIDE __attribute__((target_clones("arch=haswell", "default"), noinline))
#else
#define NC_WIDE
#endif

#define NEUROCLUST_DEFINE(T, SUFFIX, QUALIFIERS, NAME)                                      \
/* w += a * (x - w); returns ||w||^2 and w . next (next may be NULL) of the updated w. */     \
QUALIFIERS void nc_update##NAME##_##SUFFIX(T *w, const T *x, const T *next, T a, int n,         \
                                      T *norm_out, T *dot_out) {                            \
    T norm = 0, dot = 0;                                                                     \
    if (n <= 4) {  /* 2-D and 3-D data: a plain loop beats a vector body and its epilogue */   \
        for (int f = 0; f < n; f++) {                                                        \
            T v = w[f] + a * (x[f] - w[f]);                                                  \
            w[f] = v;                                                                        \
            norm += v * v;                                                                   \
            if (next) dot += v * next[f];                                                    \
        }                                                                                    \
    } else if (next) {                                                                       \
        _Pragma("omp simd reduction(+:norm, dot)")                                           \
        for (int f = 0; f < n; f++) {                                                        \
            T v = w[f] + a * (x[f] - w[f]);                                                  \
            w[f] = v;                                                                        \
            norm += v * v;                                                                   \
            dot += v * next[f];                                                              \
        }                                                                                    \
    } else {                                                                                 \
        _Pragma("omp simd reduction(+:norm)")                                                \
        for (int f = 0; f < n; f++) {                                                        \
            T v = w[f] + a * (x[f] - w[f]);                                                  \
            w[f] = v;                                                                        \
            norm += v * v;                                                                   \
        }                                                                                    \
    }                                                                                        \
    *norm_out = norm;                                                                        \
    *dot_out = dot;                                                                          \
}                                                                                            \
QUALIFIERS T nc_dot##NAME##_##SUFFIX(const T *a, const T *b, int n) {                            \
    T dot = 0;                                                                               \
    if (n <= 4) {                                                                            \
        for (int f = 0; f < n; f++) dot += a[f] * b[f];                                      \
        return dot;                                                                          \
    }                                                                                        \
    _Pragma("omp simd reduction(+:dot)")                                                     \
    for (int f = 0; f < n; f++) dot += a[f] * b[f];                                          \
    return dot;                                                                              \
}

/* short rows: inlined into the kernel's loop; long rows: one call, vectorised for the CPU */
NEUROCLUST_DEFINE(float, f32, static inline, )
NEUROCLUST_DEFINE(double, f64, static inline, )
NEUROCLUST_DEFINE(float, f32, static NC_WIDE, _wide)
NEUROCLUST_DEFINE(double, f64, static NC_WIDE, _wide)

/* One online SOM step on prototypes stored feature by feature (wt is n_features x n_units):
 * every unit j moves by a[j] toward x, and its new squared norm and product with the next
 * sample are summed feature by feature. The loops run along the units, so short rows (2-D
 * and 3-D data) still fill the vector lanes. */
#define NC_NARROW_MAX 8  /* som.pyx NARROW_ROW: the widest row this step takes */
/* The step for a row width F known when compiled: the feature loop unrolls, each unit's norm
 * and product stay in registers, and the prototypes are read and written once per step. */
#define NEUROCLUST_NARROW_FIXED(T, SUFFIX)                                                     \
static inline __attribute__((always_inline)) void nc_narrow_fixed_##SUFFIX(                    \
        T *restrict wt, const int F, int n_units, const T *restrict x,                         \
        const T *restrict next, const T *restrict a, T *restrict norms,                        \
        T *restrict products) {                                                                \
    _Pragma("omp simd")                                                                        \
    for (int j = 0; j < n_units; j++) {                                                        \
        T norm = 0, product = 0;                                                               \
        for (int f = 0; f < F; f++) {                                                          \
            T *restrict row = wt + (long)f * n_units;                                          \
            T v = row[j] + a[j] * (x[f] - row[j]);                                             \
            row[j] = v;                                                                        \
            norm += v * v;                                                                     \
            product += v * next[f];                                                            \
        }                                                                                      \
        norms[j] = norm;                                                                       \
        products[j] = product;                                                                 \
    }                                                                                          \
}
NEUROCLUST_NARROW_FIXED(float, f32)
NEUROCLUST_NARROW_FIXED(double, f64)

#define NEUROCLUST_NARROW(T, SUFFIX)                                                           \
static NC_WIDE void nc_narrow_step_##SUFFIX(T *restrict wt, int n_features, int n_units,        \
                                          const T *restrict x, const T *restrict next,         \
                                          const T *restrict a, T *restrict norms,              \
                                          T *restrict products) {                              \
    T zeros[NC_NARROW_MAX] = {0};                                                              \
    const T *n = next ? next : zeros;                                                          \
    switch (n_features) {                                                                      \
    case 1: nc_narrow_fixed_##SUFFIX(wt, 1, n_units, x, n, a, norms, products); return;        \
    case 2: nc_narrow_fixed_##SUFFIX(wt, 2, n_units, x, n, a, norms, products); return;        \
    case 3: nc_narrow_fixed_##SUFFIX(wt, 3, n_units, x, n, a, norms, products); return;        \
    case 4: nc_narrow_fixed_##SUFFIX(wt, 4, n_units, x, n, a, norms, products); return;        \
    case 5: nc_narrow_fixed_##SUFFIX(wt, 5, n_units, x, n, a, norms, products); return;        \
    case 6: nc_narrow_fixed_##SUFFIX(wt, 6, n_units, x, n, a, norms, products); return;        \
    case 7: nc_narrow_fixed_##SUFFIX(wt, 7, n_units, x, n, a, norms, products); return;        \
    default: nc_narrow_fixed_##SUFFIX(wt, 8, n_units, x, n, a, norms, products); return;       \
    }                                                                                          \
}
NEUROCLUST_NARROW(float, f32)
NEUROCLUST_NARROW(double, f64)

/* The distance kernels' second look at a row (csrc/distances.pyx): ||x - w||^2 of its winner,
 * and, given sums, the row added into its unit's sums in the same loop. Long rows only: the
 * vector reduction (with the CPU's widest lanes) reorders the sum, which costs nothing in
 * accuracy and halves the time of this pass next to two scalar loops. */
#define NEUROCLUST_DISTANCE_AND_ADD(T, SUFFIX)                                                 \
static NC_WIDE T nc_distance_and_add_##SUFFIX(const T *restrict x, const T *restrict w,        \
                                            T *restrict sums, int n) {                       \
    T total = 0;                                                                               \
    if (sums) {                                                                                \
        _Pragma("omp simd reduction(+:total)")                                                 \
        for (int f = 0; f < n; f++) {                                                          \
            T d = x[f] - w[f];                                                                 \
            total += d * d;                                                                    \
            sums[f] += x[f];                                                                   \
        }                                                                                      \
    } else {                                                                                   \
        _Pragma("omp simd reduction(+:total)")                                                 \
        for (int f = 0; f < n; f++) {                                                          \
            T d = x[f] - w[f];                                                                 \
            total += d * d;                                                                    \
        }                                                                                      \
    }                                                                                          \
    return total;                                                                              \
}
NEUROCLUST_DISTANCE_AND_ADD(float, f32)
NEUROCLUST_DISTANCE_AND_ADD(double, f64)

/* out[c] = scale * factors[c], rounded to the prototypes' dtype: a row of learning rates. */
#define NEUROCLUST_SCALED(T, SUFFIX)                                                           \
static inline void nc_scaled_row_##SUFFIX(T *restrict out, const double *restrict factors,     \
                                         double scale, int n) {                                \
    _Pragma("omp simd")                                                                        \
    for (int c = 0; c < n; c++) out[c] = (T)(scale * factors[c]);                              \
}
NEUROCLUST_SCALED(float, f32)
NEUROCLUST_SCALED(double, f64)

/* One step k of the blocked SOM kernel for every unit (see som_online_blocked): unit j moves
 * by a[j], w <- (1 - a) w + a x_k, which its scalars follow: squared norm, products with the
 * block's later samples (row j of `products`, stride `stride`), the coefficients of the
 * block's earlier samples, and the factor `keep` of its prototype at the block's start. */
static NC_WIDE void nc_block_step(int n_units, int k, int size, int stride, const double *a,
                                  double *norms, double *products, const double *gram,
                                  double *coefficients, double *keep) {
    const double *gram_row = gram + (long)k * stride;
    for (int j = 0; j < n_units; j++) {
        const double aj = a[j], bj = 1 - aj;
        if (aj == 0) continue;
        double *restrict row = products + (long)j * stride;
        double *restrict coefficient = coefficients + (long)j * stride;
        norms[j] = bj * bj * norms[j] + 2 * aj * bj * row[k] + aj * aj * gram_row[k];
        _Pragma("omp simd")
        for (int m = k + 1; m < size; m++) row[m] = bj * row[m] + aj * gram_row[m];
        _Pragma("omp simd")
        for (int m = 0; m < k; m++) coefficient[m] *= bj;
        coefficient[k] = aj;
        keep[j] *= bj;
    }
}

/* w *= b, for the blocked kernel's rows of prototypes. */
#define NEUROCLUST_SCALE_ROW(T, SUFFIX)                                                        \
static NC_WIDE void nc_scale_row_##SUFFIX(T *w, double b, int n) {                             \
    _Pragma("omp simd")                                                                        \
    for (int f = 0; f < n; f++) w[f] = (T)(b * (double)w[f]);                                  \
}
NEUROCLUST_SCALE_ROW(float, f32)
NEUROCLUST_SCALE_ROW(double, f64)

/* A barrier for Cython's `parallel()` blocks: its prange loops end with `nowait`. Outside an
 * OpenMP build the pragma is ignored, which is right for one thread. */
static inline void nc_barrier(void) {
    _Pragma("omp barrier")
}

#endif
