#!/usr/bin/env bash
# Installs Debian's chromium for the headless report test (ReportChromiumTest); a no-op when present.
# .ci/run calls this before the test run. Needs root (CI and dev machines run as root).
set -euo pipefail
command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
chromium --version
