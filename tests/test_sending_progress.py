"""make_sheets counts the sheets it writes, and a progress callback that raises (the window's
cancel) leaves no file, no dispatch and no new round."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.ledger import Ledger
from app.sending import make_sheets
from tests.merge_fixtures import make_ledger


class Stop(Exception):
    pass


def test_progress_counts_every_sheet_then_the_end(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    with Ledger.open(make_ledger(tmp_path)) as ledger:
        paths = make_sheets(ledger, tmp_path / "out", progress=lambda done, total: calls.append((done, total)))
    total = len(paths)
    assert total >= 3
    assert calls == [(n, total) for n in range(total + 1)]


def test_a_progress_that_raises_midway_leaves_no_file_dispatch_or_round(tmp_path: Path) -> None:
    ledger_path = make_ledger(tmp_path)
    out = tmp_path / "new" / "out"

    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            assert len(list(out.glob("*.xlsx"))) == 2  # two really written before the stop
            raise Stop

    with Ledger.open(ledger_path) as ledger:
        rounds_before = [r.name for r in ledger.document().rounds]
        with pytest.raises(Stop):
            make_sheets(ledger, out, add_round=True, round_name="第二次报送", progress=stop_after_two)
        assert ledger.dispatches() == []
        assert [r.name for r in ledger.document().rounds] == rounds_before
    assert not (tmp_path / "new").exists()  # the folders made for the sheets are gone too
