"""Java properties files (spark-defaults.conf): set keys and add items to list-valued keys.

Spark reads spark-defaults.conf with java.util.Properties (as UTF-8) and trims every value
(`Utils.getPropertiesFromFile`), so this module parses the same way: `#`/`!` comment lines,
a key ended by the first unescaped `=`, `:` or whitespace, backslash escapes, and a backslash at
the end of a line continuing the value on the next one. Lines we do not own keep their bytes;
a key we own that is listed twice is changed where it counts (the last occurrence wins in Java).

Files can be large (100,000 lines), so a text is parsed in one pass and only once: `apply` splices all
its changes in from one parse and works out the entries of its result from it, and the last texts
parsed are remembered, as a run reads the same file again (its checks, masking secrets in the diff).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from lineage_setup import textdoc
from lineage_setup.edits import EditError

_WS = " \t\f"
_KEY_RE = re.compile(r"[A-Za-z0-9._-]+")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|([\s\S]))")
# java.util.Properties.load, as Spark's Utils.getPropertiesFromFile reads the file: a key ends at the first
# unescaped `=`, `:` or whitespace; the separator is whitespace, one `=` or `:`, whitespace
_KEY = r"([^\\=: \t\f\r\n]*(?:\\[^\r\n]?[^\\=: \t\f\r\n]*)*)"
_SEPARATOR = r"[ \t\f]*(?:[=:][ \t\f]*)?"
_HEAD = re.compile(r"([ \t\f]*)" + _KEY + _SEPARATOR)  # of a logical line: indent (1), key (2)
# a line that starts an entry (not blank, not a comment): key (1), value to the end of the line (2)
_LINE = re.compile(r"^[ \t\f]*(?=[^#!\r\n \t\f])" + _KEY + _SEPARATOR + r"([^\r\n]*)", re.MULTILINE)
_TRIM = "".join(map(chr, range(0x21)))  # String.trim: every code point up to U+0020
_PARSED: dict[str, tuple[Entry, ...]] = {}  # the last texts parsed, with their entries
_PARSED_KEEP = 2  # a file before and after the edit


class ValueRejected(ValueError):
    """A value that cannot be written as one properties line (a newline, a control character)."""


@dataclass(frozen=True)
class Setting:
    """One key we want: set to `value`, or, with `list_sep`, `value` added as one item of a list.

    `replaces` (list keys only): existing items it matches are ours in another version, and are
    replaced by `value` instead of kept beside it (two listener jars on one classpath conflict).
    """

    key: str
    value: str
    list_sep: str | None = None
    replaces: re.Pattern[str] | None = None


class Entry(NamedTuple):
    """One key/value entry (a named tuple: a 100,000-line file makes as many, and a frozen dataclass
    costs three times as much to make)."""

    first: int  # index of the first physical line
    last: int  # index of the last physical line (continuations)
    key: str
    value: str  # unescaped and trimmed, as Spark sees it
    prefix: str  # the raw text before the value: indent, key and separator


def escape_value(value: str) -> str:
    """The value as properties text: backslashes doubled, a leading separator character escaped."""
    for ch in value:
        if ch in "\r\n":
            raise ValueRejected("a newline cannot be written in a properties value")
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            raise ValueRejected(f"the control character U+{ord(ch):04X} cannot be written in a properties value")
    text = value.replace("\\", "\\\\")
    if text[:1] in ("=", ":", " ", "\t", "\f"):
        text = "\\" + text  # would otherwise be read as (part of) the separator
    return text


def line(key: str, value: str) -> str:
    if not _KEY_RE.fullmatch(key):
        raise ValueRejected(f"{key!r} is not a plain properties key")
    return f"{key} {escape_value(value)}"


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw  # the common case: nothing to decode
    return _ESCAPE.sub(_decoded, raw)


def _decoded(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return chr(int(match.group(1), 16))
    ch = match.group(2)
    if ch == "u":  # not followed by four hex digits
        bad = match.string[match.start() : match.start() + 6]
        raise EditError(f"malformed \\u escape {bad!r} (Java would refuse the whole file)")
    return _ESCAPES.get(ch, ch)


def _ends_continued(text: str) -> bool:
    """An odd number of trailing backslashes joins the next line to this one."""
    return text.endswith("\\") and (len(text) - len(text.rstrip("\\"))) % 2 == 1


def _prefix(first_line: str, indent: int, raw_key: str, value_at: int) -> str:
    """Indent, key and separator as written, to keep them when the value is replaced."""
    room = len(first_line) - (1 if _ends_continued(first_line) else 0)
    if indent + value_at <= room:
        return first_line[: indent + value_at]
    return first_line[:indent] + raw_key + " "  # the value started on a continuation line


def _logical(text: str, start: int) -> tuple[str, list[str], int]:
    """From the line at offset `start`, continuation lines joined: the logical line (without line endings),
    the physical lines it spans (without line endings), and the offset after the last one."""
    bodies: list[str] = []
    at = start
    while True:
        end = text.find("\n", at)
        stop = len(text) if end < 0 else end + 1
        bodies.append(text[at:stop].rstrip("\r\n"))
        if not _ends_continued(bodies[-1]):
            break
        if stop >= len(text):
            raise EditError("the last line ends with a backslash, which would join our lines to its value")
        at = stop
    pieces = [body[:-1] for body in bodies[:-1]] + bodies[-1:]  # without the continuing backslash
    return pieces[0] + "".join(piece.lstrip(_WS) for piece in pieces[1:]), bodies, stop


def _continued(text: str, start: int, index: int) -> tuple[Entry, int]:
    """The entry starting at offset `start` (line `index`) that goes on over continuation lines,
    and the offset after it."""
    logical, bodies, stop = _logical(text, start)
    head = _HEAD.match(logical)
    assert head is not None  # every part of the pattern may be empty
    indent, raw_key = head.end(1), head.group(2)
    prefix = _prefix(bodies[0], indent, raw_key, head.end() - indent)
    value = _unescape(logical[head.end() :]).strip(_TRIM)
    return Entry(index, index + len(bodies) - 1, _unescape(raw_key), value, prefix), stop


def _escaped(text: str, head: re.Match[str], index: int) -> tuple[Entry, int]:
    """The entry on a line with a backslash (line `index`), and the offset after it."""
    start, end = head.span()
    if _ends_continued(text[start:end]):
        return _continued(text, start, index)
    key, value = head.group(1, 2)
    return Entry(index, index, _unescape(key), _unescape(value).strip(_TRIM), text[start : head.start(2)]), end


def _parse(text: str) -> list[Entry]:
    """Every entry, in file order, in one pass: a regular expression finds each line that starts an
    entry (not blank, not a comment); the few with a backslash are read by _escaped."""
    if "\r" in text and re.search(r"\r(?!\n)", text):
        raise EditError("it uses bare carriage returns as line endings")
    out: list[Entry] = []
    index = seen = resume = 0  # the line number of offset `seen`; the offset where the next entry may start
    for head in _LINE.finditer(text):
        start = head.start()
        if start < resume:
            continue  # a continuation line of the entry before
        index += text.count("\n", seen, start)
        seen = start
        key, value = head.group(1, 2)
        if "\\" in key or "\\" in value:
            entry, resume = _escaped(text, head, index)
            out.append(entry)
        else:  # the common case: nothing to decode, no continuation
            out.append(Entry(index, index, key, value.strip(_TRIM), text[start : head.start(2)]))
    return out


def _entries_of(text: str) -> tuple[Entry, ...]:
    """Parsed once per text: one run reads the same file several times (patch, checks, secret masking)."""
    found = _PARSED.get(text)
    if found is None:
        found = tuple(_parse(text))
        _remember(text, found)
    return found


def _remember(text: str, found: tuple[Entry, ...]) -> None:
    _PARSED.pop(text, None)
    while len(_PARSED) >= _PARSED_KEEP:
        del _PARSED[next(iter(_PARSED))]  # the oldest
    _PARSED[text] = found


def entries(text: str) -> list[Entry]:
    """Every key/value entry, in file order."""
    return list(_entries_of(text))


def get(text: str, key: str) -> str | None:
    """The value Spark would read for `key` (the last occurrence), or None."""
    return next((entry.value for entry in reversed(_entries_of(text)) if entry.key == key), None)


def _list_value(current: str, setting: Setting) -> str:
    sep = setting.list_sep or ","
    items = [item.strip() for item in current.split(sep) if item.strip()]
    ours = setting.replaces
    stale = {item for item in items if ours is not None and ours.search(item) and item != setting.value}
    if not stale:
        if setting.value in items:
            return current
        joiner = f"{sep} " if f"{sep} " in current else sep  # the user's own list style
        return f"{current.rstrip(sep + ' ')}{joiner}{setting.value}" if items else setting.value
    kept: list[str] = []
    for item in items:
        new = setting.value if item in stale else item
        if new not in kept:
            kept.append(new)
    return sep.join(kept)


def _wanted(current: str | None, setting: Setting) -> str:
    if current is None or setting.list_sep is None:
        return setting.value
    return _list_value(current, setting)


def _rewritten(entry: Entry, value: str, last_line: str) -> str:
    """The one physical line that replaces `entry`, with its prefix and the line ending of its last line."""
    eol = last_line[len(textdoc.strip_eol(last_line)) :]
    prefix = entry.prefix
    if not prefix.endswith((" ", "\t", "\f", "=", ":")):  # a key listed with no value, nor separator
        prefix += " "
    return prefix + escape_value(value) + eol


def _changes(found: Sequence[Entry], settings: Sequence[Setting]) -> tuple[dict[int, str], list[str]]:
    """From one parse: {position in `found`: new value} for keys listed already, and lines to append."""
    keys = {setting.key for setting in settings}
    last = {entry.key: (at, entry) for at, entry in enumerate(found) if entry.key in keys}  # Java keeps the last
    changes: dict[int, str] = {}
    new_lines: list[str] = []
    for setting in settings:
        if setting.key not in last:
            new_lines.append(line(setting.key, setting.value))
            continue
        at, entry = last[setting.key]
        wanted = _wanted(entry.value, setting)
        if wanted != entry.value:
            changes[at] = wanted
            last[setting.key] = at, entry._replace(value=wanted)  # a later setting of this key sees it
    return changes, new_lines


def _shifted(entries: Sequence[Entry], shift: int) -> list[Entry]:
    if not shift:
        return list(entries)
    return [entry._replace(first=entry.first - shift, last=entry.last - shift) for entry in entries]


def _spliced(text: str, found: Sequence[Entry], changes: dict[int, str]) -> tuple[str, list[Entry]]:
    """The text with the changed entries rewritten (one line each), and the entries of that text."""
    physical = textdoc.lines(text)
    out: list[Entry] = []
    shift = done = 0  # physical lines gone so far (a changed entry that had continuation lines has one now)
    for at in sorted(changes):
        entry = found[at]
        out += _shifted(found[done:at], shift)
        new = _rewritten(entry, changes[at], physical[entry.last])
        physical[entry.first : entry.last + 1] = [new] + [""] * (entry.last - entry.first)  # keeps indexes
        out.append(_parse(new)[0]._replace(first=entry.first - shift, last=entry.first - shift))
        shift, done = shift + entry.last - entry.first, at + 1
    return "".join(physical), out + _shifted(found[done:], shift)


def _appended(body: str, result: str) -> list[Entry]:
    """The entries of what append_lines added to `body`, numbered as lines of `result`."""
    offset = body.count("\n")  # a body without a final newline: the added text starts by ending its last line
    return [e._replace(first=e.first + offset, last=e.last + offset) for e in _parse(result[len(body) :])]


def apply(text: str, settings: Sequence[Setting], comment: str) -> str:
    """Make every setting true; keys not there yet are appended after one `# comment` line.

    The text is parsed once; the changed entries are spliced in one pass, and the result's entries are
    worked out from the same parse (for the reads that follow, see _entries_of). Idempotent: a second
    call with the same settings returns its input unchanged.
    """
    for setting in settings:
        line(setting.key, setting.value)  # reject what cannot be written before changing anything
    found = _entries_of(text)
    changes, new_lines = _changes(found, settings)
    if not changes and not new_lines:
        return text
    body, kept = _spliced(text, found, changes) if changes else (text, list(found))
    result = textdoc.append_lines(body, [f"# {comment}", *new_lines]) if new_lines else body
    _remember(result, (*kept, *_appended(body, result)))
    return result
