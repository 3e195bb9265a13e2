"""Read one file in a child process with an address-space limit and a timeout, and report the
outcome with the child's own time and peak memory (VmHWM): a reader that aborts (a 512 GB allocation),
loops or balloons cannot take the test run or the bench down with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ADDRESS_SPACE = 1536 << 20  # 1.5 GB, as a modest office PC would leave a program

_CHILD = r'''
import json, resource, sys, time
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from pathlib import Path
from app.errors import InputError
kind, path = sys.argv[1], Path(sys.argv[2])
out = {}
start = time.perf_counter()
try:
    if kind == "plan":
        from app.formats.plan import read_plan
        doc = read_plan(path)
        out = {"outcome": "parsed", "tasks": len(doc.tasks), "warnings": len(doc.warnings)}
    elif kind == "return":
        from app.formats.returns import read_return_file
        sheet = read_return_file(path)
        out = {"outcome": "parsed", "rows": len(sheet.rows)}
    else:
        raise SystemExit(f"unknown reader {kind}")
except InputError as exc:
    out = {"outcome": "refused", "message": str(exc)}
except BaseException as exc:  # what the test is there to catch
    out = {"outcome": "error", "type": type(exc).__name__, "message": str(exc)[:300]}
out["seconds"] = round(time.perf_counter() - start, 2)
# VmHWM, not ru_maxrss: a forked child's ru_maxrss starts at its parent's size (a big test run)
try:
    hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    out["peak_mb"] = round(int(hwm.split()[1]) / 1024)
except (OSError, StopIteration):
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out, ensure_ascii=False))
'''


@dataclass
class Outcome:
    outcome: str  # parsed, refused, error, crashed, timeout
    message: str = ""
    seconds: float = 0.0
    peak_mb: int = 0
    exit_code: int = 0
    detail: dict | None = None

    def __str__(self) -> str:
        return f"{self.outcome} (exit {self.exit_code}, {self.seconds} s, {self.peak_mb} MB): {self.message[:300]}"


def read_isolated(kind: str, path: Path, *, timeout: float = 60, address_space: int = ADDRESS_SPACE) -> Outcome:
    """read_plan ("plan") or read_return_file ("return") of `path` in a limited child process."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    try:
        result = subprocess.run([sys.executable, "-c", _CHILD, kind, str(path), str(address_space)],
                                capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO, check=False)
    except subprocess.TimeoutExpired:
        return Outcome("timeout", f"no answer in {timeout} s", seconds=timeout)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        return Outcome("crashed", result.stderr[-600:], exit_code=result.returncode)
    data = json.loads(lines[-1])
    return Outcome(data["outcome"], data.get("message", ""), data["seconds"], data["peak_mb"], 0, data)
