#ifndef PHIBENCH_CXXHASH_H
#define PHIBENCH_CXXHASH_H
#include <xxhash.h>
#endif
