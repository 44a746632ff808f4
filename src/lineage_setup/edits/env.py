""".env files: upsert our keys only; comments, blank lines, `export` prefixes and other keys stay.

Values are written in the one form python-dotenv, docker compose, bash `source` and the Astro CLI
read alike (see quoting.dotenv). A key of ours that appears twice is refused: readers disagree on
which one wins, and rewriting both would hide the problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lineage_setup import quoting, textdoc
from lineage_setup.edits import EditError

_BINDING = re.compile(r"(?P<lead>\s*(?:export\s+)?)(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(?P<rest>.*)")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "'": "'", "\\": "\\"}


@dataclass(frozen=True)
class Binding:
    key: str
    value: str  # as readers see it (quotes removed)
    lead: str  # leading whitespace and `export ` as written
    first: int  # physical line index
    last: int  # last physical line (a quoted value may span lines)
    comment: str = ""  # an inline `# ...` after the value, as written


def _quoted(rest: str, lines: list[str], index: int) -> tuple[str, int, str] | None:
    """The value of a quoted binding, its last line and any inline comment; None if the quote never closes."""
    quote, body, line = rest[0], rest[1:], index
    while True:
        end = _closing(body, quote)
        if end >= 0:
            raw, after = body[:end], body[end + 1 :]
            value = _unescape(raw) if quote == '"' else raw.replace("\\'", "'")
            return value, line, after.strip() if re.fullmatch(r"\s+#.*", after) else ""
        line += 1
        if line >= len(lines):
            return None
        body += "\n" + textdoc.strip_eol(lines[line])


def _closing(body: str, quote: str) -> int:
    escaped = False
    for position, ch in enumerate(body):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == quote:
            return position
    return -1


def _unescape(raw: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), raw)


def _unquoted(rest: str) -> tuple[str, str]:
    comment = re.search(r"\s#", rest)
    if comment is None:
        return rest.strip(), ""
    return rest[: comment.start()].strip(), rest[comment.start() :].strip()


def parse(text: str) -> list[Binding]:
    lines = textdoc.lines(text)
    bindings, index = [], 0
    while index < len(lines):
        match = _BINDING.fullmatch(textdoc.strip_eol(lines[index]))
        if match is None:  # comments, blank lines, anything else: not ours to read
            index += 1
            continue
        rest = match.group("rest")
        quoted = _quoted(rest, lines, index) if rest[:1] in ("'", '"') else None
        if quoted is None:
            (value, comment), last = _unquoted(rest), index
        else:
            value, last, comment = quoted
        bindings.append(Binding(match.group("key"), value, match.group("lead"), index, last, comment))
        index = last + 1
    return bindings


def _rebound(binding: Binding, key: str, value: str, eol: str) -> list[str]:
    """The binding with its new value; an inline comment moves to its own line above it, because the
    Astro CLI's --load reads an inline comment as part of the value."""
    indent = binding.lead[: len(binding.lead) - len(binding.lead.lstrip())]
    above = [indent + binding.comment + eol] if binding.comment else []
    return [*above, binding.lead + quoting.dotenv_line(key, value) + eol]


def duplicates(text: str, keys: set[str]) -> dict[str, list[int]]:
    """Our keys bound more than once, with their 1-based line numbers."""
    seen: dict[str, list[int]] = {}
    for binding in parse(text):
        if binding.key in keys:
            seen.setdefault(binding.key, []).append(binding.first + 1)
    return {key: numbers for key, numbers in seen.items() if len(numbers) > 1}


def upsert(text: str, values: Mapping[str, str], header: str = "") -> str:
    """Set each key to its value: in place where bound, appended (after `# header`) where not."""
    clashes = duplicates(text, set(values))
    if clashes:
        where = "; ".join(f"{key} on lines {' and '.join(map(str, lines))}" for key, lines in clashes.items())
        raise EditError(f"it sets {where}; readers disagree on which wins, so remove all but one")
    lines = textdoc.lines(text)
    bound = {binding.key: binding for binding in parse(text)}
    missing = []
    for key, value in values.items():
        binding = bound.get(key)
        if binding is None:
            missing.append(quoting.dotenv_line(key, value))
        elif binding.value != value:
            last = lines[binding.last]
            eol = last[len(textdoc.strip_eol(last)) :]
            lines[binding.first : binding.last + 1] = _rebound(binding, key, value, eol)
            bound = {b.key: b for b in parse("".join(lines))}  # line numbers moved
    result = "".join(lines)
    if missing and header and f"# {header}" not in (textdoc.strip_eol(line) for line in lines):
        missing.insert(0, f"# {header}")
    return textdoc.append_lines(result, missing)
