"""Seeded mutators over real inputs, and the worker that feeds the mutants to the readers.

Each reader (read_plan per plan format, read_return_file per return format) gets its seed
files and a number of cases; case n of a reader is always the same mutant (random.Random of
the reader's name and n), so a failure is reproduced by its id. The worker runs in a child
process with limited address space (see test_fuzz_readers.py) and writes one JSON line per
case: the outcome (parsed / refused / error) and the time, flushed before the next case
starts, so a crash still names the case that caused it.
"""

from __future__ import annotations

import io
import json
import random
import re
import sys
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

Mutator = Callable[[bytes, random.Random], bytes]
ODD_VALUES: list[object] = ["", "1e400", "-1", "NaN", "9" * 40, "9999-12-31T23:59:59-23:59", "0000-00-00", "[]", "{",
                            '{"a": [1, {"b": null}]}', "A0", "XFD1048576", "\x00", "\ufffd" * 10, None, 12.5, True,
                            -(2 ** 70), [1, 2], {"x": []}, "[" * 3000 + "]" * 3000]


# ------------------------------------------------------------------------------ bytes


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 2, 4, 8, 32])):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def insert_garbage(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.choice([1, 7, 100, 4000])) + data[at:]


def splice_self(data: bytes, rng: random.Random) -> bytes:
    """A stretch of the file copied over another place: structure-shaped damage."""
    a, b = sorted(rng.randrange(len(data)) for _ in range(2))
    at = rng.randrange(len(data))
    return data[:at] + data[a:b] + data[at + (b - a):]


BYTE_MUTATORS: list[Mutator] = [truncate, flip, flip, insert_garbage, splice_self]


# ------------------------------------------------------------------------------ text


def bad_bom(data: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"]) + data[
        rng.choice([0, 1, 3]):]


def nul_bytes(data: bytes, rng: random.Random) -> bytes:
    """NUL bytes at random places (a few, or one in three bytes: what UTF-16 read as bytes looks like)."""
    count = min(rng.choice([1, 50, len(data) // 3]), 200_000)
    cuts = sorted(rng.randrange(len(data) + 1) for _ in range(count))
    pieces, last = [], 0
    for cut in cuts:
        pieces.append(data[last:cut])
        last = cut
    pieces.append(data[last:])
    return b"\0".join(pieces)


def invalid_utf8(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]) + data[at:]


def many_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    line = lines[rng.randrange(len(lines))]
    return data + (line + b"\n") * rng.choice([1000, 20_000, 60_000])


def huge_line(data: bytes, rng: random.Random) -> bytes:
    at = data.find(b"\n", rng.randrange(len(data))) % max(1, len(data))
    return data[:at] + "政务公开".encode() * rng.choice([10_000, 100_000]) + data[at:]


def deep_tags(data: bytes, rng: random.Random) -> bytes:
    n = rng.choice([300, 3000, 30_000])
    tag = rng.choice([b"div", b"b", b"table", b"ul"])
    at = rng.randrange(len(data))
    return data[:at] + b"<" + tag + b">" * 1 + (b"<" + tag + b">") * n + data[at:]


TEXT_MUTATORS: list[Mutator] = [bad_bom, nul_bytes, invalid_utf8, many_lines, huge_line]
HTML_MUTATORS: list[Mutator] = [*TEXT_MUTATORS, deep_tags]


# ------------------------------------------------------------------------------ zip members


def _members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(i.filename, archive.read(i)) for i in archive.infolist()]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # a duplicated member is the point
        for name, body in members:
            archive.writestr(name, body)
    return out.getvalue()


def _xml_members(members: list[tuple[str, bytes]]) -> list[int]:
    return [i for i, (name, body) in enumerate(members) if name.endswith((".xml", ".rels")) or body[:1] == b"<"]


def delete_member(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    del members[rng.randrange(len(members))]
    return _zip(members)


def duplicate_member(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    members.insert(rng.randrange(len(members) + 1), members[rng.randrange(len(members))])
    return _zip(members)


def replace_member(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    i = rng.randrange(len(members))
    other = members[rng.randrange(len(members))][1]
    members[i] = (members[i][0], rng.choice([b"", rng.randbytes(500), other, b"<x/>"]))
    return _zip(members)


def _edit_xml(data: bytes, rng: random.Random, fn: Callable[[bytes, random.Random], bytes],
              name_re: str | None = None) -> bytes:
    members = _members(data)
    picks = [i for i in _xml_members(members) if name_re is None or re.search(name_re, members[i][0])]
    if not picks:
        return flip(data, rng)
    i = rng.choice(picks)
    members[i] = (members[i][0], fn(members[i][1], rng))
    return _zip(members)


def _unclosed(xml: bytes, rng: random.Random) -> bytes:
    closes = [m.start() for m in re.finditer(rb"</", xml)] or [len(xml) // 2]
    at = rng.choice(closes)
    return xml[:at] + xml[at:].replace(b">", b"", 1) if rng.random() < 0.5 else xml[:at] + b"<unclosed>" + xml[at:]


def _huge_attribute(xml: bytes, rng: random.Random) -> bytes:
    starts = [m.end() for m in re.finditer(rb"<[A-Za-z][\w:.-]*", xml)] or [0]
    at = rng.choice(starts)
    return xml[:at] + b' huge="' + b"x" * rng.choice([10_000, 2_000_000]) + b'"' + xml[at:]


def _deep_nesting(xml: bytes, rng: random.Random) -> bytes:
    n = rng.choice([200, 300, 5000])
    ends = [m.start() for m in re.finditer(rb"</", xml)] or [len(xml)]
    at = rng.choice(ends)
    return xml[:at] + b"<d>" * n + b"</d>" * n + xml[at:]


def _xml_flip(xml: bytes, rng: random.Random) -> bytes:
    return flip(xml, rng) if xml else xml


def _xml_truncate(xml: bytes, rng: random.Random) -> bytes:
    return truncate(xml, rng) if xml else xml


def _odd_numbers(xml: bytes, rng: random.Random) -> bytes:
    """Attribute values that are numbers or references, replaced by absurd ones."""
    spots = list(re.finditer(rb'(\s(?:r|ref|val|gridSpan|uniqueCount|count|ilvl|number-rows-repeated|'
                             rb'number-columns-repeated|sqref|s|t)=")([^"]*)"', xml))
    if not spots:
        return _xml_flip(xml, rng)
    m = rng.choice(spots)
    value = rng.choice([b"XFD1048576", b"Z1000000", b"A0", b"-1", b"abc", b"999999999999", b"1e400", b"",
                        b"AAAAAAAAAAAAA1", b"4294967296", b"1048576"])
    return xml[: m.start(2)] + value + xml[m.end(2):]


def xml_edit(data: bytes, rng: random.Random) -> bytes:
    fn = rng.choice([_unclosed, _huge_attribute, _deep_nesting, _xml_flip, _xml_truncate, _odd_numbers, _odd_numbers])
    return _edit_xml(data, rng, fn)


ZIP_MUTATORS: list[Mutator] = [delete_member, duplicate_member, replace_member, xml_edit, xml_edit, xml_edit]


def huge_cell_xlsx(data: bytes, rng: random.Random) -> bytes:
    text = "政务公开" * rng.choice([1000, 100_000])

    def fn(xml: bytes, _rng: random.Random) -> bytes:
        return xml.replace(b"</sheetData>", f'<row r="9"><c r="B9" t="inlineStr"><is><t>{text}</t></is></c></row>'
                           "</sheetData>".encode(), 1)
    return _edit_xml(data, rng, fn, r"worksheets/sheet1\.xml$")


def huge_paragraph_docx(data: bytes, rng: random.Random) -> bytes:
    text = "政务公开" * rng.choice([1000, 100_000])

    def fn(xml: bytes, _rng: random.Random) -> bytes:
        return xml.replace(b"<w:body>", f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode(), 1)
    return _edit_xml(data, rng, fn, r"word/document\.xml$")


# ------------------------------------------------------------------------------ hidden data of returns


def hidden_cells_xlsx(data: bytes, rng: random.Random) -> bytes:
    """Values of the hidden sheet (and shared strings) replaced by odd ones."""
    def fn(xml: bytes, rng: random.Random) -> bytes:
        spots = list(re.finditer(rb"(<(?:v|t)(?:\s[^>]*)?>)([^<]*)(</(?:v|t)>)", xml))
        for m in sorted(rng.sample(spots, min(len(spots), rng.choice([1, 3, 10]))), key=lambda m: -m.start()):
            value = str(rng.choice(ODD_VALUES)).replace("&", "&amp;").replace("<", "&lt;").encode()
            xml = xml[: m.start(2)] + value + xml[m.end(2):]
        return xml
    return _edit_xml(data, rng, fn, r"(worksheets/sheet[2-9]\.xml|sharedStrings\.xml)$")


def _odd_json(value: object, rng: random.Random, depth: int = 0) -> object:
    """The JSON with one value somewhere replaced by one of an odd type."""
    if isinstance(value, dict) and value and depth < 6 and rng.random() < 0.8:
        key = rng.choice(list(value))
        return {**value, key: _odd_json(value[key], rng, depth + 1)}
    if isinstance(value, list) and value and depth < 6 and rng.random() < 0.8:
        i = rng.randrange(len(value))
        return [*value[:i], _odd_json(value[i], rng, depth + 1), *value[i + 1:]]
    return rng.choice(ODD_VALUES)


def hidden_json_docx(data: bytes, rng: random.Random) -> bytes:
    from app.formats.returns.layout import DOCX_META_PREFIX

    def fn(xml: bytes, rng: random.Random) -> bytes:
        text = xml.decode("utf-8")
        start = text.find(DOCX_META_PREFIX)
        if start < 0:
            return xml
        start += len(DOCX_META_PREFIX)
        end = text.index("</w:t>", start)
        raw = text[start:end].replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        try:
            meta = json.loads(raw)
        except ValueError:
            return xml
        new = json.dumps(_odd_json(meta, rng), ensure_ascii=False)
        new = new.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return (text[:start] + new + text[end:]).encode("utf-8")
    return _edit_xml(data, rng, fn, r"word/document\.xml$")


def liaison_json(data: bytes, rng: random.Random) -> bytes:
    members = _members(data)
    for i, (name, body) in enumerate(members):
        if name == "liaison.json":
            new = json.dumps(_odd_json(json.loads(body), rng), ensure_ascii=False).encode()
            members[i] = (name, new)
    return _zip(members)


# ------------------------------------------------------------------------------ .xls


def xls_header_field(data: bytes, rng: random.Random) -> bytes:
    """One of the compound file's header fields (table lengths, chain starts) set to an odd value."""
    at = rng.choice([44, 48, 60, 62, 64, 68, 72, 76, 80])
    value = rng.choice([0, 1, 0xFFFFFFFE, 0xFFFFFFFF, 0x7FFFFFFF, 1 << 20, rng.randrange(1 << 32)])
    return data[:at] + value.to_bytes(4, "little") + data[at + 4:]


def xls_record(data: bytes, rng: random.Random) -> bytes:
    """A row, column or length in the BIFF records (past the 512-byte header) set to an odd value."""
    at = rng.randrange(512, len(data) - 4)
    value = rng.choice([0xFFFF, 0xFFFE, 0x8000, 0, 255, 256])
    return data[:at] + value.to_bytes(2, "little") + data[at + 2:]


XLS_MUTATORS: list[Mutator] = [xls_header_field, xls_record, xls_record]


# ------------------------------------------------------------------------------ the readers

READERS: dict[str, tuple[str, list[Mutator]]] = {
    "plan:txt": ("plan", BYTE_MUTATORS + TEXT_MUTATORS),
    "plan:html": ("plan", BYTE_MUTATORS + HTML_MUTATORS),
    "plan:csv": ("plan", BYTE_MUTATORS + TEXT_MUTATORS),
    "plan:docx": ("plan", BYTE_MUTATORS + ZIP_MUTATORS + [huge_paragraph_docx]),
    "plan:xlsx": ("plan", BYTE_MUTATORS + ZIP_MUTATORS + [huge_cell_xlsx]),
    "plan:ods": ("plan", BYTE_MUTATORS + ZIP_MUTATORS),
    "plan:xls": ("plan", BYTE_MUTATORS + XLS_MUTATORS),
    "return:xlsx": ("return", BYTE_MUTATORS + ZIP_MUTATORS + [hidden_cells_xlsx] * 3),
    "return:docx": ("return", BYTE_MUTATORS + ZIP_MUTATORS + [hidden_json_docx] * 3),
    "return:ldpkg": ("return", BYTE_MUTATORS + ZIP_MUTATORS + [liaison_json] * 4),
}


def mutant(reader: str, n: int, seeds: list[Path]) -> tuple[str, bytes, str]:
    """(seed file name, mutated bytes, mutator names) of case n of `reader`: the same every run."""
    rng = random.Random(f"{reader}:{n}")
    seed = seeds[n % len(seeds)]
    data = seed.read_bytes()
    names = []
    for _ in range(rng.choice([1, 1, 1, 2])):
        fn = rng.choice(READERS[reader][1])
        try:
            data = fn(data, rng) or data
        except Exception:  # noqa: BLE001 - an earlier mutation broke the zip: damage the bytes instead
            data = flip(data, rng)
            names.append("flip")
            continue
        names.append(fn.__name__)
    return seed.name, data, "+".join(names)


def _read(kind: str, path: Path, ledger: object | None = None) -> dict:
    """One mutant through its reader; a return sheet that reads is also merged (dry run) into
    `ledger`, so what the reader hands on is checked too."""
    from app.errors import InputError

    try:
        if kind == "plan":
            from app.formats.plan import read_plan

            return {"outcome": "parsed", "tasks": len(read_plan(path).tasks)}
        from app.formats.returns import read_return_file, saved_time

        saved_time(path)  # the merge asks this first, of every file; it must never raise
        rows = len(read_return_file(path).rows)
        if ledger is not None:
            from app.returns import merge_files

            merge_files(ledger, [path], dry_run=True)  # type: ignore[arg-type]
        return {"outcome": "parsed", "rows": rows}
    except InputError as exc:
        message = str(exc)
        good = message.startswith(f"{path.name}：") and "\n" not in message
        return {"outcome": "refused" if good else "bad-message", "message": message[:300]}
    except BaseException as exc:  # the fuzz is there to find these
        if isinstance(exc, KeyboardInterrupt):
            raise
        return {"outcome": "error", "type": f"{type(exc).__module__}.{type(exc).__name__}", "message": str(exc)[:300]}


def run(reader: str, seeds: list[Path], first: int, count: int, work: Path, results: Path,
        ledger: Path | None = None) -> None:
    """Cases first..first+count-1 of `reader`, one JSON line each in `results` (returns that read
    are merged, dry run, into a copy of `ledger`)."""
    kind = READERS[reader][0]
    suffix = "." + reader.split(":")[1]
    work.mkdir(parents=True, exist_ok=True)
    if kind == "return" and ledger is not None:
        from app.ledger import Ledger

        copy = work / "台账.ledger"
        copy.write_bytes(ledger.read_bytes())
        with Ledger.open(copy, readonly=True) as opened:
            _cases(reader, kind, suffix, seeds, first, count, work, results, opened)
        return
    _cases(reader, kind, suffix, seeds, first, count, work, results, None)


def _cases(reader: str, kind: str, suffix: str, seeds: list[Path], first: int, count: int, work: Path,
           results: Path, ledger: object | None) -> None:
    with results.open("a", encoding="utf-8") as out:
        for n in range(first, first + count):
            seed, data, how = mutant(reader, n, seeds)
            path = work / f"样本{n}{suffix}"
            path.write_bytes(data)
            out.write(json.dumps({"reader": reader, "case": n, "started": True}) + "\n")
            out.flush()
            start = time.perf_counter()
            record = _read(kind, path, ledger)
            record.update(reader=reader, case=n, seed=seed, mutators=how, seconds=round(time.perf_counter() - start, 3))
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            path.unlink()


def main(argv: list[str]) -> None:
    """python -m tests.hostile.fuzz JOBS.json RESULTS.jsonl ADDRESS_SPACE: run the listed jobs."""
    import resource

    jobs_file, results, limit = Path(argv[0]), Path(argv[1]), int(argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    for job in json.loads(jobs_file.read_text(encoding="utf-8")):
        run(job["reader"], [Path(p) for p in job["seeds"]], job["first"], job["count"], Path(job["work"]), results,
            Path(job["ledger"]) if job.get("ledger") else None)


if __name__ == "__main__":
    main(sys.argv[1:])
