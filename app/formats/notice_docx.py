"""Notices (催报通知, 督办通知) as .docx letters in official-document layout (python-docx).

Plain records in, a file out: no Qt, no database (app/notices.py gathers the records).

Layout after GB/T 9704 (党政机关公文格式), as county offices print it:
- A4 portrait, margins 3.7 cm top, 3.5 cm bottom, 2.8 cm left (binding), 2.6 cm right;
- title in 小标宋 二号 (22 pt), centred; body in 仿宋 三号 (16 pt) at a fixed 28 pt line,
  first lines indented two characters; list titles and "附件" in 黑体;
- tables in 仿宋 12 pt with a 黑体 header row repeated on each page (w:tblHeader), rows kept whole;
- the signature (issuing office and date, 2023年10月1日 style) at the right;
- page numbers "— 1 —" (a PAGE field between em dashes) in 宋体 四号, centred in the footer.

The page, the fonts and their fallback chains, and the table are app/formats/official_docx.py's,
shared with the annual report; this module has the letter's texts and paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.shared import Pt

from app.formats.atomic import atomic_output
from app.formats.official_docx import (
    BODY_PT,
    FANGSONG,  # noqa: F401  (tests name the family through this module)
    HEAD_FONT,
    LINE_PT,
    TITLE_FONT,
    TITLE_PT,
    WESTERN_FONT,
    cell_xml,
    date_cn,
    new_document,
    official_table,
    set_run_fonts,
)
from app.formats.safe_names import xml_text

KIND_REMIND = "remind"
KIND_SUPERVISE = "supervise"  # 督办通知: tasks overdue or due soon, with the last progress reported
KIND_LABELS = {KIND_REMIND: "催报通知", KIND_SUPERVISE: "督办通知"}

TABLE_PT = 12  # 小四
_CELL_SPACING = '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
# widths add up to the 15.6 cm text block; a 12 pt character is 0.42 cm and a cell keeps 0.38 cm of margin
UNITS_COLUMNS = ("序号", "单位", "联络员", "联系电话", "未完成任务", "发出日期")
UNITS_WIDTHS_CM = (1.3, 3.0, 1.7, 2.8, 4.5, 2.3)
TASK_COLUMNS = ("序号", "主要内容", "本单位职责", "完成时限", "状态")
TASK_WIDTHS_CM = (1.3, 7.3, 2.8, 2.4, 1.8)
LIST_COLUMNS = ("序号", "主要内容", "牵头单位", "完成时限", "未报单位")
LIST_WIDTHS_CM = (1.3, 6.9, 2.8, 2.4, 2.2)
CELL_MARGINS_CM = 0.5  # left and right cell margins (0.19 cm each in Table Grid), with room to spare
# "1~17" (浪纹线, GB/T 15834): "~" binds to the digits on both sides (UAX #14 class AL), so a line
# breaks only after a "、"; "—", "-" and the full-width "～" let Word or LibreOffice break inside a range
RANGE_DASH = "~"
NOT_REPORTED = "未报"
# 督办: one table per unit (the letter to all lists each unit's tasks under its name)
SUPERVISE_UNITS_COLUMNS = ("序号", "单位", "联络员", "联系电话", "已逾期", "即将到期")
SUPERVISE_UNITS_WIDTHS_CM = (1.3, 3.6, 1.9, 3.0, 2.9, 2.9)
SUPERVISE_COLUMNS = ("序号", "主要内容", "完成时限", "督办情形", "最近报送进展")
SUPERVISE_WIDTHS_CM = (1.3, 5.0, 2.3, 2.2, 4.8)
STATE_OVERDUE_LABEL = "已逾期"
STATE_DUE_LABEL = "即将到期"
PROGRESS_CHARS = 80  # the last progress is quoted up to this many characters


@dataclass
class NoticeTask:
    """One task a notice names: an open task of a unit (not 已完成 in its latest report)."""

    seq: str
    content: str
    role: str  # 牵头, 配合, 配合（各部门（单位））
    deadline: str  # as written in the ledger
    status: str = ""  # the unit's latest reported status; "" when it never reported
    task_id: str = ""  # one task listed for several units is listed once in the letter to all
    lead: str = ""  # its lead units, "、"-joined
    # 督办 only: how the task stands as of the notice's date, and the unit's last report
    state: str = ""  # STATE_OVERDUE_LABEL or STATE_DUE_LABEL
    days: int = 0  # days overdue (state 已逾期, 0 when reported 未按期完成 with no date passed) or days left
    progress_text: str = ""
    progress_round: str = ""
    progress_at: date | None = None


@dataclass
class NoticeUnit:
    """A unit a notice is addressed to or lists."""

    name: str
    liaison: str = ""
    phone: str = ""
    sent_at: date | None = None  # when its sheet went out; None when none was sent
    tasks: list[NoticeTask] = field(default_factory=list)


@dataclass
class Notice:
    """Everything one notice says; `units` are those it concerns (for 催报: not returned)."""

    kind: str
    ledger_title: str
    round: str
    due: date | None
    issued: date
    office: str = ""
    units: list[NoticeUnit] = field(default_factory=list)
    total_units: int = 0  # units the round was for
    returned_units: int = 0
    within: int = 0  # 督办: "due soon" means within this many days of `issued` (the as-of date)


# ---------------------------------------------------------------- the texts


def notice_title(notice: Notice) -> str:
    if notice.kind == KIND_REMIND:
        return f"关于催报{notice.round}任务落实情况的通知"
    if notice.kind == KIND_SUPERVISE:
        return "关于督办逾期及即将到期任务的通知"
    raise ValueError(f"unknown notice kind {notice.kind!r}")


def _due_clause(notice: Notice) -> str:
    if notice.due:
        return f"{notice.round}任务落实情况应于{date_cn(notice.due)}前报送"
    return f"各单位应按时报送{notice.round}任务落实情况"


def body_all(notice: Notice) -> list[str]:
    """The paragraphs of the letter to every unit that has not returned (before the lists)."""
    missing = len(notice.units)
    return [(
        f"按照《{notice.ledger_title}》工作安排，{_due_clause(notice)}。截至{date_cn(notice.issued)}，"
        f"{notice.total_units}个单位中已报送{notice.returned_units}个，尚有{missing}个单位未报送。"
        "现将未报送单位名单及其未完成任务通知如下，请各单位高度重视，对照附件所列任务逐项填报进展落实情况，"
        "于收到本通知后3个工作日内报送。"
    )]


def body_one(notice: Notice, unit: NoticeUnit) -> list[str]:
    """The paragraphs of the letter to one unit (before its task list)."""
    return [
        f"按照《{notice.ledger_title}》工作安排，{_due_clause(notice)}。截至{date_cn(notice.issued)}，你单位尚未报送。",
        (f"你单位承担的以下{len(unit.tasks)}项任务尚未完成，请对照任务逐项填报进展落实情况，"
         "于收到本通知后3个工作日内报送。") if unit.tasks else
        "请于收到本通知后3个工作日内报送本单位任务落实情况。",
    ]


def _counts(unit: NoticeUnit) -> tuple[int, int]:
    late = sum(t.state == STATE_OVERDUE_LABEL for t in unit.tasks)
    return late, len(unit.tasks) - late


def _tally(notice: Notice, overdue: bool) -> str:
    """"N项" of distinct tasks; "N项（按单位计M项次）" when several units share them (one task, many units)."""
    pairs = [t.task_id or f"{t.seq}\x00{t.content}" for u in notice.units for t in u.tasks
             if (t.state == STATE_OVERDUE_LABEL) == overdue]
    tasks = len(set(pairs))
    return f"{tasks}项" + (f"（按单位计{len(pairs)}项次）" if len(pairs) > tasks else "")


def supervise_body_all(notice: Notice) -> list[str]:
    """The paragraphs of the 督办通知 to every unit concerned (before the lists)."""
    return [(
        f"按照《{notice.ledger_title}》工作安排，截至{date_cn(notice.issued)}，{len(notice.units)}个单位承担的任务中，"
        f"已逾期未完成{_tally(notice, True)}，{notice.within}日内到期{_tally(notice, False)}。"
        "现将有关情况通知如下，请各单位对照附件所列任务，"
        "逐项说明进展和未完成原因，明确完成时间，抓紧推进落实，并于收到本通知后3个工作日内报送落实情况。"
    )]


def supervise_body_one(notice: Notice, unit: NoticeUnit) -> list[str]:
    """The paragraphs of the 督办通知 to one unit (before its task list)."""
    late, due = _counts(unit)
    parts = [f"已逾期未完成{late}项" if late else "", f"{notice.within}日内到期{due}项" if due else ""]
    return [
        (f"按照《{notice.ledger_title}》工作安排，截至{date_cn(notice.issued)}，你单位承担的任务中"
         f"{'，'.join(p for p in parts if p)}（见下表）。"),
        "请对照任务逐项说明进展和未完成原因，明确完成时间，抓紧推进落实，于收到本通知后3个工作日内报送落实情况。",
    ]


def situation(task: NoticeTask) -> str:
    """"已逾期\n12天" / "即将到期\n还剩3天" / "已逾期\n报未按期完成"."""
    if task.state == STATE_OVERDUE_LABEL:
        return f"{task.state}\n{task.days}天" if task.days > 0 else f"{task.state}\n报未按期完成"
    return f"{task.state}\n{'今日到期' if task.days == 0 else f'还剩{task.days}天'}"


def _short_date(day: date, issued: date) -> str:
    return f"{day.month}月{day.day}日" if day.year == issued.year else date_cn(day)


def last_progress(task: NoticeTask, issued: date | None = None) -> str:
    """The unit's last report: status and text (cut at PROGRESS_CHARS), then its round and date."""
    if not (task.status or task.progress_text):
        return NOT_REPORTED
    text = task.progress_text.strip()
    if len(text) > PROGRESS_CHARS:
        text = text[:PROGRESS_CHARS] + "…"
    when = "，".join(x for x in (task.progress_round,
                                _short_date(task.progress_at, issued or task.progress_at) if task.progress_at else "") if x)
    head = "：".join(x for x in (task.status, text) if x)
    return f"{head}\n（{when}）" if when else head


def supervise_row(task: NoticeTask, issued: date | None = None) -> tuple[str, ...]:
    return (task.seq, task.content, task.deadline, situation(task), last_progress(task, issued))


def supervise_unit_row(index: int, unit: NoticeUnit) -> tuple[str, ...]:
    late, due = _counts(unit)
    width = SUPERVISE_UNITS_WIDTHS_CM[-1] - CELL_MARGINS_CM

    def cell(state: str, n: int) -> str:
        seqs = [t.seq for t in unit.tasks if t.state == state]
        return "\n".join([f"{n}项", *wrap_tokens(seq_tokens(seqs), width)]) if n else "无"

    return (str(index), unit.name, unit.liaison, unit.phone, cell(STATE_OVERDUE_LABEL, late), cell(STATE_DUE_LABEL, due))


def seq_tokens(seqs: list[str]) -> list[str]:
    """["1", "2", "3", "5", "7", "8"] → ["1~3", "5", "7", "8"]: runs of three or more consecutive numbers shortened."""
    out: list[str] = []
    run: list[int] = []

    def flush() -> None:
        if len(run) >= 3:
            out.append(f"{run[0]}{RANGE_DASH}{run[-1]}")
        else:
            out.extend(str(n) for n in run)
        run.clear()

    for seq in seqs:
        if seq.isdigit() and (not run or int(seq) == run[-1] + 1):
            run.append(int(seq))
            continue
        flush()
        if seq.isdigit():
            run.append(int(seq))
        else:
            out.append(seq)
    flush()
    return out


def seq_ranges(seqs: list[str]) -> str:
    return "、".join(seq_tokens(seqs))


def text_width_cm(text: str, pt: float = TABLE_PT) -> float:
    """A line's width, estimated high: full-width characters 1 em, others 0.55 em."""
    em = pt / 72 * 2.54
    return sum(em if ord(ch) > 0x2E7F else em * 0.55 for ch in text)


def wrap_tokens(tokens: list[str], width_cm: float, sep: str = "、") -> list[str]:
    """Tokens joined by `sep` in lines that fit `width_cm`: the lines are broken here, never inside a
    token, because Word, WPS and LibreOffice each break mixed digits and CJK punctuation differently
    (LibreOffice splits "2~11" to keep "、" off a line start)."""
    lines: list[str] = []
    line = ""
    for i, token in enumerate(tokens):
        piece = token + (sep if i < len(tokens) - 1 else "")
        if line and text_width_cm(line + piece) > width_cm:
            lines.append(line)
            line = ""
        line += piece
    if line:
        lines.append(line)
    return lines


def unit_row(index: int, unit: NoticeUnit) -> tuple[str, ...]:
    sent = f"{unit.sent_at.month}月{unit.sent_at.day}日" if unit.sent_at else "未发出"
    width = UNITS_WIDTHS_CM[UNITS_COLUMNS.index("未完成任务")] - CELL_MARGINS_CM
    lines = wrap_tokens(seq_tokens([t.seq for t in unit.tasks]), width)
    tasks = "\n".join([f"共{len(unit.tasks)}项", *lines]) if unit.tasks else "无"
    return (str(index), unit.name, unit.liaison, unit.phone, tasks, sent)


def task_list(notice: Notice) -> list[tuple[NoticeTask, int]]:
    """Every open task of the units, once, in the order first met, with how many units have it open."""
    seen: dict[str, list] = {}
    for unit in notice.units:
        for task in unit.tasks:
            key = task.task_id or f"{task.seq}\x00{task.content}"
            seen.setdefault(key, [task, 0])[1] += 1
    return [(task, n) for task, n in seen.values()]


def list_row(task: NoticeTask, units: int) -> tuple[str, ...]:
    return (task.seq, task.content, task.lead, task.deadline, f"{units}个")


def task_row(task: NoticeTask) -> tuple[str, ...]:
    role = task.role.replace("（", "\n（", 1)  # 配合 / （各部门（单位））: the group on a line of its own
    return (task.seq, task.content, role, task.deadline, task.status or NOT_REPORTED)


# ---------------------------------------------------------------- writing


def write_notice(notice: Notice, path: str | Path) -> Path:
    """The letter to every unit of `notice.units` (催报 or 督办, by its kind)."""
    if notice.kind == KIND_SUPERVISE:
        return write_supervise(notice, path)
    return write_remind(notice, path)


def write_unit_notice(notice: Notice, unit: NoticeUnit, path: str | Path) -> Path:
    """The letter to one unit (催报 or 督办, by the notice's kind)."""
    if notice.kind == KIND_SUPERVISE:
        return write_unit_supervise(notice, unit, path)
    return write_unit_remind(notice, unit, path)


def write_supervise(notice: Notice, path: str | Path) -> Path:
    """The 督办通知 to every unit concerned: the units with their counts (by 序号), then as its 附件
    each unit's tasks under its name, with the situation and the unit's last progress."""
    document = new_document()
    _title(document, notice_title(notice))
    _plain(document, "各有关单位：", indent=False)
    for text in supervise_body_all(notice):
        _plain(document, text)
    _heading(document, "督办单位名单", HEAD_FONT, center=True)
    _table(document, SUPERVISE_UNITS_COLUMNS, SUPERVISE_UNITS_WIDTHS_CM,
           [supervise_unit_row(i, u) for i, u in enumerate(notice.units, 1)], left={1, 4, 5})
    _plain(document, "附件：逾期及即将到期任务清单")
    _signature(document, notice)
    _page_break(document)
    _plain(document, "附件", indent=False, font=HEAD_FONT)
    _heading(document, "逾期及即将到期任务清单", TITLE_FONT, center=True, size=BODY_PT + 2)
    for i, unit in enumerate(notice.units, 1):
        _heading(document, f"{i}. {unit.name}", HEAD_FONT)
        rows = [supervise_row(t, notice.issued) for t in unit.tasks]
        _table(document, SUPERVISE_COLUMNS, SUPERVISE_WIDTHS_CM, rows, left={1, 4})
    return _save(document, path)


def write_unit_supervise(notice: Notice, unit: NoticeUnit, path: str | Path) -> Path:
    """The 督办通知 to one unit: addressed to it, its liaison named, its tasks with their last progress."""
    document = new_document()
    _title(document, notice_title(notice))
    _plain(document, f"{unit.name}：", indent=False)
    for text in supervise_body_one(notice, unit):
        _plain(document, text)
    _contact(document, unit)
    rows = [supervise_row(t, notice.issued) for t in unit.tasks]
    _table(document, SUPERVISE_COLUMNS, SUPERVISE_WIDTHS_CM, rows, left={1, 4})
    _signature(document, notice)
    return _save(document, path)


def _contact(document, unit: NoticeUnit) -> None:
    contact = "，".join(x for x in (f"联络员：{unit.liaison}" if unit.liaison else "",
                                    f"联系电话：{unit.phone}" if unit.phone else "") if x)
    if contact:
        _plain(document, f"（{contact}）", indent=True)


def write_remind(notice: Notice, path: str | Path) -> Path:
    """The letter to every unit of `notice.units`: the units with their contacts and open tasks (by
    序号), then as its 附件 each open task once (the letter stays a few pages for thirty units)."""
    document = new_document()
    _title(document, notice_title(notice))
    _plain(document, "各有关单位：", indent=False)
    for text in body_all(notice):
        _plain(document, text)
    _heading(document, "未报送单位名单", HEAD_FONT, center=True)
    _table(document, UNITS_COLUMNS, UNITS_WIDTHS_CM, [unit_row(i, u) for i, u in enumerate(notice.units, 1)],
           left={1, 4})
    _plain(document, "附件：未完成任务清单")
    _signature(document, notice)
    tasks = task_list(notice)
    if tasks:
        _page_break(document)
        _plain(document, "附件", indent=False, font=HEAD_FONT)
        _heading(document, "未完成任务清单", TITLE_FONT, center=True, size=BODY_PT + 2)
        _table(document, LIST_COLUMNS, LIST_WIDTHS_CM, [list_row(t, n) for t, n in tasks], left={1, 2})
    return _save(document, path)


def write_unit_remind(notice: Notice, unit: NoticeUnit, path: str | Path) -> Path:
    """The 催报 letter to one unit: addressed to it, its liaison named, its open tasks listed."""
    document = new_document()
    _title(document, notice_title(notice))
    _plain(document, f"{unit.name}：", indent=False)
    for text in body_one(notice, unit):
        _plain(document, text)
    _contact(document, unit)
    if unit.tasks:
        _table(document, TASK_COLUMNS, TASK_WIDTHS_CM, [task_row(t) for t in unit.tasks], left={1})
    _signature(document, notice)
    return _save(document, path)


def _save(document, path: str | Path) -> Path:
    path = Path(path)
    with atomic_output(path) as tmp:
        document.save(str(tmp))
    return path


def _title(document, text: str) -> None:
    para = document.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = para.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(36)
    fmt.space_after = Pt(LINE_PT)
    run = para.add_run(xml_text(text))
    run.font.size = Pt(TITLE_PT)
    set_run_fonts(run._r.get_or_add_rPr(), TITLE_FONT, WESTERN_FONT)


def _plain(document, text: str, *, indent: bool = True, font: str | None = None) -> None:
    para = document.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        para.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    run = para.add_run(xml_text(text))
    if font:
        set_run_fonts(run._r.get_or_add_rPr(), font, WESTERN_FONT)


def _heading(document, text: str, font: str, *, center: bool = False, size: float | None = None) -> None:
    para = document.add_paragraph()
    if center:  # a list's title, with a little room before its table
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.space_after = Pt(6)
    else:
        para.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    para.paragraph_format.keep_with_next = True
    run = para.add_run(xml_text(text))
    if size:
        run.font.size = Pt(size)
    set_run_fonts(run._r.get_or_add_rPr(), font, WESTERN_FONT)


def _page_break(document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _signature(document, notice: Notice) -> None:
    """Office and date at the right, the date four characters in from the margin (GB/T 9704 7.3.5.2)."""
    spacer = document.add_paragraph()
    spacer.paragraph_format.keep_with_next = True
    for text in (notice.office, date_cn(notice.issued)):
        if not text:
            continue
        para = document.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        para.paragraph_format.right_indent = Pt(BODY_PT * 4)
        para.paragraph_format.keep_with_next = text == notice.office
        para.add_run(xml_text(text))


def _cell_xml(text: str, width: int, header: bool, align: str) -> str:
    """Lines as the text breaks them, single-spaced, in 小四."""
    return cell_xml(xml_text(text).split("\n") if text else [""], width, header=header, align=align,
                    size=TABLE_PT, spacing=_CELL_SPACING)


def _table(document, columns: tuple[str, ...], widths_cm: tuple[float, ...], rows: list[tuple[str, ...]], *,
           left: set[int]) -> None:
    """A fixed-width table centred on the text block, header row repeated; rows kept whole."""
    official_table(document, columns, widths_cm, rows, cell=_cell_xml,
                   align=lambda i, _row: "left" if i in left else "center")
    after = document.add_paragraph()  # a table must not touch the next heading
    after.paragraph_format.line_spacing = Pt(LINE_PT / 2)
