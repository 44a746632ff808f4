"""Pure, idempotent text -> text edits, one module per format."""

from __future__ import annotations


class EditError(Exception):
    """The text cannot be edited safely; the caller names the file and prints a snippet instead."""


def describe_yaml_error(exc: Exception) -> str:
    """What a YAML parser objected to and where, without the quoted source line: the files we edit may
    hold the key, and a snippet cut to fit would show part of it where redaction cannot recognise it."""
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if problem and mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return f"{problem or type(exc).__name__}"
