# phibench — the front door.
#   make deps run    install everything, build, run the smoke scenario, print where the report is
#   make test        unit, integration and end-to-end tests
SWIFT          ?= swift
CONFIG         ?= release
BIN            := .build/$(CONFIG)/phibench
SCENARIO       ?= scenarios/smoke.yaml
OUT            ?= runs/latest
# The CI gate (scripts/bench.sh): the baseline commit and this tree built on this machine and run by
# `phibench ab` — processes of both interleaved in random order, tested after every block, stopped as
# soon as every gated metric is decided or BENCH_BUDGET is spent. BENCH_THRESHOLD is the regression it
# must catch (90% power), BENCH_ALPHA its false-alarm rate for all gated metrics together. The gated
# metrics are the catalogue's (phibench list); BENCH_GATE="--gate PATTERN …" narrows them.
BENCH_SCENARIO ?= scenarios/gate.yaml
BENCH_BUDGET   ?= 5m
BENCH_TRIALS   ?= 5
BENCH_THRESHOLD ?= 5%
BENCH_ALPHA    ?= 1%
BENCH_GATE     ?=
BASELINE       ?= reports/baselines/bench.json
# The instruction-count gate: instructions per episode of the bench workload under callgrind, exact
# and repeatable. INSTR_BASELINE=FILE compares with an earlier instructions.json and fails (exit 1)
# when the episode total grew by more than INSTR_THRESHOLD, or its estimated cycles (callgrind's cache
# simulation) by more than INSTR_CYCLES_THRESHOLD.
INSTR_SCENARIO ?= scenarios/bench.yaml
INSTR_EPISODES ?= 2000
INSTR_WARMUP   ?= 1000
INSTR_THRESHOLD ?= 1%
INSTR_CYCLES_THRESHOLD ?= 2%
INSTR_BASELINE ?=
# make bench runs the instruction-count gate on both sides of its A/B too: auto (where valgrind is
# installed), 1 (required), 0 (off).
BENCH_INSTRUCTIONS ?= auto
# A result history for trends and change points (phibench history): an SQLite file or a
# postgres:// URL. Empty: make bench keeps no history.
HISTORY_DB     ?=
SOAK_DURATION  ?= 10m
REF            ?= HEAD~1

.PHONY: deps build test examples run bench bench-instructions baseline soak profile heap-profile memory-compare memory-adaptive-compare memory-budget ab report list clean

deps:
	./scripts/install-deps.sh

# No cached build manifest: scripts/ab.sh builds another commit into the same build folder, and a
# cached manifest could take that build for this tree's.
build:
	$(SWIFT) build -c $(CONFIG) --product phibench --disable-build-manifest-caching

run: build
	$(BIN) run $(SCENARIO) --out $(OUT)

# The tests build in release beside the release build, which they reuse (a debug build would compile
# all 2,235 targets again): PHIBENCH_TESTABLE=1 recompiles only our own modules with -enable-testing
# (Package.swift), so .build/release/phibench, the binary the end-to-end tests run (PHIBENCH_BIN), is
# that build until the next `make build`. Suites run one at a time: the load-driver tests compare
# timings and must not share two cores with Chromium.
test: build
	PHIBENCH_TESTABLE=1 $(SWIFT) build -c $(CONFIG) --build-tests
	PHIBENCH_TESTABLE=1 PHIBENCH_BIN=$(abspath $(BIN)) $(SWIFT) test -c $(CONFIG) --skip-build --no-parallel

# The README's "Benchmark your own pipeline" examples, as CI runs them: a Swift package's own code
# (PhibenchKit), the Python pipeline as worker processes, the same load on the Swift pipeline and
# their compare (informational: --gate none), and the Python service over HTTP.
examples: build
	$(SWIFT) build -c $(CONFIG) --product SortBenchmark
	.build/$(CONFIG)/SortBenchmark examples/SortBenchmark/sort.yaml runs/examples/sort
	$(BIN) run examples/pipeline.yaml --out runs/examples/python
	$(BIN) run examples/pipeline.yaml --set workload=null --set pipeline.memory=off --out runs/examples/swift --quiet
	$(BIN) compare runs/examples/python/result.json runs/examples/swift/result.json --gate none
	PHIBENCH=$(BIN) ./scripts/service-example.sh runs/examples/service

# The regression gate: same-job A/B against the baseline commit (see scripts/bench.sh); exit 1 only
# on a statistically significant regression beyond BENCH_THRESHOLD in a gated metric, or when
# instructions per episode grew by more than INSTR_THRESHOLD. Every gated
# metric prints its minimum detectable effect; a blind one says "below detection limit".
bench: build
	BENCH_SCENARIO=$(BENCH_SCENARIO) BENCH_BUDGET=$(BENCH_BUDGET) BENCH_TRIALS=$(BENCH_TRIALS) INSTR_SCENARIO=$(INSTR_SCENARIO) \
	BENCH_THRESHOLD=$(BENCH_THRESHOLD) BENCH_ALPHA=$(BENCH_ALPHA) BENCH_GATE="$(BENCH_GATE)" BASELINE=$(BASELINE) HISTORY_DB="$(HISTORY_DB)" \
	BENCH_INSTRUCTIONS=$(BENCH_INSTRUCTIONS) INSTR_EPISODES=$(INSTR_EPISODES) INSTR_WARMUP=$(INSTR_WARMUP) \
	INSTR_THRESHOLD=$(INSTR_THRESHOLD) INSTR_CYCLES_THRESHOLD=$(INSTR_CYCLES_THRESHOLD) ./scripts/bench.sh

# Instructions per episode, in total and per stage, counted by valgrind's callgrind on one worker
# (needs valgrind and objcopy: make deps). Runs in a fixed directory: the memory layer's file names,
# built from it, are part of what is counted.
bench-instructions: build
	$(BIN) instructions $(INSTR_SCENARIO) --episodes $(INSTR_EPISODES) --warmup $(INSTR_WARMUP) --out runs/bench-instructions \
		$(if $(INSTR_BASELINE),--compare $(INSTR_BASELINE) --threshold $(INSTR_THRESHOLD) --cycles-threshold $(INSTR_CYCLES_THRESHOLD))

# Refreshes the committed baseline on this machine (commit the file it writes): the result that quick
# local compares use and whose commit make bench builds as side A, and the A/A calibration.
baseline: build
	$(BIN) run $(INSTR_SCENARIO) --trials $(BENCH_TRIALS) --out runs/baseline --quiet
	mkdir -p $(dir $(BASELINE))
	cp runs/baseline/result.json $(BASELINE)
	$(BIN) calibrate $(INSTR_SCENARIO) --trials 20 --plan 12 --out runs/calibration
	cp runs/calibration/calibration.json $(dir $(BASELINE))calibration.json
	@echo "baseline and calibration written to $(dir $(BASELINE)); review and commit them"

soak: build
	$(BIN) soak scenarios/soak.yaml --duration $(SOAK_DURATION) --out runs/soak

profile: build
	$(BIN) profile $(SCENARIO) --out runs/profile

heap-profile: build
	$(BIN) profile $(SCENARIO) --heap --out runs/heap-profile

# The memory layer's before/after on the same load: the full compare, then the rows its targets
# are read from (store cost, allocations, archive ratio and bits per value by column, memory per state).
MEMORY_TARGETS := ^(metric|-----|MEMORY\.store\.(p50|p99|mean)|MEMORY\.query\.p50|memory\.allocations_per_episode|memory_layer\.compression\.archive|memory_layer\.metrics_store\.columns\..*bits_per_value|memory_layer\.resident_bytes_per_state|e2e\.p(50|99) |throughput)
# Then the layer's own cost, counted exactly (MemoryLayerCost, issue #26): instructions per episode under
# callgrind, closed loop, of the same scenarios, layer on minus off with MEMORY.query left out, as a share
# of the layer-off episode; for moderate and adaptive (needs valgrind: make deps). Fixed directories of one
# path length, since the layer's file names are part of what is counted.
MEMORY_INSTR_EPISODES ?= 3000
MEMORY_INSTR_WARMUP   ?= 1000
MEMORY_INSTR = $(BIN) instructions --episodes $(MEMORY_INSTR_EPISODES) --warmup $(MEMORY_INSTR_WARMUP) --no-cache-sim --quiet
memory-compare: build
	$(BIN) run scenarios/memory-before.yaml --trials 5 --out runs/memory-before --quiet
	$(BIN) run scenarios/memory-after.yaml --trials 5 --out runs/memory-after --quiet
	mkdir -p runs/memory-compare
	$(BIN) compare runs/memory-before/result.json runs/memory-after/result.json --out runs/memory-compare --gate none \
	  | tee runs/memory-compare/compare.txt
	@echo; echo "memory-compare: the memory layer's targets"; grep -E '$(MEMORY_TARGETS)' runs/memory-compare/compare.txt
	$(MEMORY_INSTR) scenarios/memory-before.yaml --out runs/memory-instr-off
	@echo; echo "memory-compare: the layer's own cost (target ≤ 5%), moderate then adaptive"
	$(MEMORY_INSTR) scenarios/memory-after.yaml --out runs/memory-instr-mod --layer-off runs/memory-instr-off/instructions.json
	$(MEMORY_INSTR) scenarios/memory-adaptive-after.yaml --out runs/memory-instr-ada --layer-off runs/memory-instr-off/instructions.json

# The adaptive memory layer against the layer off on the same open-loop load, through phibench ab: processes
# of both interleaved in random order until e2e p50/p99 and throughput are each decided at 5% (or
# MEMORY_BUDGET is spent, "inconclusive" with the MDE reached; exit 1 if the layer costs more than that);
# memory per state, RSS and allocations side by side in the full compare. MEMORY_ARGS go to both sides'
# runs, e.g. '--set workers=1 --set spin=10ms' keeps the one worker busy-waiting between arrivals.
MEMORY_BUDGET ?= 6m
MEMORY_ARGS   ?=
ADAPTIVE_TARGETS := ^(metric|-----|e2e\.p(50|99) |throughput|memory\.rss_(peak_bytes|growth_pct|slope_bytes_per_episode)|memory_layer\.resident_bytes_per_state|MEMORY\.(store|query)\.p50|memory\.allocations_per_episode)
memory-adaptive-compare: build
	rm -rf runs/memory-adaptive-compare
	$(BIN) ab scenarios/memory-before.yaml --b-scenario scenarios/memory-adaptive-after.yaml --a-label off --b-label adaptive \
	  --instances 1 --budget $(MEMORY_BUDGET) --threshold 5% --gate e2e.p50 --gate e2e.p99 --gate throughput $(MEMORY_ARGS) \
	  --out runs/memory-adaptive-compare; status=$$?; \
	  echo; echo "memory-adaptive-compare: off vs adaptive (informational rows)"; \
	  $(BIN) compare runs/memory-adaptive-compare/A.json runs/memory-adaptive-compare/B.json --gate none --force \
	    | grep -E '$(ADAPTIVE_TARGETS)'; exit $$status

# A load that grows past the adaptive layer's budget: its decisions (episode, from, to, why) from result.json.
memory-budget: build
	$(BIN) run scenarios/memory-budget.yaml --out runs/memory-budget --quiet
	@echo "memory-budget: the adaptive policy's decisions"; \
	  grep -E '"(budget_bytes|peak_resident_bytes|rung_name|episode|from|to|reason|resident_bytes)"' runs/memory-budget/result.json \
	  | sed -n '/budget_bytes/,$$p'

# Two builds on this machine, trials interleaved A B A B: make ab REF=main
ab:
	THRESHOLD=$(BENCH_THRESHOLD) ALPHA=$(BENCH_ALPHA) BUDGET=$(BENCH_BUDGET) GATE="$(BENCH_GATE)" ./scripts/ab.sh $(REF) $(BENCH_SCENARIO)

report: build
	$(BIN) report $(OUT)/result.json --out $(OUT)

list: build
	$(BIN) list

clean:
	rm -rf .build runs .ab
