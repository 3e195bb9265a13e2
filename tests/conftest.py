"""Shared fixtures. Qt must run offscreen, set before any Qt import."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

SEEDS_DIR = Path(__file__).parent / "fixtures" / "seeds"
SEED_FILES = {
    "000": SEEDS_DIR / "000_0bb927241a205331.txt",
    "001": SEEDS_DIR / "001_1d52e4491bc8a49e.txt",
    "002": SEEDS_DIR / "002_b0d41140ee6b0426.txt",
    "003": SEEDS_DIR / "003_034e019e2b7995d9.txt",
    "004": SEEDS_DIR / "004_efd1b62e6b25da09.txt",
}


@pytest.fixture
def seed_path():
    """seed_path("000") -> Path of that seed document (copied byte for byte from shared/seeds)."""
    return lambda key: SEED_FILES[key]
