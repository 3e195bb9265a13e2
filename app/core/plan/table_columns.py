"""Which column holds which field: chosen from the header, guessed from content, overridden by the user.

The mapping is shown to the user (import summary, `import --json`) and can be corrected
with `--columns "任务=2,内容=3,牵头=4,配合=5,时限=6"`: field names in Chinese or English,
columns by 1-based number, Excel letter or header text. Rules, in order:

1. each column's header names its field (table_header: a known name, else its words);
2. two lead columns: a 牵头/主办 column leads and a 责任 column cooperates, as in plan
   annotations ("X牵头，Y负责落实": Y cooperates); several 责任 columns and no 牵头 all lead;
3. a column whose header is blank or says nothing known is guessed from its cells (unit
   names, deadlines, numbers, sentences) for a field no header named; such a guess is a
   doubt of every task that takes a value from it;
4. the user's `--columns` replace all of the above for the fields (and columns) they name;
5. a table with a task column but no content column: the task text is the content (the
   ledger's 主要内容 is what a task is; its 重点工作 stays empty).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.core.plan.table_header import HEADING, KW, NO_FIELD, ColumnLabel
from app.core.plan.table_layout import looks_deadline, seq_value
from app.core.plan.table_roles import looks_like_units
from app.core.text import normalize_for_match

FIELD_LABELS = {
    "seq": "序号", KW: "工作任务", "content": "主要内容", "metric": "量化指标", "lead": "牵头（责任）单位",
    "coop": "配合单位", "deadline": "完成时限", "progress": "进展情况", "notes": "备注", HEADING: "章节（标题）",
}
# Names the user may give a field in --columns (compared after normalize_for_match).
_FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "seq", "no", "number"),
    KW: ("任务", "工作任务", "重点工作", "重点任务", "任务名称", "事项", "task", "key_work", "keywork", "kw", "name"),
    "content": ("内容", "具体内容", "主要内容", "工作措施", "措施", "要求", "content", "text"),
    "lead": ("牵头", "牵头单位", "责任", "责任单位", "主办", "主办单位", "lead", "lead_units", "leads"),
    "coop": ("配合", "配合单位", "协办", "参与", "coop", "coop_units", "cooperating", "cooperate"),
    "deadline": ("时限", "完成时限", "时间", "完成时间", "期限", "deadline", "due"),
    "metric": ("指标", "量化指标", "metric", "metrics"),
    "notes": ("备注", "notes", "note", "remark"),
    "progress": ("进展", "进展情况", "落实情况", "progress"),
    HEADING: ("章节", "标题", "一级指标", "heading", "chapter", "section"),
    "": ("忽略", "不用", "不导入", "ignore", "skip"),
}
_FIELD_INDEX = {normalize_for_match(n): f for f, names in _FIELD_NAMES.items() for n in names}
_NONE_VALUES = {"无", "没有", "none", "-", "—"}
_ITEM_SPLIT_RE = re.compile(r"[,，;；]+")
_PAIR_RE = re.compile(r"^\s*(?P<name>[^=:：]+?)\s*[=:：]\s*(?P<value>.*?)\s*$")
_COLUMN_NUMBER_RE = re.compile(r"^(?:第\s*)?(\d{1,3})\s*(?:列)?$")
_LETTER_RE = re.compile(r"^[A-Z]{1,2}$")


class ColumnSpecError(ValueError):
    """A --columns text that cannot be used; the message is for the user."""


@dataclass
class ColumnUse:
    """One column of the table: its header text, the field it feeds and how that was decided."""

    index: int  # 0-based
    header: str
    field: str | None
    by: str = ""  # "header" (a known name), "meaning" (a word in it), "content" (guessed), "user"

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def guessed(self) -> bool:
        return self.by == "content"


@dataclass
class ColumnMapping:
    """Every column of a task table and the field it feeds; `header_rows` as a person counts them."""

    columns: list[ColumnUse]
    header_rows: list[int] = field(default_factory=list)

    def roles(self) -> list[str | None]:
        return [c.field for c in self.columns]

    def of(self, name: str) -> list[ColumnUse]:
        return [c for c in self.columns if c.field == name]

    def has(self, name: str) -> bool:
        return any(c.field == name for c in self.columns)

    def to_json(self) -> dict:
        """field → {"column": first column number, "columns": all, "header", "guessed", "by"}."""
        out: dict[str, dict] = {}
        for use in self.columns:
            if use.field is None:
                continue
            entry = out.get(use.field)
            if entry is None:
                out[use.field] = {"column": use.number, "columns": [use.number], "header": use.header,
                                  "guessed": use.guessed, "by": use.by}
            else:
                entry["columns"].append(use.number)
                entry["header"] = f"{entry['header']} + {use.header}" if use.header else entry["header"]
                entry["guessed"] = entry["guessed"] or use.guessed
        return out

    def unused_json(self) -> list[dict]:
        return [{"column": c.number, "header": c.header} for c in self.columns if c.field is None and c.header]

    def describe(self) -> str:
        """"序号=第1列“序号”，工作任务=第2列“重点工作”（按内容推断）…" for the import summary."""
        parts = []
        for name, entry in self.to_json().items():
            cols = "、".join(f"第{n}列" for n in entry["columns"])
            header = f"“{entry['header']}”" if entry["header"] else "（无表头）"
            note = "（按内容推断）" if entry["guessed"] else ("（按 --columns 指定）" if entry["by"] == "user" else "")
            parts.append(f"{FIELD_LABELS.get(name, name)}={cols}{header}{note}")
        return "，".join(parts)


# --- choosing -----------------------------------------------------------------------------------


def _resolve_leads(uses: list[ColumnUse]) -> None:
    """A 牵头 column leads; other lead columns (责任…) then cooperate."""
    leads = [u for u in uses if u.field == "lead"]
    if len(leads) < 2:
        return
    heads = [u for u in leads if re.search(r"牵头|主办|主责", u.header.split(" › ")[-1])]
    if not heads:
        return
    for use in leads:
        if use not in heads:
            use.field = "coop"


def _kind_of(cell: str) -> str:
    if seq_value(cell):
        return "seq"
    if looks_deadline(cell) and len(cell) <= 30:
        return "deadline"
    if looks_like_units(cell):
        return "units"
    if "。" in cell or len(cell) > 30:
        return "sentence"
    return "short"


def _guess(uses: list[ColumnUse], body: Sequence[Sequence[str]]) -> None:
    """Fields for columns no header named, from what their cells look like."""
    open_columns = [u for u in uses if u.field is None and u.by != "known"]
    if not open_columns:
        return
    taken = {u.field for u in uses if u.field}
    for use in open_columns:
        cells = [row[use.index] for row in body if use.index < len(row) and row[use.index]]
        if len(cells) < 1:
            continue
        kind, count = Counter(_kind_of(c) for c in cells).most_common(1)[0]
        if count < 0.6 * len(cells):
            continue
        for candidate in {"seq": ("seq",), "deadline": ("deadline",), "units": ("lead", "coop"),
                          "sentence": ("content",), "short": (KW,)}[kind]:
            if candidate not in taken:
                use.field, use.by = candidate, "content"
                taken.add(candidate)
                break


_LEVEL_RE = re.compile(r"^([一二三四1-4])级")
_TARGET_RE = re.compile(r"目标")


def _levels(uses: list[ColumnUse], body: Sequence[Sequence[str]]) -> None:
    """一级指标 / 二级指标 (一级任务 / 二级任务…): levels of one hierarchy, read by what else the table has.

    Beside a column of its own content (工作要求, 具体内容) the upper levels are the chapters of
    their rows and the lowest level is the task's name; without one, the top level names the
    task and the lowest is its content (the plain 一级任务 / 二级任务 table).
    """
    levelled = [(m.group(1), u) for u in uses if u.by != "user" and u.header
                and (m := _LEVEL_RE.match(u.header.split(" › ")[-1]))]
    if len(levelled) < 2:
        return
    levelled.sort(key=lambda pair: "一二三四".find(pair[0]) if pair[0] in "一二三四" else int(pair[0]) - 1)
    columns = [u for _, u in levelled]
    has_content = any(u.field == "content" for u in uses if u not in columns)
    if has_content:
        for use in columns[:-1]:
            use.field, use.by = HEADING, "meaning"
        columns[-1].field, columns[-1].by = KW, "meaning"
    elif not any(u.field in (KW, "content") for u in columns):
        for use in columns[:-1]:
            use.field, use.by = KW, "meaning"
        columns[-1].field, columns[-1].by = "content", "meaning"


def _target_is_content(uses: list[ColumnUse], body: Sequence[Sequence[str]]) -> None:
    """"重点工作 | 工作目标" and no content column: the target's sentences are what the task is.

    工作目标 / 目标任务 name a content column as often as a metric one; beside a column of short
    task names, a target column of sentences is the content.
    """
    if any(u.field == "content" for u in uses):
        return
    if not any(u.field == KW for u in uses):
        # "序号 | 工作目标 | 责任单位 | 完成时限": the only text column is what each task is
        for use in uses:
            if use.field == "metric" and use.by != "user":
                cells = [row[use.index] for row in body if use.index < len(row) and row[use.index]]
                if cells and sum(1 for c in cells if _kind_of(c) in ("sentence", "short")) >= 0.6 * len(cells):
                    use.field, use.by = "content", "meaning"
                    return
        return
    for use in uses:
        if use.field not in ("metric", KW) or use.by == "user" or not _TARGET_RE.search(use.header):
            continue
        names = [u for u in uses if u.field == KW and u is not use]
        if not names:
            continue
        cells = [row[use.index] for row in body if use.index < len(row) and row[use.index]]
        name_cells = [row[names[0].index] for row in body if names[0].index < len(row) and row[names[0].index]]
        sentences = sum(1 for c in cells if _kind_of(c) == "sentence")
        short_names = sum(1 for c in name_cells if _kind_of(c) in ("short", "units"))
        if cells and sentences >= 0.6 * len(cells) and short_names >= 0.6 * max(len(name_cells), 1):
            use.field, use.by = "content", "meaning"
            return


def _task_is_content(uses: list[ColumnUse], spec: ColumnSpec | None) -> None:
    """A table with a task column and no content column: the task text is the content (key work empty)."""
    if any(u.field == "content" for u in uses) or (spec is not None and spec.names({KW, "content"})):
        return
    for use in uses:
        if use.field == KW:
            use.field = "content"


def choose_columns(labels: Sequence[ColumnLabel], body: Sequence[Sequence[str]], *,
                   header_rows: Sequence[int] = (), spec: ColumnSpec | None = None) -> ColumnMapping:
    """The mapping for a table with these header labels and (a sample of) its body rows."""
    width = max([len(labels)] + [len(r) for r in body[:200]]) if body else len(labels)
    uses: list[ColumnUse] = []
    for c in range(width):
        label = labels[c] if c < len(labels) else None
        role = label.role if label else None
        if role is not None and role.field == NO_FIELD:
            uses.append(ColumnUse(c, label.text if label else "", None, "known"))
            continue
        uses.append(ColumnUse(c, label.text if label else "", role.field if role else None,
                              role.by if role else ""))
    _resolve_leads(uses)
    sample = body[:200]
    _levels(uses, sample)
    _target_is_content(uses, sample)
    _guess(uses, sample)
    if spec is not None:
        spec.apply(uses)
    _task_is_content(uses, spec)
    while uses and uses[-1].field is None and not uses[-1].header:
        uses.pop()
    return ColumnMapping(uses, list(header_rows))


# --- the user's --columns -------------------------------------------------------------------------


@dataclass
class ColumnSpec:
    """A parsed --columns text: (field or "" for ignore, column references) in the order given."""

    items: list[tuple[str, list[int | str]]]
    text: str = ""

    def names(self, fields: set[str]) -> bool:
        """Whether the user said where any of `fields` is."""
        return any(name in fields for name, _ in self.items)

    @property
    def numeric_only(self) -> bool:
        return all(isinstance(ref, int) for _, refs in self.items for ref in refs)

    @property
    def header_texts(self) -> list[str]:
        return [ref for _, refs in self.items for ref in refs if isinstance(ref, str)]

    def apply(self, uses: list[ColumnUse]) -> None:
        """Put the user's choices into `uses` (a column named for one field feeds no other)."""
        for name, refs in self.items:
            indices = [self._index(ref, uses) for ref in refs]
            if name:
                for use in uses:
                    if use.field == name:
                        use.field, use.by = None, "user"
            for i in indices:
                while i >= len(uses):
                    uses.append(ColumnUse(len(uses), "", None))
                uses[i].field = name or None
                uses[i].by = "user"

    def _index(self, ref: int | str, uses: list[ColumnUse]) -> int:
        if isinstance(ref, int):
            if ref > len(uses):
                raise ColumnSpecError(f"--columns：第{ref}列超出表格宽度（表格共 {len(uses)} 列）")
            return ref - 1
        key = normalize_for_match(ref)
        exact = [u.index for u in uses if key in (normalize_for_match(p) for p in u.header.split(" › "))
                 or key == normalize_for_match(u.header)]
        found = exact or [u.index for u in uses if u.header and key in normalize_for_match(u.header)]
        if len(found) == 1:
            return found[0]
        headers = "、".join(f"{u.number}“{u.header}”" for u in uses if u.header)
        if not found:
            raise ColumnSpecError(f"--columns：表头中没有“{ref}”（header not found）；表头为：{headers}")
        raise ColumnSpecError(f"--columns：表头“{ref}”不止一列（ambiguous），请写列号；表头为：{headers}")


def _letter_column(text: str) -> int:
    n = 0
    for ch in text:
        n = n * 26 + (ord(ch) - ord("A") + 1)
    return n


def _reference(value: str) -> int | str:
    m = _COLUMN_NUMBER_RE.match(value)
    if m:
        number = int(m.group(1))
        if number < 1:
            raise ColumnSpecError(f"--columns：列号从 1 开始（“{value}”）")
        return number
    if _LETTER_RE.match(value):
        return _letter_column(value)
    return value


def parse_column_spec(text: str) -> ColumnSpec:
    """'任务=2,内容=3,牵头=4,配合=5+6,时限=完成时限,备注=无' → ColumnSpec; ColumnSpecError otherwise."""
    items: list[tuple[str, list[int | str]]] = []
    known = "、".join(names[0] for names in _FIELD_NAMES.values())
    for raw in _ITEM_SPLIT_RE.split(text or ""):
        if not raw.strip():
            continue
        m = _PAIR_RE.match(raw)
        if not m or not m.group("value"):
            raise ColumnSpecError(f"--columns：“{raw.strip()}”应写成“字段=列号”（field=column），如“牵头=4”")
        name = _FIELD_INDEX.get(normalize_for_match(m.group("name")))
        if name is None:
            raise ColumnSpecError(f"--columns：不认识的字段“{m.group('name')}”（unknown field）；可用：{known}")
        value = m.group("value")
        if value.lower() in _NONE_VALUES:
            items.append((name, []))
            continue
        refs = [_reference(v.strip()) for v in re.split(r"[+＋&]", value) if v.strip()]
        items.append((name, refs))
    if not items:
        raise ColumnSpecError("--columns 是空的（empty）：应写成“任务=2,内容=3,牵头=4”")
    return ColumnSpec(items, text)
