#!/usr/bin/env bash
# Set up a virtual environment with the project and its test extra, then run the whole suite.
# Used by README ("one command sets up and passes the tests") and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# LibreOffice converts files the way a clerk's WPS/Excel would (xls returns, re-saved exports).
# Install it when missing and we may (Debian, root); tests that need it say so if it is absent.
if ! command -v soffice >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && apt-get install -y -qq libreoffice-calc libreoffice-writer >/dev/null) \
    || echo "warning: could not install LibreOffice; tests needing it will report that" >&2
fi
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
