"""Plan parsing: a plan's lines or table rows → a LedgerDocument (headings, tasks, units, rounds).

One module per job. Prose: `outline` (numbering of headings), `front_matter` (title,
year, page chrome, cover letter), `body` (where the plan's body starts and ends),
`segments` (one piece per annotated sentence), `annotations` (the unit/deadline notes),
`prose` (the prose plan). Tables: `table_header` and `table_columns` (which column is
which, by header meaning or by content), `table_grid` (merged cells carried down),
`table_roles` (lead/coop words inside a unit cell), `table_draft` (one task from its rows),
`text_table` (tab, pipe and one-cell-per-line text tables), `table_layout`, `table`.
Both: `doubts` (why a task is uncertain), `warnings` (the summary of what could not be
placed), `accounting` (no text of the document lost without a word). Readers of files
live in app.formats.plan.
"""

from app.core.plan.prose import parse_prose_plan
from app.core.plan.table import parse_task_table
from app.core.plan.warnings import WarningSummary, summarise_warnings, warning_total

__all__ = ["WarningSummary", "parse_prose_plan", "parse_task_table", "summarise_warnings", "warning_total"]
