#ifndef CSPAWN_H
#define CSPAWN_H
#include <spawn.h>

// GNU extensions Swift's Glibc module does not expose (it is built without _GNU_SOURCE); each is
// wrapped once in spawn.c, which is compiled with it.

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec from the start, so a child spawned by another
/// thread in between can never inherit them. Returns 0 or -1 with errno.
int cspawn_pipe_cloexec(int fds[2]);

/// posix_spawn_file_actions_addchdir_np (glibc ≥ 2.29): the child starts in `path`.
/// Returns 0 or an error number.
int cspawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

#endif
