"""Turn the office files our readers cannot read (.doc, .wps, .odt, .rtf, .et …) into ones they can.

Offices and liaisons send whatever their suite saves: Word 97 .doc, WPS .wps/.et,
OpenDocument .odt, RTF, and web systems hand out "Word" or "Excel" files that are
really HTML, MHTML or Office 2003 XML. We look at the bytes, not the name, and then:

- the content is already something the reader reads (a .doc that is a .docx zip, a WPS
  .et that is a plain BIFF8 workbook): copy it under the right suffix, no converter needed;
- otherwise convert a *copy* with LibreOffice headless (a fresh temporary profile per
  run, so it works while the user has LibreOffice open and never touches their profile;
  the whole process group is killed on timeout);
- a file that cannot be read (password, PDF, garbage) gets one short Chinese line that
  names what it is and what the clerk should do, in the caller's `Wording` (merging a
  returned sheet asks the liaison for the original; importing a plan says how to save it).

Used by the returns merge (app/formats/returns/convert.py) and the plan reader
(app/formats/plan/word_convert.py). The original file is never written to. Pure Python; no
Qt, no database.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from app.errors import InputError
from app.formats.plan.html_in import decode_html

# suffix → what the reader gets back (the family; a BIFF8 .et comes back as .xls, see module doc)
CONVERTIBLE: dict[str, str] = {
    ".doc": ".docx", ".dot": ".docx", ".docm": ".docx", ".dotx": ".docx", ".dotm": ".docx",
    ".wps": ".docx", ".wpt": ".docx", ".odt": ".docx", ".ott": ".docx", ".rtf": ".docx", ".uot": ".docx",
    ".et": ".xlsx", ".ett": ".xlsx", ".xlt": ".xlsx", ".uos": ".xlsx",
}
SHEET_FAMILY = {".et", ".ett", ".xls", ".xlt", ".xlsx", ".xlsm", ".xltx", ".ods", ".ots", ".uos"}
ENV_VAR = "LEDGERDESK_SOFFICE"
_EXPORT = {".docx": "docx:MS Word 2007 XML", ".xlsx": "xlsx:Calc MS Excel 2007 XML"}
_HTML_IMPORT = {".docx": "HTML (StarWriter)", ".xlsx": "HTML (StarCalc)"}  # Calc crashes on HTML without it
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_SNIFF_BYTES = 65536

_LABELS = {
    ".doc": "Word 97-2003 文档", ".dot": "Word 97-2003 模板", ".docx": "Word 文档",
    ".docm": "启用宏的 Word 文档", ".dotx": "Word 模板", ".dotm": "启用宏的 Word 模板",
    ".wps": "WPS 文字文档", ".wpt": "WPS 文字模板", ".odt": "OpenDocument 文本",
    ".ott": "OpenDocument 文本模板", ".rtf": "RTF 文档", ".uot": "UOF 文字文档",
    ".et": "WPS 表格", ".ett": "WPS 表格模板", ".xls": "Excel 97-2003 工作簿", ".xlt": "Excel 97-2003 模板",
    ".xlsx": "Excel 工作簿", ".xlsm": "启用宏的 Excel 工作簿", ".ods": "OpenDocument 表格",
    ".uos": "UOF 电子表格",
}
_ZIP_CONTENT = {"docx": ".docx", "xlsx": ".xlsx", "ods": ".ods"}  # zip contents the reader reads as they are


# --------------------------------------------------------------------------- labels and messages


def kind_label(path: Path) -> str:
    """What the file is called for a clerk, e.g. "WPS 表格（.et）"; by its name, not its content."""
    suffix = Path(path).suffix.lower()
    if not suffix:
        return "无扩展名的文件"
    return f"{_LABELS.get(suffix, suffix.lstrip('.').upper() + ' 文件')}（{suffix}）"


def _target_family(path: Path) -> str:
    """".xlsx" for spreadsheet names, else ".docx": what HTML or unknown content becomes."""
    suffix = path.suffix.lower()
    return CONVERTIBLE.get(suffix) or (".xlsx" if suffix in SHEET_FAMILY else ".docx")


@dataclass(frozen=True)
class Wording:
    """How each refusal line ends: what the clerk should do instead, for the job the file is read for."""

    save_as: Mapping[str, str]  # family (".docx", ".xlsx") → "请用 WPS 或 Word 打开后另存为 .docx 再合并"
    no_converter: Mapping[str, str]  # family → what to do when LibreOffice is missing
    encrypted: str  # after "文件设有打开密码，无法读取；"
    empty: str  # after "空文件（0 字节），"
    other_content: str  # after "…，但内容实际是 PDF 文件，"


def _no_converter(path: Path, target: str, wording: Wording) -> InputError:
    return InputError(path, f"{kind_label(path)}，本机未安装 LibreOffice，无法读取；{wording.no_converter[target]}")


def _failed(path: Path, target: str, wording: Wording) -> InputError:
    return InputError(path, f"{kind_label(path)}，转换失败（文件可能已损坏或设有密码）；{wording.save_as[target]}")


def _timed_out(path: Path, target: str, timeout: float, wording: Wording) -> InputError:
    return InputError(path, f"{kind_label(path)}，转换超时（超过 {timeout:g} 秒），无法读取；"
                            f"{wording.save_as[target]}")


def _encrypted(path: Path, wording: Wording) -> InputError:
    return InputError(path, f"{kind_label(path)}，文件设有打开密码，无法读取；{wording.encrypted}")


# --------------------------------------------------------------------------- finding LibreOffice


def find_converter() -> str | None:
    """Path of LibreOffice's soffice, or None; $LEDGERDESK_SOFFICE overrides ("" = pretend absent)."""
    override = os.environ.get(ENV_VAR)
    if override is not None:
        if not override.strip():
            return None
        return override if Path(override).is_file() else shutil.which(override)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _install_locations():
        if candidate.is_file():
            return str(candidate)
    return None


def _install_locations() -> list[Path]:
    """Where installers put soffice when it is not on PATH (the usual case on Windows)."""
    if os.name == "nt":
        bases = [os.environ.get("ProgramFiles"), os.environ.get("ProgramFiles(x86)"),
                 r"C:\Program Files", r"C:\Program Files (x86)"]
        return [Path(b) / "LibreOffice" / "program" / "soffice.exe" for b in bases if b]
    return [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
            Path("/opt/libreoffice/program/soffice")]


# --------------------------------------------------------------------------- what the bytes are


@dataclass(frozen=True)
class _Content:
    """What a file really is: `kind`, and for zips/OLE the suffix LibreOffice should see."""

    # docx xlsx ods odt zip-office word97 excel97 ole rtf html mht xml
    # encrypted pdf zip ppt image text empty unknown
    kind: str
    stage_suffix: str = ""
    target: str = ""  # set when the content decides between .docx and .xlsx; else the file's name does


def sniff_kind(path: Path) -> str:
    """What the bytes of `path` are ("docx", "word97", "rtf", "odt", "pdf", "html", "text", "unknown" …)."""
    return _sniff(Path(path)).kind


def _sniff(path: Path) -> _Content:
    """Classify by magic bytes and inner structure; never trusts the suffix."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head:
        return _Content("empty")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(path)
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(path)
    return _sniff_bytes(head)


def _sniff_bytes(head: bytes) -> _Content:
    """Text-like and other single-stream formats, from the first bytes."""
    if head.startswith(b"%PDF"):
        return _Content("pdf")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return _Content("image")
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return _Content("zip")
    text = _ascii_head(head)
    if text.startswith("{\\rtf"):
        return _Content("rtf", ".rtf", ".docx")
    if text.startswith("mime-version:") or (text.startswith("from:") and "multipart/related" in text[:4096]):
        return _Content("mht", ".html")
    if text.startswith(("<?xml", "<w:worddocument", "<workbook")):
        return _sniff_xml(text)
    if text.startswith(_HTML_STARTS):
        return _Content("html", ".html")
    if b"\x00" not in head[:4096] and _decodes(head):
        return _Content("text")
    return _Content("unknown")


_HTML_STARTS = ("<!doctype html", "<html", "<head", "<meta", "<table", "<body", "<style", "<title", "<!--")


def _ascii_head(head: bytes) -> str:
    """The start of a text file, lower-case, without BOM or leading blanks (UTF-16 folded to ASCII)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[:8192].decode("utf-16", "replace").encode("ascii", "replace")
    return head[:8192].lstrip(b"\xef\xbb\xbf").lstrip().decode("ascii", "replace").lower()


def _decodes(head: bytes) -> bool:
    sample = head[:4000]
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _sniff_xml(text: str) -> _Content:
    """XML: Word/Excel 2003 XML from web systems, XHTML, or what LibreOffice may know (UOF, flat ODF)."""
    if "<html" in text[:4096]:
        return _Content("html", ".html")
    if "word.document" in text or "office/word/2003/wordml" in text:
        return _Content("xml", ".xml", ".docx")
    if "excel.sheet" in text or "urn:schemas-microsoft-com:office:spreadsheet" in text:
        return _Content("xml", ".xml", ".xlsx")
    return _Content("xml")


def _sniff_zip(path: Path) -> _Content:
    """OOXML, OpenDocument (maybe encrypted), OFD, or an ordinary archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                types = _small_member(archive, "[Content_Types].xml")
                if b"wordprocessingml.document.main+xml" in types:
                    return _Content("docx")
                return _Content("zip-office", ".docm" if b"macroEnabled" in types else ".dotx", ".docx")
            if "xl/workbook.xml" in names:
                return _Content("xlsx")
            if "xl/workbook.bin" in names:
                return _Content("zip-office", ".xlsb", ".xlsx")
            if "mimetype" in names:
                return _sniff_odf(archive)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, KeyError, RuntimeError, NotImplementedError, EOFError):
        return _Content("unknown")
    return _Content("zip")


def _small_member(archive: zipfile.ZipFile, name: str, limit: int = 1 << 20) -> bytes:
    """A small zip member's bytes ("" when missing or oversized, so a zip bomb is never inflated)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    return archive.read(info) if info.file_size <= limit else b""


def _sniff_odf(archive: zipfile.ZipFile) -> _Content:
    mimetype = _small_member(archive, "mimetype").strip()
    if b"encryption-data" in _small_member(archive, "META-INF/manifest.xml"):
        return _Content("encrypted")
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return _Content("ods")
    if mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        return _Content("odt", ".ott" if mimetype.endswith(b"template") else ".odt", ".docx")
    if mimetype.startswith(b"application/vnd.oasis.opendocument.presentation"):
        return _Content("ppt")
    return _Content("zip")


def _sniff_ole(path: Path) -> _Content:
    """OLE2 compound files: Word 97 (also WPS .wps), Excel 97 (also WPS .et), encrypted OOXML, PowerPoint."""
    try:
        streams = _ole_stream_heads(path)
    except (OSError, struct.error, IndexError, ValueError):
        return _Content("unknown")  # a broken compound file: LibreOffice would import it as text
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        return _Content("encrypted")  # a password-protected .docx/.xlsx, whatever its name
    if "WordDocument" in streams:
        fib = streams["WordDocument"]
        encrypted = len(fib) > 11 and fib[11] & 0x01  # FibBase.fEncrypted
        return _Content("encrypted") if encrypted else _Content("word97", ".doc", ".docx")
    for name in ("Workbook", "Book"):
        if name in streams:
            return _Content("encrypted") if _biff_has_filepass(streams[name]) else _Content("excel97", ".xls")
    if "PowerPoint Document" in streams:
        return _Content("ppt")
    return _Content("ole")


def _biff_has_filepass(head: bytes) -> bool:
    """An encrypted BIFF workbook has a FILEPASS record (0x002F) right after its first BOF."""
    if len(head) < 8:
        return False
    _, size = struct.unpack_from("<HH", head, 0)
    if len(head) < 4 + size + 2:
        return False
    (record,) = struct.unpack_from("<H", head, 4 + size)
    return record == 0x002F


# --------------------------------------------------------------------------- a minimal OLE2 reader

_OLE_LAST_REGULAR = 0xFFFFFFFA
_OLE_WANTED = {"WordDocument", "Workbook", "Book", "EncryptedPackage", "EncryptionInfo",
               "PowerPoint Document"}


def _ole_stream_heads(path: Path) -> dict[str, bytes]:
    """Stream name → its first bytes, for the few streams that tell what an OLE2 file is.

    Enough of [MS-CFB] for that: FAT from the header DIFAT (+ DIFAT sectors), the directory
    chain, and the first sector of each wanted stream (mini stream for small ones).
    """
    with path.open("rb") as fh:
        header = fh.read(512)
        shift, mini_shift = struct.unpack_from("<HH", header, 0x1E)
        size, mini_size = 1 << shift, 1 << mini_shift
        if not 7 <= shift <= 16:
            raise ValueError("bad sector size")
        cutoff = struct.unpack_from("<I", header, 0x38)[0]

        def sector(n: int) -> bytes:
            fh.seek((n + 1) * size)
            return fh.read(size)

        fat = _ole_fat(header, sector, size)
        first_directory_sector = struct.unpack_from("<I", header, 0x30)[0]
        entries = _ole_directory(b"".join(sector(s) for s in _ole_chain(fat, first_directory_sector)))
        root_chain = _ole_chain(fat, entries[0][1]) if entries else []
        heads: dict[str, bytes] = {}
        for name, start, length in entries[1:]:
            if name not in _OLE_WANTED:
                continue
            if length >= cutoff:
                heads[name] = sector(start)[:length]
            else:  # in the mini stream, which lives in the root entry's chain
                offset = start * mini_size
                index, within = divmod(offset, size)
                data = sector(root_chain[index]) if index < len(root_chain) else b""
                heads[name] = data[within:within + min(mini_size, length)]
        return heads


def _ole_fat(header: bytes, sector: Callable[[int], bytes], size: int) -> list[int]:
    """The file allocation table: next-sector numbers for every sector."""
    per_sector = size // 4
    fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < _OLE_LAST_REGULAR]
    difat, count = struct.unpack_from("<II", header, 0x44)
    while difat < _OLE_LAST_REGULAR and count > 0:
        entries = struct.unpack(f"<{per_sector}I", sector(difat))
        fat_sectors += [s for s in entries[:-1] if s < _OLE_LAST_REGULAR]
        difat, count = entries[-1], count - 1
    fat: list[int] = []
    for s in fat_sectors:
        data = sector(s)
        fat += struct.unpack(f"<{len(data) // 4}I", data)
    return fat


def _ole_chain(fat: list[int], start: int) -> list[int]:
    """Sector numbers of a chain; stops on loops or broken links (a damaged file must not hang us)."""
    chain: list[int] = []
    while start < _OLE_LAST_REGULAR and start < len(fat) and len(chain) < len(fat):
        chain.append(start)
        start = fat[start]
    return chain


def _ole_directory(data: bytes) -> list[tuple[str, int, int]]:
    """(name, start sector, size) of each directory entry; entry 0 is the root (owner of the mini stream)."""
    entries = []
    for offset in range(0, len(data) - 127, 128):
        raw = data[offset:offset + 128]
        name_len = struct.unpack_from("<H", raw, 64)[0]
        kind = raw[66]
        if kind not in (1, 2, 5):
            continue
        name = raw[:max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
        start, length = struct.unpack_from("<II", raw, 116)
        entries.append((name, start, length))
    return entries


# --------------------------------------------------------------------------- planning one file


@dataclass
class _Plan:
    """How one file becomes readable: copied as `target`, or converted by LibreOffice from `stage_suffix`."""

    source: Path
    target: str  # suffix of the file handed back
    convert: bool
    stage_suffix: str = ""
    data: bytes | None = None  # rewritten bytes for the staged copy (HTML re-encoded), else the original
    infilter: str | None = None


def _plan(path: Path, wording: Wording) -> _Plan:
    """Decide from the content; raises InputError for what no converter can turn into a readable file."""
    if not path.is_file():
        raise InputError(path, "文件不存在（file not found）")
    content = _sniff(path)
    family = _target_family(path)
    kind = content.kind
    if kind in _ZIP_CONTENT:
        return _Plan(path, _ZIP_CONTENT[kind], convert=False)
    if kind == "excel97":
        if _calamine_reads(path):
            return _Plan(path, ".xls", convert=False)  # WPS .et is BIFF8: read as .xls, no converter
        return _Plan(path, ".xlsx", convert=True, stage_suffix=".xls")
    target = content.target or family
    if kind in ("word97", "odt", "rtf", "zip-office", "xml", "ole"):
        stage = content.stage_suffix or path.suffix.lower() or ".bin"
        return _Plan(path, target, convert=True, stage_suffix=stage)
    if kind in ("html", "mht"):
        data = _html_for_libreoffice(path, kind, wording)
        return _Plan(path, target, convert=True, stage_suffix=".html", data=data,
                     infilter=_HTML_IMPORT[target])
    raise _refusal(path, kind, family, wording)


def _refusal(path: Path, kind: str, family: str, wording: Wording) -> InputError:
    """The one line for content that no converter turns into a readable file."""
    if kind == "encrypted":
        return _encrypted(path, wording)
    if kind == "empty":
        return InputError(path, f"空文件（0 字节），{wording.empty}")
    what = {"pdf": " PDF 文件", "image": "图片", "zip": "压缩包", "ppt": "演示文稿",
            "text": "纯文本"}.get(kind)
    if what:
        return InputError(path, f"{kind_label(path)}，但内容实际是{what}，{wording.other_content}")
    return _damaged(path, family, wording)


def _damaged(path: Path, family: str, wording: Wording) -> InputError:
    return InputError(path, f"文件已损坏，或不是真正的{kind_label(path)}；{wording.save_as[family]}")


def _calamine_reads(path: Path) -> bool:
    """True when python-calamine opens this BIFF workbook (read-only), so it needs no converting."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            for index in range(len(workbook.sheet_names)):
                workbook.get_sheet_by_index(index).to_python()
        finally:
            workbook.close()
    except Exception:  # noqa: BLE001 - any calamine failure just means "let LibreOffice try"
        return False
    return True


_CHARSET_RE = re.compile(r"""(<meta[^>]*?charset\s*=\s*["']?)\s*[A-Za-z0-9_\-]+""", re.IGNORECASE)


def _html_for_libreoffice(path: Path, kind: str, wording: Wording) -> bytes:
    """The page as UTF-8 with a BOM and a matching charset: LibreOffice garbles undeclared GBK pages."""
    data = path.read_bytes()
    if kind == "mht":
        data = _mht_html(data)
        if data is None:
            raise _damaged(path, _target_family(path), wording)
    text = decode_html(data, path)
    text = _CHARSET_RE.sub(lambda m: m.group(1) + "utf-8", text)
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def _mht_html(data: bytes) -> bytes | None:
    """The HTML part of a single-file web page (.mht saved as .doc), which LibreOffice reads as plain text."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            charset = part.get_content_charset()
            if payload and charset and not re.search(rb"charset\s*=", payload[:_SNIFF_BYTES], re.IGNORECASE):
                payload = f'<meta charset="{charset}">'.encode("ascii", "replace") + payload
            return payload or None
    return None


# --------------------------------------------------------------------------- running LibreOffice


def _soffice_command(soffice: str, profile: Path, target: str, infilter: str | None, out_dir: Path,
                     sources: list[Path]) -> list[str]:
    command = [soffice, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"-env:UserInstallation={profile.as_uri()}"]
    if infilter:
        command.append(f"--infilter={infilter}")
    return command + ["--convert-to", _EXPORT[target], "--outdir", str(out_dir), *map(str, sources)]


def _start(command: list[str], log: Path) -> subprocess.Popen:
    """Start soffice in its own process group (POSIX session / Windows group) so a kill takes all of it."""
    with log.open("ab") as out:
        if os.name == "nt":
            flags = subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "CREATE_NO_WINDOW", 0)
            return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                    creationflags=flags)
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                start_new_session=True)


def _kill_group(proc: subprocess.Popen) -> None:
    """End soffice and everything it started (oosplash → soffice.bin); harmless when already gone."""
    if os.name == "nt":
        if proc.poll() is None:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
    else:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _run_soffice(command: list[str], out_dir: Path, log: Path, timeout: float) -> int | None:
    """Run one batch: its exit code, or None when killed after `timeout` seconds without progress.

    The clock restarts whenever a new output appears, so a batch of many files gets
    `timeout` per file, and one hanging file costs one timeout, not the whole batch's.
    soffice exits 0 also when it could not load a file (that file just has no output).
    """
    proc = _start(command, log)
    try:
        deadline, seen = time.monotonic() + timeout, 0
        while proc.poll() is None:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)
            produced = sum(1 for _ in out_dir.iterdir())
            if produced != seen:
                seen, deadline = produced, time.monotonic() + timeout
        return proc.returncode
    finally:
        _kill_group(proc)  # also sweeps up a straggling soffice.bin after a normal exit


def _remove_tree(folder: Path) -> None:
    """Remove a temporary folder; retried, as Windows keeps files locked for a moment after a kill."""
    for _ in range(10):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.2)


# --------------------------------------------------------------------------- putting results in work_dir


def _unique(path: Path) -> Path:
    """`path`, or "name (2).docx" … when taken: never overwrite (a liaison may send both .doc and .docx)."""
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        n += 1
    return candidate


def _deliver(plan: _Plan, produced: Path | None, work_dir: Path) -> Path:
    """The readable file in work_dir, named by the original's stem, with the original's modification time."""
    destination = _unique(work_dir / f"{plan.source.stem}{plan.target}")
    if produced is None:
        shutil.copyfile(plan.source, destination)
    else:
        shutil.move(str(produced), destination)
    stat = plan.source.stat()
    os.utime(destination, (stat.st_atime, stat.st_mtime))
    return destination


def _valid_output(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0 and zipfile.is_zipfile(path)


# --------------------------------------------------------------------------- the public entry points


def needs_conversion(path: Path) -> bool:
    """True for files the reader cannot read as named: CONVERTIBLE suffixes, and reader suffixes whose
    content is something else ("Excel" .xls that is HTML, a .docx that is an old .doc or has a password)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in CONVERTIBLE:
        return True
    native = {".docx": "docx", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "excel97", ".ods": "ods"}.get(suffix)
    if native is None:
        return False
    try:
        kind = _sniff(path).kind
    except OSError:
        return False
    return kind != native and kind not in ("unknown", "empty", "text")


def convert_for_reading(path: Path, work_dir: Path, *, wording: Wording, timeout: float = 120) -> Path:
    """Convert (or copy) one file into work_dir and return the file for the reader; raises InputError."""
    result = convert_all([Path(path)], work_dir, wording=wording, timeout=timeout)[Path(path)]
    if isinstance(result, InputError):
        raise result
    return result


def convert_all(paths: Iterable[Path], work_dir: Path, *, wording: Wording,
                timeout: float = 120) -> dict[Path, Path | InputError]:
    """Like convert_for_reading for many files, with one soffice start per kind of conversion, not per file.

    Returns each path → the readable file or the InputError to show; never raises for one bad file.
    """
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    results: dict[Path, Path | InputError] = {}
    batches: dict[tuple[str, str | None], list[_Plan]] = {}
    for path in map(Path, paths):
        try:
            plan = _plan(path, wording)
            if plan.convert:
                batches.setdefault((plan.target, plan.infilter), []).append(plan)
            else:
                results[path] = _deliver(plan, None, work_dir)
        except InputError as exc:
            results[path] = exc
        except (ValueError, LookupError, UnicodeError):  # odd bytes our sniffing did not expect
            results[path] = _damaged(path, _target_family(path), wording)
        except OSError:
            results[path] = InputError(path, "文件无法打开（可能已被移走、正被占用或无权限读取）")
    if batches:
        soffice = find_converter()
        for plans in batches.values():
            if soffice is None:
                results.update({p.source: _no_converter(p.source, p.target, wording) for p in plans})
            else:
                results.update(_convert_batch(soffice, plans, work_dir, timeout, wording))
    return results


def _convert_batch(soffice: str, plans: list[_Plan], work_dir: Path, timeout: float,
                   wording: Wording) -> dict[Path, Path | InputError]:
    """Convert plans of one target and import filter in one soffice run; files it missed are retried alone."""
    root = Path(tempfile.mkdtemp(prefix="ledgerdesk-convert-"))
    try:
        staged = _stage(plans, root / "in")
        out_dir = root / "out"
        out_dir.mkdir()
        target, infilter = plans[0].target, plans[0].infilter
        command = _soffice_command(soffice, root / "profile", target, infilter, out_dir, list(staged))
        exit_code = _run_soffice(command, out_dir, root / "soffice.log", timeout)
        results: dict[Path, Path | InputError] = {}
        missed: list[_Plan] = []
        for source_copy, plan in staged.items():
            produced = out_dir / f"{source_copy.stem}{target}"
            if _valid_output(produced):
                results[plan.source] = _deliver(plan, produced, work_dir)
            elif exit_code != 0 and len(plans) > 1:
                missed.append(plan)  # another file may have crashed or hung the batch: try this one alone
            elif exit_code is None:
                results[plan.source] = _timed_out(plan.source, target, timeout, wording)
            else:
                results[plan.source] = _failed(plan.source, target, wording)
    finally:
        _remove_tree(root)
    for plan in missed:
        results.update(_convert_batch(soffice, [plan], work_dir, timeout, wording))
    return results


def _stage(plans: list[_Plan], folder: Path) -> dict[Path, _Plan]:
    """Copies under plain ASCII names with the suffix LibreOffice should see; the originals stay untouched."""
    folder.mkdir(parents=True)
    staged: dict[Path, _Plan] = {}
    for index, plan in enumerate(plans, start=1):
        copy = folder / f"f{index:04d}{plan.stage_suffix}"
        if plan.data is not None:
            copy.write_bytes(plan.data)
        else:
            shutil.copyfile(plan.source, copy)
        staged[copy] = plan
    return staged
