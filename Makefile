# UMIS — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings

.PHONY: install run test lint typecheck test-unit test-browser fuzz bench bench-platform bench-names bench-screening bench-screening-warm bench-dedup bench-border bench-evisa bench-reports bench-durability bench-people-search migrate demo messages clean

$(VENV)/.install-stamp: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "UMIS needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

install: $(VENV)/.install-stamp
	@$(PY) -m umis.core.i18n_compile locale

run: install
	$(PY) -m umis.cli serve --port $(PORT)

migrate: install
	$(PY) manage.py migrate

demo: install
	$(PY) -m umis.cli demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy umis config

test: install lint typecheck
	@mkdir -p var
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(PY) -m pytest -q -n 2 -m "not browser"
	$(PY) -m pytest -q -m browser

test-browser: install
	$(PY) -m pytest -q -m browser

# A longer, random campaign of the bad-input tests (every API endpoint and form).
FUZZ_EXAMPLES ?= 300
fuzz: install
	UMIS_FUZZ_RANDOM=1 UMIS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -n 2 umis/api/tests/test_fuzz.py umis/portal/tests/test_forms_fuzz.py

bench: install bench-names bench-screening bench-screening-warm bench-dedup bench-border bench-evisa bench-platform bench-durability

# Place-of-stay registration over HTTP beside COPY, and the officer queue with 100,000 cases.
bench-platform: install
	$(PY) bench/run.py

# Name matching on the labelled pairs in bench/data/name_pairs.csv (seconds).
bench-names: install
	$(PY) bench/name_quality.py

# Screening over a synthetic watchlist; smaller: SCREENING_BENCH_SIZE=100000 make bench-screening
bench-screening: install
	$(PY) bench/screening.py

# Screening index build at process start, warm-up and fallback cost; smaller:
# SCREENING_WARM_BENCH_SIZE=100000 make bench-screening-warm
bench-screening-warm: install
	$(PY) bench/screening_warm.py

# Border crossings: ingest through the API beside COPY; overstay detection over 10M crossings
# beside DuckDB. Smaller: make bench-border BENCH_BORDER_PERSONS=200000 BENCH_BORDER_BATCHES=4
bench-border: install
	$(PY) bench/border.py

bench-evisa: install
	$(PY) bench/evisa.py

# Staff people search on PostgreSQL over 1,000,000 people, without and with the trigram
# indexes; smaller: make bench-people-search BENCH_PEOPLE=100000
bench-people-search: install
	$(PY) bench/people_search.py

# The statistics page over 100,000 place-of-stay registrations (SQLite in a temp dir).
bench-reports: install
	$(PY) bench/reports.py

# Registrations submitted and retried while PostgreSQL is killed (SIGKILL) again and again:
# nothing acknowledged lost, nothing stored twice. Smaller: BENCH_DURABILITY_SUBMISSIONS=500
bench-durability: install
	$(PY) bench/durability.py

# Batch dedup of 1,000,000 synthetic records beside plain Splink; FEBRL3/4 smoke test.
bench-dedup: install
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.lock
	$(PY) bench/dedup.py

messages: install
	$(PY) manage.py makemessages -l az -l en -l ru --ignore=.venv --ignore=bench
	$(PY) -m umis.core.i18n_compile locale

clean:
	rm -rf $(VENV) var staticfiles
