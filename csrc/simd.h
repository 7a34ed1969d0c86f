/* Small vector loops for the SOM kernel, written once per dtype.
 *
 * `#pragma omp simd reduction` lets the compiler vectorise the sums without -ffast-math
 * (build with -fopenmp-simd; without it the pragmas are ignored and the loops stay correct).
 */
#ifndef NEUROCLUST_SIMD_H
#define NEUROCLUST_SIMD_H

#define NEUROCLUST_DEFINE(T, SUFFIX)                                                        \
/* w += a * (x - w); returns ||w||^2 and w . next (next may be NULL) of the updated w. */     \
static inline void nc_update_##SUFFIX(T *w, const T *x, const T *next, T a, int n,         \
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
static inline T nc_dot_##SUFFIX(const T *a, const T *b, int n) {                            \
    T dot = 0;                                                                               \
    _Pragma("omp simd reduction(+:dot)")                                                     \
    for (int f = 0; f < n; f++) dot += a[f] * b[f];                                          \
    return dot;                                                                              \
}

NEUROCLUST_DEFINE(float, f32)
NEUROCLUST_DEFINE(double, f64)

#endif
