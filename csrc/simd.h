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
    if (next) {                                                                              \
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
    _Pragma("omp simd reduction(+:dot)")                                                     \
    for (int f = 0; f < n; f++) dot += a[f] * b[f];                                          \
    return dot;                                                                              \
}

/* short rows: inlined into the kernel's loop; long rows: one call, vectorised for the CPU */
NEUROCLUST_DEFINE(float, f32, static inline, )
NEUROCLUST_DEFINE(double, f64, static inline, )
NEUROCLUST_DEFINE(float, f32, static NC_WIDE, _wide)
NEUROCLUST_DEFINE(double, f64, static NC_WIDE, _wide)

/* y = b y + a x, and y = b y: the scalar recurrences of the blocked SOM kernel (float64). */
static inline void nc_axpby(double *restrict y, const double *restrict x, double a, double b,
                            int n) {
    _Pragma("omp simd")
    for (int i = 0; i < n; i++) y[i] = b * y[i] + a * x[i];
}
static inline void nc_scale(double *y, double b, int n) {
    _Pragma("omp simd")
    for (int i = 0; i < n; i++) y[i] *= b;
}

/* A barrier for Cython's `parallel()` blocks: its prange loops end with `nowait`. Outside an
 * OpenMP build the pragma is ignored, which is right for one thread. */
static inline void nc_barrier(void) {
    _Pragma("omp barrier")
}

#endif
