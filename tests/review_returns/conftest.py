"""One seed-000 ledger per module (copied per test), as in tests/commands."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.merge_fixtures import make_ledger


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_ledger(tmp_path_factory.mktemp("template"))


@pytest.fixture
def ledger(template, tmp_path) -> Path:
    path = tmp_path / "台账.ldg"
    shutil.copy(template, path)
    return path
