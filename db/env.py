"""Alembic environment: migrate the connection the app hands over, or a file given with -x ledger=PATH."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from app.store.orm import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    path = context.get_x_argument(as_dictionary=True).get("ledger")
    if not path:
        raise SystemExit("usage: alembic -c db/alembic.ini -x ledger=PATH upgrade head")
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
