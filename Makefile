# phibench — the front door. `make deps run` then `make test` on a fresh machine.
SWIFT        ?= swift
CONFIG       ?= release
BUILD_FLAGS  ?= -c $(CONFIG)
BIN          := .build/$(CONFIG)/phibench
SCENARIO     ?= scenarios/smoke.yaml
OUT          ?= runs/latest

.PHONY: deps build test run bench clean

deps:
	./scripts/install-deps.sh

build:
	$(SWIFT) build $(BUILD_FLAGS) --product phibench

run: build
	$(BIN) run $(SCENARIO) --out $(OUT)

test:
	$(SWIFT) build --build-tests
	$(SWIFT) build $(BUILD_FLAGS) --product phibench
	PHIBENCH_BIN=$(abspath $(BIN)) $(SWIFT) test --skip-build

clean:
	rm -rf .build runs
