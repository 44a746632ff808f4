"""Edit JSON by reading it and writing it back the way it was written: every byte we do not change stays.

A JSON file written by a program (`json.dumps(data, indent=2)` and the like) can be rewritten exactly:
`read` finds the `json.dumps` settings (indentation, separators, ASCII escapes, line ending, final
newline) that reproduce the text byte for byte, keeping the file's own key order; `write` dumps the
edited data with them. A file no such settings reproduce (hand-aligned, comments, `1e5`, a key set
twice) is refused, so an edit can only ever change what the caller changed: the original and the
result are read by one parser and written by one writer, which agree by construction.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import Any

from lineage_setup.edits import EditError

_INDENT = re.compile(r"\A[\[{]\r?\n([ \t]+)[\"\[{\]}0-9tfn-]")


@dataclass(frozen=True)
class Style:
    """The json.dumps settings that write a file as it is."""

    indent: str | None  # the indentation of one level, or None: all on one line
    item_separator: str
    key_separator: str
    ensure_ascii: bool
    eol: str  # "\n" or "\r\n" (between lines; also the final newline, if any)
    final_newline: bool


@dataclass(frozen=True)
class Doc:
    data: Any
    style: Style


def read(text: str) -> Doc:
    """The data and the style that writes it back unchanged; EditError when no style does."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except ValueError as exc:
        raise EditError(f"it is not valid JSON ({_why(exc)})") from None
    except RecursionError:
        raise EditError("it is nested too deeply to read") from None
    for style in _candidates(text):
        if write(data, style) == text:
            return Doc(data, style)
    raise EditError(
        "it is not laid out the way a program writes JSON (json.dumps: even indentation, one key per line "
        "or all on one line, no comments), so an edit could not keep the rest of it byte for byte"
    )


def write(data: Any, style: Style) -> str:
    """`data` as JSON in `style` (the keys in the order the data holds them)."""
    text = json.dumps(
        data,
        indent=style.indent,
        separators=(style.item_separator, style.key_separator),
        ensure_ascii=style.ensure_ascii,
        allow_nan=False,
    )
    if style.eol != "\n":
        text = text.replace("\n", style.eol)  # json.dumps escapes newlines inside strings: only line breaks change
    return text + (style.eol if style.final_newline else "")


def put(obj: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of `obj` with `key` set: in its place when present; else where it keeps the keys sorted when
    they are (as `json.dumps(sort_keys=True)` wrote them), else last."""
    if key in obj:
        return {name: (value if name == key else old) for name, old in obj.items()}
    keys = list(obj)
    at = bisect.bisect(keys, key) if keys == sorted(keys) else len(keys)
    items = list(obj.items())
    items.insert(at, (key, value))
    return dict(items)


def _candidates(text: str) -> list[Style]:
    eol = "\r\n" if "\r\n" in text else "\n"
    body = text[: -len(eol)] if text.endswith(eol) else text
    final = body != text
    found = _INDENT.match(text)
    layouts: list[tuple[str | None, str, str]] = []
    if found:
        layouts.append((found.group(1), ",", ": "))
    elif eol not in body:
        layouts += [(None, ", ", ": "), (None, ",", ":")]
    return [Style(indent, item, key, ascii, eol, final) for indent, item, key in layouts for ascii in (True, False)]


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object as a dict, refusing a key set twice (json.loads keeps the last; other readers differ)."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise EditError(f"it sets {key!r} twice in one object")
        data[key] = value
    return data


def _no_constant(name: str) -> Any:
    raise EditError(f"it holds {name}, which is not JSON")


def _why(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    return str(exc)
