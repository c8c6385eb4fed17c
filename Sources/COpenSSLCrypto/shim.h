#ifndef PHIBENCH_COPENSSLCRYPTO_H
#define PHIBENCH_COPENSSLCRYPTO_H
#include <openssl/evp.h>
#endif
