// The atomics in CThreads are inline in its header; this file holds what needs a libc
// extension (_GNU_SOURCE), which must come before any system header.
#if defined(__linux__)
#define _GNU_SOURCE
#include <sched.h>
#endif
#include "CThreads.h"

int subliminal_allowed_cpus(void) {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
#endif
    return 0;
}
