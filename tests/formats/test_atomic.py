"""Outputs are written all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import InputError
from app.formats.atomic import atomic_output


def test_success_replaces_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"old")
    with atomic_output(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".xlsx" and tmp != target
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["台账.xlsx"]


def test_failure_keeps_the_old_file_and_removes_the_half_written_one(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(ValueError), atomic_output(target) as tmp:
        tmp.write_bytes(b"half")
        raise ValueError("writer failed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["台账.xlsx"]


def test_unwritable_target_is_one_message_naming_it(tmp_path: Path) -> None:
    target = tmp_path / "是文件夹.xlsx"
    target.mkdir()  # os.replace onto a folder fails like a locked file would
    with pytest.raises(InputError, match="是文件夹.xlsx：无法写入"), atomic_output(target) as tmp:
        tmp.write_bytes(b"x")
    assert target.is_dir() and list(tmp_path.iterdir()) == [target]
