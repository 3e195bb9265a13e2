"""Errors the user sees: one clear Chinese line naming the file and the problem."""

from __future__ import annotations

from pathlib import Path


class LedgerError(Exception):
    """An expected failure with a message fit for the user (no traceback is shown)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(LedgerError):
    """A file that cannot be used: names the file, then says what is wrong."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path.name}：{problem}")


class LedgerFileError(InputError):
    """The ledger file itself cannot be opened (not a ledger, too new, locked)."""
