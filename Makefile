# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SHARED ?= ../shared
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "referat needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	@for f in examples/*.md examples/*.txt; do \
	  echo "== $$f"; $(VENV)/bin/referat parse "$$f" --format text || exit 1; echo; \
	done
	@if [ -d $(SHARED)/seeds ]; then \
	  echo "== real minutes in $(SHARED)/seeds, scored against $(SHARED)/gold"; \
	  out=$$(mktemp -d); \
	  for f in $(SHARED)/seeds/*.txt; do $(VENV)/bin/referat parse "$$f" --format json > "$$out/$$(basename $$f .txt).json"; done; \
	  $(PY) $(SHARED)/tools/score.py $(SHARED)/gold "$$out"; rm -rf "$$out"; \
	fi

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/parse.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
