"""Reading plan documents: `read_plan(path)` for every file type an office receives.

`read` dispatches on the file type; `docx_in` and `html_in` turn Word files and web
pages into paragraphs and tables for the parsers in app.core.plan.
"""

from app.formats.plan.read import SUPPORTED, read_plan

__all__ = ["SUPPORTED", "read_plan"]
