#include "cvalgrind.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define PHIBENCH_HAVE_VALGRIND 1
#endif
#endif

#ifndef PHIBENCH_HAVE_VALGRIND
#define PHIBENCH_HAVE_VALGRIND 0
#endif

int phibench_valgrind_headers(void) { return PHIBENCH_HAVE_VALGRIND; }

#if PHIBENCH_HAVE_VALGRIND
unsigned phibench_running_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
void phibench_callgrind_start_instrumentation(void) { CALLGRIND_START_INSTRUMENTATION; }
void phibench_callgrind_stop_instrumentation(void) { CALLGRIND_STOP_INSTRUMENTATION; }
void phibench_callgrind_toggle_collect(void) { CALLGRIND_TOGGLE_COLLECT; }
void phibench_callgrind_zero_stats(void) { CALLGRIND_ZERO_STATS; }
#else
unsigned phibench_running_on_valgrind(void) { return 0; }
void phibench_callgrind_start_instrumentation(void) {}
void phibench_callgrind_stop_instrumentation(void) {}
void phibench_callgrind_toggle_collect(void) {}
void phibench_callgrind_zero_stats(void) {}
#endif

/* The trampolines. Callgrind attributes a function's inclusive cost to its symbol, so each stage
 * needs a function of its own with a fixed name. They must stay real calls: never inlined, never
 * turned into a tail jump (callgrind would then see the body called from the caller), and never
 * folded into one function by identical-code folding, which is what the distinct store is for. */
#if defined(__clang__)
#define PHIBENCH_TRAMPOLINE __attribute__((noinline, used, disable_tail_calls))
#else
#define PHIBENCH_TRAMPOLINE __attribute__((noinline, used, optimize("no-optimize-sibling-calls")))
#endif

/* Written by every trampoline: keeps their bodies distinct. */
static volatile int phibench_last_stage;

#define PHIBENCH_STAGE(nn)                                                              \
    PHIBENCH_TRAMPOLINE void phibench_stage_##nn(phibench_body body, void *context);    \
    PHIBENCH_TRAMPOLINE void phibench_stage_##nn(phibench_body body, void *context) {   \
        phibench_last_stage = 1##nn - 100;                                              \
        body(context);                                                                  \
        __asm__ __volatile__("" ::: "memory");                                          \
    }

#define PHIBENCH_STAGES_10(d)                                                           \
    PHIBENCH_STAGE(d##0) PHIBENCH_STAGE(d##1) PHIBENCH_STAGE(d##2) PHIBENCH_STAGE(d##3) \
    PHIBENCH_STAGE(d##4) PHIBENCH_STAGE(d##5) PHIBENCH_STAGE(d##6) PHIBENCH_STAGE(d##7) \
    PHIBENCH_STAGE(d##8) PHIBENCH_STAGE(d##9)

PHIBENCH_STAGES_10(0)
PHIBENCH_STAGES_10(1)
PHIBENCH_STAGES_10(2)
PHIBENCH_STAGES_10(3)
PHIBENCH_STAGES_10(4)
PHIBENCH_STAGES_10(5)
PHIBENCH_STAGE(60) PHIBENCH_STAGE(61) PHIBENCH_STAGE(62) PHIBENCH_STAGE(63)

typedef void (*phibench_trampoline)(phibench_body, void *);

#define PHIBENCH_ROW(d)                                                                 \
    phibench_stage_##d##0, phibench_stage_##d##1, phibench_stage_##d##2, phibench_stage_##d##3, \
    phibench_stage_##d##4, phibench_stage_##d##5, phibench_stage_##d##6, phibench_stage_##d##7, \
    phibench_stage_##d##8, phibench_stage_##d##9

static const phibench_trampoline phibench_stage_table[PHIBENCH_STAGE_TRAMPOLINES] = {
    PHIBENCH_ROW(0), PHIBENCH_ROW(1), PHIBENCH_ROW(2), PHIBENCH_ROW(3), PHIBENCH_ROW(4), PHIBENCH_ROW(5),
    phibench_stage_60, phibench_stage_61, phibench_stage_62, phibench_stage_63,
};

void phibench_call_stage(int stage, phibench_body body, void *context) {
    if (stage >= 0 && stage < PHIBENCH_STAGE_TRAMPOLINES) {
        phibench_stage_table[stage](body, context);
    } else {
        body(context);
    }
}

PHIBENCH_TRAMPOLINE void phibench_episode(phibench_body body, void *context);
PHIBENCH_TRAMPOLINE void phibench_episode(phibench_body body, void *context) {
    phibench_last_stage = -1;
    body(context);
    __asm__ __volatile__("" ::: "memory");
}

void phibench_call_episode(phibench_body body, void *context) { phibench_episode(body, context); }
