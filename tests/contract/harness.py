"""Black-box helpers for the CLI contract tests: run the real program, look at real files.

Nothing here imports `app`: the contract is checked from outside, as a user or a script would
(`python -m app ...` in a subprocess, and the installed `ledgerdesk` console script).
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO / "tests" / "fixtures" / "seeds"
UNIT = "县民政局"
ROUND1 = "第一次报送"
ROUND2 = "第二次报送"
TOP_KEYS = {"format", "title", "year", "rounds", "units", "tasks"}
TASK_KEYS = {"id", "seq", "path", "key_work", "content", "metric", "lead_units", "coop_units", "deadline", "progress"}
PROGRESS_KEYS = {"unit", "round", "status", "text", "updated_at"}
DEADLINE_KINDS = {"date", "long_term", "relative", "per_superior", "recurring", "none"}
MERGE_FILE_KEYS = {"file", "unit", "round", "outcome", "applied", "unchanged", "conflicts", "rejected", "messages"}
SHEET_HEADERS = ("序号", "主要内容", "状态", "进展落实情况")
CJK = re.compile(r"[\u4e00-\u9fff]")
STRAY = re.compile(r"(-journal|-wal|-shm|\.lock|\.tmp|~)$", re.IGNORECASE)


def seed(key: str) -> Path:
    """The seed document whose name starts with `key` ("000" ... "004")."""
    [path] = SEEDS_DIR.glob(f"{key}_*.txt")
    return path


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("LEDGERDESK_DEBUG", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


@dataclass
class Result:
    argv: list[str]
    code: int
    out: str
    err: str

    def __str__(self) -> str:  # shown by pytest when an assertion fails
        return f"{' '.join(self.argv)}\n-> exit {self.code}\nstdout: {self.out[-2000:]}\nstderr: {self.err[-2000:]}"


def console_script() -> Path:
    """The `ledgerdesk` script installed beside the interpreter running the tests, never another copy.

    `tests/run.sh` installs the project into `.venv`; a `ledgerdesk` found elsewhere on PATH
    (an earlier, manual install) would test some other program.
    """
    folder = Path(sys.executable).parent
    for name in ("ledgerdesk", "ledgerdesk.exe"):
        if (folder / name).is_file():
            return folder / name
    raise AssertionError(f"console script `ledgerdesk` not installed beside {sys.executable} (pip install -e .)")


def run(*args: object, script: bool = False, cwd: Path | None = None, timeout: float = 120) -> Result:
    """Run `python -m app ARGS` (or the `ledgerdesk` console script) and capture both streams."""
    if script:
        argv = [str(console_script()), *map(str, args)]
    else:
        argv = [sys.executable, "-m", "app", *map(str, args)]
    proc = subprocess.run(argv, check=False, capture_output=True, cwd=cwd or REPO, env=cli_env(), timeout=timeout)
    return Result(argv, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def run_many(jobs: list[tuple[object, ...]], *, workers: int = 4) -> list[Result]:
    """Several independent invocations at once (each is ~0.5 s of interpreter start-up)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda argv: run(*argv), jobs))


def ok(result: Result) -> Result:
    assert result.code == 0, str(result)
    assert "Traceback" not in result.out + result.err, str(result)
    return result


def one_line_error(result: Result, *names: str) -> str:
    """The contract for bad input: non-zero, exactly one stderr line, Chinese, naming the file."""
    assert result.code != 0, str(result)
    assert "Traceback" not in result.out + result.err, str(result)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, f"expected exactly one stderr line\n{result}"
    line = lines[0]
    assert CJK.search(line), f"stderr line is not in Chinese\n{result}"
    assert "内部错误" not in line and "internal error" not in line, f"bad input reported as a crash\n{result}"
    for name in names:
        assert name in line, f"stderr line does not name {name!r}\n{result}"
    return line


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: equal snapshots mean nothing changed or appeared."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_unchanged(before: dict[str, bytes], folder: Path) -> None:
    after = snapshot(folder)
    new = sorted(set(after) - set(before))
    gone = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    assert not (new or gone or changed), f"new files {new}, removed {gone}, changed {changed}"


def stray_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if STRAY.search(p.name))


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG, to be renamed .xlsx or .ledger (a wrong file with a plausible name)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def export_json(ledger: Path, out: Path, *extra: object) -> dict:
    ok(run("export", ledger, "--format", "json", "-o", out, *extra))
    return json.loads(out.read_text(encoding="utf-8"))


def tasks_of(data: dict, unit: str) -> list[dict]:
    """Tasks a unit leads or cooperates on, as the contract JSON names them."""
    return [t for t in data["tasks"] if unit in t["lead_units"] or unit in t["coop_units"]]


def header_index(rows: list[list], required: tuple[str, ...] = SHEET_HEADERS) -> int:
    """Index of the one row holding all the required header cells."""
    hits = [i for i, row in enumerate(rows) if set(required) <= {str(v).strip() for v in row if v is not None}]
    assert len(hits) == 1, f"expected one header row with {required}, found rows {hits}"
    return hits[0]


def xlsx_rows(path: Path, sheet: int = 0) -> list[list]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    try:
        return [[c.value for c in row] for row in wb.worksheets[sheet].iter_rows()]
    finally:
        wb.close()


def data_rows(rows: list[list], header: int) -> list[list]:
    return [r for r in rows[header + 1:] if any(v not in (None, "") for v in r)]


def fill_return_sheet(path: Path, fills: dict[str, dict[str, object]], out: Path) -> Path:
    """Play a liaison in Excel: type into the cells of the rows with these 序号 values."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    h = header_index(rows)
    header = [str(v).strip() if v is not None else "" for v in rows[h]]
    seq_col = header.index("序号")
    for r, row in enumerate(rows[h + 1:], start=h + 2):
        seq = str(row[seq_col]).strip() if row[seq_col] is not None else ""
        for name, value in fills.get(seq, {}).items():
            ws.cell(r, header.index(name) + 1, value)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def add_foreign_row(path: Path, task: dict, known_ids: set[str], out: Path) -> Path:
    """A liaison pastes in a row of a task that is not theirs (hidden id column included)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    h = header_index(rows)
    header = [str(v).strip() if v is not None else "" for v in rows[h]]
    id_cols = sorted({i for row in rows[h + 1:] for i, v in enumerate(row) if v in known_ids})
    assert id_cols, "return sheet rows carry no task id"
    r = ws.max_row + 1
    ws.cell(r, id_cols[0] + 1, task["id"])
    ws.cell(r, header.index("序号") + 1, task["seq"])
    ws.cell(r, header.index("主要内容") + 1, task["content"])
    ws.cell(r, header.index("状态") + 1, "已完成")
    wb.save(out)
    return out


def check_sheet_tasks(seqs: list[str], unit: str, data: dict) -> None:
    """A return sheet lists, in document order, every task naming the unit, plus possibly the tasks
    of whole group units it belongs to (各部门（单位）, 各乡镇人民政府): all of a group's tasks, and
    nothing else."""
    groups = {u["name"] for u in data["units"] if u.get("kind") == "group"} - {unit}
    by_seq = {t["seq"]: t for t in data["tasks"]}
    assert len(by_seq) == len(data["tasks"]), "this check needs unique seqs (seed 000)"
    assert all(s in by_seq for s in seqs), f"{unit}: rows with unknown 序号 {set(seqs) - set(by_seq)}"
    listed = set(seqs)
    included = {g for g in groups if tasks_of(data, g) and all(t["seq"] in listed for t in tasks_of(data, g))}

    def belongs(task: dict) -> bool:
        names = set(task["lead_units"]) | set(task["coop_units"])
        return unit in names or bool(names & included)

    expected = [t["seq"] for t in data["tasks"] if belongs(t)]
    assert seqs == expected, f"{unit}: rows {seqs} != tasks naming it (or its groups {sorted(included)}) {expected}"
