"""The window's picture of the open ledger, kept current from the facade's Changes.

Read once when the ledger opens (Ledger.snapshot's parts, without the 60,000 progress texts), then
after each operation only the tasks and progress entries its Changes name are read again; task
states and filter keys are recomputed for those tasks alone. The views read from here, never from
the ledger, so nothing of the window touches the ledger while a background job has it.

The filter keys (a fifth of a second for 10,000 tasks) are not needed for the first picture: the
empty filter reads none, so `keys` hands out a mapping that builds them only when a key is read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from app.core.changes import Changes
from app.core.deadlines_unit import task_state_with_units
from app.core.records import Heading, LedgerDocument, Task
from app.core.status import STATES
from app.ledger import Ledger
from app.ui.models.filter_keys import TaskKey, build_key


class Mark(NamedTuple):
    """One progress entry as the window keeps it: `text` is "…" when the entry has text (read on demand)."""

    task_id: str
    unit: str
    round: str
    status: str
    text: str
    updated_at: None = None  # one entry per task, unit and round: no tie for task_state to break


@dataclass
class Delta:
    """What a refresh changed in the picture, for the models and panes to follow."""

    tasks: set[str] = field(default_factory=set)  # changed in place (fields, state, progress)
    progress: set[str] = field(default_factory=set)  # tasks whose progress entries changed
    structure: bool = False  # tasks or headings added, removed or moved: the tree resyncs
    units: bool = False
    rounds: bool = False
    counts: bool = False  # conflicts / review items may have changed


class LedgerView:
    def __init__(self, *, as_of: date) -> None:
        self.as_of = as_of
        self.doc = LedgerDocument()  # headings, tasks, units, rounds; progress lives in `marks`
        self.tasks: dict[str, Task] = {}
        self.marks: dict[str, list[Mark]] = {}
        self.states: dict[str, str] = {}
        self._keys: dict[str, TaskKey] = {}
        self._keys_built = False
        self.open_counts: dict[str, int] = {"conflicts": 0, "reviews": 0}
        self._headings: dict[str, Heading] = {}
        self._position: dict[str, int] = {}

    # ----- reading ---------------------------------------------------------------------------
    def load(self, ledger: Ledger) -> None:
        """Everything, once (opening a ledger, or after a change of structure)."""
        doc = ledger.snapshot(progress=False)
        self.doc = doc
        self._headings = doc.heading_map()
        self.tasks = {t.id: t for t in doc.tasks}
        self._position = {t.id: i for i, t in enumerate(doc.tasks)}
        self.marks = _marks_by_task(ledger.progress_marks())
        self.states = {}
        self._keys, self._keys_built = {}, False
        rounds = self._round_names()
        for task in doc.tasks:
            self._restate(task, rounds)
        self.open_counts = ledger.open_counts()

    def apply(self, ledger: Ledger, changes: Changes) -> Delta:
        """Read again what `changes` names; a change of structure reloads (then the tree resyncs)."""
        delta = Delta(counts=changes.conflicts or changes.reviews or changes.structure)
        if changes.structure:
            self.load(ledger)
            delta.structure = delta.units = delta.rounds = True
            return delta
        if changes.units:
            self.doc.units = ledger.units()
            delta.units = True
        if changes.meta:
            self.doc.rounds = ledger.rounds()
            delta.rounds = True
            rounds = self._round_names()
            for task in self.doc.tasks:  # round order decides a unit's latest report
                self._restate(task, rounds)
            delta.tasks = set(self.tasks)
        touched_tasks = set(changes.tasks)
        progress_tasks = {key[0] for key in changes.progress}
        if touched_tasks:
            self.doc.unit_deadlines = ledger.unit_deadlines()  # an approved 延期 names its task
            for task in ledger.tasks(sorted(touched_tasks)):
                self._replace_task(task)
        if progress_tasks:
            marks: dict[str, list[Mark]] = {task_id: [] for task_id in progress_tasks}
            for mark in ledger.progress_marks(sorted(progress_tasks)):
                marks[mark[0]].append(Mark(*mark))
            self.marks.update(marks)
        rounds = self._round_names()
        for task_id in touched_tasks | progress_tasks:
            if task_id in self.tasks:
                self._restate(self.tasks[task_id], rounds)
                delta.tasks.add(task_id)
        delta.progress = progress_tasks & set(self.tasks)
        if delta.counts:
            self.open_counts = ledger.open_counts()
        return delta

    def _replace_task(self, task: Task) -> None:
        """A changed task in its place (a task added or moved comes with a change of structure)."""
        position = self._position.get(task.id)
        if position is None:
            return
        self.tasks[task.id] = task
        self.doc.tasks[position] = task

    def _round_names(self) -> list[str]:
        return [r.name for r in self.doc.rounds]

    def _restate(self, task: Task, rounds: list[str]) -> None:
        marks = self.marks.get(task.id, ())
        # a lead unit's approved 延期 counts, as in the overview, the exports and stats
        state = task_state_with_units(task, marks, self.doc.unit_deadlines, as_of=self.as_of,  # type: ignore[arg-type]
                                      rounds=rounds)
        self.states[task.id] = state
        if self._keys_built:
            self.keys[task.id] = build_key(task, state, marks)

    @property
    def keys(self) -> Mapping[str, TaskKey]:
        """The filter key of every task: built at the first idle moment after opening (`build_keys`), or
        when a filter first reads one (the empty filter at open reads none); then kept current."""
        return self._keys if self._keys_built else _KeysOnDemand(self)

    def build_keys(self) -> None:
        if self._keys_built:
            return
        self._keys = {t.id: build_key(t, self.states[t.id], self.marks.get(t.id, ())) for t in self.doc.tasks}
        self._keys_built = True

    # ----- asking ----------------------------------------------------------------------------
    def path_of(self, task: Task) -> list[str]:
        path: list[str] = []
        hid = task.heading_id
        while hid is not None and hid in self._headings:
            heading = self._headings[hid]
            path.append(heading.label)
            hid = heading.parent_id
        return list(reversed(path))

    def state_counts(self) -> dict[str, int]:
        counts = Counter(self.states.values())
        return {state: counts.get(state, 0) for state in STATES}


def _marks_by_task(rows: list[tuple]) -> dict[str, list[Mark]]:
    """(task_id, unit, round, status, text_mark) rows as Marks, by task: 60,000 of them at open, so
    each is made by tuple.__new__ (no Python-level __new__ call per row)."""
    make = tuple.__new__
    marks: defaultdict[str, list[Mark]] = defaultdict(list)
    for row in rows:
        marks[row[0]].append(make(Mark, row + (None,)))
    return dict(marks)


class _KeysOnDemand(Mapping):
    """`LedgerView.keys` before the keys are built: reading any key builds them all, once."""

    __slots__ = ("_view",)

    def __init__(self, view: LedgerView) -> None:
        self._view = view

    def _built(self) -> dict[str, TaskKey]:
        self._view.build_keys()
        return self._view._keys

    def __getitem__(self, task_id: str) -> TaskKey:
        return self._built()[task_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())

    def __contains__(self, task_id: object) -> bool:
        return task_id in self._built()

    def items(self):
        return self._built().items()
