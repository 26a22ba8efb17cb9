"""Revisions, oldest first: each file is one change to the store (see ../__init__.py)."""
