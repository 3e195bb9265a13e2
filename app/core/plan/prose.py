"""Prose plans (政务公开工作要点, 活动方案) → a ledger tree of headings and tasks.

The shape every plan shares: front matter (web menus, cover letter, title, the plan's own
preamble), a body numbered 一、 / （一） / 1., then closing paragraphs, the closing block
(落款, date, 附件, 抄送, 印发) and page footer. What makes a task is its meaning, not its shape:

* A task is text closed by its annotation, who does it (and by when): a bracket, a keyed
  line, an unbracketed "X牵头，Y配合" (segments.py). One paragraph may hold several tasks,
  one per annotated sentence.
* A numbered item ("1．", "2、") is a task even without an annotation (the warning says the
  units are missing); its key work is the title of the heading it sits under. An item cut
  into several tasks by several annotations numbers them "N-1", "N-2", … (a doubt says so).
* A heading's own text (run on after its title, or paragraphs under a heading with no
  numbered children) gives one task per annotated sentence, numbered by position under that
  heading ("1", "2", …, as the seeds number a heading that is itself one task); key work is
  the heading's title. When the annotation follows the heading's sentence directly
  ("（一）全年城镇新增就业2000人以上。［牵头单位：…］") that sentence is the content.
* "（1）" / "①" lines straight under a heading (no "1." open) are the plan's task level, numbered
  as written; under a "1." they are part of its text.
* Who does a task may be said above it: an annotation on a heading over numbered items
  ("（一）完善决策制度（县司法局牵头）") goes to the items naming no unit, and a heading that is a
  unit's name ("一、县财政局") leads the tasks under it that name none (both with a doubt).
* Text under a heading that says nobody does it (no annotation) is a task only in a plan that
  annotates nothing; in an annotated plan it is a section's prose ("一、总体要求 …"), and so
  are unannotated items under a guidance section ("三、保障措施"). Such text is reported as a
  warning with its line, like preambles before a heading's children and closing paragraphs after
  a task's annotation, so nothing disappears silently (warnings.SkippedText keeps all of it).
* Page chrome (menus, 扫一扫, contact lines) is dropped without warning; the body ends at footer
  chrome. Front matter and the closing block are neither tasks nor warnings (front_matter.py).

Why the parser is unsure of a task (units read from an unbracketed sentence, a bracket of unit
names without a role, a deadline taken from the text or without a year, an item cut in two, a
name that does not read as a unit) is a doubt of that task (LedgerDocument.doubts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.deadlines import find_deadline_in_text, impossible_date
from app.core.plan import doubts, outline
from app.core.plan.annotations import Annotation
from app.core.plan.body import body_layout, body_lines
from app.core.plan.doc_rules import apply_first_unit_rule, first_unit_rule
from app.core.plan.front_matter import document_year, find_office, is_chrome_line, year_in
from app.core.plan.outline import run_in_title, split_bullets, strip_bullet
from app.core.plan.segments import Piece, Segment, Segmenter, split_pieces
from app.core.plan.warnings import excerpt, skipped_text
from app.core.records import Deadline, Heading, LedgerDocument, ParseWarning, Task, new_id
from app.core.rounds import find_rounds
from app.core.text import clean_text, damage_message, find_damage
from app.core.units import UnitDirectory, normalize_unit_name, plausible_unit_name

PREAMBLE = "章节导语"
CLOSING = "任务之后的段落（结束语或无法归属的文字）"
SECTION_PROSE = "章节正文未写明责任单位"
ORPHAN = "无法归属的段落"


@dataclass
class _Context:
    """Text that becomes tasks: a heading's own text, a numbered item, or text before any heading."""

    owner: _OpenHeading | None
    line_no: int
    seq: str = ""  # an item's number; "" for a heading's own text (its tasks are numbered by position)
    level: int = 0  # an item's outline level (outline.LEVEL_ITEM, or a "（1）" level used for tasks)
    key_work: str = ""
    sentence: str = ""  # the heading's own sentence: the content of a task annotated right after it
    segmenter: Segmenter = field(default_factory=Segmenter)


@dataclass
class _OpenHeading:
    heading: Heading
    line_no: int
    body: _Context
    parent: _OpenHeading | None = None
    has_children: bool = False
    task_count: int = 0
    # "（一）加强政策解读（县政府办牵头）" over numbered items: the units of items that name none
    inherited: tuple[int, Annotation] | None = None

    def chain(self) -> list[_OpenHeading]:
        """This heading and those above it, innermost first."""
        out: list[_OpenHeading] = []
        node: _OpenHeading | None = self
        while node is not None:
            out.append(node)
            node = node.parent
        return out


# Sections whose prose says how to work, not what to do: "一、总体要求", "三、保障措施".
_GUIDANCE_TITLE_RE = re.compile(
    r"(?:总体要求|指导思想|工作目标|主要目标|基本原则|工作原则|工作要求|有关要求|保障措施|工作保障|组织保障|组织领导"
    r"|实施步骤|工作步骤|方法步骤|其他事项)$"
)


class _Builder:
    """Walks body lines once, keeping the open headings and the item being read."""

    def __init__(self, doc: LedgerDocument, *, annotated: bool) -> None:
        self.doc = doc
        self.year = doc.year
        self.annotated = annotated  # the plan says who does its tasks somewhere
        self.stack: list[_OpenHeading] = []
        self.open_item: _Context | None = None
        self.root = _Context(owner=None, line_no=0)
        self.directory = UnitDirectory()
        self.by_id: dict[str, Heading] = {}  # every heading so far, for task labels
        self.root_count = 0

    # warnings
    def warn(self, line_no: int, message: str) -> None:
        self.doc.warnings.append(ParseWarning(location=f"第{line_no}行", message=message))

    def _skip(self, segment: Segment, why: str) -> None:
        """One warning per line of text not imported, quoting it (chrome is dropped silently)."""
        by_line: dict[int, list[str]] = {}
        for line_no, text in segment.parts:
            by_line.setdefault(line_no, []).append(text)
        for line_no, texts in by_line.items():
            text = "".join(texts).strip()
            if text and not is_chrome_line(text):
                self.doc.warnings.append(skipped_text(f"第{line_no}行", why, text))

    # structure
    def heading(self, line_no: int, kind: outline.LineKind, pieces: list[Piece]) -> None:
        self.close_item()
        while self.stack and self.stack[-1].heading.level >= kind.level:
            self.close_heading(self.stack.pop())
        parent = self._adopt_child()
        title, sentence, body = _heading_parts(kind.rest, pieces)
        heading = Heading(id=new_id(), number=kind.number, title=title,
                          parent_id=parent.heading.id if parent else None, level=kind.level)
        self.doc.headings.append(heading)
        self.by_id[heading.id] = heading
        opened = _OpenHeading(heading=heading, line_no=line_no, parent=parent, body=_Context(
            owner=None, line_no=line_no, key_work=title, sentence=sentence))
        opened.body.owner = opened
        opened.body.segmenter.add(line_no, body)
        self.stack.append(opened)

    def _adopt_child(self) -> _OpenHeading | None:
        """The current heading gets a child: its own text so far was a preamble (or tasks, if annotated)."""
        if not self.stack:
            self._flush_root()
            return None
        parent = self.stack[-1]
        if not parent.has_children:
            segments = parent.body.segmenter.result()
            if segments and segments[0].closed and not segments[0].parts:
                parent.inherited = segments[0].annotations[0][0], segments[0].annotation(self.year)
                parent.body.segmenter.segments = segments[1:] or [Segment()]
            self._flush_body(parent.body, untagged=PREAMBLE, preamble=True)
            parent.has_children = True
        return parent

    def item(self, line_no: int, kind: outline.LineKind, pieces: list[Piece]) -> None:
        self.close_item()
        owner = self._adopt_child()
        self.open_item = _Context(owner=owner, line_no=line_no, seq=str(kind.value), level=kind.level,
                                  key_work=owner.heading.title if owner else "")
        self.open_item.segmenter.add(line_no, pieces)

    def text(self, line_no: int, pieces: list[Piece]) -> None:
        if self.open_item is not None:
            self.open_item.segmenter.add(line_no, pieces)
        elif self.stack and not self.stack[-1].has_children:
            self.stack[-1].body.segmenter.add(line_no, pieces)
        elif self.stack:
            segment = Segment(parts=[(line_no, "".join(p.text for p in pieces))])
            self._skip(segment, ORPHAN)
        else:
            self.root.segmenter.add(line_no, pieces)

    # closing contexts
    def close_item(self) -> None:
        if self.open_item is None:
            return
        ctx, self.open_item = self.open_item, None
        segments = ctx.segmenter.result()
        closed = [s for s in segments if s.closed]
        tail = segments[-1] if segments and not segments[-1].closed else None
        if not closed:
            segment = tail or Segment(parts=[(ctx.line_no, "")])
            if self.annotated and self._in_guidance(ctx.owner):
                self._skip(segment, SECTION_PROSE)
                return
            inherited = self._inherited(ctx.owner)
            if inherited is not None:
                segment.annotations.append(inherited)
            task = self._emit(ctx, segment, ctx.seq)
            if inherited is not None and task.lead_units:
                self.doc.add_doubt(task, doubts.inherited_doubt(*inherited))
            return
        if len(closed) == 1 and tail is not None and _sub_points(tail):
            closed[0].parts += tail.parts  # "1.做好X（县财政局牵头）" then its points "（1）…", "（2）…"
            tail = None
        for k, segment in enumerate(closed, start=1):
            task = self._emit(ctx, segment, ctx.seq if len(closed) == 1 else f"{ctx.seq}-{k}")
            if len(closed) > 1:
                self.doc.add_doubt(task, doubts.split_doubt(ctx.line_no, ctx.seq, len(closed)))
        if tail is not None:
            self._skip(tail, CLOSING)

    def close_heading(self, opened: _OpenHeading) -> None:
        if not opened.has_children:
            self._flush_body(opened.body, untagged=SECTION_PROSE if self.annotated else "")

    def _flush_root(self) -> None:
        """Text before the first heading of the body (a plan of unnumbered paragraphs)."""
        self._flush_body(self.root, untagged=SECTION_PROSE if self.annotated else ORPHAN)
        self.root = _Context(owner=None, line_no=0)

    def _flush_body(self, ctx: _Context, *, untagged: str, preamble: bool = False) -> None:
        """A heading's own text: one task per annotated segment; the rest is warned as `untagged`.

        `untagged` "" means the text without annotation is itself one task (a plan that annotates
        nothing). Text after the last annotation is a closing paragraph (or, before the heading's
        children, its preamble).
        """
        segments = ctx.segmenter.result()
        ctx.segmenter = Segmenter()
        closed = [s for s in segments if s.closed]
        tail = segments[-1] if segments and not segments[-1].closed else None
        for n, segment in enumerate(closed):
            fallback = ctx.sentence if n == 0 and not segment.parts else ""
            # the first task of a heading is named by the heading's line, as the heading names the task
            at = ctx.line_no if n == 0 and ctx.owner is not None else 0
            self._emit(ctx, segment, self._next_position(ctx), fallback=fallback, at=at, run_in=True)
        if tail is None:
            return
        inherited = None if closed or preamble else self._inherited(ctx.owner.parent if ctx.owner else None)
        if closed:
            self._skip(tail, PREAMBLE if preamble else CLOSING)
        elif untagged and inherited is None:
            self._skip(tail, untagged)
        else:
            if inherited is not None:
                tail.annotations.append(inherited)
            at = ctx.line_no if ctx.owner is not None else 0
            task = self._emit(ctx, tail, self._next_position(ctx), at=at)
            if inherited is not None and task.lead_units:
                self.doc.add_doubt(task, doubts.inherited_doubt(*inherited))

    @staticmethod
    def _in_guidance(owner: _OpenHeading | None) -> bool:
        return owner is not None and any(_GUIDANCE_TITLE_RE.search(h.heading.title) for h in owner.chain())

    @staticmethod
    def _inherited(owner: _OpenHeading | None) -> tuple[int, Annotation] | None:
        for opened in owner.chain() if owner else []:
            if opened.inherited is not None:
                return opened.inherited
        return None

    def _next_position(self, ctx: _Context) -> str:
        if ctx.owner is None:
            self.root_count += 1
            return str(self.root_count)
        ctx.owner.task_count += 1
        return str(ctx.owner.task_count)

    def finish(self) -> None:
        self.close_item()
        while self.stack:
            self.close_heading(self.stack.pop())
        self._flush_root()
        self._doubt_unit_names()

    # tasks
    def _units(self, names: list[str]) -> list[str]:
        out: list[str] = []
        for raw in names:
            name = _canonical(self.directory, raw)
            if name and name not in out:
                out.append(name)
        return out

    def _chain(self, owner: _OpenHeading | None) -> list[Heading]:
        """Headings from the top down to `owner`, for a readable task label ("一、（二）3")."""
        chain: list[Heading] = []
        hid = owner.heading.id if owner else None
        while hid is not None and hid in self.by_id:
            chain.append(self.by_id[hid])
            hid = self.by_id[hid].parent_id
        return list(reversed(chain))

    def _emit(self, ctx: _Context, segment: Segment, seq: str, *, fallback: str = "", at: int = 0,
              run_in: bool = False) -> Task:
        ann = segment.annotation(self.year)
        content = segment.text or fallback
        key_work = ctx.key_work
        if run_in and (found := run_in_title(content)) is not None:
            key_work, content = found  # "加强政策解读。重要政策文件出台后…": the paragraph names its task
        lead = self._units(ann.lead_units) if ann else []
        coop = [u for u in self._units(ann.coop_units) if u not in lead] if ann else []
        deadline, from_text = _deadline(ann, content, self.year)
        owner = ctx.owner
        heading_unit = "" if lead or coop else _unit_heading(owner)
        if heading_unit:
            lead = self._units([heading_unit])
        task = Task(id=new_id(), seq=seq, heading_id=owner.heading.id if owner else None,
                    key_work=key_work, content=content, lead_units=lead, coop_units=coop,
                    deadline=deadline, notes=ann.rest if ann else "")
        self.doc.tasks.append(task)
        if heading_unit:
            self.doc.add_doubt(task, doubts.heading_unit_doubt(heading_unit))
        line_no = at or segment.line_no or ctx.line_no
        ann_line = segment.annotations[0][0] if segment.annotations else line_no
        chain = self._chain(owner)
        numbers = "".join(h.number for h in chain)
        if chain and re.match(r"^\d+[.．]\d", chain[-1].number):
            numbers = chain[-1].number.rstrip() + "."  # decimal outline: "任务1.1.2", not "1.1.12"
        label = f"任务{numbers}{seq}“{excerpt(content or ctx.key_work, 16)}”"
        if not lead:
            self.warn(line_no, f"{label}{doubts.NO_LEAD}")
            self.doc.add_doubt(task, doubts.NO_LEAD)
        bad = impossible_date(ann.deadline_text if ann else "", year=self.year) or impossible_date(
            content, year=self.year)
        if bad:
            self.warn(line_no, f"{label}完成时限“{bad}”不是有效日期（impossible date）")
        elif deadline.kind == "none":
            self.warn(line_no, f"{label}未找到完成时限")
        for doubt in doubts.annotation_doubts(ann, ann_line) + doubts.deadline_doubts(
                deadline, from_text=from_text, year=self.year):
            self.doc.add_doubt(task, doubt)
        return task

    def _doubt_unit_names(self) -> None:
        odd = {u.name: doubts.unit_name_doubts([u.name]) for u in self.directory.units()}
        for task in self.doc.tasks:
            for name in task.lead_units + task.coop_units:
                for doubt in odd.get(name, []):
                    self.doc.add_doubt(task, doubt)


def _sub_points(segment: Segment) -> bool:
    """True when every line of the text starts with a point's number ("（1）", "①", "1）") or "一是"."""
    starts = {}
    for line_no, text in segment.parts:
        starts.setdefault(line_no, text)
    return bool(starts) and all(
        outline.classify_line(t).level in (outline.LEVEL_SUBITEM, outline.LEVEL_CIRCLED) or _POINT_RE.match(t)
        for t in starts.values())


_POINT_RE = re.compile(r"^\s*[一二三四五六七八九十]是")


def _unit_heading(owner: _OpenHeading | None) -> str:
    """"一、县财政局": a plan sorted by unit names the unit in the heading over its tasks."""
    for opened in owner.chain() if owner else []:
        title = opened.heading.title
        if plausible_unit_name(title) and not _GUIDANCE_TITLE_RE.search(title):
            return title
    return ""


def _heading_parts(rest: str, pieces: list[Piece]) -> tuple[str, str, list[Piece]]:
    """(title, the heading's own sentence, the pieces of its run-on text) of a heading line."""
    if not pieces or pieces[0].annotation is not None:
        title, _ = outline.split_heading_title(rest)
        return title, "", []
    first = pieces[0].text.strip()
    title, tail = outline.split_heading_title(first)
    body = ([Piece(tail)] if tail else []) + pieces[1:]
    return title, first, body


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


def _deadline(ann: Annotation | None, content: str, year: int | None) -> tuple[Deadline, bool]:
    """The annotation's deadline if it says one, else one written inside the task text (True)."""
    if ann is not None and ann.deadline is not None and ann.deadline.kind != "none":
        return ann.deadline, False
    found = find_deadline_in_text(content, year=year)
    if found is not None and found.kind != "none":
        return found, True
    if ann is not None and ann.deadline_text:
        return Deadline(text=ann.deadline_text, kind="none"), False
    return Deadline(), False


# --- entry point -------------------------------------------------------------------------


def parse_prose_plan(lines: list[str], *, source_name: str) -> LedgerDocument:
    """Parse the lines of a prose plan (text file, web page, Word paragraphs) into a ledger.

    Line numbers in warnings count from 1 over `lines` as given.
    """
    cleaned = [clean_text(line) for line in lines]
    kinds = outline.with_decimal_levels([outline.classify_line(line) for line in cleaned])
    layout = body_layout(cleaned, kinds)
    start, end, closing, title = layout.start, layout.end, layout.closing, layout.title
    front = cleaned[: max(start, 0)] + cleaned[closing:end]

    office = find_office(cleaned[: max(start, 0)]) or find_office(cleaned[closing:end])
    doc = LedgerDocument(title=title, office=office)
    body_text = "\n".join(cleaned[max(start, 0):closing])
    doc.year = year_in(title) or document_year(front) or year_in(body_text)
    if not title:
        doc.title = re.sub(r"[_-][0-9a-f]{8,}$", "", source_name.rsplit(".", 1)[0])
        doc.warnings.append(ParseWarning(location="", message="未找到方案标题，暂用文件名作标题"))

    body: list[tuple[int, outline.LineKind, list[Piece]]] = []
    for i, whole in body_lines(cleaned, kinds, max(start, 0), closing if start >= 0 else 0):
        for line in split_bullets(whole):  # "●A。●B。": each bullet its own paragraph
            kind = kinds[i] if line == cleaned[i] else outline.classify_line(line)
            rest = kind.rest if kind.is_numbered and kind.level <= outline.LEVEL_ITEM else strip_bullet(line)
            body.append((i + 1, kind, split_pieces(rest, year=doc.year)))
    annotated = any(p.annotation is not None and p.annotation.has_units
                    for _, _, pieces in body for p in pieces)

    builder = _Builder(doc, annotated=annotated)
    for line_no, kind, pieces in body:
        if kind.is_numbered and kind.level <= outline.LEVEL_SUBSECTION:
            builder.heading(line_no, kind, pieces)
        elif kind.is_numbered and kind.level == outline.LEVEL_ITEM:
            builder.item(line_no, kind, pieces)
        elif kind.is_numbered and builder.stack and (
                builder.open_item is None or builder.open_item.level == kind.level):
            # "（1）…" / "①…" straight under a heading: the plan's task level (under "1." they are text)
            builder.item(line_no, kind, split_pieces(kind.rest, year=doc.year))
        else:
            builder.text(line_no, pieces)
    builder.finish()
    if any(h.level < outline.LEVEL_SECTION for h in doc.headings):  # 第一部分 above 一、: levels from 1
        for h in doc.headings:
            h.level += 1
    rule = first_unit_rule(cleaned[:end])
    if rule:
        apply_first_unit_rule(doc, rule)
    if not doc.tasks:
        doc.warnings.append(ParseWarning(location=source_name, message="未找到任何任务（no tasks found）"))

    lines_kept = ([layout.title_at] if layout.title_at >= 0 else []) + list(range(max(start, 0), closing))
    for i in lines_kept:
        if (found := find_damage(cleaned[i])) and not is_chrome_line(cleaned[i]):
            doc.warnings.append(ParseWarning(location=f"第{i + 1}行", message=damage_message(found)))
    doc.rounds = find_rounds("\n".join(cleaned[:end]), year=doc.year)
    doc.units = builder.directory.units()
    doc.warnings.sort(key=_warning_order)
    return doc


def _warning_order(warning: ParseWarning) -> int:
    m = re.match(r"第(\d+)行", warning.location)
    return int(m.group(1)) if m else 0
