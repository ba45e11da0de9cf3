# FaceGate developer entry points. `make demo` and `make test` are the two
# commands in README.md; both set up .venv on their own first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DATA   ?= $(abspath ../shared/data)
export FACEGATE_DATA ?= $(DATA)

.PHONY: setup demo gui test lint bench clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	# face_recognition's metadata pins the dlib sdist; dlib-bin provides dlib.
	$(PY) -m pip install --quiet --no-deps face_recognition==1.3.0
	# The 1:N code scan in C (device/recognition/native); without a compiler, OpenCV's.
	$(PY) -m device.recognition.native
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m device --db var/demo.sqlite demo

gui: $(STAMP)
	$(PY) run_gui.py --demo

test: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf var .pytest_cache .hypothesis
