#ifndef PHIBENCH_CLZ4_H
#define PHIBENCH_CLZ4_H
#include <lz4.h>
#include <lz4hc.h>
#endif
