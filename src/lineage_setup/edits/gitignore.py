"""Make a .gitignore name a file."""

from __future__ import annotations

from lineage_setup import textdoc


def names(text: str, entry: str) -> bool:
    wanted = {entry, f"/{entry}", f"**/{entry}"}
    return any(textdoc.strip_eol(line).rstrip() in wanted for line in textdoc.lines(text))


def covers(text: str, entry: str) -> bool:
    """A line names the file, or one of its folders (GE's own `uncommitted/`): for when git cannot be asked."""
    if names(text, entry):
        return True
    parts = entry.split("/")[:-1]
    folders = {"/".join(parts[: depth + 1]) for depth in range(len(parts))}
    wanted = {form for folder in folders for form in (folder, f"{folder}/", f"/{folder}", f"/{folder}/")}
    return any(textdoc.strip_eol(line).strip() in wanted for line in textdoc.lines(text))


def ensure(text: str, entry: str, comment: str, *, force: bool = False) -> str:
    """Append `entry` (after a comment line) unless a line already names it.

    force: append even so -- git said the file is not ignored (a later `!entry` may undo ours).
    """
    if names(text, entry) and not force:
        return text
    return textdoc.append_lines(text, [f"# {comment}", entry])


def remove(text: str, entry: str, comment: str) -> str | None:
    """Take out the two lines `ensure` added (`# comment`, then `entry`); None when they are not there as
    written (moved or edited by the user: theirs now)."""
    lines = textdoc.lines(text)
    for index in range(len(lines) - 1):
        if textdoc.strip_eol(lines[index]) == f"# {comment}" and textdoc.strip_eol(lines[index + 1]) == entry:
            rest = lines[:index] + lines[index + 2 :]
            if index + 2 == len(lines) and rest and not lines[index + 1].endswith("\n"):
                rest[-1] = textdoc.strip_eol(rest[-1])  # the file had no final newline: neither has the result
            return "".join(rest)
    return None
