"""Merge support: evidence file names on progress entries, and the conflict table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("progress") as batch:
        batch.add_column(sa.Column("evidence", sa.Text, nullable=False, server_default=""))
    op.create_table(
        "conflict",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(36), sa.ForeignKey("batch.id"), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("round", sa.String(100), nullable=False),
        sa.Column("base", sa.Text, nullable=True),
        sa.Column("ours", sa.Text, nullable=True),
        sa.Column("theirs", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("resolved_at", sa.DateTime, nullable=True),
        sa.Column("resolution", sa.String(16), nullable=False, server_default=""),
    )
    op.create_index("ix_conflict_batch_id", "conflict", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_conflict_batch_id", "conflict")
    op.drop_table("conflict")
    with op.batch_alter_table("progress") as batch:
        batch.drop_column("evidence")
