// The CPU-placement helpers (cpu_set_t and its CPU_SET macros do not import into Swift); the
// spin-wait hint itself is header-only (an always-inline function).
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include "CPause.h"

int phibench_pin_current_thread(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    // pid 0: the calling thread (Linux applies affinity per thread).
    return sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : errno;
}

int phibench_allowed_cpus(int *out, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -errno;
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && count < capacity; cpu++) {
        if (CPU_ISSET(cpu, &set)) out[count++] = cpu;
    }
    return count;
}

int phibench_current_cpu(void) {
    return sched_getcpu();
}
