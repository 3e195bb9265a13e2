"""SQLAlchemy models of a ledger file (typed declarative, portable SQL only).

Nothing here is SQLite-specific, so the same models can later live on a shared
PostgreSQL server. Ids of headings and tasks are UUID strings that survive every
edit, export and re-import; units and rounds are referred to by name in records.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class LedgerInfo(Base):
    """The one row of ledger metadata."""

    __tablename__ = "ledger_info"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    office: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    modified_at: Mapped[datetime] = mapped_column(DateTime)
    app_version: Mapped[str] = mapped_column(String(32), default="")
    secret: Mapped[str] = mapped_column(String(64), default="")  # hex key signing the files sent (dispatches)


class HeadingRow(Base):
    __tablename__ = "heading"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("heading.id", ondelete="CASCADE"), nullable=True)
    number: Mapped[str] = mapped_column(String(32), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)


class TaskRow(Base):
    __tablename__ = "task"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    heading_id: Mapped[str | None] = mapped_column(ForeignKey("heading.id", ondelete="SET NULL"), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)
    seq: Mapped[str] = mapped_column(String(32), default="")
    key_work: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    metric: Mapped[str] = mapped_column(Text, default="")
    deadline_text: Mapped[str] = mapped_column(Text, default="")
    deadline_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    deadline_kind: Mapped[str] = mapped_column(String(16), default="none")
    notes: Mapped[str] = mapped_column(Text, default="")
    assignments: Mapped[list[AssignmentRow]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="AssignmentRow.position"
    )


class UnitRow(Base):
    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="department")
    liaison: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    aliases: Mapped[list[UnitAliasRow]] = relationship(cascade="all, delete-orphan", order_by="UnitAliasRow.id")


class UnitAliasRow(Base):
    __tablename__ = "unit_alias"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(200), unique=True)


class AssignmentRow(Base):
    """Task × unit × role (lead or coop)."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("task_id", "unit_id", "role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer, default=0)
    task: Mapped[TaskRow] = relationship(back_populates="assignments")
    unit: Mapped[UnitRow] = relationship()


class RoundRow(Base):
    __tablename__ = "round"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ProgressRow(Base):
    """Task × unit × round → what the unit reported."""

    __tablename__ = "progress"
    __table_args__ = (UniqueConstraint("task_id", "unit_id", "round_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(32), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    done_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    source: Mapped[str] = mapped_column(Text, default="")
    reporter: Mapped[str] = mapped_column(Text, default="")


class BatchRow(Base):
    """One operation in the change log: an import, a merged file, an edit, an undo."""

    __tablename__ = "batch"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text, default="")
    file_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    unit: Mapped[str | None] = mapped_column(String(200), nullable=True)
    round: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    meta: Mapped[str] = mapped_column(Text, default="{}")


class ChangeRow(Base):
    """Append-only: one changed value (old → new, as JSON) within a batch."""

    __tablename__ = "change_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batch.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    entity: Mapped[str] = mapped_column(String(16))  # "progress", "task", "ledger", ...
    entity_key: Mapped[str] = mapped_column(Text)  # JSON key, e.g. [task_id, unit, round]
    field: Mapped[str] = mapped_column(String(32), default="")
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)


class ConflictRow(Base):
    """A progress entry changed differently in the ledger and in a returned sheet."""

    __tablename__ = "conflict"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batch.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    unit: Mapped[str] = mapped_column(String(200))
    round: Mapped[str] = mapped_column(String(100))
    base: Mapped[str | None] = mapped_column(Text, nullable=True)
    ours: Mapped[str | None] = mapped_column(Text, nullable=True)
    theirs: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resolution: Mapped[str] = mapped_column(String(16), default="")


class DispatchRecordRow(Base):
    """One file sent to one unit for one round (sheets, package): the merge's base comes from here."""

    __tablename__ = "dispatch"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit: Mapped[str] = mapped_column(String(200), index=True)
    round: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    file_name: Mapped[str] = mapped_column(Text, default="")
    fmt: Mapped[str] = mapped_column(String(8), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)  # order recorded: the latest send is the last


class DispatchLineRow(Base):
    """One task row as sent in a dispatch: locked cells and the values prefilled (JSON)."""

    __tablename__ = "dispatch_row"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dispatch_id: Mapped[str] = mapped_column(ForeignKey("dispatch.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    task_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[str] = mapped_column(String(32), default="")
    locked: Mapped[str] = mapped_column(Text, default="{}")
    base: Mapped[str] = mapped_column(Text, default="{}")
    fingerprint: Mapped[str] = mapped_column(String(32), default="")
    columns: Mapped[str] = mapped_column(Text, default="{}")


class ReviewRow(Base):
    """A returned row waiting for the clerk: an odd status, or a row held from an untrusted file."""

    __tablename__ = "review_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    batch_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    dispatch_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    file: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(200), default="")
    round: Mapped[str] = mapped_column(String(100), default="")
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    entry: Mapped[str | None] = mapped_column(Text, nullable=True)
    base: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resolution: Mapped[str] = mapped_column(Text, default="")


class UnitDeadlineRow(Base):
    """A unit's own deadline for a task, granted by an approved 延期 request (the task's stays as planned)."""

    __tablename__ = "unit_deadline"
    __table_args__ = (UniqueConstraint("task_id", "unit"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    unit: Mapped[str] = mapped_column(String(200))
    deadline_text: Mapped[str] = mapped_column(Text, default="")
    deadline_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    original_text: Mapped[str] = mapped_column(Text, default="")
    original_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    review_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved_at: Mapped[datetime] = mapped_column(DateTime)


class LedgerSettingRow(Base):
    """One setting kept in the ledger file itself (key → JSON text), so it travels with the ledger."""

    __tablename__ = "ledger_setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
