#ifndef SUBLIMINAL_CTHREADS_H
#define SUBLIMINAL_CTHREADS_H

// The few atomic operations `ThreadTeam` needs to hand a training step's phases to its threads
// and wait for them, a spin-wait hint, and the number of CPUs the process may use. They are
// here, in C, because the Swift package targets macOS 13, where the standard library's `Atomic`
// is not available, and because Swift's Glibc module leaves out `sched_getaffinity`; clang
// inlines the atomics into the Swift code as single instructions.

// Loads *p; no read or write after it moves before it.
static inline __attribute__((always_inline)) long subliminal_load_acquire(const long *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

// Stores v in *p; no read or write before it moves after it.
static inline __attribute__((always_inline)) void subliminal_store_release(long *p, long v) {
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

// Adds v to *p and returns the old value, with both orderings above.
static inline __attribute__((always_inline)) long subliminal_fetch_add(long *p, long v) {
    return __atomic_fetch_add(p, v, __ATOMIC_ACQ_REL);
}

// Tells the core that this thread is spinning on a flag (x86 `pause`, Arm `yield`), which
// saves power and frees the pipeline for the thread it waits for.
static inline __attribute__((always_inline)) void subliminal_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

// The number of CPUs this process may run on (its affinity mask: a container or `taskset`
// may allow fewer than are online), or 0 where the system does not say.
int subliminal_allowed_cpus(void);

#endif
