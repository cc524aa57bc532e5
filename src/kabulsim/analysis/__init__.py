"""Analysis of run tables: outcome summaries and validation against the record."""
