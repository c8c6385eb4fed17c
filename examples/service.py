#!/usr/bin/env python3
"""The Φ pipeline of examples/pipeline.py behind HTTP (standard library only), reporting each
stage in a `Server-Timing` header, so phibench turns them into stage histograms.

    python3 examples/service.py --port 8080          # then: phibench run examples/service.yaml

Routes (HTTP/1.1, keep-alive):
  POST /episode   body {"episode": N}  (or GET /episode?episode=N): one pipeline episode
  GET  /noop      no work, `Server-Timing: app;dur=0` (measures the HTTP path itself)
  POST /flaky     like /episode, but odd episodes answer 500 (for error-handling tests)
  POST /late      like /episode, plus a `late` Server-Timing entry for episodes after 0
                  (a stage the preflight could not have seen)
Prints `listening on http://HOST:PORT` once ready (use --port 0 for any free port).
"""
import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pipeline import Pipeline  # noqa: E402


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    # Headers and body leave in separate writes; without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold every keep-alive response back by ~40 ms.
    disable_nagle_algorithm = True
    pipeline = None

    def log_message(self, format, *args):  # quiet: one line per request would dominate
        pass

    def episode_id(self):
        url = urlparse(self.path)
        if self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if raw:
                return int(json.loads(raw).get("episode", 0)), url.path
        query = parse_qs(url.query)
        return int(query.get("episode", ["0"])[0]), url.path

    def reply(self, status, timings, body=b"ok\n"):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        if timings:
            # Two headers on purpose: a client must combine them (RFC 9110 field lists).
            half = (len(timings) + 1) // 2
            self.send_header("Server-Timing", ", ".join(timings[:half]))
            if timings[half:]:
                self.send_header("Server-Timing", ", ".join(timings[half:]))
        self.end_headers()
        self.wfile.write(body)

    def handle_episode(self):
        try:
            episode, path = self.episode_id()
        except (ValueError, json.JSONDecodeError):
            return self.reply(400, [], b"bad episode\n")
        if path == "/noop":
            return self.reply(200, ["app;dur=0"])
        if path not in ("/episode", "/flaky", "/late"):
            return self.reply(404, [], b"not found\n")
        if path == "/flaky" and episode % 2 == 1:
            return self.reply(500, [], b"flaky\n")
        stages, _ = self.pipeline.run(episode)
        timings = [f"{name};dur={ns / 1e6:.4f}" for name, ns in stages.items() if "." not in name]
        if "PHI" in stages:
            timings[-1] += ';desc="' + ("hit" if "PHI.hit" in stages else "miss") + '"'
        if path == "/late" and episode > 0:
            timings.append("late;dur=0.001")
        self.reply(200, timings)

    do_GET = handle_episode
    do_POST = handle_episode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    Handler.pipeline = Pipeline(args.seed, {})
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
