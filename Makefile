# Backprop Studio: `make run` launches the app, `make test` runs the tests, `make torch` adds
# PyTorch (CPU) for the PyTorch checks and `import`. All create .venv from pyproject.toml first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH := 2.13.0
TORCH_INDEX := https://download.pytorch.org/whl/cpu

.PHONY: run test bench venv clean shot torch

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@# exit status 2 = no display: main.py has already said so in one line
	@$(PY) main.py $(FILE) || { status=$$?; [ $$status -eq 2 ] || exit $$status; }

# the CPU build: a local wheel when pip has one (torch==2.13.0+cpu), else PyTorch's CPU index
torch: $(STAMP)
	@$(PY) -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$(TORCH)')" 2>/dev/null \
	  || $(PY) -m pip install --quiet "torch==$(TORCH)+cpu" 2>/dev/null \
	  || $(PY) -m pip install --quiet "torch==$(TORCH)" --index-url $(TORCH_INDEX)
	@$(PY) -c "import torch; print('torch', torch.__version__, 'in $(VENV): make test runs the PyTorch checks')"

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
