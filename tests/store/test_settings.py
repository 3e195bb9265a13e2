"""Ledger settings live in the file: set, read back after reopening, logged, undone, refused when changed since."""

from __future__ import annotations

import pytest

from app.errors import LedgerError
from app.ledger import Ledger


def test_setting_round_trip_and_undo(tmp_path):
    path = tmp_path / "s.ledger"
    Ledger.create(path, title="t").close()
    with Ledger.open(path) as ledger:
        assert ledger.setting("score_weights") is None
        first = ledger.set_setting("score_weights", {"on_time": 10, "late": 5})
        assert first.meta
        second = ledger.set_setting("score_weights", {"on_time": 8, "late": 5})
    with Ledger.open(path) as ledger:  # kept in the file
        assert ledger.setting("score_weights") == {"on_time": 8, "late": 5}
        with pytest.raises(LedgerError, match="又被修改"):
            ledger.undo_batch(first.batch_id)  # the second set came after it
        ledger.undo_batch(second.batch_id)
        assert ledger.setting("score_weights") == {"on_time": 10, "late": 5}
        ledger.undo_batch(first.batch_id)
        assert ledger.setting("score_weights") is None


def test_same_value_logs_nothing_and_bad_key_refused(tmp_path):
    path = tmp_path / "s.ledger"
    Ledger.create(path, title="t").close()
    with Ledger.open(path) as ledger:
        ledger.set_setting("k", [1, 2])
        again = ledger.set_setting("k", [1, 2])
        assert not again.meta and ledger.changes_of_batch(again.batch_id) == []
        with pytest.raises(LedgerError, match="设置项名称"):
            ledger.set_setting("", 1)
        with pytest.raises(LedgerError):
            ledger.set_setting("x" * 65, 1)
