"""Write an output file all or nothing: into a temporary file beside it, then rename.

A failed or interrupted export never leaves a half-written file where the clerk expects
one, and a file open in Excel/WPS (locked on Windows) gives a clear message.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.errors import InputError


@contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`, on failure it is removed."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except PermissionError as exc:
        raise InputError(path, f"无法写入（文件可能正在 Excel/WPS 中打开）（cannot write: {exc.strerror}）") from exc
    except OSError as exc:
        raise InputError(path, f"无法写入（cannot write: {exc.strerror or exc}）") from exc
    finally:
        tmp.unlink(missing_ok=True)


def sync_folder(folder: Path) -> None:
    """Make a rename into `folder` durable: it survives a power cut once the folder is synced
    (POSIX; Windows has no folder handles, and a folder that cannot be opened is left as it is)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
