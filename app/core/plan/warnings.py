"""Import warnings summarised for people: the first fifty listed, the rest counted."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.records import ParseWarning


@dataclass
class WarningSummary(ParseWarning):
    """The line that stands for the warnings not listed; `total` counts all of them."""

    total: int = 0


def summarise_warnings(warnings: list[ParseWarning], keep: int = 50) -> list[ParseWarning]:
    """The first `keep` warnings, then one line counting the rest: 90,000 lines help nobody.

    A list of at most keep + 1 warnings is returned as it is (the count line would be as long).
    """
    if len(warnings) <= keep + 1:
        return warnings
    rest = len(warnings) - keep
    summary = WarningSummary(location="", message=f"… 另有 {rest:,} 条警告未逐条列出（共 {len(warnings):,} 条）",
                             total=len(warnings))
    return [*warnings[:keep], summary]


def warning_total(warnings: list[ParseWarning]) -> int:
    """How many warnings there were, the summarised ones included (for a count line)."""
    if warnings and isinstance(warnings[-1], WarningSummary):
        return warnings[-1].total
    return len(warnings)
