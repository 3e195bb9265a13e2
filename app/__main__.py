"""`python -m app` is the same as the `ledgerdesk` console script."""

from app.cli import main

raise SystemExit(main())
