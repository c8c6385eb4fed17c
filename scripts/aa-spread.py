#!/usr/bin/env python3
"""A/A spread of the gate's metrics under several run settings, measured interleaved.

Runs ROUNDS rounds; in each, one process per setting (one trial each, as make bench runs its sides),
in a rotating order, so every setting sees the same machine conditions. Then calibrates each setting
from its processes (`phibench calibrate --from`, into OUT/NAME-calibration) and prints, per setting and
gated metric, the median and the robust noise per trial (1.4826 · MAD / median) and writes OUT/spread.csv.

  scripts/aa-spread.py ROUNDS NAME='ARGS' [NAME='ARGS' ...]
  scripts/aa-spread.py 20 base='' pin='--set affinity=spread' hash='env:SWIFT_DETERMINISTIC_HASHING=1'

ARGS are extra `phibench run` arguments; a word `env:K=V` sets an environment variable instead.
Environment: PHIBENCH_BIN (default .build/release/phibench), BENCH_SCENARIO (scenarios/bench.yaml),
AA_OUT (runs/aa-spread), AA_METRICS (comma-separated; default the gate's metrics).
"""
import csv, json, os, shlex, subprocess, sys

def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    if rounds < 3:
        sys.exit("aa-spread: ROUNDS must be at least 3 (a noise estimate needs three trials)")
    settings = []
    for spec in sys.argv[2:]:
        name, _, args = spec.partition("=")
        if not name or "=" not in spec:
            sys.exit(f"aa-spread: setting {spec!r}: expected NAME='ARGS'")
        settings.append((name, shlex.split(args)))
    binary = os.environ.get("PHIBENCH_BIN", ".build/release/phibench")
    scenario = os.environ.get("BENCH_SCENARIO", "scenarios/bench.yaml")
    out = os.environ.get("AA_OUT", "runs/aa-spread")
    metrics = os.environ.get("AA_METRICS", "e2e.p50,e2e.p90,e2e.p99,throughput,memory.allocations_per_episode,phi.cache_hit_rate").split(",")
    os.makedirs(out, exist_ok=True)
    files = {name: [] for name, _ in settings}
    for r in range(rounds):
        order = settings[r % len(settings):] + settings[:r % len(settings)]
        for name, args in order:
            run_dir = os.path.join(out, f"{name}-{r + 1}")
            env = dict(os.environ)
            argv = [binary, "run", scenario, "--quiet", "--out", run_dir]
            for a in args:
                if a.startswith("env:"):
                    k, _, v = a[4:].partition("=")
                    env[k] = v
                else:
                    argv.append(a)
            status = subprocess.run(argv, env=env).returncode
            if status not in (0, 1):
                sys.exit(f"aa-spread: {name} round {r + 1} exited with {status}; see {run_dir}")
            files[name].append(os.path.join(run_dir, "result.json"))
        print(f"aa-spread: round {r + 1}/{rounds} done", file=sys.stderr, flush=True)
    rows = []
    for name, _ in settings:
        cal_dir = os.path.join(out, f"{name}-calibration")
        cal = subprocess.run([binary, "calibrate", "--from", *files[name], "--plan", "12", "--out", cal_dir],
                             stdout=subprocess.DEVNULL)
        if cal.returncode != 0:
            sys.exit(f"aa-spread: phibench calibrate --from (setting {name}) exited with {cal.returncode}")
        noise = json.load(open(os.path.join(cal_dir, "calibration.json")))["metrics"]
        for m in metrics:
            if m in noise:
                n = noise[m]
                rows.append({"setting": name, "metric": m, "trials": n["trials"], "median": n["median"], "noise_pct": 100 * n["noise"]})
    with open(os.path.join(out, "spread.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["setting", "metric", "trials", "median", "noise_pct"])
        w.writeheader()
        w.writerows(rows)
    width = max(len(n) for n, _ in settings)
    print(f"{'metric':32} " + " ".join(f"{n:>{max(width, 16)}}" for n, _ in settings))
    for m in metrics:
        cells = []
        for name, _ in settings:
            row = next((r for r in rows if r["setting"] == name and r["metric"] == m), None)
            cells.append(f"{row['median']:.4g} ±{row['noise_pct']:.2f}%" if row else "–")
        print(f"{m:32} " + " ".join(f"{c:>{max(width, 16)}}" for c in cells))

if __name__ == "__main__":
    main()
