# The two commands a new user needs: `make run` and `make test`. Both set everything up themselves.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.txt | sha1sum | cut -c1-12)

.PHONY: run test lint setup clean browser-deps

$(STAMP): pyproject.toml requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/tsur local $(ARGS)

test: $(STAMP) browser-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy app.py chalicelib tsur
	$(VENV)/bin/pytest $(ARGS)

# The browser tests (tests/browser) drive Debian's Chromium through Playwright, never a downloaded browser.
# Installed here when missing (needs root and apt); without it `make test` stops here instead of skipping them.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)
	@command -v chromium >/dev/null 2>&1 || { echo "chromium is missing and could not be installed (apt-get install chromium, as root)" >&2; exit 1; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy app.py chalicelib tsur

clean:
	rm -rf $(VENV) out local
