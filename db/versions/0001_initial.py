"""Initial ledger schema: metadata, headings, tasks, units, assignments, rounds, progress, change log.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_info",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("year", sa.Integer, nullable=True),
        sa.Column("office", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("modified_at", sa.DateTime, nullable=False),
        sa.Column("app_version", sa.String(32), nullable=False, server_default=""),
    )
    op.create_table(
        "heading",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("parent_id", sa.String(36), sa.ForeignKey("heading.id", ondelete="CASCADE"), nullable=True),
        sa.Column("number", sa.String(32), nullable=False, server_default=""),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("level", sa.Integer, nullable=False, server_default="1"),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "task",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("heading_id", sa.String(36), sa.ForeignKey("heading.id", ondelete="SET NULL"), nullable=True),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("seq", sa.String(32), nullable=False, server_default=""),
        sa.Column("key_work", sa.Text, nullable=False, server_default=""),
        sa.Column("content", sa.Text, nullable=False, server_default=""),
        sa.Column("metric", sa.Text, nullable=False, server_default=""),
        sa.Column("deadline_text", sa.Text, nullable=False, server_default=""),
        sa.Column("deadline_date", sa.Date, nullable=True),
        sa.Column("deadline_kind", sa.String(16), nullable=False, server_default="none"),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_task_position", "task", ["position"])
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False, server_default="department"),
        sa.Column("liaison", sa.Text, nullable=False, server_default=""),
        sa.Column("phone", sa.String(64), nullable=False, server_default=""),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "unit_alias",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), nullable=False),
        sa.Column("alias", sa.String(200), nullable=False, unique=True),
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task_id", sa.String(36), sa.ForeignKey("task.id", ondelete="CASCADE"), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("task_id", "unit_id", "role"),
    )
    op.create_index("ix_assignment_task_id", "assignment", ["task_id"])
    op.create_table(
        "round",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("due", sa.Date, nullable=True),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "progress",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task_id", sa.String(36), sa.ForeignKey("task.id", ondelete="CASCADE"), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("round_id", sa.Integer, sa.ForeignKey("round.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("done_date", sa.Date, nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=True),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("task_id", "unit_id", "round_id"),
    )
    op.create_index("ix_progress_task_id", "progress", ["task_id"])
    op.create_table(
        "batch",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
        sa.Column("file_hash", sa.String(64), nullable=True),
        sa.Column("unit", sa.String(200), nullable=True),
        sa.Column("round", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("undone_at", sa.DateTime, nullable=True),
        sa.Column("meta", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("ix_batch_file_hash", "batch", ["file_hash"])
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(36), sa.ForeignKey("batch.id"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("entity_key", sa.Text, nullable=False),
        sa.Column("field", sa.String(32), nullable=False, server_default=""),
        sa.Column("old", sa.Text, nullable=True),
        sa.Column("new", sa.Text, nullable=True),
    )
    op.create_index("ix_change_log_batch_id", "change_log", ["batch_id"])


def downgrade() -> None:
    for table in ("change_log", "batch", "progress", "round", "assignment", "unit_alias", "unit", "task", "heading",
                  "ledger_info"):
        op.drop_table(table)
