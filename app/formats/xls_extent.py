"""Old .xls workbooks (BIFF records in an OLE compound file) walked before calamine reads them.

calamine follows sector chains without a bound (a chain that loops never ends), trusts
the table sizes of the header and of each sheet's DIMENSIONS record, and panics on some
corrupt files. We walk the compound file with calamine's own rules and refuse what
would loop or over-allocate, then every sheet's records for its used range. Anything
calamine itself refuses cleanly is left to it (`_NotForUs`).
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import InputError
from app.formats.limits import MAX_SHEET_CELLS
from app.formats.sheet_extent import Extent, refuse_extent, u32
from app.formats.zip_measure import DAMAGED, OLE_MAGIC, check_file_size

_ENDOFCHAIN, _RESERVED, _DIFSECT = 0xFFFFFFFE, 0xFFFFFFFA, 0xFFFFFFFC
_WORKBOOK_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")


class _NotForUs(Exception):
    """calamine will stop with an error of its own here: nothing dangerous happens."""


@dataclass
class _Compound:
    """The parts of an OLE compound file calamine reads, walked with calamine's rules."""

    data: bytes
    path: Path
    size: int = 512
    fats: array = field(default_factory=lambda: array("I"))

    @property
    def maxid(self) -> int:
        return len(self.data) // self.size

    def sector(self, sid: int) -> bytes:
        if sid > self.maxid:
            raise _NotForUs  # calamine: "sector points past end of file"
        start = (sid + 1) * self.size
        return self.data[start:start + self.size]

    def chain(self, sid: int, length: int, fats: array | None = None,
              read: Callable[[int], bytes] | None = None, steps: int | None = None) -> bytes:
        """calamine's get_chain: follow the FAT to ENDOFCHAIN or `length` bytes; a loop is refused."""
        fats = self.fats if fats is None else fats
        read = read or self.sector
        left = self.maxid + 1 if steps is None else steps
        out = bytearray()
        while sid != _ENDOFCHAIN:
            out += read(sid)[:max(0, length - len(out))]
            if len(out) >= length:
                break
            if sid >= len(fats):
                raise _NotForUs  # calamine panics on the index: the reader guard catches it
            sid = fats[sid]
            left -= 1
            if left < 0:
                raise InputError(self.path, f"{DAMAGED}：文件内部的扇区链循环，拒绝读取")
        return bytes(out)


def _u32s(data: bytes) -> array:
    values = array("I")
    values.frombytes(data[:len(data) // 4 * 4])
    if sys.byteorder == "big":  # pragma: no cover - the file is little-endian
        values.byteswap()
    return values


def _xls_stream(path: Path, data: bytes) -> bytes:
    """The Workbook stream as calamine will read it; refuses what would make it loop or over-allocate."""
    if len(data) < 512 or data[:8] != OLE_MAGIC:
        raise _NotForUs
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12) or struct.unpack_from("<H", data, 32)[0] != 6:
        raise _NotForUs
    cfb = _Compound(data, path, 512 if shift == 9 else 4096)
    fat_len, dir_start = struct.unpack_from("<II", data, 44)
    mini_start, mini_len, difat_start = struct.unpack_from("<III", data, 60)
    declared_difat = struct.unpack_from("<I", data, 62)[0]  # calamine reserves this many entries
    if fat_len > cfb.maxid + 1 or declared_difat > MAX_SHEET_CELLS or mini_len > cfb.maxid + 1:
        raise InputError(path, f"{DAMAGED}：文件头中的表长度不合理，拒绝读取")
    cfb.fats = _xls_fats(cfb, _u32s(data[76:512]), difat_start)
    dirs = cfb.chain(dir_start, 1 << 62)
    entries = [dirs[i:i + 128] for i in range(0, len(dirs), 128)]
    if not entries:
        raise _NotForUs
    large = cfb.size == 4096
    mini = _xls_mini(cfb, entries[0], mini_start, mini_len, large) if mini_len else None
    for wanted in _WORKBOOK_STREAMS:
        for entry in entries:
            if _entry_name(entry) == wanted:
                return _xls_entry_stream(cfb, entry, mini, large)
    raise _NotForUs


def _xls_fats(cfb: _Compound, difat: array, sid: int) -> array:
    """The DIFAT chain (bounded: calamine would loop on a cycle), then the FAT sectors it names."""
    steps = 0
    while sid < _RESERVED:
        difat.extend(_u32s(cfb.sector(sid)))
        sid = difat.pop()
        steps += 1
        if steps > cfb.maxid + 1:
            raise InputError(cfb.path, f"{DAMAGED}：文件内部的扇区链循环，拒绝读取")
    fat_sectors = [s for s in difat if s < _DIFSECT]
    if len(fat_sectors) > cfb.maxid + 1:
        raise InputError(cfb.path, f"{DAMAGED}：文件内部的分配表过长，拒绝读取")
    fats = array("I")
    for s in fat_sectors:
        fats.extend(_u32s(cfb.sector(s)))
    return fats


def _entry_name(entry: bytes) -> str:
    name = entry[:64].decode("utf-16-le", "replace")
    return name.split("\x00", 1)[0]


def _entry_start_len(entry: bytes, large: bool) -> tuple[int, int]:
    if len(entry) < 128:
        raise _NotForUs
    start = struct.unpack_from("<I", entry, 116)[0]
    length = struct.unpack_from("<Q" if large else "<I", entry, 120)[0]
    return start, length


def _xls_mini(cfb: _Compound, root: bytes, mini_start: int, mini_len: int, large: bool) -> tuple[bytes, array]:
    start, length = _entry_start_len(root, large)
    stream = cfb.chain(start, length)
    fats = _u32s(cfb.chain(mini_start, mini_len * cfb.size))
    return stream, fats


def _xls_entry_stream(cfb: _Compound, entry: bytes, mini: tuple[bytes, array] | None, large: bool) -> bytes:
    start, length = _entry_start_len(entry, large)
    if length >= 4096:
        return cfb.chain(start, length)
    stream, fats = mini or (b"", array("I"))

    def mini_sector(sid: int) -> bytes:
        if (sid + 1) * 64 > len(stream):  # calamine would read on from wherever the file was
            raise InputError(cfb.path, f"{DAMAGED}：文件内部的小扇区超出范围，拒绝读取")
        return stream[sid * 64:(sid + 1) * 64]

    return cfb.chain(start, length, fats, mini_sector, steps=len(stream) // 64 + 1)


def _biff_records(stream: bytes, at: int) -> Iterator[tuple[int, bytes]]:
    """(type, data) as calamine's RecordIter gives them (CONTINUE records skipped)."""
    n = len(stream)
    while n - at >= 4:
        typ, length = struct.unpack_from("<HH", stream, at)
        if n - at < length + 4:
            return
        data = stream[at + 4:at + 4 + length]
        at += 4 + length
        while n - at > 4 and struct.unpack_from("<H", stream, at)[0] == 0x003C:
            cont = struct.unpack_from("<H", stream, at + 2)[0]
            if n - at < cont + 4:
                return
            at += 4 + cont
        yield typ, data


def _biff_sheet_positions(stream: bytes) -> list[int]:
    positions = []
    for typ, data in _biff_records(stream, 0):
        if typ == 0x0085 and len(data) >= 4:
            positions.append(struct.unpack_from("<I", data)[0])
        elif typ == 0x000A:
            break
    return positions


_BIFF_CELLS = {0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD}


def _biff_sheet_extent(path: Path, stream: bytes, at: int) -> Extent:
    """One sheet's used range and the capacity its DIMENSIONS record makes calamine reserve."""
    extent, seen_bof, depth, formula_at = Extent(), False, 0, (0, 0)
    for typ, data in _biff_records(stream, at):
        if depth:
            depth += 1 if typ == 0x0809 else -1 if typ == 0x000A else 0
            continue
        if typ == 0x0809:
            depth, seen_bof = (depth + 1, seen_bof) if seen_bof else (0, True)
        elif typ == 0x0200:
            _biff_dimensions(path, data)
        elif typ in _BIFF_CELLS and len(data) >= 4:
            extent.add(*struct.unpack_from("<HH", data))
        elif typ == 0x0207:
            extent.add(*formula_at)
        elif typ == 0x0006 and len(data) >= 20:
            formula_at = struct.unpack_from("<HH", data)
            extent.add(*formula_at)
        elif typ == 0x00BD and len(data) >= 6:
            _biff_mulrk(extent, data)
        elif typ == 0x000A:
            break
    return extent


def _biff_mulrk(extent: Extent, data: bytes) -> None:
    row, first = struct.unpack_from("<HH", data)
    last = struct.unpack_from("<H", data, len(data) - 2)[0]
    if len(data) != 6 + 6 * ((last - first + 1) & 0xFFFF):
        return  # calamine stops with a length error
    count = (len(data) - 6) // 6
    if count:
        extent.add(row, first)
        extent.add(row, first + count - 1)


def _biff_dimensions(path: Path, data: bytes) -> None:
    """calamine reserves rows × cols cells from this record (u32 arithmetic that wraps)."""
    if len(data) == 10:
        rf, rl, cf, cl = struct.unpack_from("<HHHH", data)
    elif len(data) == 14:
        rf, rl, cf, cl = struct.unpack_from("<IIHH", data)
    else:
        raise _NotForUs
    if cf > 0xFF or cl < cf:
        cf = 0
    start, end = ((rf, cf), (rl - 1, cl - 1)) if rl >= 1 and cl >= 1 else ((rf, cf), (rf, cf))
    rows, cols = u32(end[0] - start[0] + 1), u32(end[1] - start[1] + 1)
    if rows * cols > MAX_SHEET_CELLS:
        raise InputError(path, f"工作表声明的区域过大（{rows:,} 行 × {cols:,} 列），拒绝读取")


def check_xls(path: Path) -> None:
    """Walk the compound file and every sheet's records before calamine does."""
    check_file_size(path)
    data = path.read_bytes()
    try:
        stream = _xls_stream(path, data)
        for at in _biff_sheet_positions(stream):
            if at < len(stream):
                refuse_extent(path, _biff_sheet_extent(path, stream, at))
    except _NotForUs:
        return
    except struct.error:
        return  # a record too short to hold what we read: calamine refuses it as well

