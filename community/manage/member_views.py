"""The member directory and member pages for managers (being written)."""
