"""The Qt window: views, commands and background workers over the Ledger facade. Nothing else imports Qt."""
