"""Field accuracy of the plan importer over the corpus in tests/fixtures/plans/.

Shared by the corpus test (tests/plans/test_corpus.py) and the bench
(bench/import_accuracy.py), so both measure the same thing:

* every corpus document is imported in every format it has a file for;
* its tasks are aligned with the expected tasks in order (a sequence alignment that
  maximises the similarity of "key work + content", so a lost, split or merged task
  shifts nothing after it); an expected task with no partner misses all its fields,
  and every task the importer invented (no expected partner) counts as that many
  misses too, so inventing tasks cannot raise the figure;
* scored fields: seq, path, key_work, lead_units, coop_units, deadline date, deadline
  kind; content is scored apart (it is long text: one stray character is a miss).
  Text is compared after width folding (NFKC), without whitespace and without
  trailing sentence punctuation; unit lists as sets (the order of names is no error);
* a refused file (InputError) misses every field of every expected task.

Accuracy = correct fields / (expected fields + fields of invented tasks).
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from app.errors import InputError
from app.formats.plan import read_plan  # the importer under test: change this line if it moves
from tests.golden_files import golden_view

CORPUS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
SCORED_FIELDS = ("seq", "path", "key_work", "lead_units", "coop_units", "deadline_date", "deadline_kind")
# Formats whose import needs an outside tool (a converter); kept out of the accuracy floor.
EXTERNAL_FORMATS = frozenset({"doc"})
MATCH_THRESHOLD = 0.4  # below this similarity two tasks are not the same task


# --- the corpus -------------------------------------------------------------------------------


@dataclass
class CorpusDoc:
    name: str
    expected: dict
    files: dict[str, Path]  # format → file


def expected_files(folder: Path = CORPUS_DIR) -> list[Path]:
    return sorted(folder.glob("*.expected.json"))


def corpus(folder: Path = CORPUS_DIR) -> list[CorpusDoc]:
    """The documents of a corpus folder (this corpus, or a held-out one given by its folder)."""
    docs = []
    for path in expected_files(folder):
        name = path.name[: -len(".expected.json")]
        expected = json.loads(path.read_text(encoding="utf-8"))
        files = {fmt: folder / f"{name}.{fmt}" for fmt in expected["formats"]}
        docs.append(CorpusDoc(name=name, expected=expected, files=files))
    return docs


# --- importing ----------------------------------------------------------------------------------


@dataclass
class Imported:
    view: dict | None  # golden_view of the document, None when refused
    error: str = ""  # the InputError line when refused
    crash: str = ""  # any other exception (a bug: the importer must refuse with InputError)
    seconds: float = 0.0


@cache
def import_file(path: Path) -> Imported:
    """read_plan on one file, once per process (the test and the bench read each file once)."""
    start = time.perf_counter()
    try:
        doc = read_plan(path)
    except InputError as exc:
        return Imported(None, error=str(exc), seconds=time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - reported, not hidden
        return Imported(None, crash=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - start)
    return Imported(golden_view(doc), seconds=time.perf_counter() - start)


# --- comparing ----------------------------------------------------------------------------------

_WS_RE = re.compile(r"\s+")
_TRAILING = "。．.；;，,：: "


def norm_text(text: str | None) -> str:
    s = unicodedata.normalize("NFKC", text or "")
    return _WS_RE.sub("", s).rstrip(_TRAILING)


def _units(names) -> frozenset[str]:
    return frozenset(norm_text(n) for n in (names or []))


def field_values(task: dict) -> dict:
    deadline = task.get("deadline") or {}
    return {
        "seq": norm_text(str(task.get("seq", ""))),
        "path": tuple(norm_text(p) for p in task.get("path") or []),
        "key_work": norm_text(task.get("key_work")),
        "lead_units": _units(task.get("lead_units")),
        "coop_units": _units(task.get("coop_units")),
        "deadline_date": deadline.get("date"),
        "deadline_kind": deadline.get("kind"),
    }


def shown(task: dict | None, name: str):
    """A field as a person reads it in the list of misses."""
    if task is None:
        return None
    if name == "deadline_date":
        return (task.get("deadline") or {}).get("date")
    if name == "deadline_kind":
        return (task.get("deadline") or {}).get("kind")
    return task.get(name)


def _similarity(a: dict, b: dict) -> float:
    """How alike two tasks read: their whole text, or key work and content taken apart (so a task
    whose content went missing still pairs by its key work), a little more when the seq agrees."""
    from rapidfuzz import fuzz

    kw_a, kw_b = norm_text(a.get("key_work")), norm_text(b.get("key_work"))
    ct_a, ct_b = norm_text(a.get("content")), norm_text(b.get("content"))
    whole = fuzz.ratio(kw_a + "|" + ct_a, kw_b + "|" + ct_b) / 100.0
    parts = (fuzz.ratio(kw_a, kw_b) + fuzz.ratio(ct_a, ct_b)) / 200.0 if kw_a and kw_b else 0.0
    bonus = 0.1 if str(a.get("seq")) == str(b.get("seq")) else 0.0
    return max(whole, parts) + bonus


def align(expected: list[dict], got: list[dict]) -> list[tuple[int | None, int | None]]:
    """Order-keeping alignment of expected and imported tasks maximising total similarity.

    Pairs below MATCH_THRESHOLD are not allowed; unpaired tasks appear as (i, None) or
    (None, j). Needleman–Wunsch with zero gap cost: a corpus plan has tens of tasks.
    """
    n, m = len(expected), len(got)
    sim = [[_similarity(e, g) for g in got] for e in expected]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            if sim[i][j] >= MATCH_THRESHOLD:
                options.append(sim[i][j] + best[i + 1][j + 1])
            best[i][j] = max(options)
    pairs: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= MATCH_THRESHOLD and abs(best[i][j] - (sim[i][j] + best[i + 1][j + 1])) < 1e-9:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif abs(best[i][j] - best[i + 1][j]) < 1e-9:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    pairs += [(k, None) for k in range(i, n)] + [(None, k) for k in range(j, m)]
    return pairs


# --- scores -------------------------------------------------------------------------------------


@dataclass
class Miss:
    document: str
    format: str
    task: str  # "seq 3 …" of the expected task, or of the invented one
    field: str
    expected: object
    got: object

    def to_json(self) -> dict:
        def plain(v):
            return list(v) if isinstance(v, (tuple, frozenset, set)) else v
        return {"document": self.document, "format": self.format, "task": self.task, "field": self.field,
                "expected": plain(self.expected), "got": plain(self.got)}


@dataclass
class FileScore:
    document: str
    format: str
    correct: int = 0
    total: int = 0
    content_correct: int = 0
    content_total: int = 0
    tasks_expected: int = 0
    tasks_got: int = 0
    tasks_missing: int = 0
    tasks_extra: int = 0
    refused: str = ""
    crash: str = ""
    title_ok: bool = False
    year_ok: bool = False
    seconds: float = 0.0
    per_field: Counter = field(default_factory=Counter)  # field → correct count
    misses: list[Miss] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0

    def to_json(self) -> dict:
        return {
            "document": self.document, "format": self.format, "accuracy": round(self.accuracy, 4),
            "correct": self.correct, "total": self.total,
            "content_correct": self.content_correct, "content_total": self.content_total,
            "tasks_expected": self.tasks_expected, "tasks_got": self.tasks_got,
            "tasks_missing": self.tasks_missing, "tasks_extra": self.tasks_extra,
            "refused": self.refused, "crash": self.crash, "title_ok": self.title_ok, "year_ok": self.year_ok,
            "seconds": round(self.seconds, 3),
        }


def _label(task: dict) -> str:
    text = task.get("content") or task.get("key_work") or ""
    return f"seq {task.get('seq')} “{text[:14]}”"


def score_file(doc: CorpusDoc, fmt: str) -> FileScore:
    expected = doc.expected
    want = expected["tasks"]
    score = FileScore(doc.name, fmt, tasks_expected=len(want))
    imported = import_file(doc.files[fmt])
    score.seconds = imported.seconds
    n_fields = len(SCORED_FIELDS)
    if imported.view is None:
        score.refused = imported.error
        score.crash = imported.crash
        score.total = n_fields * len(want)
        score.content_total = len(want)
        score.tasks_missing = len(want)
        why = imported.error or imported.crash
        for task in want:
            for name in SCORED_FIELDS:
                score.misses.append(Miss(doc.name, fmt, _label(task), name, shown(task, name), f"(refused: {why})"))
        return score
    got = imported.view["tasks"]
    score.tasks_got = len(got)
    score.title_ok = norm_text(imported.view["title"]) == norm_text(expected["title"])
    score.year_ok = imported.view["year"] == expected["year"]
    for i, j in align(want, got):
        if i is None:
            score.tasks_extra += 1
            score.total += n_fields
            score.misses.append(Miss(doc.name, fmt, _label(got[j]), "extra task", None, got[j].get("content")))
            continue
        score.total += n_fields
        score.content_total += 1
        if j is None:
            score.tasks_missing += 1
            score.misses.append(Miss(doc.name, fmt, _label(want[i]), "missing task", want[i].get("content"), None))
            continue
        w, g = field_values(want[i]), field_values(got[j])
        for name in SCORED_FIELDS:
            if w[name] == g[name]:
                score.correct += 1
                score.per_field[name] += 1
            else:
                score.misses.append(Miss(doc.name, fmt, _label(want[i]), name, shown(want[i], name),
                                         shown(got[j], name)))
        if norm_text(want[i].get("content")) == norm_text(got[j].get("content")):
            score.content_correct += 1
        else:
            score.misses.append(Miss(doc.name, fmt, _label(want[i]), "content", want[i].get("content"),
                                     got[j].get("content")))
    return score


@dataclass
class Report:
    files: list[FileScore]

    def _sum(self, scores, attr: str) -> int:
        return sum(getattr(s, attr) for s in scores)

    def accuracy(self, scores: list[FileScore] | None = None) -> float:
        scores = self.files if scores is None else scores
        total = self._sum(scores, "total")
        return self._sum(scores, "correct") / total if total else 1.0

    def content_accuracy(self, scores: list[FileScore] | None = None) -> float:
        scores = self.files if scores is None else scores
        total = self._sum(scores, "content_total")
        return self._sum(scores, "content_correct") / total if total else 1.0

    def by_document(self) -> dict[str, list[FileScore]]:
        out: dict[str, list[FileScore]] = {}
        for s in self.files:
            out.setdefault(s.document, []).append(s)
        return out

    def by_format(self) -> dict[str, list[FileScore]]:
        out: dict[str, list[FileScore]] = {}
        for s in self.files:
            out.setdefault(s.format, []).append(s)
        return out

    def field_accuracy(self) -> dict[str, float]:
        """Per scored field, over the expected tasks (refused and missing tasks count as misses)."""
        tasks = sum(s.tasks_expected for s in self.files)
        return {name: (sum(s.per_field[name] for s in self.files) / tasks if tasks else 1.0)
                for name in SCORED_FIELDS}

    def misses(self) -> list[Miss]:
        return [m for s in self.files for m in s.misses]

    def to_json(self) -> dict:
        docs = self.by_document()
        return {
            "overall": {
                "accuracy": round(self.accuracy(), 4),
                "content_accuracy": round(self.content_accuracy(), 4),
                "correct": self._sum(self.files, "correct"), "total": self._sum(self.files, "total"),
                "files": len(self.files), "documents": len(docs),
                "refused": sum(1 for s in self.files if s.refused or s.crash),
                "title_ok": sum(1 for s in self.files if s.title_ok),
                "year_ok": sum(1 for s in self.files if s.year_ok),
                "fields": {k: round(v, 4) for k, v in self.field_accuracy().items()},
            },
            "formats": {fmt: {"accuracy": round(self.accuracy(ss), 4), "files": len(ss)}
                        for fmt, ss in sorted(self.by_format().items())},
            "documents": {name: {"accuracy": round(self.accuracy(ss), 4),
                                 "content_accuracy": round(self.content_accuracy(ss), 4),
                                 "files": [s.to_json() for s in ss]}
                          for name, ss in docs.items()},
            "misses": [m.to_json() for m in self.misses()],
        }


def score_corpus(*, formats: set[str] | None = None, exclude: frozenset[str] = frozenset(),
                 names: list[str] | None = None, folder: Path = CORPUS_DIR) -> Report:
    """Score every (document, format) of the corpus in `folder`, optionally restricted."""
    scores = []
    for doc in corpus(folder):
        if names and not any(doc.name.startswith(n) for n in names):
            continue
        for fmt in doc.files:
            if (formats and fmt not in formats) or fmt in exclude:
                continue
            scores.append(score_file(doc, fmt))
    return Report(scores)
