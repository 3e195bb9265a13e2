"""Who filled in a progress entry (填报人).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("progress") as batch:
        batch.add_column(sa.Column("reporter", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("progress") as batch:
        batch.drop_column("reporter")
