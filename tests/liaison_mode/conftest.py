"""A seed-000 ledger with round-one progress, and 县民政局's package for round two made by `make_package`.

Built once per module, copied per test: the ledger (which keeps the package's signed dispatch)
and the package go together, so each test may fill, finish, merge and tamper freely.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from app.core.records import Progress
from app.ledger import Ledger
from app.sending import make_package
from tests.merge_fixtures import UNIT, make_ledger

ROUND_1 = "第一次报送"
ROUND_2 = "第二次报送"
OTHER = "县司法局"
EARLIER_TEXT = "已部署政策推送，完成12条"


@dataclass
class Sent:
    """One test's ledger and the package it sent (县民政局, 第二次报送), and seq → task id."""

    ledger: Path
    package: Path
    ids: dict[str, str]
    folder: Path


def _seq_ids(ledger: Path) -> dict[str, str]:
    with Ledger.open(ledger, readonly=True) as led:
        return {t.seq: t.id for t in led.document().tasks}


@pytest.fixture(scope="module")
def sent_template(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("sent")
    ledger = make_ledger(folder)
    ids = _seq_ids(ledger)
    with Ledger.open(ledger) as led:
        led.apply_progress([
            Progress(ids["1"], UNIT, ROUND_1, status="进行中", text=EARLIER_TEXT, evidence="推送截图.png"),
            Progress(ids["2"], UNIT, ROUND_1, status="已完成", text="专栏已建成", done_date=date(2023, 8, 30)),
            Progress(ids["1"], OTHER, ROUND_1, status="未开始", text="另一单位的进展"),
        ])
        package = make_package(led, UNIT, folder, round_name=ROUND_2)
    return ledger, package


@pytest.fixture
def sent(sent_template, tmp_path) -> Sent:
    ledger, package = sent_template
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(ledger, tmp_path / ledger.name)
    shutil.copy(package, work / package.name)
    return Sent(tmp_path / ledger.name, work / package.name, _seq_ids(ledger), work)
