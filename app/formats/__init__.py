"""File formats in and out; each reader/writer speaks core.records."""
