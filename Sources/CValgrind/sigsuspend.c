#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>

#include "cvalgrind.h"

/* A workaround for valgrind 3.19 (Debian 12), found while making `phibench instructions` work.
 *
 * Valgrind's rt_sigsuspend wrapper removes its own kill signal from the caller's mask in place,
 * so a mask in read-only memory makes valgrind itself die with "VALGRIND INTERNAL ERROR ... SIGSEGV,
 * si_code=2" (a four-line C program calling sigsuspend() on a `static const sigset_t` shows it).
 * libdispatch's dispatch_main(), which every Swift program with an async main runs, ends the main
 * thread in sigsuspend(&mask) with `mask` a constant in libdispatch's .rodata.
 *
 * An executable's definition of a C library function is the one the dynamic linker binds other
 * libraries' calls to, so libdispatch calls this one. Under valgrind it passes a writable copy of the
 * mask (the call means the same); otherwise it calls the C library's sigsuspend unchanged. */
typedef int (*phibench_sigsuspend_fn)(const sigset_t *);

int sigsuspend(const sigset_t *mask) {
    static phibench_sigsuspend_fn next;
    phibench_sigsuspend_fn real = __atomic_load_n(&next, __ATOMIC_ACQUIRE);
    if (real == NULL) {
        real = (phibench_sigsuspend_fn)dlsym(RTLD_NEXT, "sigsuspend");
        if (real == NULL) {
            errno = ENOSYS;
            return -1;
        }
        __atomic_store_n(&next, real, __ATOMIC_RELEASE);
    }
    if (phibench_running_on_valgrind()) {
        sigset_t copy = *mask;
        return real(&copy);
    }
    return real(mask);
}
