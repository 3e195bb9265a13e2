"""A file's sha256, read in 1 MB chunks: how a returned file is recognised when it comes back twice,
and how an evidence file already in the folder is told from a different one of the same name."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
