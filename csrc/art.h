/* Sums for the Fuzzy ART kernel: |x AND w| = sum_i min(x_i, w_i) and |w| = sum_i w_i.
 *
 * Both are summed in double in the same fixed order: 16 lanes (lane k takes the features
 * f = k mod 16 of the whole blocks of 16), then the features left over one by one, then the
 * lanes in a fixed tree. Each lane adds in sequence, so the compiler may put the lanes in
 * vector registers (that is all the vectorisation there is) but never reorders a sum: the
 * results are the same on every CPU, and min(x_i, w_i) <= w_i term by term gives
 * |x AND w| <= |w| as computed, which the kernel's bounds rely on.
 *
 * Long rows take an AVX2 clone chosen at run time where the compiler and CPU have one (see
 * NC_WIDE in simd.h); short rows an inline copy, which saves the call through the dispatcher.
 */
#ifndef NEUROCLUST_ART_H
#define NEUROCLUST_ART_H

#include "simd.h"

#define NC_ART_LANES 16

#define NC_ART_TREE(s)                                                                       \
    ((((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))) +                   \
     (((s[8] + s[9]) + (s[10] + s[11])) + ((s[12] + s[13]) + (s[14] + s[15]))))

#define NEUROCLUST_ART(T, SUFFIX, QUALIFIERS, NAME)                                          \
QUALIFIERS double nc_art_and_size##NAME##_##SUFFIX(const T *restrict x, const T *restrict w, \
                                                  int n) {                                   \
    double s[NC_ART_LANES] = {0}, tail = 0;                                                  \
    int f = 0;                                                                               \
    for (; f + NC_ART_LANES <= n; f += NC_ART_LANES)                                         \
        for (int k = 0; k < NC_ART_LANES; k++)                                               \
            s[k] += (double)(x[f + k] < w[f + k] ? x[f + k] : w[f + k]);                     \
    for (; f < n; f++) tail += (double)(x[f] < w[f] ? x[f] : w[f]);                          \
    return NC_ART_TREE(s) + tail;                                                            \
}                                                                                            \
QUALIFIERS double nc_art_size##NAME##_##SUFFIX(const T *restrict w, int n) {                 \
    double s[NC_ART_LANES] = {0}, tail = 0;                                                  \
    int f = 0;                                                                               \
    for (; f + NC_ART_LANES <= n; f += NC_ART_LANES)                                         \
        for (int k = 0; k < NC_ART_LANES; k++)                                               \
            s[k] += (double)w[f + k];                                                        \
    for (; f < n; f++) tail += (double)w[f];                                                 \
    return NC_ART_TREE(s) + tail;                                                            \
}

NEUROCLUST_ART(float, f32, static inline, )
NEUROCLUST_ART(double, f64, static inline, )
NEUROCLUST_ART(float, f32, static NC_WIDE, _wide)
NEUROCLUST_ART(double, f64, static NC_WIDE, _wide)

#endif
