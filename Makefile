# Backprop Studio: `make run` launches the app, `make test` runs the tests.
# Both create .venv from pyproject.toml on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench venv clean shot

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@# exit status 2 = no display: main.py has already said so in one line
	@$(PY) main.py $(FILE) || { status=$$?; [ $$status -eq 2 ] || exit $$status; }

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n auto $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/engine_bench.py
	$(PY) benchmarks/train_bench.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/gui_bench.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/player_bench.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/training_gui_bench.py

shot: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) main.py shot resources/examples/chain_rule.json --select x --out docs/screenshot.png
	QT_QPA_PLATFORM=offscreen $(PY) main.py shot resources/examples/spiral_classifier.json --train 3000 --out docs/training.png

clean:
	rm -rf $(VENV) build *.egg-info
