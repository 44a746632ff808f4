"""Line edits of spark-defaults.conf that edits.properties does not make: a key renamed in place, entries
taken out, one entry's value rewritten. Every other line keeps its bytes; the file's final-newline state stays.

Entries come from properties.entries (java.util.Properties' reading, as Spark's), so a key is found as Spark
finds it; a key written with escapes (`spark.open\\lineage...`) is refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from lineage_setup import textdoc
from lineage_setup.edits import EditError, properties
from lineage_setup.edits.properties import Entry

_WS = " \t\f"


def _key_at(line: str, entry: Entry) -> int:
    """Where the entry's key starts on its first line; EditError when it is not written as it reads."""
    start = len(line) - len(line.lstrip(_WS))
    if not line.startswith(entry.key, start):
        raise EditError(f"the key {entry.key} is written with escapes")
    return start


def rename(text: str, renames: Mapping[str, str]) -> str:
    """Each entry whose key is in `renames` gets the new key, its separator, value and line ending kept."""
    if not renames:
        return text
    lines = textdoc.lines(text)
    for entry in properties.entries(text):
        new = renames.get(entry.key)
        if new is not None:
            line = lines[entry.first]
            at = _key_at(line, entry)
            lines[entry.first] = line[:at] + new + line[at + len(entry.key) :]
    return "".join(lines)


def drop(text: str, line_numbers: Iterable[int]) -> str:
    """The text without these physical lines; when the last line goes, the new last line ends as it did."""
    gone = set(line_numbers)
    if not gone:
        return text
    lines = textdoc.lines(text)
    kept = [line for at, line in enumerate(lines) if at not in gone]
    if kept and len(lines) - 1 in gone and not lines[-1].endswith("\n"):
        kept[-1] = textdoc.strip_eol(kept[-1])  # the file had no final newline: neither has the result
    return "".join(kept)


def drop_entries(text: str, entries: Iterable[Entry]) -> str:
    return drop(text, (at for entry in entries for at in range(entry.first, entry.last + 1)))


def drop_keys(text: str, unwanted: Callable[[str], bool]) -> str:
    """Every entry whose key `unwanted` names taken out."""
    return drop_entries(text, [entry for entry in properties.entries(text) if unwanted(entry.key)])


def rewrite(text: str, entry: Entry, value: str) -> str:
    """One entry's value replaced; the entry must be one line (a continued one would lose its layout)."""
    if entry.first != entry.last:
        raise EditError(f"{entry.key} goes on over several lines")
    lines = textdoc.lines(text)
    line = lines[entry.first]
    eol = line[len(textdoc.strip_eol(line)) :]
    lines[entry.first] = entry.prefix + properties.escape_value(value) + eol
    return "".join(lines)
