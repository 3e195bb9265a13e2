"""A sample of hostile inputs through the real command line: `python -m app import` and
`python -m app merge` in child processes with 1.5 GB of address space and a timeout.

For every input: exit 0 or 2 (never 3 "内部错误", 1 or a signal); on failure exactly one line
on stderr, naming the file, and no traceback; the ledger byte for byte as it was (import
--force over an existing ledger, merge into one); a failed import into a new path leaves
no file.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile import builders as b
from tests.hostile.fuzz import READERS, mutant
from tests.hostile.isolated import ADDRESS_SPACE, REPO
from tests.hostile.returns_fixture import return_files

TIMEOUT = 90
SAMPLE_FILE = Path(tempfile.gettempdir()) / "ledgerdesk-cli-sample.json"


@dataclass
class Run:
    code: int
    out: str
    err: str


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _cli(*argv: object) -> Run:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    env.pop("LEDGERDESK_DEBUG", None)
    try:
        done = subprocess.run([sys.executable, "-m", "app", *map(str, argv)], capture_output=True, text=True,
                              timeout=TIMEOUT, env=env, cwd=REPO, preexec_fn=_limit, check=False)
    except subprocess.TimeoutExpired:
        return Run(-1, "", f"timeout after {TIMEOUT} s")
    return Run(done.returncode, done.stdout, done.stderr)


# ------------------------------------------------------------------------------ the inputs

Build = Callable[[Path], Path]
SHEET = "xl/worksheets/sheet1.xml"


def _xlsx_far(tmp: Path) -> Path:
    src = b.write_xlsx(tmp / "plain.xlsx", b.table_rows(3))
    return b.rewrite_zip(src, tmp / "远处单元格.xlsx", b.edit_member(SHEET, b.far_cell_xml("XFD1048576")))


def _docx_bomb(tmp: Path) -> Path:
    src = b.write_docx_table(tmp / "plain.docx", b.table_rows(3))
    body = lambda: b.bomb_stream(300 << 20, b"<w:p/>", b'<w:document xmlns:w="x"><w:body>', b"</w:body></w:document>")
    return b.replace_member(src, tmp / "膨胀.docx", "word/document.xml", body, declared_size=1000)


def _short_lines(tmp: Path) -> Path:
    path = tmp / "短行.txt"
    path.write_text("一、工作\n（一）事项\n1、做事（县政府办公室负责，2024年底前完成）\n" * 60_000, encoding="utf-8")
    return path


def _html_bom(tmp: Path) -> Path:
    path = tmp / "网页.html"
    path.write_bytes(b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00a")
    return path


def _gridspan(tmp: Path) -> Path:
    src = b.write_docx_table(tmp / "plain.docx", b.table_rows(3))
    bad = lambda xml: xml.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="abc"/>', 1)
    return b.rewrite_zip(src, tmp / "跨列.docx", b.edit_member("word/document.xml", bad))


def _mutant(reader: str, n: int, seeds: list[Path], name: str) -> Build:
    def build(tmp: Path) -> Path:
        _, data, _ = mutant(reader, n, seeds)
        path = tmp / name
        path.write_bytes(data)
        return path
    return build


PLAN_INPUTS: dict[str, Build] = {
    "xlsx-far-cell": _xlsx_far,
    "xls-panic": lambda tmp: b.write_xls(tmp / "旧表.xls", b.table_rows(3), sheet_shift=100_000),
    "xls-loop": lambda tmp: b.write_xls(tmp / "循环.xls", b.table_rows(3), directory_loop=True),
    "docx-lying-bomb": _docx_bomb,
    "docx-gridspan": _gridspan,
    "html-bad-bom": _html_bom,
    "txt-short-lines": _short_lines,
    "tsv-long-table": lambda tmp: b.write_tsv(tmp / "长表.txt", b.table_rows(25_000)),
    "ods-bomb": lambda tmp: b.write_ods(tmp / "表.ods", b.table_rows(3), extra_rows=(
        '<table:table-row table:number-rows-repeated="999999">' + b.ods_cell("x", 100) + "</table:table-row>")),
}


def _return_mutants() -> dict[str, Build]:
    files = return_files()
    out: dict[str, Build] = {}
    for reader, key in (("return:xlsx", "xlsx"), ("return:docx", "docx"), ("return:ldpkg", "ldpkg")):
        for n in random.Random(reader).sample(range(1000), 3):
            out[f"{reader}-{n}"] = _mutant(reader, n, [files[key]], f"县民政局_{n}.{key}")
    return out


def _plan_mutants() -> dict[str, Build]:
    seeds = {"plan:docx": [b.seed_path("002")], "plan:txt": [b.seed_path("004")]}
    return {f"{r}-{n}": _mutant(r, n, s, f"样本{n}.{r.split(':')[1]}")
            for r, s in seeds.items() for n in random.Random(r).sample(range(1000), 2)}


RETURN_INPUTS: dict[str, Build] = {
    "xls-panic": lambda tmp: b.write_xls(tmp / "回执.xls", b.table_rows(3), sheet_shift=100_000),
    "xlsx-far-cell": _xlsx_far,
}


# ------------------------------------------------------------------------------ the checks


def _assert_one_line_naming(run: Run, name: str) -> None:
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1, run.err
    assert name in lines[0] and "Traceback" not in run.err and "内部错误" not in run.err, run.err


def _import_case(build: Build, tmp: Path) -> int:
    tmp.mkdir(parents=True, exist_ok=True)
    path = build(tmp)
    new = tmp / "新.ledger"
    run = _cli("import", path, "-o", new)
    assert run.code in (0, 2), (run.code, run.err[-800:])
    if run.code == 2:
        _assert_one_line_naming(run, path.name)
        assert not new.exists()
        existing = tmp / "已有.ledger"
        shutil.copy(return_files()["ledger"], existing)
        before = existing.read_bytes()
        again = _cli("import", path, "-o", existing, "--force")
        assert again.code == 2, again.err
        assert existing.read_bytes() == before
    return run.code


def _merge_case(build: Build, tmp: Path) -> int:
    tmp.mkdir(parents=True, exist_ok=True)
    path = build(tmp)
    ledger = tmp / "台账.ledger"
    shutil.copy(return_files()["ledger"], ledger)
    before = ledger.read_bytes()
    run = _cli("merge", ledger, path)
    assert run.code in (0, 2), (run.code, run.err[-800:])
    if run.code == 2:
        _assert_one_line_naming(run, path.name)
        assert ledger.read_bytes() == before
    return run.code


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, str]:
    """Every case run once, four at a time; the tests then read what happened (id → "" or the failure)."""
    root = tmp_path_factory.mktemp("cli")
    return_files()  # made once, before the threads need it
    cases = [(f"import:{k}", _import_case, v) for k, v in {**PLAN_INPUTS, **_plan_mutants()}.items()]
    cases += [(f"merge:{k}", _merge_case, v) for k, v in {**RETURN_INPUTS, **_return_mutants()}.items()]

    def one(case: tuple[str, Callable, Build]) -> tuple[str, str, int | None]:
        name, check, build = case
        try:
            code = check(build, root / name.replace(":", "_"))
        except AssertionError as exc:
            return name, str(exc)[:1500] or "assertion failed", None
        return name, "", code

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, cases))
    codes = {name: code for name, _, code in results}
    SAMPLE_FILE.write_text(json.dumps(codes, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nexit codes ({SAMPLE_FILE}): {json.dumps(codes, ensure_ascii=False)}")
    return {name: why for name, why, _ in results}


def test_sample_has_about_twenty_inputs(outcomes):
    assert len(outcomes) >= 20


def test_every_input_ends_in_exit_0_or_2_with_one_line_and_the_ledger_unchanged(outcomes):
    failed = {name: why for name, why in outcomes.items() if why}
    assert not failed, "\n\n".join(f"{name}: {why}" for name, why in failed.items())


def test_readers_of_the_sample_exist():
    assert {"return:xlsx", "return:docx", "return:ldpkg", "plan:docx", "plan:txt"} <= set(READERS)
