"""Pytest side of the real-client tests: run the LibreOffice driver, the CLI, and read what came out.

The driver (uno_liaison.py) runs under the system python that has `uno`; the tests run under the
project's venv. One driver call = one soffice start = one JSON script of liaison actions.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.contract.harness import Result, export_json, run

DRIVER = Path(__file__).with_name("uno_liaison.py")
SYSTEM_PYTHON = os.environ.get("LEDGERDESK_UNO_PYTHON", "/usr/bin/python3")
DRIVER_TIMEOUT = 240  # seconds for one script, soffice start included (a normal script takes 2-6 s)

SHEET = "填报表"
META = "_ledgerdesk"
FILL_COLS = {"状态": "G", "进展落实情况": "H", "完成日期": "I", "佐证材料": "J"}
ID_COL = "K"


# ---------------------------------------------------------------- availability


@functools.lru_cache(maxsize=1)
def office_missing() -> str | None:
    """Why LibreOffice cannot play the liaison here (None when it can)."""
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        return "soffice is not installed"
    if not Path(SYSTEM_PYTHON).is_file():
        return f"{SYSTEM_PYTHON} is missing"
    try:
        proc = subprocess.run(
            [SYSTEM_PYTHON, "-c", "import uno"],
            capture_output=True,
            timeout=60,
            env=driver_env(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{SYSTEM_PYTHON} cannot run: {exc}"
    if proc.returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import uno (python3-uno)"
    return None


def driver_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    }
    env["PATH"] = os.pathsep.join(p for p in (env.get("PATH", ""), "/usr/bin", "/bin") if p)
    env.pop("SAL_USE_VCLPLUGIN", None)
    return env


# ---------------------------------------------------------------- the driver


class DriverFailed(AssertionError):
    """LibreOffice could not do what the script asked: a driver or environment fault, not the merge's."""


@dataclass
class Office:
    """One LibreOffice profile for the test run; `play` runs one script on a fresh soffice using it."""

    profile: Path

    def play(self, steps: list[dict], work: Path) -> list[dict]:
        work.mkdir(parents=True, exist_ok=True)
        script = work / "liaison_script.json"
        result = work / "liaison_result.json"
        script.write_text(
            json.dumps(
                {"work": str(work), "profile": str(self.profile), "steps": steps},
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        if result.exists():
            result.unlink()
        try:
            proc = subprocess.run(
                [SYSTEM_PYTHON, str(DRIVER), str(script), str(result)],
                capture_output=True,
                timeout=DRIVER_TIMEOUT,
                env=driver_env(),
                cwd=work,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise DriverFailed(f"LibreOffice driver timed out after {DRIVER_TIMEOUT}s ({script})") from exc
        if not result.exists():
            raise DriverFailed(
                f"LibreOffice driver wrote no result (exit {proc.returncode})\n"
                f"stderr: {proc.stderr.decode('utf-8', 'replace')[-3000:]}"
            )
        out = json.loads(result.read_text(encoding="utf-8"))
        if not out["ok"]:
            raise DriverFailed(
                f"LibreOffice driver failed: {out['error']}\n{out.get('trace') or ''}"
                f"\nsteps done: {[s['op'] for s in out['steps']]}\nsoffice log: {out.get('soffice_log')}"
            )
        steps_done = out["steps"]
        assert len(steps_done) == len(steps), out
        return steps_done


# step builders (plain dicts: the script is JSON)
def open_doc(path: Path, doc: str = "a") -> dict:
    return {"op": "open", "doc": doc, "path": str(path)}


def type_cells(cells: list[tuple[str, str]], doc: str = "a") -> dict:
    return {"op": "type", "doc": doc, "cells": [list(c) for c in cells]}


def writer_type(cells: list[tuple[str, str]], doc: str = "a") -> dict:
    return {"op": "writer_type", "doc": doc, "table": 0, "cells": [list(c) for c in cells]}


def save(path: Path, doc: str = "a") -> dict:
    return {"op": "save", "doc": doc, "path": str(path)}


def close(doc: str = "a") -> dict:
    return {"op": "close", "doc": doc}


def check_typed(step_result: dict, cells: list[tuple[str, str]]) -> None:
    """What LibreOffice shows in each cell is what was typed: the liaison's input really went in."""
    shown = step_result["shown"]
    wrong = {a: (t, shown.get(a)) for a, t in cells if shown.get(a) != t}
    assert not wrong, f"driver precondition: cells do not show what was typed (typed, shown): {wrong}"


# ---------------------------------------------------------------- what the liaison types


@dataclass(frozen=True)
class Fill:
    status: str
    text: str
    done_date: str
    evidence: str

    def calc_cells(self, row: int) -> list[tuple[str, str]]:
        return [
            (f"{FILL_COLS['状态']}{row}", self.status),
            (f"{FILL_COLS['进展落实情况']}{row}", self.text),
            (f"{FILL_COLS['完成日期']}{row}", self.done_date),
            (f"{FILL_COLS['佐证材料']}{row}", self.evidence),
        ]

    def writer_cells(self, row: int) -> list[tuple[str, str]]:
        return self.calc_cells(row)  # Writer names table cells the same way (G2 = 7th column, 2nd row)


def fills(tag: str, n: int, statuses: tuple[str, ...] | None = None) -> list[Fill]:
    """n distinct entries; `tag` makes each test's text unique (so a stray entry is traceable)."""
    from app.core.records import STATUSES

    picks = statuses or tuple(s for s in ("已完成", "进行中", "长期坚持") if s in STATUSES)
    return [
        Fill(
            status=picks[i % len(picks)],
            text=f"【{tag}{i + 1}】已召开专题会议部署，相关信息已在县政府网站公开{i + 3}条",
            done_date=f"2023-09-{i + 1:02d}",
            evidence=f"{tag}{i + 1}会议纪要.pdf、{tag}{i + 1}网站截图.png",
        )
        for i in range(n)
    ]


# ---------------------------------------------------------------- the sheets as sent


@dataclass(frozen=True)
class Row:
    row: int  # Calc: the sheet row (1-based); Writer: the table row (1-based, header = 1)
    seq: str
    content: str
    task_id: str


@dataclass
class SentSheet:
    path: Path
    unit: str
    round: str
    header_row: int
    rows: list[Row]
    meta_rows: dict[str, int] = field(default_factory=dict)  # _ledgerdesk key -> its row (1-based)

    @property
    def last_row(self) -> int:
        return self.rows[-1].row


def read_sent_xlsx(path: Path, unit: str, round_name: str) -> SentSheet:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    try:
        ws = wb[SHEET]
        grid = [[c.value for c in row] for row in ws.iter_rows()]
        [h] = [i for i, r in enumerate(grid) if r and r[0] == "序号" and "主要内容" in r]
        header = list(grid[h])
        seq_c, content_c, id_c = header.index("序号"), header.index("主要内容"), header.index("任务编号")
        assert id_c == ord(ID_COL) - ord("A"), header
        assert [header[ord(c) - ord("A")] for c in FILL_COLS.values()] == list(FILL_COLS), header
        rows = [
            Row(i + 1, str(r[seq_c]), str(r[content_c]), str(r[id_c]))
            for i, r in enumerate(grid[h + 1 :], start=h + 1)
            if r[id_c]
        ]
        meta = {}
        for i, r in enumerate(wb[META].iter_rows(), start=1):
            if r[0].value == "task_id":  # the per-task rows follow
                break
            if r[0].value is not None:
                meta[str(r[0].value)] = i
    finally:
        wb.close()
    return SentSheet(path, unit, round_name, h + 1, rows, meta)


_DOCX_ID = re.compile(r"#ld:([0-9A-Za-z-]+)")


def read_sent_docx(path: Path, unit: str, round_name: str) -> SentSheet:
    import docx

    table = docx.Document(str(path)).tables[0]
    header = [c.text.strip() for c in table.rows[0].cells]
    assert [header[ord(c) - ord("A")] for c in FILL_COLS.values()] == list(FILL_COLS), header
    rows = []
    for i, tr in enumerate(table.rows[1:], start=2):
        cells = [c.text for c in tr.cells]
        m = _DOCX_ID.search(cells[0])
        if m:
            rows.append(
                Row(
                    i, _DOCX_ID.sub("", cells[0]).strip(), cells[header.index("主要内容")].strip(), m.group(1)
                )
            )
    return SentSheet(path, unit, round_name, 1, rows)


def received(sheet: SentSheet, tmp_path: Path) -> Path:
    """The liaison's own copy of the sent file (saved from the mail), so no two tests open one file."""
    folder = tmp_path / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(sheet.path, folder / sheet.path.name))


def pick(rows: list[Row], n: int) -> list[Row]:
    """n rows spread over `rows`, from the second one on."""
    assert len(rows) >= n + 1, f"need {n + 1} rows, the sheet has {len(rows)}"
    picked = [rows[1 + i * (len(rows) - 1) // n] for i in range(n)]
    assert len({r.task_id for r in picked}) == n, picked
    return picked


def meta_steps(sheet: SentSheet, doc: str = "a") -> tuple[list[dict], list[dict]]:
    """(steps that show the hidden sheet, make it active and unprotect it; steps that hide it again)."""
    return (
        [
            {"op": "activate", "doc": doc, "sheet": META, "show": True},
            {"op": "unprotect", "doc": doc, "sheet": META},
        ],
        [{"op": "hide", "doc": doc, "sheet": META}, {"op": "activate", "doc": doc, "sheet": SHEET}],
    )


# ---------------------------------------------------------------- the CLI


def merge(ledger: Path, *paths: Path) -> dict:
    """`merge --json`: its report (exit 0, or 2 when no file could be used)."""
    res = run("merge", ledger, *paths, "--json", timeout=300)
    assert "Traceback" not in res.out + res.err, str(res)
    assert res.code in (0, 2), str(res)
    try:
        return json.loads(res.out)
    except ValueError as exc:
        raise AssertionError(f"merge --json printed no JSON\n{res}") from exc


def one_file(report: dict) -> dict:
    assert len(report["files"]) == 1, report
    return report["files"][0]


def export(ledger: Path, out: Path) -> dict:
    return export_json(ledger, out)


def review(ledger: Path, *args: object) -> Result:
    return run("review", ledger, *args)


def review_items(ledger: Path) -> list[dict]:
    res = review(ledger, "--json")
    assert res.code == 0 and "Traceback" not in res.out + res.err, f"`review --json` failed\n{res}"
    return json.loads(res.out)["items"]


# ---------------------------------------------------------------- what is in the ledger


def entry(data: dict, task_id: str, unit: str, round_name: str) -> dict | None:
    [task] = [t for t in data["tasks"] if t["id"] == task_id]
    found = [p for p in task["progress"] if p["unit"] == unit and p["round"] == round_name]
    assert len(found) <= 1, found
    return found[0] if found else None


def has_content(p: dict) -> bool:
    return any((p.get(k) or "").strip() for k in ("status", "text", "done_date", "evidence"))


def all_entries(data: dict) -> list[tuple[str, dict]]:
    """Every progress entry with any content: (task id, entry)."""
    return [(t["id"], p) for t in data["tasks"] for p in t["progress"] if has_content(p)]


def assert_entry(data: dict, task_id: str, unit: str, round_name: str, fill: Fill):
    """The entry typed as `fill` is on this task under this unit and round, every field as typed."""
    got = entry(data, task_id, unit, round_name)
    assert got is not None, (
        f"typed entry {fill.text!r} is not on task {task_id} under {unit}/{round_name}; "
        f"entries in the ledger: {summary(data)}"
    )
    want = {
        "status": fill.status,
        "text": fill.text,
        "done_date": fill.done_date,
        "evidence": fill.evidence,
    }
    have = {k: got.get(k) for k in want}
    assert have == want, f"task {task_id} under {unit}: ledger has {have}, typed {want}"


def assert_only(data: dict, expected: dict[str, Fill], unit: str, round_name: str):
    """Exactly the typed entries, each on its task under `unit`/`round_name`, and nothing anywhere else."""
    for task_id, fill in expected.items():
        assert_entry(data, task_id, unit, round_name, fill)
    stray = [
        (tid, p["unit"], p["round"], p.get("text"))
        for tid, p in all_entries(data)
        if not (tid in expected and p["unit"] == unit and p["round"] == round_name)
    ]
    assert not stray, f"entries on other tasks or units: {stray}"


def summary(data: dict) -> list[tuple]:
    return [
        (tid[:8], p["unit"], p["round"], p.get("status"), (p.get("text") or "")[:16])
        for tid, p in all_entries(data)
    ]


def texts_in_ledger(data: dict) -> set[str]:
    return {p.get("text") or "" for _, p in all_entries(data)} | {t["content"] for t in data["tasks"]}


def file_name(value: str | None) -> str:
    return Path(value or "").name
