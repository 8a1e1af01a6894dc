"""CSV exports for managers (being written)."""
