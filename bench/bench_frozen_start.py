"""Start-up of the frozen program: process start → window shown (run by hand after a build).

    python bench/bench_frozen_start.py [dist/LedgerDesk] [--runs 5] [--target 2.0]

Offscreen (QT_QPA_PLATFORM=offscreen) and warm (one run first, not counted, so the files are in the
disk cache). "Window shown" is when the window's PNG appears: `LedgerDesk --screenshot` builds the
window, shows it, lets it paint and grabs it, so the figure is an upper bound of the time to the
first painted window. Measured: the console program's bare start (`--version`: bootloader and
interpreter), the clerk's empty main window, the main window with the bundled demo ledger, and the
liaison window on a package made from it (a liaison's double-click). Prints min / median / max.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = ".exe" if sys.platform.startswith("win") else ""


def time_to_file(cmd: list[str], png: Path | None, env: dict[str, str]) -> tuple[float, float]:
    """(seconds from starting `cmd` until `png` exists and is non-empty, or until it exits without a png;
    the CPU seconds the process used in all). The CPU time does not grow when other work shares the
    machine, the wall time does: both are printed."""
    if png is not None:
        png.unlink(missing_ok=True)
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        elapsed = None
        while png is not None and process.poll() is None:
            if png.exists() and png.stat().st_size > 0:
                elapsed = time.perf_counter() - started
                break
            time.sleep(0.002)
        if hasattr(os, "wait4") and process.returncode is None:
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
        else:
            process.wait(timeout=120)
            cpu = float("nan")
        if elapsed is None:
            elapsed = time.perf_counter() - started
        err.seek(0)
        message = err.read().decode(errors="replace")[-500:]
    if process.returncode != 0 or (png is not None and not png.is_file()):
        raise SystemExit(f"{' '.join(cmd)} failed ({process.returncode}): {message}")
    return elapsed, cpu


def measure(label: str, cmd: list[str], png: Path | None, env: dict[str, str], runs: int) -> list[float]:
    """The wall times to the window (printed with the CPU times)."""
    time_to_file(cmd, png, env)  # warm-up, not counted
    samples = [time_to_file(cmd, png, env) for _ in range(runs)]
    wall = [w for w, _ in samples]
    cpu = [c for _, c in samples]
    print(f"{label:<34} wall min {min(wall):5.2f} s  median {statistics.median(wall):5.2f} s  max {max(wall):5.2f} s"
          f"   CPU median {statistics.median(cpu):5.2f} s")
    return wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "dist" / "LedgerDesk")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target", type=float, default=2.0, help="seconds the windows' median must stay under")
    args = parser.parse_args(argv)
    gui, cli = args.folder / f"LedgerDesk{EXE}", args.folder / f"ledgerdesk-cli{EXE}"
    demo = args.folder / "_internal" / "selftest" / "demo.ledger"
    for path in (gui, cli, demo):
        if not path.is_file():
            raise SystemExit(f"not found: {path} (build first: python build_spec/build.py)")
    with tempfile.TemporaryDirectory(prefix="ledgerdesk-start-") as tmp:
        work = Path(tmp)
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LEDGERDESK_CONFIG_DIR=str(work / "config"))
        ledger = work / "demo.ledger"
        shutil.copy2(demo, ledger)
        package = work / "联络员.ldpkg"
        subprocess.run([str(cli), "package", str(ledger), "--unit", "县司法局", "-o", str(package)], env=env,
                       check=True, capture_output=True)
        png = work / "shot.png"
        print(f"frozen start-up, warm, offscreen, {args.runs} runs each ({args.folder})")
        measure("ledgerdesk-cli --version", [str(cli), "--version"], None, env, args.runs)
        windows = {
            "empty main window": measure("LedgerDesk (empty main window)", [str(gui), "--screenshot", str(png)],
                                         png, env, args.runs),
            "main window + demo ledger": measure("LedgerDesk demo.ledger", [str(gui), str(ledger), "--screenshot",
                                                                            str(png)], png, env, args.runs),
            "liaison window": measure("LedgerDesk 联络员.ldpkg (liaison)", [str(gui), str(package), "--screenshot",
                                                                         str(png)], png, env, args.runs),
        }
    slow = [label for label, times in windows.items() if statistics.median(times) >= args.target]
    print(f"target: window shown in under {args.target:.1f} s: " + ("met" if not slow else f"MISSED ({', '.join(slow)})"))
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
