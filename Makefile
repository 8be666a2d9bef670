# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SHARED ?= ../shared
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lint clean ocr-tools browser postgres serve fuzz-tools check-long pdf-tools

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "referat needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

# front-end libraries for the web pages (htmx 2.0.x, Chart.js), pinned in package.json/package-lock.json
ASSETS := node_modules/.installed
$(ASSETS): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $(ASSETS)

DEMO_DB := demo.db
REFERAT := $(VENV)/bin/referat

demo: $(STAMP) $(ASSETS)
	@rm -rf $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).tantivy
	@echo "== parse one bundled example"
	$(REFERAT) parse examples/vesteraa_oekonomiudvalg_2023-09-18.txt
	@echo
	@echo "== ingest the bundled examples$$( [ -d $(SHARED)/seeds ] && echo ' and the real minutes in $(SHARED)/seeds')"
	$(REFERAT) ingest examples $$( [ -d $(SHARED)/seeds ] && echo $(SHARED)/seeds/*.txt) --db $(DEMO_DB)
	@echo
	@echo "== search"
	$(REFERAT) search jobklub --db $(DEMO_DB) --limit 3
	@echo
	$(REFERAT) search 'budget*' --kind recommended --db $(DEMO_DB) --limit 3
	@echo
	$(REFERAT) stats --db $(DEMO_DB)
	@echo
	@echo "== follow a case through Beskæftigelsesudvalget and Økonomiudvalget (two ways of writing its number)"
	$(REFERAT) case 24-3-85.10.00-P07 --db $(DEMO_DB)
	@echo
	$(REFERAT) person "Lars Holm" --db $(DEMO_DB)
	@if [ -d $(SHARED)/seeds ]; then \
	  echo; echo "== parse score on the real minutes against $(SHARED)/gold"; \
	  out=$$(mktemp -d); \
	  for f in $(SHARED)/seeds/*.txt; do $(REFERAT) parse "$$f" --format json > "$$out/$$(basename $$f .txt).json"; done; \
	  $(PY) $(SHARED)/tools/score.py $(SHARED)/gold "$$out" | tail -n 1; rm -rf "$$out"; \
	fi
	@if [ "$(SERVE)" != "no" ]; then echo; echo "== serve the archive (make demo SERVE=no skips this)"; \
	  $(REFERAT) serve --db $(DEMO_DB); fi

serve: $(STAMP) $(ASSETS)
	$(REFERAT) serve --db $(DEMO_DB)

test: $(STAMP) $(ASSETS) ocr-tools browser postgres pdf-tools fuzz-tools
	$(VENV)/bin/ruff check src tests bench fuzz
	$(PY) -m pytest -q
	@if $(PY) -c 'import atheris' 2>/dev/null; then $(PY) fuzz/run.py --seconds 3 --seed 1; \
	  else echo "note: atheris is not installed; the fuzz targets were not run"; fi

# long runs, documented with their last figures: every reader's fuzz target for FUZZ_SECONDS (default 10
# minutes each; docs/reliability.md), schemathesis against the API for API_FUZZ_SECONDS, the property
# tests five times with fresh random examples (make test draws the same ones each run), the load bench
# (4 clients, 30 s, 20,400 items, idle and while 3,000 documents are ingested; bench/README.md), the
# whole Greve archive ingested (bench/README.md), ingest killed 30 times on each database
# (tests/test_crash_links.py; docs/reliability.md), a 2,000-page PDF corpus ingested on Dask with 1
# and 2 workers beside --jobs 2 (bench/README.md), and SQLite beside PostgreSQL at SCALE_N items
# (default 1,000,000: 1-3 h on the 2-core VM, ~10 GB of disk at its peak, each archive deleted before
# the next; bench/README.md "At a million items")
FUZZ_SECONDS ?= 600
API_FUZZ_SECONDS ?= 600
LOAD_WORK ?= /tmp/referat-load
SCALE_N ?= 1000000
check-long: $(STAMP) fuzz-tools postgres
	@if $(PY) -c 'import atheris' 2>/dev/null; then $(PY) fuzz/run.py --seconds $(FUZZ_SECONDS) --out fuzz-artifacts; \
	  else echo "note: atheris is not installed; the fuzz targets were not run"; fi
	@rm -rf api-fuzz.db api-fuzz.db-wal api-fuzz.db-shm api-fuzz.db.tantivy
	$(REFERAT) ingest examples tests/fixtures/xss $$( [ -d $(SHARED)/seeds ] && echo $(SHARED)/seeds/*.txt) --db api-fuzz.db >/dev/null
	$(PY) -m referat.testing.apifuzz api-fuzz.db --seconds $(API_FUZZ_SECONDS)
	for run in 1 2 3 4 5; do REFERAT_HYPOTHESIS=explore $(PY) -m pytest -q -p no:cacheprovider tests/test_fuzz.py tests/test_properties.py || exit 1; done
	$(PY) bench/load.py --work $(LOAD_WORK)
	@if [ -d $(SHARED)/corpus/publication-api/greve ]; then $(PY) bench/greve_archive.py; fi
	REFERAT_CRASH_KILLS=30 REFERAT_CRASH_MEETINGS=400 $(PY) -m pytest -q -s tests/test_crash_links.py -k killed
	@if [ -d $(SHARED)/seeds ]; then $(PY) bench/dask_ingest.py --pages 2000 --rounds 3; fi
	$(PY) bench/scale.py $(SCALE_N) --stores postgresql,sqlite --json scale-$(SCALE_N).json

# atheris (the readers' fuzz targets) is an optional extra: a binary wheel for Linux x86-64 only
fuzz-tools: $(STAMP)
	@$(PY) -c 'import atheris' 2>/dev/null || $(PY) -m pip install --quiet -c constraints.txt -e '.[test,fuzz]' \
	  || echo "note: atheris does not install here; the fuzz targets will be skipped"

# OCR of scanned PDFs uses Debian's tesseract with Danish; the tests read a scan with it
ocr-tools:
	@command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx dan || \
	  (apt-get install -y -q tesseract-ocr tesseract-ocr-dan >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q tesseract-ocr tesseract-ocr-dan >/dev/null 2>&1) || \
	   echo "note: could not install tesseract-ocr-dan; the OCR test will be skipped")

# the PDF word tests compare with poppler's pdftotext on PDFs that LibreOffice prints (tests/test_pdf_words.py)
pdf-tools:
	@command -v pdftotext >/dev/null && command -v soffice >/dev/null || \
	  (apt-get install -y -q poppler-utils libreoffice-writer-nogui >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q poppler-utils libreoffice-writer-nogui >/dev/null 2>&1) || \
	   echo "note: could not install poppler-utils and libreoffice-writer-nogui; the PDF word tests will be skipped")

# the browser tests drive Debian's chromium with Playwright (never `playwright install`)
browser:
	@[ -x /usr/bin/chromium ] || \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1) || \
	   echo "note: could not install chromium; the browser tests will be skipped")

# the archive tests run on SQLite and on a throwaway server of Debian's PostgreSQL (tests/pgserver.py)
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  (apt-get install -y -q postgresql >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql >/dev/null 2>&1) || \
	   echo "note: could not install postgresql; the PostgreSQL tests will be skipped")

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

bench: $(STAMP)
	$(PY) bench/parse.py
	@command -v pdftotext >/dev/null || apt-get install -y -q poppler-utils
	$(PY) bench/pdf.py
	@if [ -d $(SHARED)/corpus/publication-api/greve ]; then $(PY) bench/greve.py; fi
	@echo "archive benchmarks: see bench/README.md (they build multi-GB databases)"


clean:
	rm -rf $(VENV) node_modules test-artifacts fuzz-artifacts api-fuzz.db* .pytest_cache .hypothesis $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).tantivy
