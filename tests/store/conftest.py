"""The store tests' shared ledger: 25 made-up tasks with progress, open for writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import made_ledger


@pytest.fixture
def factory(tmp_path: Path):
    with made_ledger(tmp_path) as ledger:
        yield ledger
