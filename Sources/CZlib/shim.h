#ifndef PHIBENCH_CZLIB_H
#define PHIBENCH_CZLIB_H
#include <zlib.h>
#endif
