"""Qt item models over plain ledger records."""
