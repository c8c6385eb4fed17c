#ifndef PHIBENCH_CPAUSE_H
#define PHIBENCH_CPAUSE_H

// The CPU's spin-wait hint, for busy-waiting the last microseconds before an open-loop arrival is
// due. x86 `pause` (about 40-140 cycles on recent cores) stops the spinning core from flooding the
// pipeline with speculative loads and yields issue slots to a hyper-thread sibling; AArch64 `yield`
// is the equivalent hint. Swift has no intrinsic for either, so it lives here, inlined into the caller.

static inline __attribute__((always_inline)) void phibench_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/// Pins the calling thread to CPU `cpu` (`sched_setaffinity`). Returns 0, or the errno (EINVAL when
/// the CPU does not exist or is outside the process's allowed set).
int phibench_pin_current_thread(int cpu);

/// Writes the CPUs the calling thread may run on, ascending, to `out` (at most `capacity`); returns
/// how many, or a negative errno.
int phibench_allowed_cpus(int *out, int capacity);

/// The CPU the calling thread is running on now (`sched_getcpu`), or -1.
int phibench_current_cpu(void);

#endif
