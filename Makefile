# Two commands: `make run` opens Reader, `make test` runs the whole test suite.
# Both create the virtual environment and install Reader into it first, on a fresh machine too.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test test-fast bench bench-quick clean system-deps

run: $(INSTALLED)
	$(BIN)/reader

test: $(INSTALLED)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Speed and memory against the references (raw llama.cpp, bare trafilatura), written to
# docs/benchmarks.md; about 12 minutes on two cores (bench-quick: about 2).
bench: $(INSTALLED)
	$(BIN)/python -m bench

bench-quick: $(INSTALLED)
	$(BIN)/python -m bench --quick

# Everything but the tests that run the language model.
test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

$(INSTALLED): pyproject.toml packaging/llama-build-flags.sh
	./packaging/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# llama.cpp is compiled for this processor with the options of llama-build-flags.sh, never
	# taken from a wheel pip cached from a build with other options (one with AMX crashes).
	CMAKE_ARGS="$$(./packaging/llama-build-flags.sh)" $(BIN)/python -m pip install --quiet \
		--no-cache-dir "$$(grep -o '"llama-cpp-python[^"]*"' pyproject.toml | head -1 | tr -d '"')"
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

system-deps:
	./packaging/install-system-deps.sh

clean:
	rm -rf $(VENV) build *.egg-info
