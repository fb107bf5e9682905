#!/usr/bin/env bash
# The whole test suite: setup, static checks, unit + integration + end-to-end tests, rule coverage.
# Missing prerequisites are failures, never skips.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== typecheck"; npm run --silent typecheck
echo "== lint"; npm run --silent lint
echo "== format"; npm run --silent format:check
echo "== rules coverage"; npm run --silent rules:coverage
echo "== tests"
npx mocha --reporter test/support/summary-reporter.js 'test/**/*.test.ts'
