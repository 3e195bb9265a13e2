"""Per-unit deadlines granted by an approved 延期 request (unit_deadline), and the ledger's own
settings (ledger_setting: key → JSON text, e.g. the weights of the unit scores).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_deadline",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("deadline_text", sa.Text, nullable=False, server_default=""),
        sa.Column("deadline_date", sa.Date, nullable=True),
        sa.Column("original_text", sa.Text, nullable=False, server_default=""),
        sa.Column("original_date", sa.Date, nullable=True),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("review_id", sa.Integer, nullable=True),
        sa.Column("approved_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("task_id", "unit"),
    )
    op.create_index("ix_unit_deadline_task_id", "unit_deadline", ["task_id"])
    op.create_table(
        "ledger_setting",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("ledger_setting")
    op.drop_index("ix_unit_deadline_task_id", table_name="unit_deadline")
    op.drop_table("unit_deadline")
