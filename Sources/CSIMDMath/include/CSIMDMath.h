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

#endif
