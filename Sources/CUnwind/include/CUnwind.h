#ifndef PHIBENCH_CUNWIND_H
#define PHIBENCH_CUNWIND_H

// The async-signal-safe half of phibench's CPU sampler.
//
// A SIGPROF handler (installed with sigaction, driven by setitimer(ITIMER_PROF)) unwinds the
// interrupted thread with libunwind (UNW_LOCAL_ONLY, starting from the signal's ucontext, so none
// of the sampler's own frames are recorded) into buffers the caller allocated before starting.
// The handler never allocates and never locks: a slot is claimed with an atomic fetch-add, and a
// sample that finds the buffer full only increments a dropped counter.
//
// Signal dispositions and interval timers are process-wide, so there is one sampler per process;
// phibench_sampler_start refuses a second concurrent start.

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Error codes returned by phibench_sampler_start / phibench_sampler_stop.
enum {
    PHIBENCH_SAMPLER_OK = 0,
    PHIBENCH_SAMPLER_BUSY = 1,          // another sampler is running in this process
    PHIBENCH_SAMPLER_SIGACTION = 2,     // sigaction failed; errno is in *err_no
    PHIBENCH_SAMPLER_SETITIMER = 3,     // setitimer failed; errno is in *err_no
    PHIBENCH_SAMPLER_NOT_RUNNING = 4,   // stop without a matching start
    PHIBENCH_SAMPLER_BAD_ARGUMENT = 5,  // zero capacity, depth or interval
};

/// Set in a sample's depth entry when its stack was deeper than max_depth (outer frames lost).
#define PHIBENCH_SAMPLER_TRUNCATED 0x80000000u

/// Starts sampling: installs the SIGPROF handler and arms ITIMER_PROF every interval_us
/// microseconds of process CPU time. `frames` must hold capacity * max_depth entries and `depths`
/// capacity entries; both must stay valid until phibench_sampler_stop returns.
int phibench_sampler_start(uintptr_t *frames, uint32_t *depths, uint32_t capacity,
                           uint32_t max_depth, uint32_t interval_us, int *err_no);

/// Stops sampling: disarms the timer, waits for handlers still running on other threads and
/// for a SIGPROF already pending, then restores the signal disposition found at start.
int phibench_sampler_stop(int *err_no);

/// Samples written into the buffers (at most the capacity). Valid after stop.
uint64_t phibench_sampler_recorded(void);
/// Samples that found the buffer full and were not recorded.
uint64_t phibench_sampler_dropped(void);
/// Total time spent inside the signal handler (CLOCK_MONOTONIC), nanoseconds.
uint64_t phibench_sampler_handler_ns(void);

/// Samples the fast unwinder (unw_backtrace) could not line up with the interrupted instruction,
/// unwound instead with unw_init_local2/unw_step from the signal context.
uint64_t phibench_sampler_slow_unwinds(void);

/// Captures the calling thread's stack (return addresses, innermost first, this function
/// excluded) into `frames`; returns the depth. Not used by the sampler; exposed for tests and
/// for measuring the unwinder's cost outside a signal handler.
int phibench_unwind_here(uintptr_t *frames, int max_depth);

/// dladdr(3) for Swift, which cannot see it without _GNU_SOURCE. Returns 0 when `address` is in no
/// loaded object; otherwise fills the object's path and load base, and the nearest dynamic symbol
/// and its address (NULL when there is none).
int phibench_dladdr(uintptr_t address, const char **object_path, uintptr_t *object_base,
                    const char **symbol_name, uintptr_t *symbol_address);

/// 1 when libunwind can initialise a local context.
int phibench_unwind_available(void);

#ifdef __cplusplus
}
#endif

#endif
