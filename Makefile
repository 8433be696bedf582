# The everyday commands. `make run` and `make test` install missing Debian packages first.
SOUK_LISTEN ?= 127.0.0.1:8080
SOUK_DB ?= sqlite:data/souk.db
JOBS ?= $(shell nproc)

.PHONY: all deps build build-release run test bench fuzz format clean

all: build-release

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B build -DSOUK_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build -j$(JOBS)

build-release: deps
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-release -j$(JOBS)

# Each `make run` mints a fresh admin key (list and revoke old ones with `souk apikey`).
run: build-release
	@mkdir -p data
	@./build-release/souk migrate --db $(SOUK_DB)
	@key=$$(./build-release/souk apikey create --scope admin --name make-run --db $(SOUK_DB) \
	        2>/dev/null) && \
	 printf '\nsouk is starting on http://%s\nadmin API key: %s\ntry: curl -H "Authorization: Bearer %s" http://%s/v1/products\n\n' \
	        $(SOUK_LISTEN) "$$key" "$$key" $(SOUK_LISTEN)
	@exec ./build-release/souk serve --listen $(SOUK_LISTEN) --db $(SOUK_DB) --seed-demo

test: build
	@scripts/checksrc
	@cd build && ctest --output-on-failure -j$(JOBS)

bench: build-release
	@bench/run-all

fuzz: deps
	@scripts/install-deps scripts/packages-fuzz.txt
	@CC=clang cmake -S . -B build-fuzz -DSOUK_FUZZ=ON -DSOUK_SANITIZE=ON >/dev/null
	@cmake --build build-fuzz -j$(JOBS)
	@tests/fuzz/run-all build-fuzz 60

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-release build-fuzz
