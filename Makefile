# phibench — the front door.
#   make deps run    install everything, build, run the smoke scenario, print where the report is
#   make test        unit, integration and end-to-end tests
SWIFT          ?= swift
CONFIG         ?= release
BIN            := .build/$(CONFIG)/phibench
SCENARIO       ?= scenarios/smoke.yaml
OUT            ?= runs/latest
# The CI gate (scripts/bench.sh): the baseline commit and this tree built and run interleaved on this
# machine, BENCH_ROUNDS processes a side, compared at BENCH_THRESHOLD on BENCH_GATE.
BENCH_SCENARIO ?= scenarios/bench.yaml
BENCH_ROUNDS   ?= 12
BENCH_TRIALS   ?= 5
BENCH_THRESHOLD ?= 5%
BENCH_GATE     ?= --gate e2e.p50 --gate e2e.p90 --gate e2e.p99 --gate throughput \
                  --gate memory.allocations_per_episode --gate phi.cache_hit_rate
BASELINE       ?= reports/baselines/bench.json
SOAK_DURATION  ?= 10m
REF            ?= HEAD~1

.PHONY: deps build test examples run bench baseline soak profile heap-profile memory-compare ab report list clean

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

# The README's "Benchmark your own pipeline" examples, as CI runs them: a Swift package's own code
# (PhibenchKit), the Python pipeline as worker processes, the same load on the Swift pipeline and
# their compare (informational: --gate none), and the Python service over HTTP.
examples: build
	$(SWIFT) build -c $(CONFIG) --product SortBenchmark
	.build/$(CONFIG)/SortBenchmark Examples/SortBenchmark/sort.yaml runs/examples/sort
	$(BIN) run examples/pipeline.yaml --out runs/examples/python
	$(BIN) run examples/pipeline.yaml --set workload=null --set pipeline.memory=off --out runs/examples/swift --quiet
	$(BIN) compare runs/examples/python/result.json runs/examples/swift/result.json --gate none
	PHIBENCH=$(BIN) ./scripts/service-example.sh runs/examples/service

# The regression gate: same-job A/B against the baseline commit (see scripts/bench.sh); exit 1 only
# on a statistically significant regression beyond BENCH_THRESHOLD in a gated metric. Every gated
# metric prints its minimum detectable effect; a blind one says "below detection limit".
bench: build
	BENCH_SCENARIO=$(BENCH_SCENARIO) BENCH_ROUNDS=$(BENCH_ROUNDS) BENCH_TRIALS=$(BENCH_TRIALS) \
	BENCH_THRESHOLD=$(BENCH_THRESHOLD) BENCH_GATE="$(BENCH_GATE)" BASELINE=$(BASELINE) ./scripts/bench.sh

# Refreshes the committed baseline on this machine (commit the file it writes): the result that quick
# local compares use and whose commit make bench builds as side A, and the A/A calibration.
baseline: build
	$(BIN) run $(BENCH_SCENARIO) --trials $(BENCH_TRIALS) --out runs/baseline --quiet
	mkdir -p $(dir $(BASELINE))
	cp runs/baseline/result.json $(BASELINE)
	$(BIN) calibrate $(BENCH_SCENARIO) --trials 20 --plan $(BENCH_ROUNDS) --out runs/calibration
	cp runs/calibration/calibration.json $(dir $(BASELINE))calibration.json
	@echo "baseline and calibration written to $(dir $(BASELINE)); review and commit them"

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
	THRESHOLD=$(BENCH_THRESHOLD) GATE="$(BENCH_GATE)" ./scripts/ab.sh $(REF) $(BENCH_SCENARIO) $(BENCH_ROUNDS)

report: build
	$(BIN) report $(OUT)/result.json --out $(OUT)

list: build
	$(BIN) list

clean:
	rm -rf .build runs .ab
