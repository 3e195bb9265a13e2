"""The signature a sent file carries, so the hidden data of a returned file can be trusted or not.

HMAC-SHA256 with a secret kept in the ledger (never in the file) over what identifies the
dispatch and what was sent: ledger id, dispatch id, unit, round, and per row the task id,
seq, the four values as sent and the hashes of the locked cells. A liaison who unprotects
the sheet (Calc and WPS allow it without a password, by design) and edits the hidden unit,
a sent value or a task id cannot make the signature fit again without the ledger's secret.
A file copied from another ledger fails too (another secret, another ledger id).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence

SIGNATURE_PREFIX = "hmac-sha256:"


def _canonical_columns(columns: object) -> str:
    if isinstance(columns, str):
        try:
            columns = json.loads(columns) if columns else {}
        except ValueError:
            return columns
    if not isinstance(columns, dict):
        return ""
    return json.dumps({str(k): str(v) for k, v in columns.items()}, ensure_ascii=False, sort_keys=True)


def payload(ledger_id: str, dispatch_id: str, unit: str, round_name: str,
            rows: Iterable[Sequence[object]]) -> bytes:
    """The signed bytes. `rows`: (task id, seq, status, text, done date, evidence, fingerprint, columns)."""
    body = [str(ledger_id), str(dispatch_id), str(unit), str(round_name),
            [[*(str(v) for v in row[:7]), _canonical_columns(row[7] if len(row) > 7 else "")] for row in rows]]
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(key: bytes, data: bytes) -> str:
    return SIGNATURE_PREFIX + hmac.new(key, data, hashlib.sha256).hexdigest()


def verify(key: bytes, data: bytes, signature: str | None) -> bool:
    """True only for the exact signature of `data` under `key` (compared in constant time)."""
    if not signature or not isinstance(signature, str):
        return False
    return hmac.compare_digest(sign(key, data), signature.strip())
