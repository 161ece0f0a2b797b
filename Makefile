# mongo2pg developer entry points. `make` (or `make help`) lists the targets.
# Everything goes through npm scripts; this file only names the common paths.

.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# helm for chart-lint: $(MONGO2PG_HELM) if set, else the pinned one scripts/install-tools.sh builds.
MONGO2PG_TOOLS_DIR ?= $(HOME)/.cache/mongo2pg/bin
MONGO2PG_HELM ?= $(MONGO2PG_TOOLS_DIR)/helm
# Image name for `make image`.
IMAGE ?= mongo2pg:dev

.PHONY: help deps build test e2e lint bench demo image chart-lint

help: ## List the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-12s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# npm writes node_modules/.package-lock.json on every install; when it is newer than
# package-lock.json and package.json, node_modules already matches the lock and `npm ci` is skipped.
NPM_DEPS := node_modules/.package-lock.json

$(NPM_DEPS): package-lock.json package.json
	npm ci
	@touch $@

deps: $(NPM_DEPS) ## Install the npm dependencies (npm ci), only when package-lock.json changed

build: $(NPM_DEPS) ## Install dependencies and compile to dist/
	npm run build

test: $(NPM_DEPS) ## Install everything, typecheck, lint, build, start the services, run all test tiers
	npm test

e2e: $(NPM_DEPS) ## Run the e2e tier only (built CLI, rendered chart, Dockerfile replay)
	npm test -- --tier e2e

lint: $(NPM_DEPS) ## Typecheck and lint
	npm run typecheck
	npm run lint

bench: $(NPM_DEPS) ## Run the benchmarks against local services
	npm run bench

demo: $(NPM_DEPS) ## Migrate a generated sample data set between throwaway local services
	npm run demo

image: ## Build the container image (IMAGE=mongo2pg:dev); needs a Docker engine with BuildKit
	docker build -t $(IMAGE) .

chart-lint: ## helm lint the chart: default values, values.example.yaml, umbrella layout
	@test -x "$(MONGO2PG_HELM)" || MONGO2PG_TOOLS_DIR="$(MONGO2PG_TOOLS_DIR)" scripts/install-tools.sh helm
	"$(MONGO2PG_HELM)" lint chart --strict
	"$(MONGO2PG_HELM)" lint chart --strict -f chart/ci/enabled-values.yaml
	"$(MONGO2PG_HELM)" lint chart --strict -f values.example.yaml
	"$(MONGO2PG_HELM)" lint chart --strict -f chart/ci/umbrella-values.yaml
