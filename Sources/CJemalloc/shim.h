#ifndef PHIBENCH_CJEMALLOC_H
#define PHIBENCH_CJEMALLOC_H
#include <jemalloc/jemalloc.h>
#endif
