#ifndef PHIBENCH_CBLOSC_H
#define PHIBENCH_CBLOSC_H
#include <blosc.h>
#endif
