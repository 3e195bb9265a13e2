"""`ledgerdesk selftest`: does this copy of the program work here? Every step reads back what it did.

Meant for the frozen program (the CI's build check, and a clerk's "does it run on this machine?"), it
runs unfrozen too. The steps, in a temporary folder (the program's own folder is never written):
the bundled demo ledger opened read-only (unfrozen: built first from resources/demo seed 000, as the
build does), a plan imported, the ledger exported as .xlsx and .docx, a unit's return sheet written,
filled and merged, a liaison file (.ldpkg) written, filled and merged, and the main window and the
liaison window rendered offscreen (app.ui.app.render_screenshot). One line per step, "[通过] …" or
"[失败] … reason"; `run_selftest` returns the results and the command exits 0 only when all passed.

Settings, the log and recent files go to the temporary folder while the windows render
(LEDGERDESK_CONFIG_DIR), so a selftest never changes the clerk's list of recent ledgers.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.formats.file_hash import file_sha256
from app.resources import demo_dir, install_root

PASS, FAIL = "[通过]", "[失败]"
DEMO_SEED = "000_0bb927241a205331.txt"  # the seed `ledgerdesk demo` uses too
DEMO_LEDGER_DIR = "selftest"  # in the bundle, beside resources/
DEMO_LEDGER_NAME = "demo.ledger"  # ASCII: a zip's Chinese names are misread by older unzip tools
SHEET_TEXT = "自检：报送表填写的进展"
LIAISON_TEXT = "自检：联络员数据包填写的进展"


class StepFailed(Exception):
    """A step's check did not hold: the message says what was expected and what was found."""


@dataclass(frozen=True)
class StepResult:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{PASS if self.ok else FAIL} {self.name}：{self.detail}"


def make_demo_ledger(folder: Path, seed: Path | None = None) -> Path:
    """The demo ledger (seed 000 through the program's own import) as `folder`/demo.ledger; the build
    calls this to bundle it, an unfrozen selftest to have one."""
    from app.formats.plan.read import read_plan_report
    from app.ledger import Ledger

    seed = seed or demo_dir() / DEMO_SEED
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / DEMO_LEDGER_NAME
    doc = read_plan_report(seed).doc
    with Ledger.create_from_document(target, doc, source=seed.name, overwrite=True):
        pass
    return target


def bundled_demo_ledger() -> Path:
    return install_root() / DEMO_LEDGER_DIR / DEMO_LEDGER_NAME


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class Selftest:
    """The steps, sharing what earlier ones made (the imported ledger, the package); a step whose input
    is missing because an earlier one failed fails too, naming that step."""

    def __init__(self, work: Path, *, seed: Path | None = None, demo_ledger: Path | None = None) -> None:
        self.work = work
        self.seed = seed or demo_dir() / DEMO_SEED
        self.demo_ledger = demo_ledger
        self.demo_tasks: int | None = None
        self.ledger_path: Path | None = None
        self.package: Path | None = None

    # ----- steps
    def step_demo(self) -> str:
        if self.demo_ledger is None:
            if getattr(sys, "frozen", False):
                self.demo_ledger = bundled_demo_ledger()
                _check(self.demo_ledger.is_file(), f"打包的演示台账不存在：{self.demo_ledger}")
            else:
                self.demo_ledger = make_demo_ledger(self.work / "demo")
        from app.ledger import Ledger

        before = file_sha256(self.demo_ledger)
        with Ledger.open(self.demo_ledger, readonly=True) as ledger:
            _check(ledger.readonly, "台账未以只读方式打开")
            doc = ledger.document()
        _check(len(doc.tasks) > 0, "演示台账中没有任务")
        _check(file_sha256(self.demo_ledger) == before, "只读打开后演示台账文件被改动")
        self.demo_tasks = len(doc.tasks)
        return f"{doc.title}，{len(doc.tasks)} 项任务、{len(doc.units)} 个单位，文件未改动"

    def step_import(self) -> str:
        from app.formats.plan.read import read_plan_report
        from app.ledger import Ledger

        doc = read_plan_report(self.seed).doc
        _check(len(doc.tasks) > 0, f"{self.seed.name} 中没有读出任务")
        path = self.work / "导入.ledger"
        with Ledger.create_from_document(path, doc, source=self.seed.name):
            pass
        with Ledger.open(path, readonly=True) as ledger:
            back = ledger.document()
        _check(len(back.tasks) == len(doc.tasks), f"读回 {len(back.tasks)} 项任务，导入时为 {len(doc.tasks)} 项")
        _check(len(back.rounds) == len(doc.rounds), f"读回 {len(back.rounds)} 个报送轮次，导入时为 {len(doc.rounds)} 个")
        if self.demo_tasks is not None and self.seed.name == DEMO_SEED:
            _check(len(back.tasks) == self.demo_tasks,
                   f"导入 {len(back.tasks)} 项任务，与演示台账的 {self.demo_tasks} 项不一致")
        self.ledger_path = path
        return f"{self.seed.name} → {len(back.tasks)} 项任务、{len(back.rounds)} 个报送轮次（读回一致）"

    def _ledger(self) -> Path:
        if self.ledger_path is None:
            raise StepFailed("前一步“导入工作要点”未成功，无台账可用")
        return self.ledger_path

    def _document(self):
        from app.ledger import Ledger

        with Ledger.open(self._ledger(), readonly=True) as ledger:
            return ledger.document()

    def step_xlsx(self) -> str:
        import openpyxl

        from app.commands.export import export_document

        doc = self._document()
        out = self.work / "标准台账.xlsx"
        export_document(doc, out, "xlsx")
        sheet = openpyxl.load_workbook(out, read_only=True).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        header = next((r for r in rows if r and r[0] == "序号"), None)
        _check(header is not None, "导出的表格中没有“序号”表头")
        id_col = header.index("_id") if "_id" in header else len(header) - 1
        ids = [r[id_col] for r in rows[rows.index(header) + 1:] if len(r) > id_col and r[id_col]]
        _check(sorted(ids) == sorted(t.id for t in doc.tasks),
               f"表格中有 {len(ids)} 行任务，台账有 {len(doc.tasks)} 项")
        return f"{out.name}：{len(ids)} 行任务，与台账逐项一致"

    def step_docx(self) -> str:
        import docx

        from app.commands.export import export_document

        doc = self._document()
        out = self.work / "标准台账.docx"
        export_document(doc, out, "docx")
        table = docx.Document(str(out)).tables[0]
        wanted = {t.seq: t for t in doc.tasks}
        found = []
        for row in table.rows[1:]:
            cells = row.cells
            seq = cells[0].text.strip()
            if seq in wanted and wanted[seq].content[:10] in cells[2].text:
                found.append(seq)
        _check(sorted(found) == sorted(wanted), f"表格中找到 {len(found)} 项任务（序号和主要内容），台账有 {len(wanted)} 项")
        return f"{out.name}：{len(found)} 行任务，序号和主要内容与台账一致"

    def _units(self, doc) -> list[str]:
        """The units a clerk sends sheets to (no group pseudo-units), most tasks first."""
        from app.core.sheet_scope import sheet_units

        counts = {u: len(doc.tasks_of_unit(u)) for u in sheet_units(doc, include_groups=False)}
        return sorted((u for u, n in counts.items() if n > 0), key=lambda u: -counts[u])

    def step_sheet(self) -> str:
        import openpyxl

        from app.formats.returns import ID_HEADER
        from app.ledger import Ledger
        from app.returns import MERGED, merge_files
        from app.sending import make_sheets

        with Ledger.open(self._ledger()) as ledger:
            doc = ledger.document()
            units = self._units(doc)
            _check(bool(units), "台账中没有有任务的单位")
            unit = units[0]
            (path,) = make_sheets(ledger, self.work / "报送表", units=[unit])
            round_name = ledger.dispatches()[-1].round
        book = openpyxl.load_workbook(path)
        sheet = book.worksheets[0]
        header_row = next(r for r in sheet.iter_rows(min_row=1, max_row=30) if r[0].value == "序号")
        columns = {c.value: c.column for c in header_row if c.value}
        for name in ("状态", "进展落实情况", ID_HEADER):
            _check(name in columns, f"报送表中没有“{name}”列")
        filled: list[str] = []
        for r in range(header_row[0].row + 1, sheet.max_row + 1):
            task_id = sheet.cell(r, columns[ID_HEADER]).value
            if task_id and len(filled) < 2:
                sheet.cell(r, columns["状态"], "已完成")
                sheet.cell(r, columns["进展落实情况"], f"{SHEET_TEXT}{len(filled) + 1}")
                filled.append(str(task_id))
        _check(len(filled) == 2, f"报送表中只有 {len(filled)} 行任务")
        book.save(path)
        with Ledger.open(self._ledger()) as ledger:
            report = merge_files(ledger, [path])
            entries = [ledger.progress_entry(t, unit, round_name) for t in filled]
        (file_report,) = report.files
        _check(file_report.outcome == MERGED, f"{path.name} 未合并：{'；'.join(file_report.messages)}")
        _check(file_report.applied == 2, f"合并了 {file_report.applied} 行，应为 2 行")
        for n, entry in enumerate(entries, start=1):
            _check(entry is not None and entry.text == f"{SHEET_TEXT}{n}" and entry.status == "已完成",
                   f"合并后台账中{unit}的第 {n} 项进展为 {entry.text if entry else '空'}")
        return f"{unit}（{round_name}）：写出、填写、合并 2 行，台账中读回进展一致"

    def step_liaison(self) -> str:
        from app.core.merge import Values
        from app.formats.returns.liaison import fill_liaison_file, load_liaison_file
        from app.ledger import Ledger
        from app.returns import MERGED, merge_files
        from app.sending import make_package

        with Ledger.open(self._ledger()) as ledger:
            units = self._units(ledger.document())
            _check(len(units) > 1, "台账中有任务的单位不足两个")
            unit = units[1]
            folder = self.work / "数据包"
            folder.mkdir(exist_ok=True)
            path = make_package(ledger, unit, folder)
        package = load_liaison_file(path)
        _check(len(package.tasks) > 0, f"{path.name} 中没有任务")
        task = package.tasks[0]
        fill_liaison_file(path, {task.task_id: Values("进行中", LIAISON_TEXT, "", "")}, reporter="自检", phone="0000")
        with Ledger.open(self._ledger()) as ledger:
            report = merge_files(ledger, [path])
            entry = ledger.progress_entry(task.task_id, unit, package.round)
        (file_report,) = report.files
        _check(file_report.outcome == MERGED, f"{path.name} 未合并：{'；'.join(file_report.messages)}")
        _check(entry is not None and entry.text == LIAISON_TEXT and entry.status == "进行中",
               f"合并后台账中{unit}的进展为 {entry.text if entry else '空'}")
        self.package = path
        return f"{unit}（{package.round}）：{len(package.tasks)} 项任务的数据包，填写 1 项并合并，台账中读回进展一致"

    def _render(self, source: Path | None, png: Path) -> str:
        try:
            from app.ui.app import render_screenshot
        except ImportError as exc:
            raise StepFailed(f"app.ui.app.render_screenshot 不可用（{exc}）") from None
        from PySide6.QtGui import QImage

        with _environment(LEDGERDESK_CONFIG_DIR=str(self.work / "config")):
            render_screenshot(source, png)
        _check(png.is_file(), f"没有生成截图 {png.name}")
        image = QImage(str(png))
        _check(not image.isNull(), f"{png.name} 不是有效的图片")
        _check(image.width() >= 400 and image.height() >= 300, f"窗口只有 {image.width()}×{image.height()}")
        colours = {image.pixel(x, y) for x in range(0, image.width(), 17) for y in range(0, image.height(), 17)}
        _check(len(colours) > 8, "截图几乎是单色的（窗口内容没有画出）")
        return f"{image.width()}×{image.height()}，{len(colours)} 种颜色"

    def step_main_window(self) -> str:
        return "主窗口（导入的台账）" + self._render(self._ledger(), self.work / "主窗口.png")

    def step_liaison_window(self) -> str:
        if self.package is None:
            raise StepFailed("前一步“联络员数据包”未成功，无数据包可用")
        return "联络员窗口" + self._render(self.package, self.work / "联络员窗口.png")

    def steps(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            ("打开演示台账（只读）", self.step_demo),
            ("导入工作要点", self.step_import),
            ("导出 Excel 台账", self.step_xlsx),
            ("导出 Word 台账", self.step_docx),
            ("报送表（写出、填写、合并）", self.step_sheet),
            ("联络员数据包（写出、填写、合并）", self.step_liaison),
            ("主窗口（离屏绘制）", self.step_main_window),
            ("联络员窗口（离屏绘制）", self.step_liaison_window),
        ]


def _failure(exc: BaseException) -> str:
    from app.errors import LedgerError

    if isinstance(exc, (StepFailed, LedgerError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def run_selftest(*, seed: Path | None = None, demo_ledger: Path | None = None, keep: Path | None = None,
                 report: Callable[[StepResult], None] | None = None) -> list[StepResult]:
    """Run every step (a failed one does not stop the rest); `report` sees each result as it comes.

    `keep`: work in this folder and leave the files there (for a look), else a temporary folder removed after."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="ledgerdesk-selftest-")) if keep is None else keep
    work.mkdir(parents=True, exist_ok=True)
    results: list[StepResult] = []
    try:
        test = Selftest(work, seed=seed, demo_ledger=demo_ledger)
        for name, step in test.steps():
            started = time.perf_counter()
            try:
                detail = step()
                result = StepResult(name, True, f"{detail}（{time.perf_counter() - started:.1f} 秒）")
            except Exception as exc:  # noqa: BLE001 - a failed step is a line of the report, never a traceback
                result = StepResult(name, False, _failure(exc))
            results.append(result)
            if report is not None:
                report(result)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return results
