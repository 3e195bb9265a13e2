"""Unit scores (考核) of a ledger: the inputs gathered, the arithmetic left to app/core/scores.py.

Who returned what and when comes from app/dispatch_status.py (the returns dashboard's 已交 /
逾期交 / 未交: a return counts from its merge), the entries returned for rework from the review
items of kind REVIEW_REWORK, the units' own deadlines from the extensions approved
(Ledger.unit_deadlines). The weights are the ledger setting "score_weights" (a JSON object of
some of the keys of core.scores.WEIGHT_KEYS; the others take the defaults), so they travel with
the file and their changes are logged and undoable like any edit. No Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from app.core.changes import Changes
from app.core.dispatch import REVIEW_REWORK, UNDONE
from app.core.records import Deadline, LedgerDocument
from app.core.scores import ReturnFact, ScoreTable, ScoreWeights, WeightError, compute_scores
from app.dispatch_status import dispatch_status
from app.errors import LedgerError
from app.ledger import Ledger

WEIGHTS_SETTING = "score_weights"


def read_weights(ledger: Ledger) -> ScoreWeights:
    """The ledger's weights (defaults where the setting leaves a key out); a damaged setting is refused."""
    try:
        return ScoreWeights.from_json(ledger.setting(WEIGHTS_SETTING))
    except WeightError as exc:
        raise LedgerError(f"台账中的考核权重设置有误：{exc}") from None


def current_weights(ledger: Ledger) -> ScoreWeights | None:
    """The ledger's weights, None when its setting is damaged (new weights then replace it)."""
    try:
        return read_weights(ledger)
    except LedgerError:
        return None


def weights_with(ledger: Ledger, changes: Mapping[str, object]) -> ScoreWeights:
    """The ledger's weights with `changes` (keys or Chinese labels → numbers) applied; checked, not saved
    (on the defaults when the setting is damaged)."""
    try:
        return (current_weights(ledger) or ScoreWeights()).replace_with(changes)
    except WeightError as exc:
        raise LedgerError(str(exc)) from None


def set_weights(ledger: Ledger, changes: Mapping[str, object], *, source: str = "typed") -> Changes:
    """Change some weights (e.g. {"按时报送": 8}) as one logged, undoable batch; all are checked
    before anything is written. The setting keeps every weight, so the file says what was used."""
    weights = weights_with(ledger, changes)
    if weights == current_weights(ledger):
        return Changes()
    return ledger.set_setting(WEIGHTS_SETTING, weights.to_json(), source=source)


def unit_deadlines(ledger: Ledger) -> dict[tuple[str, str], Deadline]:
    """(task id, unit) → the unit's own deadline, where an extension was approved."""
    return {key: granted.deadline for key, granted in ledger.unit_deadlines().items()}


def rework_returns(ledger: Ledger) -> list[tuple[str, str]]:
    """(unit, round) of every entry returned for rework (open or settled; not those undone)."""
    return [(item.unit, item.round) for item in ledger.reviews(open_only=False)
            if item.kind == REVIEW_REWORK and item.state != UNDONE]


def score_table(ledger: Ledger, *, as_of: date, round_name: str | None = None, doc: LedgerDocument | None = None,
                progress: Iterable | None = None, weights: ScoreWeights | None = None) -> ScoreTable:
    """The scores of the ledger's units on `as_of` (every round, or `round_name`).

    `doc` and `progress`: the records when the caller holds them already (the window passes its
    tasks and progress marks); else the whole ledger is read once."""
    doc = doc if doc is not None else ledger.document()
    if round_name is not None and round_name not in {r.name for r in doc.rounds}:
        names = "、".join(r.name for r in doc.rounds) or "无"
        raise LedgerError(f"报送轮次“{round_name}”不存在（台账中的轮次：{names}）")
    returns = [ReturnFact(s.unit, s.round, s.state, s.returned_at) for s in dispatch_status(ledger, round_name, doc=doc)]
    return compute_scores(doc, doc.progress if progress is None else progress, returns,
                          weights=weights or read_weights(ledger), as_of=as_of, unit_deadlines=unit_deadlines(ledger),
                          rework=rework_returns(ledger), round_name=round_name)
