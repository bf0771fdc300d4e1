# `make demo` and `make test` do all set-up on a fresh machine: a virtual
# environment in .venv with the pinned, tested dependency set, then the run.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_DIR ?= work_dirs/synthetic_demo

.PHONY: demo test install clean

$(STAMP): requirements/pinned.txt requirements/runtime.txt requirements/mim.txt setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -r requirements/pinned.txt
	$(PY) -m pip install -r requirements/mim.txt
	$(PY) -m pip install --no-deps openmim==0.3.9
	$(PY) -m pip install --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) tools/run_synthetic_demo.py --work-dir $(DEMO_DIR)

test: $(STAMP)
	$(PY) -m pytest tests -q

clean:
	rm -rf $(VENV) work_dirs
