"""Pure-Python core: no Qt, no SQLAlchemy (enforced by tests/test_layering.py)."""
