"""Import warnings: text not imported carries all of itself, and the summary for people (fifty listed,
the rest counted, none dropped from the data)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.records import ParseWarning

_EXCERPT = 24


def excerpt(text: str, limit: int = _EXCERPT) -> str:
    """The start of `text` on one line, "…" when cut: what a warning quotes."""
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass
class SkippedText(ParseWarning):
    """Text the parser did not make a task of (a preamble, a closing paragraph): the message quotes
    its start, `text` keeps all of it, so the import report still accounts for every character."""

    text: str = ""


def skipped_text(location: str, why: str, text: str) -> SkippedText:
    """The one wording of such warnings: "<why>，未作为任务导入：“<start of text>”"."""
    return SkippedText(location=location, message=f"{why}，未作为任务导入：“{excerpt(text)}”", text=text)


@dataclass
class WarningSummary(ParseWarning):
    """The line that stands for the warnings not listed; `total` counts all of them, `hidden` keeps them."""

    total: int = 0
    hidden: list[ParseWarning] = field(default_factory=list)


def summarise_warnings(warnings: list[ParseWarning], keep: int = 50) -> list[ParseWarning]:
    """The first `keep` warnings, then one line counting the rest: 90,000 lines help nobody.

    A list of at most keep + 1 warnings is returned as it is (the count line would be as long).
    """
    if len(warnings) <= keep + 1:
        return warnings
    rest = len(warnings) - keep
    summary = WarningSummary(location="", message=f"… 另有 {rest:,} 条警告未逐条列出（共 {len(warnings):,} 条）",
                             total=len(warnings), hidden=list(warnings[keep:]))
    return [*warnings[:keep], summary]


def all_warnings(warnings: list[ParseWarning]) -> list[ParseWarning]:
    """Every warning, the ones a summary line stands for included."""
    out: list[ParseWarning] = []
    for warning in warnings:
        out.append(warning)
        if isinstance(warning, WarningSummary):
            out.extend(warning.hidden)
    return out


def warning_total(warnings: list[ParseWarning]) -> int:
    """How many warnings there were, the summarised ones included (for a count line)."""
    if warnings and isinstance(warnings[-1], WarningSummary):
        return warnings[-1].total
    return len(warnings)
