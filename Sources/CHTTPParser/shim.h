#ifndef PHIBENCH_CHTTPPARSER_H
#define PHIBENCH_CHTTPPARSER_H
#include <http_parser.h>
#endif
