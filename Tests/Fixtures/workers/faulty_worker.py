#!/usr/bin/env python3
"""A phibench-worker/1 child that misbehaves on request, for the fault tests.

params (all optional):
  work_us:        busy microseconds in stage `work` per episode (default 50)
  crash_after:    exit with status 3 after answering this many episodes (writes to stderr first)
  hang_after:     stop answering (sleep) after this many episodes
  garbage_every:  every Nth episode, write a line that is not JSON instead of the answer
  unknown_stage_every: every Nth episode, report a stage the handshake did not declare
  wrong_id_every: every Nth episode, answer with another id
  error_every:    every Nth episode, answer {"type":"error"} (a reported failure, no restart)
  handshake:      "exit" (exit before answering), "garbage", "hang", "refuse", "no_stages"
  on_eof:         "linger" (keep running 60 s after stdin closes), "ignore_term" (the same, ignoring SIGTERM)
"""
import json
import signal
import sys
import time

out = sys.stdout
params = {}
answered = 0


def send(obj):
    out.write(json.dumps(obj) + "\n")
    out.flush()


def every(name):
    n = int(params.get(name, 0))
    return n > 0 and answered % n == n - 1


for line in sys.stdin:
    msg = json.loads(line)
    if msg["type"] == "init":
        params = msg.get("params") or {}
        mode = params.get("handshake")
        if mode == "exit":
            sys.stderr.write("faulty_worker: refusing to start\n")
            sys.exit(4)
        if mode == "garbage":
            out.write("hello, I am not JSON\n")
            out.flush()
            continue
        if mode == "hang":
            time.sleep(3600)
        if mode == "refuse":
            send({"type": "error", "message": "missing licence key"})
            continue
        if mode == "no_stages":
            send({"type": "init_ok", "stages": []})
            continue
        send({"type": "init_ok", "stages": ["work", {"name": "work.inner", "parent": "work"}],
              "metrics": [{"name": "answered", "unit": "count"}]})
        continue
    episode = msg["id"]
    if "crash_after" in params and answered >= int(params["crash_after"]):
        sys.stderr.write(f"faulty_worker: crashing at episode {episode}\n")
        sys.stderr.flush()
        sys.exit(3)
    if "hang_after" in params and answered >= int(params["hang_after"]):
        time.sleep(3600)
    start = time.perf_counter_ns()
    end = start + int(params.get("work_us", 50)) * 1000
    while time.perf_counter_ns() < end:
        pass
    took = time.perf_counter_ns() - start
    if every("garbage_every"):
        out.write("garbage garbage\n")
        out.flush()
    elif every("unknown_stage_every"):
        send({"type": "done", "id": episode, "stages": {"work": took, "surprise": 1}})
    elif every("wrong_id_every"):
        send({"type": "done", "id": episode + 1000, "stages": {"work": took}})
    elif every("error_every"):
        send({"type": "error", "id": episode, "message": f"episode {episode} rejected"})
    else:
        send({"type": "done", "id": episode, "stages": {"work": took, "work.inner": took // 2},
              "metrics": {"answered": answered}})
    answered += 1

# stdin closed: the end of the session.
if params.get("on_eof") == "ignore_term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if params.get("on_eof") in ("linger", "ignore_term"):
    time.sleep(60)
