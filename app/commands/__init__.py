"""One module per CLI command; each defines `register(subparsers)`.

cli.py discovers the modules here, so a new command is a new file and nothing else.
"""
