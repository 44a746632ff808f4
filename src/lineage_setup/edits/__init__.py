"""Pure, idempotent text -> text edits, one module per format."""

from __future__ import annotations


class EditError(Exception):
    """The text cannot be edited safely; the caller names the file and prints a snippet instead."""
