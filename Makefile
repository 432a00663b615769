# Every target installs into .venv first, so `git clone` then `make test` works
# on a machine with only Python 3.11+.  constraints.txt pins what gets installed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install test demo run bench lint eval clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS)

demo: $(STAMP)
	$(VENV)/bin/c5watch demo

run: $(STAMP)
	$(VENV)/bin/c5watch run

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

eval: $(STAMP)
	@echo "== labelled fixtures (the rules were checked against these)"
	@$(PY) -m bot.matching.evaluate tests/matching/fixtures/labelled.jsonl
	@echo "== dev fixtures (used for the latest rule changes)"
	@$(PY) -m bot.matching.evaluate tests/matching/fixtures/dev.jsonl
	@echo "== held-out fixtures (never used to tune the rules)"
	@$(PY) -m bot.matching.evaluate tests/matching/fixtures/heldout.jsonl
	@echo "== events-eval: pairwise \"same event\" on tests/events/fixtures/events.jsonl"
	@$(PY) -m bot.events.evaluate tests/events/fixtures/events.jsonl
	@echo "== events-eval, every labelled set: precision / recall when first scored (on arrival) and now"
	@$(PY) -m bot.events.evaluate --sets
	@echo "== every batch: F1 when first scored (on arrival, before any change) and now"
	@$(PY) -m bot.matching.evaluate --batches

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info
