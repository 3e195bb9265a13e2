"""Where bundled resources live: beside the package, or inside a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def install_root() -> Path:
    """The folder holding resources/ and db/: the PyInstaller bundle, or the source tree."""
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) if bundle else Path(__file__).resolve().parents[1]


def resource_dir() -> Path:
    return install_root() / "resources"


def demo_dir() -> Path:
    return resource_dir() / "demo"
