"""Java properties files (spark-defaults.conf): set keys and add items to list-valued keys.

Spark reads spark-defaults.conf with java.util.Properties (as UTF-8) and trims every value
(`Utils.getPropertiesFromFile`), so this module parses the same way: `#`/`!` comment lines,
a key ended by the first unescaped `=`, `:` or whitespace, backslash escapes, and a backslash at
the end of a line continuing the value on the next one. Lines we do not own keep their bytes;
a key we own that is listed twice is changed where it counts (the last occurrence wins in Java).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lineage_setup import textdoc
from lineage_setup.edits import EditError

_WS = " \t\f"
_KEY_RE = re.compile(r"[A-Za-z0-9._-]+")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


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


@dataclass(frozen=True)
class Entry:
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
    out, i = [], 0
    while i < len(raw):
        ch = raw[i]
        if ch != "\\" or i + 1 >= len(raw):
            out.append(ch)
            i += 1
            continue
        nxt = raw[i + 1]
        if nxt == "u":
            digits = raw[i + 2 : i + 6]
            if not re.fullmatch(r"[0-9A-Fa-f]{4}", digits):
                raise EditError(f"malformed \\u escape {raw[i : i + 6]!r} (Java would refuse the whole file)")
            out.append(chr(int(digits, 16)))
            i += 6
            continue
        out.append(_ESCAPES.get(nxt, nxt))
        i += 2
    return "".join(out)


def _ends_continued(text: str) -> bool:
    """An odd number of trailing backslashes joins the next line to this one."""
    return (len(text) - len(text.rstrip("\\"))) % 2 == 1


def _split_key(logical: str) -> tuple[str, int]:
    """(raw key, index where the separator starts) of a logical line without its indent."""
    i = 0
    while i < len(logical):
        ch = logical[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "=:" or ch in _WS:
            break
        i += 1
    return logical[:i], min(i, len(logical))


def _value_start(logical: str, at: int) -> int:
    while at < len(logical) and logical[at] in _WS:
        at += 1
    if at < len(logical) and logical[at] in "=:":
        at += 1
        while at < len(logical) and logical[at] in _WS:
            at += 1
    return at


def _prefix(first_line: str, indent: int, raw_key: str, value_at: int) -> str:
    """Indent, key and separator as written, to keep them when the value is replaced."""
    room = len(first_line) - (1 if _ends_continued(first_line) else 0)
    if indent + value_at <= room:
        return first_line[: indent + value_at]
    return first_line[:indent] + raw_key + " "  # the value started on a continuation line


def _logical(physical: list[str], start: int) -> tuple[str, int]:
    """Join continuation lines: (logical text without line endings, index of the last physical line)."""
    text, index = textdoc.strip_eol(physical[start]), start
    while _ends_continued(text):
        if index + 1 >= len(physical):
            raise EditError("the last line ends with a backslash, which would join our lines to its value")
        index += 1
        text = text[:-1] + textdoc.strip_eol(physical[index]).lstrip(_WS)
    return text, index


def entries(text: str) -> list[Entry]:
    """Every key/value entry, in file order."""
    if re.search(r"\r(?!\n)", text):
        raise EditError("it uses bare carriage returns as line endings")
    physical = textdoc.lines(text)
    out, index = [], 0
    while index < len(physical):
        stripped = textdoc.strip_eol(physical[index]).lstrip(_WS)
        if not stripped or stripped[0] in "#!":
            index += 1
            continue
        logical, last = _logical(physical, index)
        indent = len(logical) - len(logical.lstrip(_WS))
        body = logical[indent:]
        raw_key, sep_at = _split_key(body)
        value_at = _value_start(body, sep_at)
        prefix = _prefix(textdoc.strip_eol(physical[index]), indent, raw_key, value_at)
        value = _unescape(body[value_at:]).strip(" \t\n\r\f\v")  # String.trim, as Spark does
        out.append(Entry(index, last, _unescape(raw_key), value, prefix))
        index = last + 1
    return out


def get(text: str, key: str) -> str | None:
    """The value Spark would read for `key` (the last occurrence), or None."""
    found = [entry for entry in entries(text) if entry.key == key]
    return found[-1].value if found else None


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


def _replace_entry(text: str, entry: Entry, value: str) -> str:
    physical = textdoc.lines(text)
    last = physical[entry.last]
    eol = last[len(textdoc.strip_eol(last)) :]
    prefix = entry.prefix
    if not prefix.endswith((" ", "\t", "\f", "=", ":")):  # a key listed with no value, nor separator
        prefix += " "
    physical[entry.first : entry.last + 1] = [prefix + escape_value(value) + eol]
    return "".join(physical)


def apply(text: str, settings: Sequence[Setting], comment: str) -> str:
    """Make every setting true; keys not there yet are appended after one `# comment` line.

    Idempotent: a second call with the same settings returns its input unchanged.
    """
    for setting in settings:
        line(setting.key, setting.value)  # reject what cannot be written before changing anything
    new_lines: list[str] = []
    for setting in settings:
        found = [entry for entry in entries(text) if entry.key == setting.key]
        if not found:
            new_lines.append(line(setting.key, setting.value))
            continue
        wanted = _wanted(found[-1].value, setting)
        if wanted != found[-1].value:
            text = _replace_entry(text, found[-1], wanted)
    if new_lines:
        text = textdoc.append_lines(text, [f"# {comment}", *new_lines])
    return text
