"""The `ledgerdesk` command line: the same core as the window, headless.

Each command lives in app/commands/<name>.py with a `register(subparsers)` function
that adds its sub-parser and sets `func`. Expected failures (LedgerError) print one
line on stderr and exit 2; anything unexpected prints one line and exits 3, with the
traceback only when LEDGERDESK_DEBUG is set.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback
from typing import NoReturn

from app import __version__
from app.errors import LedgerError

EXIT_INPUT = 2
EXIT_INTERNAL = 3


class ChineseArgumentParser(argparse.ArgumentParser):
    """Usage errors as one Chinese line on stderr (exit 2), like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"错误：命令参数有误（{message}）；用 {self.prog} --help 查看用法\n")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or, when `argv` starts with a command, with that one alone.

    Each command module imports what it needs (openpyxl, python-docx, the PDF and plan readers):
    all of them cost well over a second, which `ledgerdesk gui` must not wait for before its window.
    A command is found by its module's name (`undo-merge` in undo_merge.py, `import` in import_.py);
    anything else (no command, --help, a typo) gets every command, for the list and the error."""
    names = command_modules()
    chosen = _module_of(argv[0], names) if argv and not argv[0].startswith("-") else None
    if chosen is not None:
        parser, subparsers = _bare_parser()
        _register(chosen, subparsers)
        if argv[0] in subparsers.choices:  # type: ignore[index, union-attr]
            return parser
    parser, subparsers = _bare_parser()
    for name in names:
        _register(name, subparsers)
    return parser


def _bare_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    parser = ChineseArgumentParser(
        prog="ledgerdesk",
        description="台账通 LedgerDesk：政务公开工作要点任务落实台账（离线）",
    )
    parser.add_argument("--version", action="version", version=f"ledgerdesk {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ChineseArgumentParser)
    return parser, subparsers


def command_modules() -> list[str]:
    """The modules of app/commands, by name, without importing them."""
    import app.commands as commands_pkg

    return sorted(info.name for info in pkgutil.iter_modules(commands_pkg.__path__) if not info.name.startswith("_"))


def _module_of(command: str, names: list[str]) -> str | None:
    stem = command.replace("-", "_")
    return next((name for name in (stem, f"{stem}_") if name in names), None)


def _register(name: str, subparsers: argparse._SubParsersAction) -> None:
    importlib.import_module(f"app.commands.{name}").register(subparsers)


def _configure_streams() -> None:
    """Chinese output must not crash on a console with a narrow code page."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass


def main(argv: list[str] | None = None) -> int:
    _configure_streams()
    if argv is None:
        argv = sys.argv[1:]
    if argv == ["--version"]:  # answered before any command module is imported (a second of CPU frozen)
        print(f"ledgerdesk {__version__}")
        return 0
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except LedgerError as exc:
        if os.environ.get("LEDGERDESK_DEBUG") and exc.__cause__ is not None:
            # a reader turned a library failure (or a bug of ours) into one line: show what it was
            traceback.print_exception(exc.__cause__)
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 0
    except KeyboardInterrupt:
        print("已取消（cancelled）", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the user must never see a traceback
        if os.environ.get("LEDGERDESK_DEBUG"):
            traceback.print_exc()
        print(f"内部错误（internal error）：{type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
