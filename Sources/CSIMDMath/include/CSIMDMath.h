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

#if defined(__AVX512F__)
// The first n (0 < n <= 16) floats at p, zero beyond, and a store of the first n lanes: masked
// moves, which neither read nor write past the n-th float (the GEMM merges tiles narrower than
// a vector, 13 columns in the output layer, with them).
typedef float subliminal_v16sf __attribute__((__vector_size__(64)));

static inline __attribute__((always_inline)) subliminal_float16 subliminal_load_first16(const float *p, int n) {
    return (subliminal_float16)__builtin_ia32_loadups512_mask(p, (subliminal_v16sf){0}, (unsigned short)((1u << n) - 1));
}

static inline __attribute__((always_inline)) void subliminal_store_first16(float *p, subliminal_float16 v, int n) {
    __builtin_ia32_storeups512_mask(p, (subliminal_v16sf)v, (unsigned short)((1u << n) - 1));
}
#endif

// exp on eight Doubles, bit for bit glibc's `exp` (2.28 and later, its FMA variant, which every
// AVX2 or AVX-512 machine runs): the softmax of the losses runs eight rows in vector lanes
// with it, and changes no result. The algorithm and its constants are glibc's
// (sysdeps/ieee754/dbl-64/e_exp.c, by Szabolcs Nagy): exp(x) = 2^(k/128)·exp(r), with
// k = round(x·128/ln 2), r = x - k·ln 2/128 in two parts, 2^(k/128) from a 128-entry table and
// exp(r) - 1 from a degree-5 polynomial. The operations and fused multiply-adds are those of
// libm's `__exp_fma` (read from its disassembly), in the same order; contraction is off so that
// the compiler fuses nothing else. Lanes with |x| < 2^-54 are 1 (libm returns 1 + x, which rounds
// to 1); lanes with |x| >= 512, inf or nan are handed to libm's scalar `exp`. Only meaningful when
// the calling module is compiled with FMA (otherwise each fma is a libm call); the Swift side
// uses it only then, and only after checking it against libm (VectorExp.matchesLibm). It is in C
// because the same code on Swift's SIMD8<Double> compiled the table lookups, the lane masks and
// the division lane by lane (measured: the vectorized softmax saved 6% of the loss instead of 57%).
#include <math.h>
#include <string.h>
#include <stdint.h>

typedef double subliminal_double8 __attribute__((ext_vector_type(8)));
typedef uint64_t subliminal_ulong8 __attribute__((ext_vector_type(8)));
typedef int64_t subliminal_long8 __attribute__((ext_vector_type(8)));

extern const uint64_t subliminal_exp_table[256];

static inline __attribute__((always_inline)) subliminal_double8 subliminal_exp8(subliminal_double8 x) {
#pragma clang fp contract(off)
    typedef subliminal_double8 D;
    typedef subliminal_ulong8 U;
    const D shift = 0x1.8p52, invLn2N = 0x1.71547652b82fep7;
    const D negLn2hiN = -0x1.62e42fefa0000p-8, negLn2loN = -0x1.cf79abc9e3b3ap-47;
    const D c2 = 0x1.ffffffffffdbdp-2, c3 = 0x1.555555555543cp-3, c4 = 0x1.55555cf172b91p-5, c5 = 0x1.1111167a4d017p-7;
    U bits; memcpy(&bits, &x, sizeof bits);
    U abstop = (bits >> 52) & 0x7FF;
    D kd = __builtin_elementwise_fma(x, invLn2N, shift);
    U ki; memcpy(&ki, &kd, sizeof ki);
    kd = kd - shift;
    D r = __builtin_elementwise_fma(kd, negLn2hiN, x);
    r = __builtin_elementwise_fma(kd, negLn2loN, r);
    U idx = (ki & 0x7F) << 1;
    U top = ki << 45;
    U tailBits, sbits;
    for (int l = 0; l < 8; l++) {
        tailBits[l] = subliminal_exp_table[idx[l]];
        sbits[l] = subliminal_exp_table[idx[l] + 1] + top[l];
    }
    D tail; memcpy(&tail, &tailBits, sizeof tail);
    D p23 = __builtin_elementwise_fma(r, c3, c2);
    D t1 = r + tail;
    D r2 = r * r;
    D p45 = __builtin_elementwise_fma(r, c5, c4);
    D t2 = __builtin_elementwise_fma(p23, r2, t1);
    D r4 = r2 * r2;
    D tmp = __builtin_elementwise_fma(r4, p45, t2);
    D scale; memcpy(&scale, &sbits, sizeof scale);
    D result = __builtin_elementwise_fma(scale, tmp, scale);
    subliminal_long8 tiny = abstop < 0x3C9, special = abstop > 0x407;
    result = tiny ? (D)1.0 : result;
    for (int l = 0; l < 8; l++) {
        if (special[l]) result[l] = exp(x[l]);
    }
    return result;
}

// a / b lane by lane in one instruction (Swift's `SIMD8<Double> /` is divided lane by lane).
static inline __attribute__((always_inline)) subliminal_double8 subliminal_div8d(subliminal_double8 a, subliminal_double8 b) {
    return a / b;
}

#endif
