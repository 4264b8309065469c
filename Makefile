# Custos: `make run` and `make test` work on a fresh Debian machine as root.
SWIFT ?= swift

.PHONY: deps build test run bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

# scripts/test.sh: the modules of pure logic run niced beside the suites that start servers.
test: deps
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) bash scripts/test.sh

run: deps
	$(SWIFT) build -c release --product custos
	.build/release/custos dev up --dir .custos-dev

# Options of custos-bench (`custos-bench --help`): the signing and ERC-20 workloads' length and load, the signing schemes,
# e.g. make bench BENCH_FLAGS="--duration 120 --submitters 16 --schemes frost-ed25519,ecdsa-secp256k1"
BENCH_FLAGS ?= --duration 60 --schemes frost-ed25519,frost-taproot,ecdsa-secp256k1

bench: deps
	$(SWIFT) build -c release --product custos
	$(SWIFT) build -c release --product custos-bench
	bash scripts/bench.sh $(BENCH_FLAGS)

clean:
	rm -rf .build
