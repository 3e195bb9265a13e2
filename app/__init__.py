"""LedgerDesk (台账通): an offline editor for government task ledgers."""

__version__ = "0.1.0"
