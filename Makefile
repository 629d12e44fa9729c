# gpugap: `make run` and `make test` work on a fresh Debian 12 machine.
# Missing Debian packages are installed with apt-get (as root, non-interactive).

BUILD     ?= build
SAN_BUILD ?= build-san
BENCH_BUILD ?= build-bench
FUZZ_BUILD ?= build-fuzz
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
GPUGAP    := ./$(BUILD)/gpugap

DEPS := cmake ninja-build g++ pkg-config libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev \
        libtbb-dev libboost-math-dev libxlsxwriter-dev libopenmpi-dev openmpi-bin libgtest-dev \
        libgmock-dev libbenchmark-dev unzip ccache libcpp-httplib-dev
# The Python module (docs/python.md): pybind11 builds it, pandas for its DataFrames, pytest runs its tests.
DEPS += pybind11-dev python3-dev python3-pandas python3-pytest
BROWSER_DEPS := chromium
# What the tests themselves run: python3 (the doc generators under tools/), Chromium
# (the report's browser check) and Selenium with chromedriver (the `gpugap serve` page's).
# CI installs them; a test never skips for want of them.
TEST_DEPS := python3 unzip $(BROWSER_DEPS) python3-selenium chromium-driver
FUZZ_DEPS := clang libclang-rt-14-dev

.PHONY: refit all deps browser-deps test-deps report-deps kernel-deps build run test sanitize bench fuzz goldens readme heldout heldout-kfold validation intervals kernels docs clean

all: build

# Installs only what is missing; skipped entirely when everything is present.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_install,$(DEPS))

browser-deps:
	$(call apt_install,$(BROWSER_DEPS))

test-deps:
	$(call apt_install,$(TEST_DEPS))

# The HTML report inlines Apache ECharts, version-pinned in third_party/package-lock.json.
ECHARTS := third_party/node_modules/echarts/dist/echarts.min.js
report-deps:
	$(if $(shell command -v npm 2>/dev/null),,$(call apt_install,npm))
	@[ -f $(ECHARTS) ] || npm ci --prefix third_party --no-audit --no-fund

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps report-deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# `make run` builds only what the report needs (the library and the CLI), not the test suite,
# in unity batches (CMakeLists.txt: GPUGAP_UNITY; -DGPUGAP_UNITY=OFF for one object per source
# when editing one file at a time): a third of the compile work of before (docs/performance.md).
run: deps report-deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target gpugap
	$(GPUGAP) report -o out/report.html --xlsx out/report.xlsx --json out/report.json

# After ctest, tests/ci_gate.sh reads ctest's JUnit file and fails the run on any skipped
# test, any entry in tests/known_failures.txt, or fewer tests than tests/min_test_count;
# its line "test gate: ..." (with the skipped count) is the last one printed.
CTEST_GATE = rc=$$?; cd $(CURDIR) && tests/ci_gate.sh $(1)/ctest-junit.xml; gate=$$?; \
	  [ $$rc -eq 0 ] && [ $$gate -eq 0 ]

test: build test-deps
	@rm -f $(BUILD)/ctest-junit.xml
	cd $(BUILD) && GPUGAP_REQUIRE_BROWSER=1 GPUGAP_REQUIRE_MPI=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 300 --output-junit ctest-junit.xml; \
	  $(call CTEST_GATE,$(BUILD))

sanitize: deps report-deps test-deps
	# -O1 -g1 (line tables): what ASan recommends for speed, and a third quicker to compile than -O2 -g.
	cmake -S . -B $(SAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPUGAP_SANITIZE=ON \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
	cmake --build $(SAN_BUILD) -j $(JOBS)
	@rm -f $(SAN_BUILD)/ctest-junit.xml
	cd $(SAN_BUILD) && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  GPUGAP_SANITIZED=1 GPUGAP_REQUIRE_BROWSER=1 GPUGAP_REQUIRE_MPI=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 600 --output-junit ctest-junit.xml; \
	  $(call CTEST_GATE,$(SAN_BUILD))

bench: deps
	cmake -S . -B $(BENCH_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DGPUGAP_BENCH=ON -DGPUGAP_TESTS=OFF
	cmake --build $(BENCH_BUILD) -j $(JOBS)
	./$(BENCH_BUILD)/gpugap_bench --benchmark_min_time=0.2

FUZZ_SECONDS ?= 60
fuzz: deps
	$(call apt_install,$(FUZZ_DEPS))
	# -O1 -gline-tables-only as OSS-Fuzz builds: fast enough to fuzz, quick to compile, symbolised stacks.
	CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPUGAP_FUZZ=ON \
	  -DGPUGAP_TESTS=OFF -DGPUGAP_MPI=OFF -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG"
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets
	@[ -x $(BUILD)/gpugap ] || $(MAKE) build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILD=$(FUZZ_BUILD) GPUGAP_BIN=$(BUILD)/gpugap tests/fuzz/run.sh

# The only writer of tests/golden/*.json (commands in tests/golden/goldens.tsv); tests only read them.
goldens: build
	tools/update_goldens.sh $(GPUGAP)

# The shipped stack values (catalog/stacks/*.yaml) refitted the way validate's refits fit them:
# calibrate over the four measurement files with the kernel tables on (tools/refit_catalog.py).
# Minutes of fits; review the diff, then `make goldens readme` and the generated docs.
refit: build
	python3 tools/refit_catalog.py --gpugap $(GPUGAP)

# The output README.md shows under each "$ gpugap ..." command, from a run of it
# (Readme.EveryCommandRunsAndPrintsWhatTheReadmeShows fails when they differ).
readme: build test-deps
	python3 tools/update_readme.py --gpugap $(GPUGAP)

# The held-out error bounded at the figures docs/validation.md states (plus one point): the
# leave-one-publication-out headline (by metric, and the AIC line). Minutes of refits on 2 cores
# (docs/robustness.md), so a CI stage of its own rather than a unit test. heldout-kfold adds each
# file's k-fold figures (the doc's secondary table; another run of refits, not in CI).
heldout: build test-deps
	python3 tools/check_heldout.py --gpugap $(GPUGAP)

heldout-kfold: build test-deps
	python3 tools/check_heldout.py --gpugap $(GPUGAP) --kfold

# data/intervals/: the 80% intervals perf, econ and score show (perf-intervals.csv) and the
# leave-one-publication-out headline the report's validation section shows (lopo-summary.json,
# k-fold figures included), from one validate run over every measurement file: ~10 minutes of
# refits on 2 cores. Rerun after any change to the model or its fit; never run by the tests.
# --measurements FILE for each validated measurement file (data/measurements/validated.txt).
VALIDATED = $(foreach f,$(shell grep -v '^\#' data/measurements/validated.txt),--measurements $(f))

# docs/validation.md and data/intervals/ from one set of refits (the document's k-fold and
# leave-one-publication-out runs write the interval table and the headline too): what to run
# after a change to the model or the measurements, instead of the doc's command and make intervals.
validation: build
	$(GPUGAP) validate -q $(VALIDATED) --folds 5 --doc docs/validation.md --intervals-out data/intervals/perf-intervals.csv --summary-out data/intervals/lopo-summary.json --format json > /dev/null

intervals: build
	$(GPUGAP) validate -q $(VALIDATED) --folds-by source --intervals-out data/intervals/perf-intervals.csv --summary-out data/intervals/lopo-summary.json --format json > /dev/null

# data/kernels/kernels.csv from AIConfigurator's kernel tables (data/kernels/README.md): the
# mirror's git directory in AIC_MIRROR; parquet needs snappy and zstandard for Debian's python3.
# Never run by the build or the tests.
AIC_MIRROR ?= /work/.mirror/ai-dynamo+aiconfigurator/repo
AIC_COMMIT ?= 095f58a51c4ca8e61b66ec108d86f223f8d559ce
KERNEL_DEPS := python3 python3-yaml python3-snappy python3-zstandard
kernel-deps:
	$(call apt_install,$(KERNEL_DEPS))

kernels: kernel-deps
	/usr/bin/python3 tools/gen_kernels.py --mirror $(AIC_MIRROR) --commit $(AIC_COMMIT) \
	  --parquet2csv ../shared/tools/parquet2csv.py --out data/kernels/kernels.csv

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(BENCH_BUILD) $(FUZZ_BUILD) out
