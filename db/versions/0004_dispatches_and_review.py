"""The ledger keeps what it sent (dispatch, dispatch_row), signs it (ledger_info.secret), and
keeps returned rows for the clerk's review (review_item).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_info") as batch:
        batch.add_column(sa.Column("secret", sa.String(64), nullable=False, server_default=""))
    op.execute(sa.text("UPDATE ledger_info SET secret = :key").bindparams(key=secrets.token_hex(32)))
    op.create_table(
        "dispatch",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("round", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False, server_default=""),
        sa.Column("fmt", sa.String(8), nullable=False, server_default=""),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_dispatch_unit", "dispatch", ["unit"])
    op.create_table(
        "dispatch_row",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dispatch_id", sa.String(36), sa.ForeignKey("dispatch.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.String(32), nullable=False, server_default=""),
        sa.Column("locked", sa.Text, nullable=False, server_default="{}"),
        sa.Column("base", sa.Text, nullable=False, server_default="{}"),
        sa.Column("fingerprint", sa.String(32), nullable=False, server_default=""),
        sa.Column("columns", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("ix_dispatch_row_dispatch_id", "dispatch_row", ["dispatch_id"])
    op.create_table(
        "review_item",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="open"),
        sa.Column("batch_id", sa.String(36), nullable=True),
        sa.Column("dispatch_id", sa.String(36), nullable=True),
        sa.Column("file", sa.Text, nullable=False, server_default=""),
        sa.Column("unit", sa.String(200), nullable=False, server_default=""),
        sa.Column("round", sa.String(100), nullable=False, server_default=""),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("row", sa.Integer, nullable=True),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("entry", sa.Text, nullable=True),
        sa.Column("base", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("resolved_at", sa.DateTime, nullable=True),
        sa.Column("resolution", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_review_item_state", "review_item", ["state"])
    op.create_index("ix_review_item_batch_id", "review_item", ["batch_id"])


def downgrade() -> None:
    op.drop_table("review_item")
    op.drop_table("dispatch_row")
    op.drop_table("dispatch")
    with op.batch_alter_table("ledger_info") as batch:
        batch.drop_column("secret")
