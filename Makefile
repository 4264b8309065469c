# Custos: `make run` and `make test` work on a fresh Debian machine as root.
SWIFT ?= swift

.PHONY: deps build test run bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

run: deps
	$(SWIFT) build -c release --product custos
	.build/release/custos dev up --dir .custos-dev

bench: deps
	$(SWIFT) build -c release --product custos
	$(SWIFT) build -c release --product custos-bench
	bash scripts/bench.sh

clean:
	rm -rf .build
