"""One seed-000 ledger for the whole contract suite: built once through the CLI, copied by each test."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.contract.harness import export_json, ok, run, seed


@dataclass(frozen=True)
class Template:
    path: Path        # never handed to a command that writes: tests copy it first
    json: dict        # its `export --format json`
    json_bytes: bytes


@pytest.fixture(scope="session")
def seed000(tmp_path_factory) -> Template:
    folder = tmp_path_factory.mktemp("seed000")
    path = folder / "template.ledger"
    ok(run("import", seed("000"), "-o", path))
    data = export_json(path, folder / "template.json")
    return Template(path, data, (folder / "template.json").read_bytes())
