# The two commands a newcomer needs: `make demo` and `make test`. See README.md.
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
ASSETS := src/joinedup/web/static/vendor/.built

.PHONY: demo serve test check bench install install-dev assets clean

demo: install assets  ## Build the synthetic county (once) and serve the hub on http://127.0.0.1:8000
	$(BIN)/joinedup demo

serve: install assets  ## Serve an existing database
	$(BIN)/joinedup serve

# The checks run first: a wrong import between layers or a type error fails the build.
test: check assets  ## Checks, then the whole suite: unit, integration (SQLite and PostgreSQL), web, browser
	$(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup --durations=15

check: install-dev  ## Lint, type-check and check the layers
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install-dev  ## Run the benchmarks and print their tables
	$(BIN)/python benchmarks/run.py

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# uv sync installs exactly what uv.lock pins; --inexact keeps the dev tools when `demo` follows `test`.
install: $(UV)
	$(UV) sync --frozen --inexact --quiet

install-dev: $(UV)
	$(UV) sync --frozen --inexact --extra dev --quiet

assets: $(ASSETS)

$(ASSETS): package-lock.json scripts/build_assets.py src/joinedup/web/styles/joinedup.scss
	npm ci --no-audit --no-fund --silent
	$(PYTHON) scripts/build_assets.py

clean:
	rm -rf .venv .tools node_modules src/joinedup/web/static/vendor
