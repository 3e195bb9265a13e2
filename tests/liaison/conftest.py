"""One seed-000 ledger and its return sheets for the real-client tests; each test copies the ledger."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.contract.harness import export_json, ok, run, seed
from tests.liaison.helpers import Office, SentSheet, office_missing, read_sent_docx, read_sent_xlsx


@dataclass(frozen=True)
class World:
    ledger: Path  # the template, as the clerk left it after `sheets` (tests merge into copies)
    data: dict  # its export JSON
    round: str
    unit: str  # the department with the most tasks: the liaison under test
    other: str  # a second department (its tasks overlap the first one's)
    xlsx: SentSheet  # unit's sheet as sent
    docx: SentSheet
    other_xlsx: SentSheet
    other_docx: SentSheet


def _task_counts(data: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for t in data["tasks"]:
        for u in set(t["lead_units"]) | set(t["coop_units"]):
            counts[u] = counts.get(u, 0) + 1
    return counts


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> World:
    folder = tmp_path_factory.mktemp("liaison_world")
    ledger = folder / "template.ledger"
    ok(run("import", seed("000"), "-o", ledger))
    data = export_json(ledger, folder / "template.json")
    round_name = data["rounds"][0]["name"]
    kinds = {u["name"]: u.get("kind") for u in data["units"]}
    counts = _task_counts(data)
    departments = sorted((u for u in counts if kinds.get(u) == "department"), key=lambda u: (-counts[u], u))
    unit, other = departments[0], departments[1]
    assert counts[unit] >= 3
    sheets = {}
    for fmt in ("xlsx", "docx"):
        out = folder / fmt
        ok(
            run(
                "sheets",
                ledger,
                "-o",
                out,
                "--round",
                round_name,
                "--format",
                fmt,
                "--unit",
                unit,
                "--unit",
                other,
            )
        )
        for u in (unit, other):
            [path] = [p for p in out.iterdir() if p.name.startswith(u + "_") and p.suffix == "." + fmt]
            read = read_sent_xlsx if fmt == "xlsx" else read_sent_docx
            sheets[u, fmt] = read(path, u, round_name)
    return World(
        ledger,
        data,
        round_name,
        unit,
        other,
        sheets[unit, "xlsx"],
        sheets[unit, "docx"],
        sheets[other, "xlsx"],
        sheets[other, "docx"],
    )


@pytest.fixture(scope="session")
def office(tmp_path_factory) -> Office:
    """LibreOffice with a user profile of its own for this test run (created by the first script)."""
    reason = office_missing()
    if reason:
        pytest.skip(reason)
    return Office(tmp_path_factory.mktemp("lo") / "profile")


@pytest.fixture
def ledger(world, tmp_path) -> Path:
    path = tmp_path / "台账.ledger"
    shutil.copy(world.ledger, path)
    return path
