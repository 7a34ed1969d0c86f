/* Winner searches over a row of scores offset[j] - 2 products[j], shared by csrc/distances.pyx
 * (bmu, bmu_accumulate, two_nearest) and csrc/som.pyx (the online step's winner).
 *
 * A plain loop `if (score < best) ...` is serial: each comparison waits for the last, and its
 * branch decides the next. Here the units go in blocks of NC_BLOCK, and one vectorised pass
 * takes a block's least score (independent lanes, no branch). Only a block whose least score
 * beats the best so far is looked at again, to find its first unit holding that score, and
 * after the first blocks the best rarely improves. The answer is the serial loop's, exactly:
 * a block holding a score below the best is always looked at again, and the first unit of
 * its least score is where the loop's strict `<` stops; so a tie keeps the lowest index. A
 * NaN score compares false everywhere: it never wins, as in the serial loop, and a NaN first
 * score keeps unit 0 (nothing is below NaN). The runner-up of two_nearest is a second such
 * search, over the units before the winner and then those after it.
 *
 * S is the type the scores are computed in: the data's type in the distance kernels (the
 * NumPy reference's arithmetic), double in the SOM kernel. 2 p is exact in either, so every
 * pass computes the same score to the bit.
 */
#ifndef NEUROCLUST_ARGMIN_H
#define NEUROCLUST_ARGMIN_H

#include <math.h>
#include <stddef.h>

#define NC_BLOCK 16

#define NC_SCORE(S, offset, products, j) ((S)(offset)[j] - 2 * (S)(products)[j])

/* The least of `bound` and the scores of a block of NC_BLOCK units. Each lane keeps
 * min(score, lane), which is the lane when the score is NaN (SSE's MINPS/MINPD return their
 * second operand when the comparison fails), so NaN scores drop out, as they do from
 * `score < best`. SSE2 is part of every x86-64 CPU; elsewhere a plain loop does the same. */
#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>

/* `lanes` = the least of `bound` and the block's scores in each lane: two running minima of
 * STEP lanes each, so that neither waits on the other. */
#define NC_LANE_MINIMA(V, STEP, SET1, LOAD, ADD, SUB, MIN, lanes)                             \
    V lanes = SET1(bound), other_ = lanes, p_;                                                \
    for (int k_ = 0; k_ < NC_BLOCK; k_ += 2 * (STEP)) {                                       \
        p_ = LOAD(products + k_);                                                             \
        lanes = MIN(SUB(LOAD(offset + k_), ADD(p_, p_)), lanes);                              \
        p_ = LOAD(products + k_ + (STEP));                                                    \
        other_ = MIN(SUB(LOAD(offset + k_ + (STEP)), ADD(p_, p_)), other_);                   \
    }                                                                                         \
    lanes = MIN(lanes, other_)   /* no NaN is left in a lane unless the bound is NaN */

/* two floats, as two doubles */
static inline __m128d nc_load_f32_as_f64(const float *pair) {
    return _mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd((const double *)pair)));
}

static inline float nc_block_least_f32(const float *offset, const float *products,
                                       float bound) {
    NC_LANE_MINIMA(__m128, 4, _mm_set1_ps, _mm_loadu_ps, _mm_add_ps, _mm_sub_ps, _mm_min_ps,
                   lanes);
    lanes = _mm_min_ps(lanes, _mm_movehl_ps(lanes, lanes));
    return _mm_cvtss_f32(_mm_min_ss(lanes, _mm_shuffle_ps(lanes, lanes, 1)));
}

static inline double nc_block_least_f64(const double *offset, const double *products,
                                        double bound) {
    NC_LANE_MINIMA(__m128d, 2, _mm_set1_pd, _mm_loadu_pd, _mm_add_pd, _mm_sub_pd, _mm_min_pd,
                   lanes);
    return _mm_cvtsd_f64(_mm_min_sd(lanes, _mm_unpackhi_pd(lanes, lanes)));
}

/* float inputs, double scores (the SOM kernel's) */
static inline double nc_block_least_f32_in_f64(const float *offset, const float *products,
                                               double bound) {
    NC_LANE_MINIMA(__m128d, 2, _mm_set1_pd, nc_load_f32_as_f64, _mm_add_pd, _mm_sub_pd,
                   _mm_min_pd, lanes);
    return _mm_cvtsd_f64(_mm_min_sd(lanes, _mm_unpackhi_pd(lanes, lanes)));
}
#else
#define NC_BLOCK_LEAST_LOOP(T, S, SUFFIX)                                                     \
static inline S nc_block_least_##SUFFIX(const T *offset, const T *products, S bound) {        \
    S least = bound, score;                                                                   \
    for (int k = 0; k < NC_BLOCK; k++) {                                                      \
        score = NC_SCORE(S, offset, products, k);                                             \
        least = score < least ? score : least;                                                \
    }                                                                                         \
    return least;                                                                             \
}
NC_BLOCK_LEAST_LOOP(float, float, f32)
NC_BLOCK_LEAST_LOOP(double, double, f64)
NC_BLOCK_LEAST_LOOP(float, double, f32_in_f64)
#endif

/* Ask for the cache lines of [start, start + n_bytes) before they are read. */
static inline void nc_prefetch(const void *start, size_t n_bytes) {
#if defined(__GNUC__)
    for (size_t at = 0; at < n_bytes; at += 64) __builtin_prefetch((const char *)start + at);
#else
    (void)start;
    (void)n_bytes;
#endif
}

#define NEUROCLUST_WINNERS(T, S, SUFFIX)                                                      \
/* The lowest j in [start, stop) of least score below *bound, which then becomes that score;  \
 * -1 (and *bound unchanged) when no score there is below it. */                              \
static inline int nc_least_below_##SUFFIX(const T *restrict offset,                           \
                                          const T *restrict products, int start, int stop,    \
                                          S *bound) {                                         \
    int found = -1, j = start, k;                                                             \
    S best = *bound, least, score;                                                            \
    for (; j + NC_BLOCK <= stop; j += NC_BLOCK) {                                             \
        least = nc_block_least_##SUFFIX(offset + j, products + j, best);                      \
        if (least < best) {  /* the block's first unit holding it: it is in the block */      \
            for (k = j; NC_SCORE(S, offset, products, k) != least; k++) {}                    \
            best = least;                                                                     \
            found = k;                                                                        \
        }                                                                                     \
    }                                                                                         \
    for (; j < stop; j++) {                                                                   \
        score = NC_SCORE(S, offset, products, j);                                             \
        if (score < best) {  /* strict: the lowest index keeps a tie */                       \
            best = score;                                                                     \
            found = j;                                                                        \
        }                                                                                     \
    }                                                                                         \
    *bound = best;                                                                            \
    return found;                                                                             \
}                                                                                             \
/* The lowest j of least score over n >= 1 units: the serial loop from unit 0. */             \
static inline int nc_first_min_##SUFFIX(const T *restrict offset, const T *restrict products, \
                                        int n) {                                              \
    S best = NC_SCORE(S, offset, products, 0);                                                \
    int found = nc_least_below_##SUFFIX(offset, products, 1, n, &best);                       \
    return found < 0 ? 0 : found;                                                             \
}                                                                                             \
/* The winner of nc_first_min, and in *second the serial two-slot loop's runner-up: the       \
 * lowest other j of least score, among the scores below infinity (0 when there is none, as   \
 * when n == 1). Searched before the winner, then after it: a tie keeps the lower index. */ \
static inline int nc_two_min_##SUFFIX(const T *restrict offset, const T *restrict products,   \
                                      int n, int *second) {                                   \
    int winner = nc_first_min_##SUFFIX(offset, products, n), before, after;                   \
    S runner_up_score = (S)INFINITY;                                                          \
    before = nc_least_below_##SUFFIX(offset, products, 0, winner, &runner_up_score);          \
    after = nc_least_below_##SUFFIX(offset, products, winner + 1, n, &runner_up_score);       \
    *second = after >= 0 ? after : before >= 0 ? before : 0;                                  \
    return winner;                                                                            \
}

NEUROCLUST_WINNERS(float, float, f32)
NEUROCLUST_WINNERS(double, double, f64)
NEUROCLUST_WINNERS(float, double, f32_in_f64)

#endif
