#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "CUnwind.h"

// Signal dispositions and ITIMER_PROF are process-wide, so the sampler's state is too. Everything
// the handler touches is either an atomic or written before `armed` is released.
static atomic_int owner = 0;               // 1 while a sampler is started
static atomic_int armed = 0;               // the handler records only while this is 1
static atomic_int inflight = 0;            // handlers currently running (any thread)
static atomic_uint_fast64_t next_slot = 0; // slots claimed, may exceed the capacity
static atomic_uint_fast64_t dropped = 0;
static atomic_uint_fast64_t handler_ns = 0;
static atomic_uint_fast64_t slow_unwinds = 0;  // samples the fast path could not place

static uintptr_t *buffer_frames = NULL;
static uint32_t *buffer_depths = NULL;
static uint32_t buffer_capacity = 0;
static uint32_t buffer_max_depth = 0;
static struct sigaction previous_action;

static inline uint64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);  // async-signal-safe (POSIX.1-2008)
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// Unwinds from the interrupted context with the general (slow, ~4-15 us) unw_step path.
static uint32_t unwind_from_context(void *ucontext, uintptr_t *frames) {
    uint32_t depth = 0;
    unw_cursor_t cursor;
    if (unw_init_local2(&cursor, (unw_context_t *)ucontext, UNW_INIT_SIGNAL_FRAME) == 0) {
        do {
            unw_word_t ip = 0;
            if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
            frames[depth++] = (uintptr_t)ip;
        } while (depth < buffer_max_depth && unw_step(&cursor) > 0);
    }
    return depth;
}

// The instruction the signal interrupted.
static inline uintptr_t interrupted_pc(const ucontext_t *uc) {
#if defined(__x86_64__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)uc->uc_mcontext.pc;
#else
#error "phibench's sampler supports x86_64 and arm64 Linux"
#endif
}

static void record_sample(void *ucontext) {
    uint64_t slot = atomic_fetch_add_explicit(&next_slot, 1, memory_order_relaxed);
    if (slot >= buffer_capacity) {
        atomic_fetch_add_explicit(&dropped, 1, memory_order_relaxed);
        return;
    }
    uintptr_t *frames = buffer_frames + slot * buffer_max_depth;
    const uintptr_t interrupted = interrupted_pc((const ucontext_t *)ucontext);

    // unw_backtrace walks with libunwind's per-thread frame cache (~100 ns for a warm stack) and
    // steps through the kernel's signal frame. It starts here, so the handler's own frames and
    // the signal trampoline come first: find the interrupted instruction and drop what precedes.
    uint32_t depth = 0;
    int raw = unw_backtrace((void **)frames, (int)buffer_max_depth);
    int skip = -1;
    for (int i = 0; i < raw && i < 8; i++) {
        if (frames[i] == interrupted) {
            skip = i;
            break;
        }
    }
    if (skip >= 0) {
        depth = (uint32_t)(raw - skip);
        memmove(frames, frames + skip, depth * sizeof(uintptr_t));
        if ((uint32_t)raw == buffer_max_depth) depth |= PHIBENCH_SAMPLER_TRUNCATED;
    } else {
        atomic_fetch_add_explicit(&slow_unwinds, 1, memory_order_relaxed);
        depth = unwind_from_context(ucontext, frames);
        if (depth == buffer_max_depth) depth |= PHIBENCH_SAMPLER_TRUNCATED;
    }
    if (depth == 0) {
        frames[0] = interrupted;  // unwinding failed outright: keep the sampled instruction
        depth = 1;
    }
    atomic_store_explicit((_Atomic uint32_t *)&buffer_depths[slot], depth, memory_order_release);
}

static void on_sigprof(int signo, siginfo_t *info, void *ucontext) {
    (void)signo;
    (void)info;
    int saved_errno = errno;
    atomic_fetch_add_explicit(&inflight, 1, memory_order_acq_rel);
    // Checked after announcing ourselves, so stop() either sees us in flight or we see it disarmed.
    if (atomic_load_explicit(&armed, memory_order_acquire)) {
        uint64_t start = monotonic_ns();
        record_sample(ucontext);
        atomic_fetch_add_explicit(&handler_ns, monotonic_ns() - start, memory_order_relaxed);
    }
    atomic_fetch_sub_explicit(&inflight, 1, memory_order_acq_rel);
    errno = saved_errno;
}

int phibench_sampler_start(uintptr_t *frames, uint32_t *depths, uint32_t capacity,
                           uint32_t max_depth, uint32_t interval_us, int *err_no) {
    *err_no = 0;
    if (frames == NULL || depths == NULL || capacity == 0 || max_depth == 0 || interval_us == 0)
        return PHIBENCH_SAMPLER_BAD_ARGUMENT;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&owner, &expected, 1)) return PHIBENCH_SAMPLER_BUSY;

    buffer_frames = frames;
    buffer_depths = depths;
    buffer_capacity = capacity;
    buffer_max_depth = max_depth;
    memset(depths, 0, sizeof(uint32_t) * capacity);
    atomic_store(&next_slot, 0);
    atomic_store(&dropped, 0);
    atomic_store(&handler_ns, 0);
    atomic_store(&slow_unwinds, 0);
    // Per-thread caches of unwind info avoid the global cache's lock inside the handler.
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
    // Warm this thread's trace cache outside the handler (its first use maps memory).
    void *warm[4];
    (void)unw_backtrace(warm, 4);

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigprof;
    action.sa_flags = SA_SIGINFO | SA_RESTART;  // don't turn the workload's syscalls into EINTR
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGPROF, &action, &previous_action) != 0) {
        *err_no = errno;
        atomic_store(&owner, 0);
        return PHIBENCH_SAMPLER_SIGACTION;
    }
    atomic_store_explicit(&armed, 1, memory_order_release);

    struct itimerval timer;
    timer.it_interval.tv_sec = interval_us / 1000000u;
    timer.it_interval.tv_usec = interval_us % 1000000u;
    timer.it_value = timer.it_interval;
    if (setitimer(ITIMER_PROF, &timer, NULL) != 0) {
        *err_no = errno;
        atomic_store(&armed, 0);
        sigaction(SIGPROF, &previous_action, NULL);
        atomic_store(&owner, 0);
        return PHIBENCH_SAMPLER_SETITIMER;
    }
    return PHIBENCH_SAMPLER_OK;
}

static void nap_100us(void) {
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
}

int phibench_sampler_stop(int *err_no) {
    *err_no = 0;
    if (atomic_load(&owner) != 1) return PHIBENCH_SAMPLER_NOT_RUNNING;

    struct itimerval off;
    memset(&off, 0, sizeof off);
    int rc = PHIBENCH_SAMPLER_OK;
    if (setitimer(ITIMER_PROF, &off, NULL) != 0) {
        *err_no = errno;
        rc = PHIBENCH_SAMPLER_SETITIMER;
    }
    atomic_store_explicit(&armed, 0, memory_order_release);

    // A handler may still be unwinding on another CPU; the buffers must outlive it.
    while (atomic_load_explicit(&inflight, memory_order_acquire) != 0) nap_100us();
    // A SIGPROF generated just before the disarm may still be pending; if the previous
    // disposition is SIG_DFL it would terminate the process, so let it land on our handler first.
    for (int i = 0; i < 1000; i++) {
        sigset_t pending;
        sigemptyset(&pending);
        if (sigpending(&pending) != 0 || !sigismember(&pending, SIGPROF)) break;
        nap_100us();
    }
    if (sigaction(SIGPROF, &previous_action, NULL) != 0 && rc == PHIBENCH_SAMPLER_OK) {
        *err_no = errno;
        rc = PHIBENCH_SAMPLER_SIGACTION;
    }
    atomic_store(&owner, 0);
    return rc;
}

uint64_t phibench_sampler_recorded(void) {
    uint64_t claimed = atomic_load(&next_slot);
    return claimed < buffer_capacity ? claimed : buffer_capacity;
}

uint64_t phibench_sampler_dropped(void) { return atomic_load(&dropped); }

uint64_t phibench_sampler_handler_ns(void) { return atomic_load(&handler_ns); }

uint64_t phibench_sampler_slow_unwinds(void) { return atomic_load(&slow_unwinds); }

int phibench_unwind_here(uintptr_t *frames, int max_depth) {
    if (frames == NULL || max_depth <= 0) return 0;
    unw_context_t context;
    unw_cursor_t cursor;
    if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) return 0;
    int depth = 0;
    // Skip this function's own frame.
    if (unw_step(&cursor) <= 0) return 0;
    do {
        unw_word_t ip = 0;
        if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
        frames[depth++] = (uintptr_t)ip;
    } while (depth < max_depth && unw_step(&cursor) > 0);
    return depth;
}

int phibench_dladdr(uintptr_t address, const char **object_path, uintptr_t *object_base,
                    const char **symbol_name, uintptr_t *symbol_address) {
    Dl_info info;
    memset(&info, 0, sizeof info);
    if (dladdr((const void *)address, &info) == 0) return 0;
    *object_path = info.dli_fname;
    *object_base = (uintptr_t)info.dli_fbase;
    *symbol_name = info.dli_sname;
    *symbol_address = (uintptr_t)info.dli_saddr;
    return 1;
}

int phibench_unwind_available(void) {
    unw_context_t context;
    return unw_getcontext(&context) == 0;
}
