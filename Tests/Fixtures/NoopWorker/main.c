// A phibench-worker/1 child that does nothing: it answers the handshake with one stage, `noop`,
// and every episode with `noop: 0`. Whatever a run measures with it is the transport's own cost
// (pipes, JSON, wake-ups): `service − Σ stages`, the `transport` stage of a process workload.
//
// It reads the episode id with a tiny scanner instead of a JSON library on purpose: the point is
// to measure phibench's side, so this side must be as cheap as possible. It relies on the harness
// writing `"id":` followed by digits, which docs/worker-protocol.md guarantees for episodes.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    char line[4096];
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (strstr(line, "\"type\":\"init\"") != NULL) {
            fputs("{\"type\":\"init_ok\",\"stages\":[\"noop\"]}\n", stdout);
            fflush(stdout);
            continue;
        }
        const char *id = strstr(line, "\"id\":");
        if (id == NULL) {
            fputs("{\"type\":\"error\",\"id\":0,\"message\":\"no id\"}\n", stdout);
            fflush(stdout);
            continue;
        }
        unsigned long long n = strtoull(id + 5, NULL, 10);
        printf("{\"type\":\"done\",\"id\":%llu,\"stages\":{\"noop\":0}}\n", n);
        fflush(stdout);
    }
    return 0;
}
