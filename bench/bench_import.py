"""Time the import of a ~200-page prose plan built by repeating seeds 004 and 002.

Run by hand: `python bench/bench_import.py [--repeat 25]`. Prints the size of the
generated plan and the time of parse_prose_plan and (when present) read_plan on .txt,
.html and .docx copies of it. Target: under 5 s for the whole import.
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.plan import parse_prose_plan  # noqa: E402
from app.core.plan.outline import to_chinese_number  # noqa: E402

SEEDS = ROOT / "tests" / "fixtures" / "seeds"
CHARS_PER_PAGE = 800  # a dense A4 page of Chinese official text


def _body(lines: list[str]) -> list[str]:
    """The seed from its first section heading to its last task (no cover, no closing)."""
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("一、"))
    return lines[start:]


def build_plan(repeat: int) -> list[str]:
    """Title, then `repeat` copies of 004's and 002's bodies, sections renumbered 一、二、… in order."""
    seed_004 = _body((SEEDS / "004_efd1b62e6b25da09.txt").read_text(encoding="utf-8").split("\n"))
    seed_004 = seed_004[: next(i for i, line in enumerate(seed_004) if line.startswith("各乡镇、政府各部门"))]
    seed_002 = _body((SEEDS / "002_b0d41140ee6b0426.txt").read_text(encoding="utf-8").split("\n"))
    seed_002 = seed_002[: next(i for i, line in enumerate(seed_002) if line.startswith("扫一扫"))]
    out = ["某县2024年政务公开工作要点", "2024年全县政务公开工作的总体要求是：……。"]
    section = 0
    for _ in range(repeat):
        for body in (seed_004, seed_002):
            for line in body:
                stripped = line.strip("　 ")
                head, sep, rest = stripped.partition("、")
                if sep and head and all(c in "一二三四五六七八九十" for c in head):
                    section += 1
                    line = f"{to_chinese_number(section)}、{rest}"
                out.append(line)
    out.append("请各乡镇、各部门（单位）务于7月30日前和12月20日前，将上半年和全年具体工作落实情况报县人民政府政务公开办公室。")
    return out


def timed(label: str, fn) -> object:
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    tasks = len(result.tasks) if hasattr(result, "tasks") else "-"
    print(f"{label:<34} {elapsed:7.2f} s   tasks: {tasks}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    lines = build_plan(args.repeat)
    chars = sum(len(line) for line in lines)
    print(f"plan: {len(lines)} lines, {chars} characters ≈ {chars / CHARS_PER_PAGE:.0f} pages")

    timed("parse_prose_plan (lines in memory)", lambda: parse_prose_plan(lines, source_name="bench.txt"))

    try:
        from app.formats.plan import read_plan
    except ImportError:
        print("read_plan not available: file imports skipped")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        txt = Path(tmp) / "bench.txt"
        txt.write_text("\n".join(lines), encoding="gb18030")
        timed("read_plan .txt (GB18030)", lambda: read_plan(txt))
        page = Path(tmp) / "bench.html"
        body = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines)
        page.write_text(f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>", encoding="utf-8")
        timed("read_plan .html", lambda: read_plan(page))
        sys.path.insert(0, str(ROOT / "tests"))
        try:
            from tests.formats.docx_factory import prose_docx_auto_numbered
        except ImportError:
            return 0
        word = prose_docx_auto_numbered(Path(tmp) / "bench.docx", lines)
        timed("read_plan .docx (auto numbering)", lambda: read_plan(word))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
