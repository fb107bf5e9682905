#!/usr/bin/env bash
# The whole test suite: setup, static checks, unit + integration + end-to-end tests, rule coverage.
# Missing prerequisites are failures, never skips.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Everything below runs on the supported Node.js setup put in place.
source scripts/node-env.sh
echo "== node $(node -v)"
echo "== typecheck"; npm run --silent typecheck
echo "== lint"; npm run --silent lint
echo "== format"; npm run --silent format:check
echo "== rules coverage"; npm run --silent rules:coverage
# Nothing in the suite may depend on the calendar: the unit tests run once more with the clock ten years
# ahead (libfaketime for the Node process and its children). The integration and e2e tests were run the
# same way by hand (docs/design-notes.md, "Dates").
echo "== unit tests, clock ten years ahead (faketime)"
faketime -f '+10y' npx mocha --reporter dot 'test/unit/**/*.test.ts'
echo "== tests"
npx mocha --reporter test/support/summary-reporter.js 'test/**/*.test.ts'
# Every server a test starts, the test stops: no BMC (ipmi_sim), sshd or emulator a test started may
# outlive the suite (their command lines name the tests' temporary directories, /tmp/sps-*).
echo "== nothing left running"
left="$(pgrep -af '(ipmi_sim|sshd|emulator/lab/cli|bin/sps-emulator).*/tmp/sps-' | grep -v pgrep || true)"
if [ -n "$left" ]; then
  echo "test processes still running after the suite:"; echo "$left"
  exit 1
fi
echo "none"
