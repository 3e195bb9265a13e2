"""Plan parsing: a plan's lines or table rows → a LedgerDocument (headings, tasks, units, rounds).

One module per job: `outline` (numbering of headings), `front_matter` (title, year,
page chrome), `annotations` (the unit/deadline notes after a task), `prose` (a prose
plan), `table_layout` and `table` (a task table), `warnings` (the summary of what
could not be placed). Readers of files live in app.formats.plan.
"""

from app.core.plan.prose import parse_prose_plan
from app.core.plan.table import parse_task_table
from app.core.plan.warnings import WarningSummary, summarise_warnings, warning_total

__all__ = ["WarningSummary", "parse_prose_plan", "parse_task_table", "summarise_warnings", "warning_total"]
