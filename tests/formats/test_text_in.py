"""Plain-text plans in every encoding a Chinese office saves: detected, never guessed wrong."""

from __future__ import annotations

import codecs
import random

import pytest

from app.errors import InputError
from app.formats.text_in import UNKNOWN_ENCODING, read_text


@pytest.mark.parametrize("key", ["000", "003"])
@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("gb18030", lambda t: t.encode("gb18030")),
        ("gbk", lambda t: t.encode("gbk", errors="strict")),
        ("utf-8-bom", lambda t: codecs.BOM_UTF8 + t.encode("utf-8")),
        ("utf-16le-bom", lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le")),
        ("utf-16be-bom", lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be")),
        ("utf-16le-nobom", lambda t: t.encode("utf-16-le")),
        ("utf-16be-nobom", lambda t: t.encode("utf-16-be")),
    ],
)
def test_seed_reencoded_reads_back_identical(tmp_path, seed_path, key, name, encode):
    original = seed_path(key).read_text(encoding="utf-8")
    data = encode(original)
    target = tmp_path / f"{key}_{name}.txt"
    target.write_bytes(data)
    assert read_text(target) == original


def test_crlf_and_cr_newlines_are_normalised(tmp_path):
    target = tmp_path / "win.txt"
    target.write_bytes("一、总体要求\r\n（一）公开\r二、任务\r\n".encode("gb18030"))
    assert read_text(target) == "一、总体要求\n（一）公开\n二、任务\n"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_bytes_are_refused_with_the_file_name(tmp_path, seed):
    target = tmp_path / "noise.txt"
    target.write_bytes(random.Random(seed).randbytes(4000))
    with pytest.raises(InputError) as info:
        read_text(target)
    assert str(info.value) == f"noise.txt：{UNKNOWN_ENCODING}"


def test_binary_file_renamed_txt_is_refused(tmp_path):
    target = tmp_path / "picture.txt"
    target.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    with pytest.raises(InputError):
        read_text(target)


def test_empty_file_is_empty_text(tmp_path):
    target = tmp_path / "empty.txt"
    target.write_bytes(b"")
    assert read_text(target) == ""
