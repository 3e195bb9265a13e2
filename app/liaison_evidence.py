"""Evidence files (佐证材料) a liaison attaches: copied into a folder beside the package (no Qt).

The folder "<package stem>_佐证材料" travels back with the return file, so the office gets
the files the 佐证材料 names. Each copy is named "<序号>_<original name>" (made valid on
Windows and Linux by app/formats/safe_names.py), so the clerk sees which task it belongs to.
Size limits keep the folder something one can e-mail or copy to a USB stick. Nothing is
overwritten: the same file attached again is recognised by its bytes and not copied twice,
and a different file of the same name gets " (2)". Every file is checked before any is
copied, and a failure removes what this attach copied, so an attach is all or nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

from app.errors import InputError
from app.formats.file_hash import file_sha256
from app.formats.safe_names import folder_key, safe_stem

MB = 1024 * 1024
MAX_EVIDENCE_FILE_BYTES = 20 * MB
MAX_EVIDENCE_TOTAL_BYTES = 200 * MB
EVIDENCE_SUFFIX = "_佐证材料"
EVIDENCE_SEPARATOR = "、"
_SPLIT = re.compile(r"[、,，;；\n]+")


@dataclass(frozen=True)
class Copy:
    """One attached file: its name in the folder, and whether this attach wrote it (False: already there)."""

    name: str
    path: Path
    written: bool


def evidence_dir_for(package: Path) -> Path:
    return package.with_name(package.stem + EVIDENCE_SUFFIX)


def evidence_files(folder: Path) -> list[Path]:
    """The files in an evidence folder (not our temporary files), sorted by name."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not _is_temporary(p.name))


def _is_temporary(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB"


def _checked_size(path: Path) -> int:
    """The size of a file that can be read; InputError naming it when it vanished, is no file or cannot be read."""
    try:
        info = path.stat()
    except OSError:
        raise InputError(path, "文件不存在或已被移走，未添加（file not found）") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, "不是普通文件（文件夹或特殊文件），未添加（not a regular file）")
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise InputError(path, f"文件无法读取，未添加（cannot read: {exc.strerror or exc}）") from None
    if info.st_size > MAX_EVIDENCE_FILE_BYTES:
        raise InputError(path, f"文件过大（{_mb(info.st_size)}），单个佐证材料不能超过 {_mb(MAX_EVIDENCE_FILE_BYTES)}；"
                               "请压缩或拆分后再添加，也可以只填写文件名（file too large）")
    return info.st_size


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and file_sha256(a) == file_sha256(b)
    except OSError:
        return False


def _candidate(seq: str, source: Path, n: int) -> str:
    stem, suffix = source.stem, source.suffix
    extra = f" ({n})" if n > 1 else ""
    prefix = f"{seq}_"
    head = stem if stem.startswith(prefix) else prefix + stem  # a copy attached again keeps its name
    return safe_stem(head, extra + suffix).text


def _plan(folder: Path, seq: str, files: list[Path]) -> list[tuple[Path, str, bool, int]]:
    """(source, name in the folder, whether to copy it, size) per file: checked, limits included."""
    existing = {folder_key(p.name): p for p in evidence_files(folder)}
    total = sum(p.stat().st_size for p in existing.values())
    claimed: dict[str, Path] = {}
    plan = []
    for source in files:
        size = _checked_size(source)
        n = 1
        while True:
            name = _candidate(seq, source, n)
            key = folder_key(name)
            there = existing.get(key)
            if key in claimed:
                if _same_file(claimed[key], source):
                    break
            elif there is None:
                claimed[key] = source
                plan.append((source, name, True, size))
                total += size
                break
            elif _same_file(there, source):
                claimed[key] = source
                plan.append((source, name, False, size))
                break
            n += 1
        if total > MAX_EVIDENCE_TOTAL_BYTES:
            raise InputError(source, f"佐证材料文件夹将超过 {_mb(MAX_EVIDENCE_TOTAL_BYTES)}（加上此文件共 {_mb(total)}），"
                                     "未添加；请压缩后再添加，也可以只填写文件名（evidence folder too large）")
    return plan


def copy_evidence(folder: Path, seq: str, files: list[Path]) -> list[Copy]:
    """Copy `files` into `folder` for the task numbered `seq` (see the module docstring)."""
    if not files:
        return []
    plan = _plan(folder, seq, files)
    done: list[Copy] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for source, name, write, _size in plan:
            target = folder / name
            if write:
                _copy_atomic(source, target)
            done.append(Copy(name, target, write))
    except OSError as exc:
        remove_copies(done)
        raise InputError(folder, f"无法复制佐证材料，未添加（cannot copy: {exc.strerror or exc}）") from exc
    except BaseException:
        remove_copies(done)
        raise
    return done


def _copy_atomic(source: Path, target: Path) -> None:
    """Copy to a temporary name, on disk, then rename: a half-copied file never carries the real name."""
    tmp = target.with_name(f".{uuid.uuid4().hex[:8]}.tmp")
    try:
        try:
            shutil.copyfile(source, tmp)
        except OSError as exc:
            raise InputError(source, f"文件无法读取或复制，未添加（cannot copy: {exc.strerror or exc}）") from exc
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if target.exists():  # appeared since the plan: never replace another file
            raise InputError(target, "同名文件已存在，未覆盖；请重试（file exists）")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def remove_copies(copies: list[Copy]) -> None:
    """Undo an attach: the files it wrote (not those that were already there)."""
    for item in copies:
        if item.written:
            item.path.unlink(missing_ok=True)


def evidence_names(text: str) -> list[str]:
    """The names in a 佐证材料 text (、，, ; or line separated)."""
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]


def add_evidence_names(text: str, names: list[str]) -> str:
    """`text` with the names it does not list yet appended, 、-separated."""
    have = set(evidence_names(text))
    new = [n for n in dict.fromkeys(names) if n not in have]
    if not new:
        return text
    return EVIDENCE_SEPARATOR.join([text.strip(), *new] if text.strip() else new)
