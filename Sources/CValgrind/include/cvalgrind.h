#ifndef PHIBENCH_CVALGRIND_H
#define PHIBENCH_CVALGRIND_H

/* Callgrind client requests and the call trampolines that let callgrind attribute instructions to
 * a workload's stages. Every request is a no-op (a few instructions) outside valgrind. */

#ifdef __cplusplus
extern "C" {
#endif

/* How many stage trampolines exist: stages 0 … PHIBENCH_STAGE_TRAMPOLINES-1 get their own
 * function `phibench_stage_NN`; later stages run unattributed (still in the episode total). */
#define PHIBENCH_STAGE_TRAMPOLINES 64

/* 1 when <valgrind/callgrind.h> was found at build time (the client requests work), else 0. */
int phibench_valgrind_headers(void);

/* Non-zero when the process runs under valgrind (RUNNING_ON_VALGRIND); 0 without the headers. */
unsigned phibench_running_on_valgrind(void);

void phibench_callgrind_start_instrumentation(void);
void phibench_callgrind_stop_instrumentation(void);
void phibench_callgrind_toggle_collect(void);
void phibench_callgrind_zero_stats(void);

/* The body a trampoline calls. */
typedef void (*phibench_body)(void *context);

/* Calls body(context) through `phibench_stage_NN` (NN = stage, two digits) when 0 <= stage <
 * PHIBENCH_STAGE_TRAMPOLINES, directly otherwise. */
void phibench_call_stage(int stage, phibench_body body, void *context);

/* Calls body(context) through `phibench_episode`. */
void phibench_call_episode(phibench_body body, void *context);

#ifdef __cplusplus
}
#endif

#endif
