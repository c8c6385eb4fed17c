#ifndef PHIBENCH_CLIBPQ_H
#define PHIBENCH_CLIBPQ_H
#include <libpq-fe.h>
#endif
