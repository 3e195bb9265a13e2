#!/usr/bin/env bash
# Set up a virtual environment with the project and its test extra, then run the whole suite.
# Used by README ("one command sets up and passes the tests") and by .ci/run.
#
# The tests run on a PATH of only the fresh .venv/bin and the system directories, so a test
# that reaches a program from an earlier, manual install (a `ledgerdesk` in ~/.local/bin, a
# pyenv shim) fails here as it would on a new machine; tests/test_environment.py checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# LibreOffice plays the liaison (Calc and Writer, driven through UNO by the system python3) and
# converts files the way a clerk's WPS/Excel would. Install it when missing and we may (Debian, root).
need_lo=0
command -v soffice >/dev/null 2>&1 || need_lo=1
/usr/bin/python3 -c 'import uno' >/dev/null 2>&1 || need_lo=1
if [ "$need_lo" = 1 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      libreoffice-calc libreoffice-writer python3-uno >/dev/null) \
    || echo "warning: could not install LibreOffice; tests needing it will report that" >&2
fi
export QT_QPA_PLATFORM=offscreen
export LEDGERDESK_CLEAN_PATH="$PWD/.venv/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The suite runs on every CPU (pytest-xdist, one test file per worker at a time: a file's
# fixtures are built once); LEDGERDESK_TEST_WORKERS=0 runs it in this process.
exec env PATH="$LEDGERDESK_CLEAN_PATH" .venv/bin/python -m pytest -n "${LEDGERDESK_TEST_WORKERS:-auto}" --dist loadfile "$@"
