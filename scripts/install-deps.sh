#!/usr/bin/env bash
# Installs the system libraries phibench builds against and the tools its tests use.
# Idempotent: re-running only checks that everything is present.
set -euo pipefail

packages=(
  libjemalloc-dev   # allocator + statistics (CJemalloc)
  libunwind-dev     # stack capture for the CPU sampler (CUnwind)
  liblz4-dev        # memory-layer compression (CLZ4)
  zlib1g-dev        # memory-layer archive compression (CZlib)
  libblosc-dev      # memory-layer numeric-array codec (CBlosc)
  libxxhash-dev     # memory-layer dedup digest, XXH3-128 (CXXHash)
  libsqlite3-dev    # warm tier (GRDB)
  libssl-dev        # SHA-256 of the history's machine fingerprint and record ids (COpenSSLCrypto: libcrypto)
  libpq-dev         # the PostgreSQL history store's client (CLibPQ)
  libhttp-parser-dev  # the HTTP workload's response parser, nodejs/http-parser (CHTTPParser)
  pkg-config        # how SwiftPM finds the libraries above
  chromium          # renders report.html in tests
  jq                # scripts/lateness-table.sh reads result.json
  valgrind          # callgrind: phibench instructions, make bench-instructions (and <valgrind/callgrind.h>)
  binutils          # objcopy: the debug-info-free copy valgrind runs
  python3           # the Python worker and HTTP service examples (examples/) and their tests
  python3-kubernetes  # the Kubernetes API models the distributed-test manifest is validated against (with PyYAML)
  wrk               # the HTTP client phibench's HTTP workload is measured against (scripts/http-vs-wrk.py)
  nginx             # the fast reference server of that comparison and of the HTTP tests (started on loopback by them)
  postgresql        # history tests start a real server on loopback (initdb, pg_ctl)
  prometheus        # promtool checks /metrics; live-metrics tests start a real server on loopback
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all system packages present"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v swift >/dev/null || { echo "install-deps: swift is not on PATH (need Swift 6.1 or newer)" >&2; exit 1; }
for lib in jemalloc libunwind liblz4 zlib blosc libxxhash sqlite3 libcrypto libpq; do
  pkg-config --exists "$lib" || { echo "install-deps: pkg-config cannot find $lib" >&2; exit 1; }
done
echo "install-deps: ok ($(swift --version 2>&1 | head -1))"
