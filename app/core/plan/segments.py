"""A prose plan's text cut where its annotations close it: one segment per task to be.

A plan says who does a task right after the task's text, and one paragraph may hold several
tasks: "…及时公开。（县财政局负责）…做好解读。（县教体局、县卫健局分别负责）". So the text of a
heading or a numbered item is read as pieces (plain text, annotation, plain text, …) and cut
after every annotation. An annotation is

* a bracket at a sentence boundary whose content names units with a role, keys such as
  牵头单位：, or only unit names ("（县财政局）", read as the units responsible, with a doubt);
* a sentence or a line without brackets that reads wholly as one ("县住建局牵头落实",
  "综合股牵头，各股室配合", "责任单位：县级各部门"), or the closing clauses of a sentence
  that do ("…及时更新，综合股牵头，各股室配合").

Annotations with no text between them (keyed lines under a task: 责任单位 / 配合单位 /
完成时限) close the same segment together. Text after the last annotation stays an open
segment: the caller decides whether it is a task, a preamble or a closing paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from app.core.plan.annotations import (
    CLOSE_BRACKETS,
    OPEN_BRACKETS,
    Annotation,
    bracket_groups,
    deadline_annotation,
    first_label_at,
    has_label,
    looks_like_annotation,
    merge_annotations,
    parse_annotation_body,
    read_bare_annotation,
    top_level_split,
    unit_list_annotation,
)
from app.core.plan.opening import opening_annotation
from app.core.units import plausible_unit_name

_SENTENCE_ENDS = "。．；;！!？?"
_STRONG_ENDS = "。．！!？?"
_CLOSING_PUNCT = "。．.；;，,！!？?：: \t"
_QUOTES_OPEN = "“‘《「『"
_QUOTES_CLOSE = "”’》」』"
# A bracket ending in a role word ("县统计局负责", "县民政局牵头，各乡镇配合") says who does the task.
_ROLE_END_RE = re.compile(r"(?:牵头|负责|配合|协助|主办|协办|落实)$")


@dataclass(frozen=True)
class Piece:
    """Plain text, or an annotation as written (`text` then holds the annotation's own words)."""

    text: str
    annotation: Annotation | None = None


@dataclass
class Segment:
    """Text and the annotations that close it; `parts` are (line number, text) in order."""

    parts: list[tuple[int, str]] = field(default_factory=list)
    annotations: list[tuple[int, Annotation]] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return bool(self.annotations)

    @property
    def line_no(self) -> int:
        """The line the segment starts on (its annotation's line when it has no text)."""
        if self.parts:
            return self.parts[0][0]
        return self.annotations[0][0] if self.annotations else 0

    @property
    def text(self) -> str:
        """The text as written: parts of one line joined directly, lines joined by a line break."""
        out: list[str] = []
        last = None
        for line_no, text in self.parts:
            if out and line_no != last:
                out.append("\n")
            out.append(text)
            last = line_no
        return "".join(out).strip()

    def annotation(self, year: int | None) -> Annotation | None:
        return merge_annotations([a for _, a in self.annotations], year=year) if self.annotations else None


# --- one line into pieces -------------------------------------------------------------------


def _prev_char(text: str, at: int) -> str:
    s = text[:at].rstrip()
    return s[-1] if s else ""


def _next_char(text: str, at: int) -> str:
    s = text[at:].lstrip()
    return s[0] if s else ""


def _bracket_annotation(text: str, start: int, end: int, year: int | None) -> Annotation | None:
    """The annotation a bracket holds, when it holds one at a sentence boundary.

    A bracket naming roles or keys closes the sentence before it ("…公开。（县财政局负责）",
    "…公开（县财政局负责）。"); one anywhere else still counts when it is keyed or says 落实
    (the seeds' habit). A bracket of unit names only must sit at a sentence boundary.
    """
    inner = text[start + 1:end - 1].strip()
    if not inner:
        return None
    prev, nxt = _prev_char(text, start), _next_char(text, end)
    at_boundary = prev in ("", *_SENTENCE_ENDS) or nxt in ("", *_SENTENCE_ENDS, "，", ",")
    if looks_like_annotation(inner):
        ann = _parse_cached(inner, year)
        if not (ann.has_units or ann.deadline_text):
            return None
        if at_boundary or has_label(inner) or "落实" in inner:
            return ann
        if ann.has_units and _ROLE_END_RE.search(inner) and all(
                plausible_unit_name(u) for u in ann.lead_units + ann.coop_units):
            return ann  # "按季度（县统计局负责）发布…": an aside in mid-sentence naming who does it
        return None
    if at_boundary and not (prev and prev in _QUOTES_CLOSE):
        return unit_list_annotation(inner, year=year)
    return None


@lru_cache(maxsize=4096)
def _parse_cached_frozen(inner: str, year: int | None) -> Annotation:
    return parse_annotation_body(inner, year=year)


def _parse_cached(inner: str, year: int | None) -> Annotation:
    """parse_annotation_body, once per distinct bracket: plans repeat the same annotation many times."""
    found = _parse_cached_frozen(inner, year)
    return replace(found, lead_units=list(found.lead_units), coop_units=list(found.coop_units),
                   deadline=replace(found.deadline) if found.deadline is not None else None)


@lru_cache(maxsize=8)
def _marks(ends: str) -> re.Pattern[str]:
    """The characters `_sentences` looks at: brackets, quotes, sentence ends (nothing else is walked)."""
    nesting = OPEN_BRACKETS + CLOSE_BRACKETS + _QUOTES_OPEN + _QUOTES_CLOSE
    return re.compile("[" + re.escape(nesting + ends) + "]")


def _sentences(text: str, ends: str = _SENTENCE_ENDS, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence, its 。！？ (or `ends`) included; brackets and quotes never split."""
    spans: list[tuple[int, int]] = []
    depth, start = 0, 0
    for m in _marks(ends).finditer(text):
        ch, i = m.group(), m.start()
        if ch in OPEN_BRACKETS or ch in _QUOTES_OPEN:
            depth += 1
        elif ch in CLOSE_BRACKETS or ch in _QUOTES_CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return [(a + offset, b + offset) for a, b in spans if text[a:b].strip()]


def _annotated_spans(text: str, year: int | None) -> list[tuple[int, int, Annotation]]:
    """Sentences of `text` that read wholly as annotations: a whole sentence ("责任单位：A；完成时限：B"),
    else the keyed end of a sentence ("做好民生政策宣传 责任单位：县融媒体中心；完成时限：6月底前"),
    else its parts between semicolons ("…；县财政局负责；")."""
    found: list[tuple[int, int, Annotation]] = []
    for a, b in _sentences(text, _STRONG_ENDS):
        ann = read_bare_annotation(text[a:b], year=year)
        if ann is not None:
            found.append((a, b, ann))
            continue
        if (k := first_label_at(text[a:b])) > 0:
            keyed = read_bare_annotation(text[a + k:b], year=year)
            if keyed is not None:
                found.append((a + k, b, keyed))
                continue
        for c, d in _sentences(text[a:b], "；;", offset=a):
            part = read_bare_annotation(text[c:d], year=year)
            if part is not None:
                found.append((c, d, part))
    return found


_DASH_RE = re.compile(r"\s*(?:——|－－|--|—)\s*")


def _closing_clauses(sentence: str, year: int | None) -> tuple[str, Annotation] | None:
    """"…及时更新，综合股牵头，各股室配合" → ("…及时更新", annotation): the sentence's last clauses
    when they read as an annotation and something precedes them; or what follows a dash
    ("…公开——区司法局负责")."""
    body = sentence.rstrip(_CLOSING_PUNCT)
    dashes = list(_DASH_RE.finditer(body))
    if dashes and dashes[-1].start() > 0:
        ann = read_bare_annotation(body[dashes[-1].end():], year=year)
        if ann is not None and ann.has_units:
            return body[: dashes[-1].start()], ann
    clauses = top_level_split(body, "，,")
    if len(clauses) < 2:
        return None
    for k in range(1, len(clauses)):
        tail = "，".join(clauses[k:])
        ann = read_bare_annotation(tail, year=year)
        if ann is not None and ann.has_units:
            cut = _clause_start(body, k)
            return body[:cut].rstrip("，, "), ann
    return None


def _clause_start(body: str, k: int) -> int:
    """Index where the k-th top-level clause (split on commas) of `body` starts."""
    depth, seen = 0, 0
    for i, ch in enumerate(body):
        if ch in OPEN_BRACKETS or ch in _QUOTES_OPEN:
            depth += 1
        elif ch in CLOSE_BRACKETS or ch in _QUOTES_CLOSE:
            depth = max(0, depth - 1)
        elif ch in "，," and depth == 0:
            seen += 1
            if seen == k:
                return i + 1
    return len(body)


def _text_pieces(text: str, year: int | None, *, last: bool) -> list[Piece]:
    """Plain text, with the annotations written without brackets cut out of it.

    `last`: this text ends its line, so its final sentence may close with unbracketed clauses.
    """
    if not text.strip():
        return []
    whole = read_bare_annotation(text, year=year)
    if whole is not None:
        return [Piece(text.strip(), whole)]
    spans = _annotated_spans(text, year)
    if last and not spans and (opened := _opening_pieces(text)):
        return opened
    out: list[Piece] = []
    pos = 0
    for a, b, ann in spans:
        if text[pos:a].strip():
            out.append(Piece(text[pos:a]))
        out.append(Piece(text[a:b].strip(), ann))
        pos = b
    if last and pos < len(text):
        spans = _sentences(text[pos:], offset=pos)
        if spans:
            a, b = spans[-1]
            found = _closing_clauses(text[a:b], year)
            if found is not None:
                head, ann = found
                out.append(Piece(text[pos:a] + head))
                out.append(Piece(text[a:b][len(head):].strip(), ann))
                pos = b
    if pos < len(text) and text[pos:].strip():
        out.append(Piece(text[pos:]))
    return out


def _opening_pieces(text: str) -> list[Piece] | None:
    """Sentences opening with their units ("由X牵头，Y配合，…"): each kept whole, its units as an annotation.

    A sentence without units of its own goes with the one before it (or, at the start, the first
    one that names them); None when no sentence opens with units.
    """
    groups: list[tuple[str, Annotation | None]] = []
    for a, b in _sentences(text, _STRONG_ENDS):
        sentence = text[a:b]
        ann = opening_annotation(sentence)
        if ann is not None or not groups:
            groups.append((sentence, ann))
        else:
            groups[-1] = (groups[-1][0] + sentence, groups[-1][1])
    if not any(ann for _, ann in groups):
        return None
    if groups[0][1] is None and len(groups) > 1:
        groups[:2] = [(groups[0][0] + groups[1][0], groups[1][1])]
    out: list[Piece] = []
    for sentence, ann in groups:
        out.append(Piece(sentence))
        if ann is not None:
            out.append(Piece(ann.raw, ann))
    return out


# "【责任单位】县财政局【完成时限】6月底前": keys written in brackets instead of before a colon.
_BRACKETED_KEY_RE = re.compile(
    r"[【\[［〔]\s*((?:牵头|责任|主责|配合|协办|参与)(?:单位|部门|科室|股室|处室)|主办|协办|完成时限|完成时间|时限)\s*[】\]］〕]\s*[:：]?"
)


def _sentence_end(text: str, at: int) -> int:
    """Index just after the sentence running at `at` (its 。；！？ included), or len(text)."""
    depth = 0
    for i in range(at, len(text)):
        ch = text[i]
        if ch in OPEN_BRACKETS or ch in _QUOTES_OPEN:
            depth += 1
        elif ch in CLOSE_BRACKETS or ch in _QUOTES_CLOSE:
            depth = max(0, depth - 1)
        elif ch in _SENTENCE_ENDS and depth == 0:
            return i + 1
    return len(text)


def split_pieces(text: str, *, year: int | None = None) -> list[Piece]:
    """One line (or paragraph) of a plan as plain-text and annotation pieces, in order.

    A line that is only unit names ("县财政局、县审计局" under a task) is an annotation without a
    role word, like a bracket of unit names. A bracket inside a sentence ("做好A（县财政局负责），
    确保B。") annotates the whole sentence; one opening the line ("【县财政局】公开预算。") annotates
    the text after it.
    """
    if "】" in text or "]" in text or "］" in text or "〕" in text:
        text = _BRACKETED_KEY_RE.sub(lambda m: f"{m.group(1)}：", text)
    stripped = text.strip().rstrip("。；;")
    if stripped and not any(c in stripped for c in _SENTENCE_ENDS + "：:（(［[【〔"):
        listed = unit_list_annotation(stripped, year=year)
        if listed is not None:
            return [Piece(text.strip(), listed)]
    pieces: list[Piece] = []
    pos = 0
    for start, end in bracket_groups(text):
        if start < pos:
            continue
        ann = _bracket_annotation(text, start, end, year)
        if ann is None and pieces and pieces[-1].annotation is not None and not text[pos:start].strip():
            ann = deadline_annotation(text[start + 1:end - 1], year=year)  # "（县财政局负责）（6月底前）"
        if ann is None:
            continue
        pieces += _text_pieces(text[pos:start], year, last=False)
        nxt = _next_char(text, end)
        if nxt and nxt not in _CLOSING_PUNCT and _prev_char(text, start) not in ("", *_SENTENCE_ENDS):
            stop = _sentence_end(text, end)  # mid-sentence: the sentence without the bracket is the text
            pieces += _text_pieces(text[end:stop], year, last=False)
            end = stop
        elif nxt in ("，", ",", "、") and _prev_char(text, start) not in _SENTENCE_ENDS:
            stop = _sentence_end(text, end)  # the sentence goes on after the bracket: it is annotated whole
            pieces += _text_pieces(text[end:stop], year, last=False)
            end = stop
        pieces.append(Piece(text[start:end], ann))
        pos = end
    pieces += _text_pieces(text[pos:], year, last=True)
    if len(pieces) == 2 and pieces[0].annotation is not None and pieces[1].annotation is None \
            and pieces[0].text[:1] in OPEN_BRACKETS:
        pieces.reverse()  # "［县财政局牵头］做好预算公开。"
    return pieces


# --- pieces into segments -------------------------------------------------------------------


def _late_deadline(text: str, year: int | None) -> Annotation | None:
    """A deadline in brackets written on its own after an annotation belongs to that annotation."""
    s = text.strip().rstrip("。；;")
    if len(s) < 3 or s[0] not in OPEN_BRACKETS or bracket_groups(s) != [(0, len(s))]:
        return None
    return deadline_annotation(s[1:-1], year=year)


class Segmenter:
    """Collects the pieces of one heading's or one item's text and cuts them after each annotation."""

    def __init__(self, year: int | None = None) -> None:
        self.year = year
        self.segments: list[Segment] = [Segment()]

    def add(self, line_no: int, pieces: list[Piece]) -> None:
        for piece in pieces:
            current = self.segments[-1]
            ann = piece.annotation
            # a line of names only closes text not yet closed; after an annotation it is just text
            listed = ann is not None and ann.implicit_role and piece.text[:1] not in OPEN_BRACKETS
            if ann is not None and not (listed and (current.closed or not current.parts)):
                current.annotations.append((line_no, ann))
                continue
            text = piece.text
            if current.closed and (late := _late_deadline(text, self.year)) is not None:
                current.annotations.append((line_no, late))  # "（2025年6月底前完成）" on the next line
                continue
            if current.closed:
                text = self._punctuation_to(current, line_no, text)
                if not text.strip():
                    continue
                current = Segment()
                self.segments.append(current)
            current.parts.append((line_no, text))

    @staticmethod
    def _punctuation_to(segment: Segment, line_no: int, text: str) -> str:
        """A full stop written after the annotation ("…公开（县财政局负责）。") ends the text before it."""
        stripped = text.lstrip()
        lead = len(stripped) - len(stripped.lstrip(_CLOSING_PUNCT))
        punct, rest = stripped[:lead].strip(), stripped[lead:]
        if punct and segment.parts and segment.parts[-1][0] == line_no:
            last_no, last_text = segment.parts[-1]
            if last_text.rstrip()[-1:] not in _CLOSING_PUNCT:
                segment.parts[-1] = (last_no, last_text.rstrip() + punct[0])
        return rest

    def result(self) -> list[Segment]:
        """The segments read: closed ones, then at most one open one (the text after the last annotation)."""
        return [s for s in self.segments if s.parts or s.annotations]
