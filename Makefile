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

.PHONY: help build test e2e lint bench demo image chart-lint

help: ## List the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-12s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

build: ## Install dependencies and compile to dist/
	npm ci
	npm run build

test: ## Install everything, typecheck, lint, build, start the services, run all test tiers
	npm ci
	npm test

e2e: ## Run the e2e tier only (built CLI, rendered chart, Dockerfile replay)
	npm ci
	npm test -- --tier e2e

lint: ## Typecheck and lint
	npm ci
	npm run typecheck
	npm run lint

bench: ## Run the benchmarks against local services
	npm ci
	npm run bench

demo: ## Migrate a generated sample data set between throwaway local services
	npm ci
	npm run demo

image: ## Build the container image (IMAGE=mongo2pg:dev); needs a Docker engine with BuildKit
	docker build -t $(IMAGE) .

chart-lint: ## helm lint the chart: default values, values.example.yaml, umbrella layout
	@test -x "$(MONGO2PG_HELM)" || MONGO2PG_TOOLS_DIR="$(MONGO2PG_TOOLS_DIR)" scripts/install-tools.sh helm
	"$(MONGO2PG_HELM)" lint chart --strict
	"$(MONGO2PG_HELM)" lint chart --strict -f chart/ci/enabled-values.yaml
	"$(MONGO2PG_HELM)" lint chart --strict -f values.example.yaml
	"$(MONGO2PG_HELM)" lint chart --strict -f chart/ci/umbrella-values.yaml
