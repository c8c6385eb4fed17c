#!/usr/bin/env python3
"""phibench's HTTP workload next to wrk against nginx on loopback (issue #23's reference comparison).

Starts Debian's nginx on a free loopback port (its own configuration in a temporary directory, one
worker, a fixed 3-byte response), then runs ROUNDS alternating rounds of:
  closed loop  wrk -t1 -cC  and  phibench closed loop, C connections, 1 event-loop thread
  open loop    phibench at RATE/s on C connections (wrk has no open loop)
Each client's CPU is read from wait4()'s rusage of that child (user + system, start-up included
for both), divided by the requests it sent. Prints every round and the medians as Markdown.

  scripts/http-vs-wrk.py [--rounds 7] [--seconds 8] [--connections 4] [--rate 10000] [--bin PATH]
"""
import argparse, json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_nginx(directory):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        sys.exit("nginx is not installed (scripts/install-deps.sh)")
    port = free_port()
    d = directory
    conf = f"""worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  keepalive_requests 100000000;
  server {{ listen 127.0.0.1:{port}; location / {{ default_type text/plain; return 200 "ok\\n"; }} }}
}}
"""
    path = os.path.join(d, "nginx.conf")
    open(path, "w").write(conf)
    proc = subprocess.Popen([nginx, "-c", path, "-p", d, "-e", f"{d}/error.log"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, f"http://127.0.0.1:{port}/"
        except OSError:
            time.sleep(0.01)
    proc.kill()
    sys.exit("nginx did not start: " + open(f"{d}/error.log").read())


def run_child(argv):
    """Runs argv; returns (stdout, cpu seconds of that child)."""
    out = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode()
    if proc.returncode != 0:
        sys.exit(f"{argv[0]} failed ({proc.returncode}): {err}")
    out.seek(0)
    return out.read().decode(), usage.ru_utime + usage.ru_stime


def ms(v):
    n, unit = float(re.match(r"[\d.]+", v).group()), re.sub(r"[\d.]+", "", v)
    return n * {"us": 1e-3, "ms": 1, "s": 1e3}[unit]


def wrk_round(url, conns, secs):
    text, cpu = run_child(["wrk", "-t1", f"-c{conns}", f"-d{secs}s", "--latency", url])
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
            "p50_ms": ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)),
            "p99_ms": ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)),
            "cpu_us": cpu / requests * 1e6, "requests": requests}


def phibench_round(binary, url, conns, secs, out, phase):
    _, cpu = run_child([binary, "run", "examples/http-closed.yaml", "--quiet", "--out", out,
                        "--set", f"workload.http.url={url}", "--set", f"workload.connections={conns}",
                        "--set", "warmup=0s", "--set", f"phases=[{phase}]"])
    r = json.load(open(os.path.join(out, "result.json")))
    m = r["summary"]["metrics"]
    requests = r["summary"]["episodes"] + 1  # + the preflight
    return {"rps": m["throughput"], "p50_ms": m["e2e.p50"] / 1e6, "p99_ms": m["e2e.p99"] / 1e6,
            "cpu_us": cpu / requests * 1e6, "own_cpu_us": m.get("cpu.per_episode", 0) * 1e6,
            "late_p50_us": m.get("lateness.p50", 0) / 1e3, "late_p99_us": m.get("lateness.p99", 0) / 1e3,
            "errors": m["errors"], "requests": requests}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--rate", type=int, default=10000)
    ap.add_argument("--bin", default=".build/release/phibench")
    ap.add_argument("--out", default="runs/http-vs-wrk")
    a = ap.parse_args()
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (scripts/install-deps.sh)")
    os.makedirs(a.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        nginx, url = start_nginx(d)
        try:
            print(f"nginx {url} (1 worker), {a.connections} connections, {a.seconds}s per run, {os.cpu_count()} cores; "
                  f"load before: {open('/proc/loadavg').read().split()[:3]}", flush=True)
            rounds = []
            for i in range(1, a.rounds + 1):
                w = wrk_round(url, a.connections, a.seconds)
                p = phibench_round(a.bin, url, a.connections, a.seconds, f"{a.out}/closed-{i}",
                                   f"{{kind: closed, concurrency: [{a.connections}], each: {a.seconds}s}}")
                o = phibench_round(a.bin, url, a.connections, a.seconds, f"{a.out}/open-{i}",
                                   f"{{kind: constant, rate: {a.rate}, duration: {a.seconds}s}}")
                rounds.append((w, p, o))
                print(f"round {i}: wrk {w['rps']:.0f}/s {w['cpu_us']:.2f} µs CPU/req | phibench {p['rps']:.0f}/s "
                      f"{p['cpu_us']:.2f} µs CPU/req ({p['rps'] / w['rps']:.1%}, CPU {p['cpu_us'] / w['cpu_us']:.2f}×) | "
                      f"open {o['rps']:.1f}/s lateness p50 {o['late_p50_us']:.2f} µs p99 {o['late_p99_us']:.1f} µs "
                      f"CPU {o['cpu_us']:.2f} µs/req, errors {p['errors'] + o['errors']:.0f}", flush=True)
        finally:
            nginx.terminate()
            nginx.wait()
    print(f"load after: {open('/proc/loadavg').read().split()[:3]}\n")
    print("| round | wrk req/s | phibench req/s | ÷ wrk | wrk CPU µs/req | phibench CPU µs/req | ÷ wrk | wrk p50 / p99 ms | phibench p50 / p99 ms |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for i, (w, p, _) in enumerate(rounds, 1):
        print(f"| {i} | {w['rps']:,.0f} | {p['rps']:,.0f} | {p['rps'] / w['rps']:.1%} | {w['cpu_us']:.2f} | {p['cpu_us']:.2f} | "
              f"{p['cpu_us'] / w['cpu_us']:.2f}× | {w['p50_ms']:.3f} / {w['p99_ms']:.3f} | {p['p50_ms']:.3f} / {p['p99_ms']:.3f} |")
    med = statistics.median
    print(f"| **median** | {med(w['rps'] for w, _, _ in rounds):,.0f} | {med(p['rps'] for _, p, _ in rounds):,.0f} | "
          f"**{med(p['rps'] / w['rps'] for w, p, _ in rounds):.1%}** | {med(w['cpu_us'] for w, _, _ in rounds):.2f} | "
          f"{med(p['cpu_us'] for _, p, _ in rounds):.2f} | **{med(p['cpu_us'] / w['cpu_us'] for w, p, _ in rounds):.2f}×** | | |")
    print(f"\n| round | open loop {a.rate}/s achieved | off by | lateness p50 µs | lateness p99 µs | e2e p50 / p99 ms | CPU µs/req |")
    print("| ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    for i, (_, _, o) in enumerate(rounds, 1):
        print(f"| {i} | {o['rps']:,.1f} | {(o['rps'] - a.rate) / a.rate:+.2%} | {o['late_p50_us']:.2f} | {o['late_p99_us']:.1f} | "
              f"{o['p50_ms']:.3f} / {o['p99_ms']:.3f} | {o['cpu_us']:.2f} |")
    print(f"| **median** | {med(o['rps'] for _, _, o in rounds):,.1f} | {med((o['rps'] - a.rate) / a.rate for _, _, o in rounds):+.2%} | "
          f"**{med(o['late_p50_us'] for _, _, o in rounds):.2f}** | {med(o['late_p99_us'] for _, _, o in rounds):.1f} | | "
          f"{med(o['cpu_us'] for _, _, o in rounds):.2f} |")


if __name__ == "__main__":
    main()
