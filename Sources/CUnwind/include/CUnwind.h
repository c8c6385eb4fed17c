#ifndef PHIBENCH_CUNWIND_H
#define PHIBENCH_CUNWIND_H
int phibench_unwind_available(void);
#endif
