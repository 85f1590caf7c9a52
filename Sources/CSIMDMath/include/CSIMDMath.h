#ifndef SUBLIMINAL_CSIMDMATH_H
#define SUBLIMINAL_CSIMDMATH_H

// Vector square roots for the Swift kernels. On Linux, Swift's `SIMD16<Float>.squareRoot()`
// takes the root lane by lane, each with a libm `sqrtf` fallback for errno: about 15x slower
// than one `vsqrtps`. These lower to LLVM's vector `sqrt` intrinsic instead. IEEE 754 square
// roots are correctly rounded, so the results are the same bits either way.

typedef float subliminal_float8 __attribute__((ext_vector_type(8)));
typedef float subliminal_float16 __attribute__((ext_vector_type(16)));

static inline __attribute__((always_inline)) subliminal_float8 subliminal_sqrt8(subliminal_float8 x) {
    return __builtin_elementwise_sqrt(x);
}

static inline __attribute__((always_inline)) subliminal_float16 subliminal_sqrt16(subliminal_float16 x) {
    return __builtin_elementwise_sqrt(x);
}

// Asks for the cache line holding `p` to be brought into L2 ahead of use: for the rows of a
// minibatch gathered at random from a large data set, which no hardware prefetcher predicts.
static inline __attribute__((always_inline)) void subliminal_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 2);
}

// Asks for the cache line holding `p` to be brought into L1: for a tile of the GEMM's output,
// fetched while the micro-kernel computes the sums that will be merged into it.
static inline __attribute__((always_inline)) void subliminal_prefetch_l1(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

// The even- and odd-indexed elements of a ++ b. Swift's `SIMD32.evenHalf` is a generic
// getter that the optimizer leaves as a call taking its vector through memory, where the
// wide stores and narrow reloads defeat store forwarding (measured: 2.5% of a reproduction
// in that getter alone); a shuffle here is one two-register permute.
static inline __attribute__((always_inline)) subliminal_float16 subliminal_even16(subliminal_float16 a, subliminal_float16 b) {
    return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}

static inline __attribute__((always_inline)) subliminal_float16 subliminal_odd16(subliminal_float16 a, subliminal_float16 b) {
    return __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

#endif
