"""Zip containers (xlsx, ods, docx, ldpkg) measured while they are inflated.

Every member is inflated straight from the file through a counter that stops at the
limits in app/formats/limits.py: the sizes a zip header declares are not trusted, so
a bomb is refused after reading at most the limit, never after building it in memory.
Readers then take members through `read_member` with the same budget.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from app.errors import InputError
from app.formats.limits import (
    MAX_INPUT_BYTES,
    MAX_ZIP_DIRECTORY,
    PLAN_ZIP,
    ZipLimits,
    reader_guard,
    too_large,
)

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
NOT_A_SPREADSHEET = "不是可读取的电子表格（not a readable spreadsheet）"
DAMAGED = "文件已损坏"
ZIP_BOMB = "（possible zip bomb）"
_CHUNK = 1 << 16


class ZipBudget:
    """Uncompressed bytes taken so far, against one member's and the whole file's limit."""

    def __init__(self, path: Path, limits: ZipLimits) -> None:
        self.path, self.limits, self.total = path, limits, 0

    def take(self, name: str, member_bytes: int, new: int) -> None:
        self.total += new
        if member_bytes > self.limits.member:
            raise InputError(self.path, f"其中的 {short_name(name)} 过大（解压后超过 {_size(self.limits.member)}），"
                                        f"拒绝读取{ZIP_BOMB}")
        if self.total > self.limits.total:
            raise InputError(self.path, f"文件解压后过大（超过 {_size(self.limits.total)}），拒绝读取{ZIP_BOMB}")


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def short_name(name: str) -> str:
    return name if len(name) <= 60 else name[:57] + "…"


def check_file_size(path: Path, limit: int = MAX_INPUT_BYTES) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(path, f"无法读取文件（{exc.strerror or exc}）") from exc
    if size > limit:
        raise InputError(path, too_large("文件", size, limit))
    return size


def _directory_entries(fh, size: int) -> tuple[int, int] | None:
    """(entries, directory bytes) from the end record, or None when there is none (zipfile decides)."""
    tail_len = min(size, 65_557)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    entries, directory = struct.unpack("<HI", tail[at + 10:at + 16])
    return entries, directory


def open_zip(path: Path, limits: ZipLimits) -> zipfile.ZipFile:
    """The zip, refused before zipfile reads a central directory of absurd size."""
    size = check_file_size(path)
    with path.open("rb") as fh:
        found = _directory_entries(fh, size)
    if found is not None:  # 0xFFFF / 0xFFFFFFFF: the real values are in the zip64 record
        entries, directory = found
        if (entries != 0xFFFF and entries > limits.members) or (
                directory != 0xFFFFFFFF and directory > MAX_ZIP_DIRECTORY):
            raise InputError(path, f"{DAMAGED}：压缩包中的条目过多（{entries:,} 个），拒绝读取")
    archive = zipfile.ZipFile(path)
    if len(archive.infolist()) > limits.members:
        archive.close()
        raise InputError(path, f"{DAMAGED}：压缩包中的条目过多，拒绝读取")
    return archive


def _data_offset(fh, info: zipfile.ZipInfo, path: Path) -> int:
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise InputError(path, f"{DAMAGED}：{short_name(info.filename)} 的数据头缺失")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_len + extra_len


def member_chunks(fh, info: zipfile.ZipInfo, budget: ZipBudget) -> Iterator[bytes]:
    """The member's bytes, inflated straight from the file and counted as they come.

    Only what the data really inflates to counts: a header that declares a small size
    cannot hide a bomb, and the counter stops at the limit instead of after it.
    """
    path = budget.path
    if info.flag_bits & 0x1:
        raise InputError(path, "文件已加密（受密码保护），无法读取")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InputError(path, f"{DAMAGED}：使用了不支持的压缩方式（{info.compress_type}）")
    fh.seek(_data_offset(fh, info, path))
    raw = _raw_chunks(fh, info.compress_size)
    chunks = raw if info.compress_type == zipfile.ZIP_STORED else _inflate(raw, path, info.filename)
    seen, crc = 0, 0
    for chunk in chunks:
        seen += len(chunk)
        budget.take(info.filename, seen, len(chunk))
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if crc != info.CRC:
        raise InputError(path, f"{DAMAGED}：{short_name(info.filename)} 校验失败")


def _raw_chunks(fh, left: int) -> Iterator[bytes]:
    while left > 0:
        data = fh.read(min(left, _CHUNK))
        if not data:
            return
        left -= len(data)
        yield data


def _inflate(raw: Iterator[bytes], path: Path, name: str) -> Iterator[bytes]:
    """Raw deflate, at most _CHUNK bytes of output at a time (a bomb never sits in memory)."""
    inflater = zlib.decompressobj(-15)
    pending = b""
    while not inflater.eof:
        if not pending:
            pending = next(raw, b"")  # b"" once the data is used up: zlib then gives what it still holds
        out = inflater.decompress(pending, _CHUNK)
        starved = not pending
        pending = inflater.unconsumed_tail
        if out:
            yield out
        elif starved:
            raise InputError(path, f"{DAMAGED}：{short_name(name)} 的压缩数据不完整")


def read_member(path: Path, archive: zipfile.ZipFile, name: str, budget: ZipBudget) -> bytes | None:
    """One member's bytes (None when absent), measured against the budget."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    with path.open("rb") as fh:
        return b"".join(member_chunks(fh, info, budget))


Reopen = Callable[[], Iterator[bytes]]  # the member inflated again from the start
Scanner = Callable[[zipfile.ZipInfo, Reopen], None]


def measure_zip(path: Path, limits: ZipLimits, scan: Scanner | None = None, *, elements: bool = False) -> None:
    """Inflate every member, counting, before anything parses one (a bomb is refused in a second).

    With `elements`, XML members with more tags than a tree-building reader (lxml,
    python-docx) should build are refused too. Then `scan` sees each member, inflated
    again, now that its size is known to be within the limits.
    """
    budget = ZipBudget(path, limits)
    with open_zip(path, limits) as archive, path.open("rb") as fh:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        for info in infos:
            chunks = member_chunks(fh, info, budget)
            for _ in _count_elements(chunks, info.filename, path, limits) if elements else chunks:
                pass
        if scan is not None:
            for info in infos:
                scan(info, lambda info=info: member_chunks(fh, info, ZipBudget(path, limits)))


def _count_elements(chunks: Iterator[bytes], name: str, path: Path, limits: ZipLimits) -> Iterator[bytes]:
    """Pass the chunks on, refusing an XML member with more start tags than lxml should build."""
    tags = 0
    xml_like: bool | None = None
    for chunk in chunks:
        if xml_like is None:
            xml_like = looks_like_xml(chunk)
        if xml_like:
            tags += chunk.count(b"<") - chunk.count(b"</")
            if tags > limits.xml_elements:
                raise InputError(path, f"其中的 {short_name(name)} 内容过多（超过 {limits.xml_elements:,} 个元素），拒绝读取")
        yield chunk


NOT_A_ZIP = (zipfile.BadZipFile, OSError, ValueError, EOFError)


def check_zip(path: Path, *, limit: int | None = None, limits: ZipLimits = PLAN_ZIP,
              kind: str = NOT_A_SPREADSHEET, elements: bool = False) -> None:
    """Refuse a file that is not a zip, or that really inflates beyond the limits (zip bombs).

    `limit` (bytes in all) narrows the total for one call; sizes are measured while
    inflating, not read from the headers. `kind` starts the line for a file that is no
    zip at all; `elements` also bounds the tags of each XML member (see measure_zip).
    """
    path = Path(path)
    if limit is not None:
        limits = ZipLimits(total=limit, member=min(limit, limits.member), members=limits.members,
                           xml_elements=limits.xml_elements)
    with reader_guard(path, f"{kind}：{DAMAGED}"):
        try:
            measure_zip(path, limits, elements=elements)
        except NOT_A_ZIP as exc:
            explain_not_a_zip(path, exc, kind)


def explain_not_a_zip(path: Path, exc: BaseException, kind: str = NOT_A_SPREADSHEET) -> None:
    """An OLE file named .xlsx/.docx is an encrypted file or an old format renamed; else damaged."""
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic == OLE_MAGIC:
        old = "旧版 .doc" if "Word" in kind else "旧版 .xls"
        raise InputError(path, f"{kind}：文件受密码保护，或实为{old}文件") from exc
    raise InputError(path, f"{kind}：文件已损坏或不是该格式") from exc


def looks_like_xml(first: bytes) -> bool:
    return first.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"
