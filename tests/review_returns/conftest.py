"""One seed-000 ledger per module (copied per test), as in tests/commands."""

from tests.merge_fixtures import ledger, template

__all__ = ["ledger", "template"]
