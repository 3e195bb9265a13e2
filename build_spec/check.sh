#!/usr/bin/env bash
# The build check (CI, after the tests): build the portable program, zip it, unzip it as a user would
# into an empty folder, and run the frozen program there with an empty HOME:
#   - `ledgerdesk-cli selftest` (every step must pass),
#   - the same plans imported by the frozen and by the source program (same task counts: nothing the
#     readers need was pruned),
#   - the windowed LedgerDesk rendering its window (--screenshot),
#   - portable mode: nothing written to HOME.
# Prints the sizes and the timings; exits non-zero on any failure. Works on a fresh clone with a clean
# environment:  env -i HOME=$tmp LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin bash build_spec/check.sh
# Needs python3 (with venv) and network access to PyPI for the first install into .venv-build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
VENV=$ROOT/.venv-build
t0=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - t0 ))"; }

step "venv $VENV"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[build]'
"$VENV/bin/python" -c 'import PySide6, PyInstaller; print("PySide6", PySide6.__version__, "PyInstaller", PyInstaller.__version__)'
t_venv=$(( $(date +%s) - t0 ))

step "build"
"$VENV/bin/python" build_spec/build.py
t_build=$(( $(date +%s) - t0 - t_venv ))
zip=$(ls -t dist/LedgerDesk-*.zip | head -n 1)

work=$(mktemp -d "${TMPDIR:-/tmp}/ledgerdesk-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
step "unzip $zip"
"$VENV/bin/python" - "$zip" "$work" <<'EOF'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive:  # as unzip does: the files' modes restored
    for info in archive.infolist():
        path = archive.extract(info, sys.argv[2])
        mode = (info.external_attr >> 16) & 0o777
        if mode:
            os.chmod(path, mode)
EOF
app=$work/LedgerDesk
mkdir "$work/home"
run() { env -i HOME="$work/home" LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin QT_QPA_PLATFORM=offscreen "$@"; }
for shipped in LedgerDesk ledgerdesk-cli portable.ini 使用说明.txt; do
    [ -e "$app/$shipped" ] || { echo "missing in the zip: $shipped" >&2; exit 1; }
done

step "frozen selftest"
s0=$(date +%s)
run "$app/ledgerdesk-cli" selftest 2> >(grep -v propagateSizeHints >&2)
t_selftest=$(( $(date +%s) - s0 ))

step "frozen import = source import"
for plan in tests/fixtures/plans/p01_fenglin_standard.pdf tests/fixtures/plans/p02_qifeng_many_per_paragraph.html \
            tests/fixtures/plans/t13_chashan_yearless_deadlines.xls tests/fixtures/plans/t16_beiyan_merged_deadline.docx; do
    frozen=$(run "$app/ledgerdesk-cli" import "$plan" --dry-run | grep '^任务（tasks）')
    source=$(LEDGERDESK_CONFIG_DIR="$work/config" "$VENV/bin/python" -m app import "$plan" --dry-run | grep '^任务（tasks）')
    echo "$(basename "$plan"): frozen $frozen, source $source"
    [ "$frozen" = "$source" ] || { echo "the frozen program reads $plan differently" >&2; exit 1; }
done

step "windowed program"
run "$app/LedgerDesk" --screenshot "$work/window.png" 2> >(grep -v propagateSizeHints >&2)
[ -s "$work/window.png" ] || { echo "LedgerDesk --screenshot wrote no PNG" >&2; exit 1; }

step "portable mode: nothing in HOME"
left=$(find "$work/home" -mindepth 1 -not -path "$work/home/.cache/fontconfig*" -not -path "$work/home/.cache")
[ -z "$left" ] || { echo "written to the user profile:" >&2; echo "$left" >&2; exit 1; }
echo "HOME is empty"

step "start-up (warm, offscreen; not a failure when over the target: CI machines vary)"
"$VENV/bin/python" bench/bench_frozen_start.py "$app" --runs 2 || true

total=$(( $(date +%s) - t0 ))
printf '\n== summary\n'
printf 'zip:    %s, %s MB\n' "$zip" "$(( $(stat -c %s "$zip") / 1000000 ))"
printf 'folder: %s MB unzipped\n' "$(du -s -B 1000000 "$app" | cut -f1)"
printf 'time:   venv %ss, build %ss, selftest %ss, total %ss\n' "$t_venv" "$t_build" "$t_selftest" "$total"
