"""Fuzz every reader with seeded mutants of real inputs: each must give a parsed result or one
InputError naming the file, never any other exception, crash, hang or runaway memory.

Seeds: the five seed documents as .txt, as web pages, as Word files (python-docx: paragraphs,
or the task table), the two table seeds as .xlsx (openpyxl), .ods and .xls (written by hand),
.csv; the seed-000 ledger as the project's own export (.xlsx, .docx); and one unit's return
sheet (.xlsx, .docx) and liaison package, made with `python -m app sheets` / `package`.
A return that reads is then merged (dry run) into the seed-000 ledger, so what the reader
hands on must not break the merge either. Mutants: truncation, byte flips and splices, zip member deletion / duplication /
replacement, XML edits (unclosed tags, huge attributes, deep nesting, absurd numbers and
cell references), hidden-data edits of the returns (odd types, deep JSON), huge cells,
encoding damage of text.

The cases run in two child processes with 1.5 GB of address space each. The normal run
has 400 cases (about 40 s); LEDGERDESK_FUZZ_CASES=5000 runs more. The counts per reader
and outcome are printed and written to ledgerdesk-fuzz-counts.json in the temp folder.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.hostile import builders as b
from tests.hostile.fuzz import READERS
from tests.hostile.isolated import ADDRESS_SPACE, REPO
from tests.hostile.returns_fixture import return_files

CASES = int(os.environ.get("LEDGERDESK_FUZZ_CASES", "400"))
WORKERS = 2
SLOWEST_CASE = 20.0  # seconds one mutant may take (the largest are refused in well under that)
COUNTS_FILE = Path(tempfile.gettempdir()) / "ledgerdesk-fuzz-counts.json"


def _table_rows(key: str) -> list[list[str]]:
    return [line.split("\t") for line in b.seed_lines(key) if line.strip()]


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _seed_files(folder: Path) -> dict[str, list[Path]]:
    """The plain inputs of every reader (each reads as it should before it is damaged)."""
    folder.mkdir(parents=True, exist_ok=True)
    keys, tables, prose = ["000", "001", "002", "003", "004"], ["000", "001"], ["002", "003", "004"]
    returns = return_files()
    return {
        "plan:txt": [b.seed_path(k) for k in keys],
        "plan:html": [b.write_html(folder / f"{k}.html", b.seed_lines(k)) for k in keys],
        "plan:csv": [_write_csv(folder / f"{k}.csv", _table_rows(k)) for k in tables],
        "plan:docx": [b.write_docx_prose(folder / f"{k}.docx", b.seed_lines(k)) for k in prose]
        + [b.write_docx_table(folder / f"{k}.docx", _table_rows(k)) for k in tables] + [returns["export_docx"]],
        "plan:xlsx": [b.write_xlsx(folder / f"{k}.xlsx", _table_rows(k)) for k in tables] + [returns["export_xlsx"]],
        "plan:ods": [b.write_ods(folder / f"{k}.ods", _table_rows(k)) for k in tables],
        "plan:xls": [b.write_xls(folder / f"{k}.xls", _table_rows(k)) for k in tables],
        "return:xlsx": [returns["xlsx"]],
        "return:docx": [returns["docx"]],
        "return:ldpkg": [returns["ldpkg"]],
    }


def _jobs(seeds: dict[str, list[Path]], work: Path) -> list[list[dict]]:
    """CASES cases spread over the readers, then over WORKERS child processes."""
    per_reader = max(1, CASES // len(READERS))
    ledger = str(return_files()["ledger"])
    jobs = [{"reader": r, "seeds": [str(p) for p in seeds[r]], "first": 0, "count": per_reader,
             "work": str(work / r.replace(":", "_")), "ledger": ledger} for r in READERS]
    return [jobs[i::WORKERS] for i in range(WORKERS)]


def _run_worker(jobs: list[dict], folder: Path, n: int) -> tuple[Path, subprocess.CompletedProcess | None]:
    jobs_file, results = folder / f"jobs{n}.json", folder / f"results{n}.jsonl"
    jobs_file.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    budget = 60 + 2 * sum(j["count"] for j in jobs)
    try:
        done = subprocess.run([sys.executable, "-m", "tests.hostile.fuzz", str(jobs_file), str(results),
                               str(ADDRESS_SPACE)], capture_output=True, text=True, timeout=budget, env=env,
                              cwd=REPO, check=False)
    except subprocess.TimeoutExpired:
        done = None
    return results, done


@pytest.fixture(scope="module")
def fuzz_results(tmp_path_factory) -> list[dict]:
    folder = tmp_path_factory.mktemp("fuzz")
    seeds = _seed_files(folder / "seeds")
    with ThreadPoolExecutor(WORKERS) as pool:
        runs = list(pool.map(lambda a: _run_worker(a[1], folder, a[0]), enumerate(_jobs(seeds, folder / "work"))))
    records: list[dict] = []
    for results, done in runs:
        lines = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()] if results.exists() else []
        finished = {(r["reader"], r["case"]) for r in lines if not r.get("started")}
        for r in lines:
            if r.get("started") and (r["reader"], r["case"]) not in finished:  # it never came back
                how = "timeout" if done is None else f"crashed (exit {done.returncode}): {done.stderr[-400:]}"
                records.append({**r, "outcome": how})
        records.extend(r for r in lines if not r.get("started"))
        if done is not None and done.returncode != 0 and all(r.get("started") is None for r in lines[-1:]):
            records.append({"reader": "worker", "case": -1, "outcome": f"worker failed: {done.stderr[-600:]}"})
    _report(records)
    return records


def _report(records: list[dict]) -> None:
    counts: dict[str, Counter] = {}
    for r in records:
        counts.setdefault(r["reader"], Counter())[r["outcome"].split(" ")[0]] += 1
    summary = {reader: dict(sorted(c.items())) for reader, c in sorted(counts.items())}
    summary["total"] = dict(sum(counts.values(), Counter()))
    summary["slowest_case_seconds"] = max((r.get("seconds", 0) for r in records), default=0)
    COUNTS_FILE.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nfuzz counts ({COUNTS_FILE}):\n{json.dumps(summary, ensure_ascii=False, indent=1)}")


def test_seeds_read_before_they_are_damaged(tmp_path):
    from app.formats.plan import read_plan
    from app.formats.returns import read_return_file

    for reader, paths in _seed_files(tmp_path).items():
        for path in paths:
            result = read_plan(path) if reader.startswith("plan") else read_return_file(path)
            assert (result.tasks if reader.startswith("plan") else result.rows), path


def test_every_case_ran(fuzz_results):
    per_reader = max(1, CASES // len(READERS))
    assert len(fuzz_results) == per_reader * len(READERS)
    assert {r["reader"] for r in fuzz_results} == set(READERS)


def test_every_mutant_is_parsed_or_refused_with_one_line_naming_it(fuzz_results):
    bad = [r for r in fuzz_results if r["outcome"] not in ("parsed", "refused")]
    assert not bad, "\n".join(f"{r['reader']} case {r['case']} ({r.get('mutators')} of {r.get('seed')}): "
                              f"{r['outcome']} {r.get('type', '')} {r.get('message', '')[:200]}" for r in bad[:20])


def test_no_mutant_takes_long(fuzz_results):
    slow = [r for r in fuzz_results if r.get("seconds", 0) > SLOWEST_CASE]
    assert not slow, [(r["reader"], r["case"], r.get("mutators"), r["seconds"]) for r in slow]


def test_both_outcomes_occur_for_every_reader(fuzz_results):
    """A fuzz that only ever refuses (or only ever parses) is not exploring anything."""
    if CASES < 200:
        pytest.skip("too few cases to expect both")
    for reader in READERS:
        outcomes = {r["outcome"] for r in fuzz_results if r["reader"] == reader}
        assert {"parsed", "refused"} <= outcomes, (reader, outcomes)
