#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include "CUnwind.h"
int phibench_unwind_available(void) { unw_context_t c; return unw_getcontext(&c) == 0; }
