"""Fixtures of the merge and package command tests: one seed-000 ledger per module, copied per test."""

from tests.merge_fixtures import ledger, template

__all__ = ["ledger", "template"]
