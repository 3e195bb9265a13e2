"""The scored ledger, built once per module (two rounds of sheets sent, filled and merged) and copied
for each test, so a test that changes the weights leaves the others the ledger as built."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tests.scores.scenario import Scenario, build


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Scenario:
    return build(tmp_path_factory.mktemp("scores"))


@pytest.fixture
def scenario(built: Scenario, tmp_path: Path) -> Scenario:
    path = tmp_path / built.path.name
    shutil.copy(built.path, path)
    return replace(built, path=path)
