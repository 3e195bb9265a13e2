"""Prose plans (政务公开工作要点, 活动方案) → a ledger tree of headings and tasks.

The shape every seed shares: a cover part (web menus, cover letter, title), then a body
numbered 一、 / （一） / 1., then closing paragraphs and page footer. Decisions:

* The plan title is the last stand-alone line before the body that reads like a plan
  name ("…2018年…工作要点", "…活动方案"), minus "(征求意见稿)", "关于印发" and "的通知".
  Year: from the title, else the first "20xx年" of the body.
* Numbered items of level 3 ("1．", "2、") are tasks; their key work is the title of the
  heading they sit under. A heading with no numbered children and text of its own (run-on
  "（三）加强行政执法信息公开。修订完善…" or paragraphs under it) is one task whose key work
  is its title; its seq is its position under that heading ("1"), like numbered siblings.
* Text between a heading and its first child is a preamble; text after a task's
  annotation that starts no new item is a closing paragraph. Neither is a task; both are
  reported as warnings with their line, so nothing disappears silently. Page chrome
  (menus, 扫一扫, contact lines) is dropped without warning; the body ends at footer chrome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.deadlines import find_deadline_in_text, impossible_date
from app.core.plan import outline
from app.core.plan.annotations import find_annotation
from app.core.plan.front_matter import find_office, find_title, is_chrome_line, is_page_end, year_in
from app.core.records import Deadline, Heading, LedgerDocument, ParseWarning, Task, new_id
from app.core.rounds import find_rounds
from app.core.text import clean_text, damage_message, find_damage
from app.core.units import UnitDirectory, normalize_unit_name

# --- the body ----------------------------------------------------------------------------


@dataclass
class _OpenHeading:
    heading: Heading
    line_no: int
    body: list[tuple[int, str]] = field(default_factory=list)
    body_closed: bool = False  # its text already carried an annotation
    has_children: bool = False
    task_count: int = 0


@dataclass
class _PendingTask:
    seq: str
    line_no: int
    owner: _OpenHeading | None
    key_work: str
    lines: list[tuple[int, str]]
    closed: bool = False


class _Builder:
    """Walks body lines once, keeping the open headings and the task being read."""

    def __init__(self, doc: LedgerDocument) -> None:
        self.doc = doc
        self.year = doc.year
        self.stack: list[_OpenHeading] = []
        self.task: _PendingTask | None = None
        self.directory = UnitDirectory()
        self.by_id: dict[str, Heading] = {}  # every heading so far, for task labels (one lookup per level)

    # warnings
    def warn(self, line_no: int, message: str) -> None:
        self.doc.warnings.append(ParseWarning(location=f"第{line_no}行", message=message))

    def _skip_text(self, line_no: int, text: str, why: str) -> None:
        if not is_chrome_line(text):
            self.warn(line_no, f"{why}，未作为任务导入：“{_short(text)}”")

    # structure
    def heading(self, line_no: int, kind: outline.LineKind) -> None:
        self.close_task()
        while self.stack and self.stack[-1].heading.level >= kind.level:
            self.close_heading(self.stack.pop())
        parent = self._adopt_child()
        title, tail = outline.split_heading_title(kind.rest)
        heading = Heading(
            id=new_id(),
            number=kind.number,
            title=title,
            parent_id=parent.heading.id if parent else None,
            level=kind.level,
        )
        self.doc.headings.append(heading)
        self.by_id[heading.id] = heading
        opened = _OpenHeading(heading=heading, line_no=line_no)
        if tail:
            opened.body.append((line_no, tail))
            opened.body_closed = find_annotation(tail, year=self.year) is not None
        self.stack.append(opened)

    def _adopt_child(self) -> _OpenHeading | None:
        """The current heading gets a child: its own text so far was a preamble."""
        if not self.stack:
            return None
        parent = self.stack[-1]
        if not parent.has_children:
            for no, text in parent.body:
                self._skip_text(no, text, "章节导语")
            parent.body.clear()
            parent.has_children = True
        return parent

    def item(self, line_no: int, kind: outline.LineKind) -> None:
        self.close_task()
        owner = self._adopt_child()
        self.task = _PendingTask(
            seq=str(kind.value),
            line_no=line_no,
            owner=owner,
            key_work=owner.heading.title if owner else "",
            lines=[(line_no, kind.rest)],
            closed=find_annotation(kind.rest, year=self.year) is not None,
        )

    def text(self, line_no: int, text: str) -> None:
        if self.task is not None:
            if self.task.closed:
                self._skip_text(line_no, text, "任务之后的段落（结束语或无法归属的文字）")
            else:
                self.task.lines.append((line_no, text))
                self.task.closed = find_annotation(text, year=self.year) is not None
            return
        if self.stack and not self.stack[-1].has_children:
            top = self.stack[-1]
            if top.body_closed:
                self._skip_text(line_no, text, "任务之后的段落（结束语或无法归属的文字）")
            else:
                top.body.append((line_no, text))
                top.body_closed = find_annotation(text, year=self.year) is not None
            return
        self._skip_text(line_no, text, "无法归属的段落")

    def _units(self, names: list[str]) -> list[str]:
        out: list[str] = []
        for raw in names:
            name = _canonical(self.directory, raw)
            if name and name not in out:
                out.append(name)
        return out

    def _chain(self, owner: _OpenHeading | None) -> list[Heading]:
        """Headings from the top down to `owner`, for a readable task label ("一、（二）3")."""
        by_id = self.by_id
        chain: list[Heading] = []
        hid = owner.heading.id if owner else None
        while hid is not None and hid in by_id:
            chain.append(by_id[hid])
            hid = by_id[hid].parent_id
        return list(reversed(chain))

    # tasks
    def close_task(self) -> None:
        if self.task is None:
            return
        pending, self.task = self.task, None
        if pending.owner is not None:
            pending.owner.task_count += 1
        self._emit(pending)

    def close_heading(self, opened: _OpenHeading) -> None:
        if opened.has_children or not opened.body:
            return
        opened.task_count += 1
        self._emit(
            _PendingTask(
                seq=str(opened.task_count),
                line_no=opened.line_no,
                owner=opened,
                key_work=opened.heading.title,
                lines=opened.body,
            )
        )

    def finish(self) -> None:
        self.close_task()
        while self.stack:
            self.close_heading(self.stack.pop())

    def _emit(self, pending: _PendingTask) -> None:
        text = "\n".join(t for _, t in pending.lines).strip()
        ann = find_annotation(text, year=self.year)
        content = ann.remove_from(text) if ann else text
        lead = self._units(ann.lead_units) if ann else []
        coop = [u for u in self._units(ann.coop_units) if u not in lead] if ann else []
        deadline = _deadline(ann, content, self.year)
        task = Task(
            id=new_id(),
            seq=pending.seq,
            heading_id=pending.owner.heading.id if pending.owner else None,
            key_work=pending.key_work,
            content=content,
            lead_units=lead,
            coop_units=coop,
            deadline=deadline,
        )
        self.doc.tasks.append(task)
        numbers = "".join(h.number for h in self._chain(pending.owner))
        label = f"任务{numbers}{pending.seq}“{_short(content or pending.key_work, 16)}”"
        if not lead:
            self.warn(pending.line_no, f"{label}未找到牵头/责任单位")
        bad = impossible_date(ann.deadline_text if ann else "", year=self.year) or impossible_date(
            content, year=self.year)
        if bad:
            self.warn(pending.line_no, f"{label}完成时限“{bad}”不是有效日期（impossible date）")
        elif deadline.kind == "none":
            self.warn(pending.line_no, f"{label}未找到完成时限")


def _short(text: str, limit: int = 24) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


# "发改局相关部门配合落实": the named unit, with its related departments implied.
_UNIT_WITH_RELATED_RE = re.compile(r"^(.+?(?:局|办|委|中心|院|室))(?:等)?(?:相关|有关)部门$")


def _canonical(directory: UnitDirectory, raw: str) -> str:
    """One spelling per unit across the plan ("县政府办公室" = "县人民政府办公室" once seen)."""
    name = normalize_unit_name(raw)
    m = _UNIT_WITH_RELATED_RE.match(name)
    if m:
        name = m.group(1)
    if not name:
        return ""
    return directory.canonical(name)


def _deadline(ann, content: str, year: int | None) -> Deadline:
    """The annotation's deadline if it says one, else one written inside the task text."""
    if ann is not None and ann.deadline is not None and ann.deadline.kind != "none":
        return ann.deadline
    found = find_deadline_in_text(content, year=year)
    if found is not None and found.kind != "none":
        return found
    if ann is not None and ann.deadline_text:
        return Deadline(text=ann.deadline_text, kind="none")
    return Deadline()


# --- entry point -------------------------------------------------------------------------


def _body_start(kinds: list[outline.LineKind], start: int) -> int:
    """Index of the first line of the body: the first number of the top outline level used."""
    levels = [k.level for k in kinds[start:] if k.is_numbered and k.level <= outline.LEVEL_ITEM]
    if not levels:
        return -1
    top = min(levels)
    return next(i for i in range(start, len(kinds)) if kinds[i].is_numbered and kinds[i].level == top)


def parse_prose_plan(lines: list[str], *, source_name: str) -> LedgerDocument:
    """Parse the lines of a prose plan (text file, web page, Word paragraphs) into a ledger.

    Line numbers in warnings count from 1 over `lines` as given.
    """
    cleaned = [clean_text(line) for line in lines]
    kinds = [outline.classify_line(line) for line in cleaned]
    first_body = _body_start(kinds, 0)
    title, title_at = find_title(cleaned[: first_body if first_body >= 0 else len(cleaned)])
    start = _body_start(kinds, title_at + 1) if title_at >= 0 else first_body

    doc = LedgerDocument(title=title, office=find_office(cleaned[: max(start, 0)]))
    doc.year = year_in(title) or year_in("\n".join(cleaned[max(start, 0):]))
    if not title:
        doc.title = re.sub(r"[_-][0-9a-f]{8,}$", "", source_name.rsplit(".", 1)[0])
        doc.warnings.append(ParseWarning(location="", message="未找到方案标题，暂用文件名作标题"))

    builder = _Builder(doc)
    end = len(cleaned)
    if start >= 0:
        for i in range(start, len(cleaned)):
            line, kind = cleaned[i], kinds[i]
            if kind.is_blank:
                continue
            if is_page_end(line):
                end = i
                break
            if kind.is_numbered and kind.level <= outline.LEVEL_SUBSECTION:
                builder.heading(i + 1, kind)
            elif kind.is_numbered and kind.level == outline.LEVEL_ITEM:
                builder.item(i + 1, kind)
            else:
                builder.text(i + 1, line)
        builder.finish()
    if not doc.tasks:
        doc.warnings.append(ParseWarning(location=source_name, message="未找到任何任务（no tasks found）"))

    lines_kept = ([title_at] if title_at >= 0 else []) + list(range(max(start, 0), end if start >= 0 else 0))
    for i in lines_kept:
        if (excerpt := find_damage(cleaned[i])) and not is_chrome_line(cleaned[i]):
            doc.warnings.append(ParseWarning(location=f"第{i + 1}行", message=damage_message(excerpt)))
    doc.rounds = find_rounds("\n".join(cleaned[:end]), year=doc.year)
    doc.units = builder.directory.units()
    doc.warnings.sort(key=_warning_order)
    return doc


def _warning_order(warning: ParseWarning) -> int:
    m = re.match(r"第(\d+)行", warning.location)
    return int(m.group(1)) if m else 0
