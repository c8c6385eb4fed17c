# phibench — the front door.
#   make deps run    install everything, build, run the smoke scenario, print where the report is
#   make test        unit, integration and end-to-end tests
SWIFT          ?= swift
CONFIG         ?= release
BIN            := .build/$(CONFIG)/phibench
SCENARIO       ?= scenarios/smoke.yaml
OUT            ?= runs/latest
# The CI gate: trials per side, regression threshold, the committed baseline.
BENCH_SCENARIO ?= scenarios/bench.yaml
BENCH_TRIALS   ?= 5
BENCH_THRESHOLD ?= 15%
# What fails the gate. Per-stage percentiles are reported, not gated: against a baseline recorded
# at another time, sub-microsecond stages drift by ±10% with the machine's load (measured: four
# same-build runs of bench.yaml, 12 pairwise compares); a stage that really got slower shows in e2e.
BENCH_GATE     ?= --gate e2e.p50 --gate e2e.p90 --gate e2e.p99 --gate throughput \
                  --gate memory.allocations_per_episode --gate phi.cache_hit_rate
BASELINE       ?= reports/baselines/bench.json
# A result history for trends and change points (phibench history): an SQLite file or a
# postgres:// URL. Empty: make bench keeps no history.
HISTORY_DB     ?=
SOAK_DURATION  ?= 10m
REF            ?= HEAD~1

.PHONY: deps build test run bench baseline soak profile heap-profile memory-compare ab report list clean

deps:
	./scripts/install-deps.sh

build:
	$(SWIFT) build -c $(CONFIG) --product phibench

run: build
	$(BIN) run $(SCENARIO) --out $(OUT)

# Debug test build plus a release binary the end-to-end tests run (PHIBENCH_BIN). Suites run one
# at a time: the load-driver tests compare timings and must not share two cores with Chromium.
test: build
	$(SWIFT) build --build-tests
	PHIBENCH_BIN=$(abspath $(BIN)) $(SWIFT) test --skip-build --no-parallel

# Runs the bench scenario with several trials and compares it with the committed baseline:
# exit 1 only on a statistically significant regression beyond BENCH_THRESHOLD. With HISTORY_DB set,
# the result goes into the history first, so a run the gate fails is in the history too.
bench: build
	$(BIN) run $(BENCH_SCENARIO) --trials $(BENCH_TRIALS) --out runs/bench --quiet
	$(if $(HISTORY_DB),$(BIN) history add runs/bench/result.json --db '$(HISTORY_DB)')
	$(BIN) compare $(BASELINE) runs/bench/result.json --threshold $(BENCH_THRESHOLD) $(BENCH_GATE) --out runs/bench/compare

# Refreshes the baseline on this machine (commit the file it writes).
baseline: build
	$(BIN) run $(BENCH_SCENARIO) --trials $(BENCH_TRIALS) --out runs/baseline --quiet
	mkdir -p $(dir $(BASELINE))
	cp runs/baseline/result.json $(BASELINE)
	@echo "baseline written to $(BASELINE); review and commit it"

soak: build
	$(BIN) soak scenarios/soak.yaml --duration $(SOAK_DURATION) --out runs/soak

profile: build
	$(BIN) profile $(SCENARIO) --out runs/profile

heap-profile: build
	$(BIN) profile $(SCENARIO) --heap --out runs/heap-profile

# The memory layer's before/after on the same load.
memory-compare: build
	$(BIN) run scenarios/memory-before.yaml --trials 5 --out runs/memory-before --quiet
	$(BIN) run scenarios/memory-after.yaml --trials 5 --out runs/memory-after --quiet
	$(BIN) compare runs/memory-before/result.json runs/memory-after/result.json --out runs/memory-compare --gate none

# Two builds on this machine, trials interleaved A B A B: make ab REF=main
ab:
	./scripts/ab.sh $(REF) $(BENCH_SCENARIO)

report: build
	$(BIN) report $(OUT)/result.json --out $(OUT)

list: build
	$(BIN) list

clean:
	rm -rf .build runs .ab
