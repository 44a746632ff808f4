""".env files: upsert our keys only; comments, blank lines, `export` prefixes and other keys stay.

Values are written in the one form python-dotenv, docker compose, bash `source` and the Astro CLI
read alike (see quoting.dotenv). A key of ours that appears twice is refused: readers disagree on
which one wins, and rewriting both would hide the problem.

Readers also disagree on a quote that never closes: python-dotenv skips that line and reads on
(dotenv/parser.py, `parse_binding`), docker compose refuses the whole file ("unterminated quoted
value", compose-go dotenv/parser.go, `extractVarValue`), and bash `source` reads the rest of the file
into that value. bash also joins a line ending in a backslash to the next one. So when such a line
comes before a line of ours (bound already, or to be appended), `upsert` refuses, naming the line to
fix. The text is parsed once per `upsert`, and a quoted value is scanned once, wherever it ends.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from lineage_setup import quoting, textdoc
from lineage_setup.edits import EditError

_BINDING = re.compile(r"(?P<lead>\s*(?:export\s+)?)(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(?P<rest>.*)")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "'": "'", "\\": "\\"}
_SHELL_SPECIAL = re.compile(r"[\\'\"#]")
_SHELL_WORD_BREAK = " \t\n;&|()<>"  # a `#` after one of these (or at the start) starts a comment
_OWN_LINES = "bash `source` reads the lines in between as lines of their own"


@dataclass(frozen=True)
class Binding:
    key: str
    value: str  # as readers see it (quotes removed)
    lead: str  # leading whitespace and `export ` as written
    first: int  # physical line index
    last: int  # last physical line (a quoted value may span lines)
    comment: str = ""  # an inline `# ...` after the value, as written


@dataclass(frozen=True)
class _Hazard:
    """Lines `start` to `stop` (exclusive; None: to the end and past it) that some reader takes as part
    of an earlier line, so that it reads a line of ours there differently from the others."""

    start: int
    stop: int | None
    problem: str  # what is wrong, naming the (1-based) line to fix
    readers: str  # what readers make of it
    fix: str
    quoted: bool = True  # inside a quote (bash runs none of it), or a line joined to the one before

    def covers(self, index: int) -> bool:
        return self.start <= index and (self.stop is None or index < self.stop)


class _Text:
    """The text with its lines and where each starts, to scan quoted values across lines in one pass."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = textdoc.lines(text)
        self.starts = list(itertools.accumulate(map(len, self.lines), initial=0))

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1


@dataclass(frozen=True)
class _Parsed:
    doc: _Text
    bindings: list[Binding]
    open_quote: _Hazard | None  # from the first quoted value python-dotenv finds never closed


def _closing(text: str, quote: str, start: int) -> int:
    """Offset of the first `quote` at or after `start` that no backslash escapes; -1 if none.

    Linear in what it passes over: each backslash is found once, and the next quote is looked for
    again only once it has been passed."""
    end = text.find(quote, start)
    while end >= 0:
        slash = text.find("\\", start, end)
        if slash < 0:
            return end
        start = slash + 2  # the escaped character is skipped
        if start > end:
            end = text.find(quote, start)
    return -1


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), raw)


def _quoted(doc: _Text, opening: int) -> tuple[str, int, str] | None:
    """The value of a quoted binding (its quote at offset `opening`), its last line and any inline comment;
    None if the quote never closes."""
    quote = doc.text[opening]
    end = _closing(doc.text, quote, opening + 1)
    if end < 0:
        return None
    raw = doc.text[opening + 1 : end]
    if "\n" in raw:  # a value over several lines: each line's ending read as one newline
        pieces = raw.split("\n")
        raw = "\n".join([textdoc.strip_eol(piece) for piece in pieces[:-1]] + pieces[-1:])
    value = _unescape(raw) if quote == '"' else raw.replace("\\'", "'")
    last = doc.line_of(end)
    after = textdoc.strip_eol(doc.text[end + 1 : doc.starts[last + 1]])
    return value, last, after.strip() if re.fullmatch(r"\s+#.*", after) else ""


def _unquoted(rest: str) -> tuple[str, str]:
    comment = re.search(r"\s#", rest)
    if comment is None:
        return rest.strip(), ""
    return rest[: comment.start()].strip(), rest[comment.start() :].strip()


def _parse(text: str) -> _Parsed:
    """Every binding in one pass: a quoted value is scanned once from its opening quote, wherever it ends."""
    doc = _Text(text)
    bindings: list[Binding] = []
    open_quote: _Hazard | None = None
    index = 0
    while index < len(doc.lines):
        match = _BINDING.fullmatch(textdoc.strip_eol(doc.lines[index]))
        if match is None:  # comments, blank lines, anything else: not ours to read
            index += 1
            continue
        rest = match.group("rest")
        quoted = _quoted(doc, doc.starts[index] + match.start("rest")) if rest[:1] in ("'", '"') else None
        if quoted is None:
            if rest[:1] in ("'", '"') and open_quote is None:
                open_quote = _unclosed(index, rest[0], "python-dotenv skips that line, docker compose refuses the file")
            (value, comment), last = _unquoted(rest), index
        else:
            value, last, comment = quoted
        bindings.append(Binding(match.group("key"), value, match.group("lead"), index, last, comment))
        index = last + 1
    return _Parsed(doc, bindings, open_quote)


def parse(text: str) -> list[Binding]:
    return _parse(text).bindings


def _unclosed(index: int, quote: str, readers: str) -> _Hazard:
    return _Hazard(index, None, f"line {index + 1} opens a {quote} quote that is never closed", readers, "close it")


def _shell_hazards(doc: _Text) -> list[_Hazard]:
    """How bash `source` joins lines: a backslash at the end of a line (outside quotes and comments) joins
    the next one, and a quote takes in every line up to the one that closes it (the rest of the file if
    none does). Quotes as bash reads them: `'...'` without escapes, `"..."` and `$'...'` with backslash
    escapes; a `#` that starts a word starts a comment. One pass, from one special character to the next.
    """
    text, at, escaped_to, found = doc.text, 0, -1, []
    joins: dict[int, int] = {}  # where a backslash-newline ends -> where it starts: bash removes both
    while (special := _SHELL_SPECIAL.search(text, at)) is not None:
        ch, pos = special.group(), special.start()
        if ch == "\\":
            if text[pos + 1 : pos + 2] in ("\n", ""):  # at the end of the text: before what we append
                joins[pos + 2] = pos
                found.append(_joined(doc.line_of(pos)))
            at = escaped_to = pos + 2
        elif ch == "#":
            at = text.find("\n", pos) + 1 if _starts_word(text, pos, joins) else pos + 1
            if at == 0:
                break  # a comment to the end of the text
        else:
            ansi_c = text[pos - 1 : pos] == "$" and escaped_to != pos  # $'...' has backslash escapes
            end = _closing(text, ch, pos + 1) if ch == '"' or ansi_c else text.find(ch, pos + 1)
            if end < 0:
                found.append(_unclosed(doc.line_of(pos), ch, "bash `source` reads the rest of the file into it"))
                break
            if text.find("\n", pos, end) >= 0:
                found.append(_spanning(doc.line_of(pos), doc.line_of(end), ch))
            at = end + 1
    return found


def _spanning(first: int, last: int, quote: str) -> _Hazard:
    problem = f"line {first + 1} opens a {quote} quote that bash `source` closes on line {last + 1}"
    return _Hazard(first + 1, last + 1, problem, "bash reads the lines in between into it", "fix that quote")


def _joined(index: int) -> _Hazard:
    problem = f"line {index + 1} ends with a backslash"
    return _Hazard(index + 1, index + 2, problem, "bash `source` joins the next line to it", "remove it", False)


def _starts_word(text: str, pos: int, joins: dict[int, int]) -> bool:
    while pos in joins:  # what comes before a backslash-newline is what bash sees before this
        pos = joins[pos]
    return pos == 0 or text[pos - 1] in _SHELL_WORD_BREAK


def _rebound(binding: Binding, value: str, eol: str, file_eol: str) -> list[str]:
    """The binding with its new value; an inline comment moves to its own line above it, because the
    Astro CLI's --load reads an inline comment as part of the value. That line always ends with a line
    ending (the file's, when the binding was the last line and had none)."""
    indent = binding.lead[: len(binding.lead) - len(binding.lead.lstrip())]
    above = [indent + binding.comment + (eol or file_eol)] if binding.comment else []
    return [*above, binding.lead + quoting.dotenv_line(binding.key, value) + eol]


def _duplicates(bindings: list[Binding], keys: set[str]) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = {}
    for binding in bindings:
        if binding.key in keys:
            seen.setdefault(binding.key, []).append(binding.first + 1)
    return {key: numbers for key, numbers in seen.items() if len(numbers) > 1}


def duplicates(text: str, keys: set[str]) -> dict[str, list[int]]:
    """Our keys bound more than once, with their 1-based line numbers."""
    return _duplicates(parse(text), keys)


def _refuse_hazards(parsed: _Parsed, keys: set[str], appending: bool) -> None:
    """Refuse when readers disagree on a line of ours (bound already, or to be appended): some reader takes
    it into an earlier line, or reads a line that python-dotenv takes into a quoted value as one of ours."""
    shell = _shell_hazards(parsed.doc)
    hazards = [*([parsed.open_quote] if parsed.open_quote else []), *shell]
    ours = [binding for binding in parsed.bindings if binding.key in keys]
    end = len(parsed.doc.lines)
    for hazard in sorted(hazards, key=lambda h: h.start):
        inside = [binding for binding in ours if hazard.covers(binding.first)]
        if inside:
            _refuse(hazard, hazards, f"{inside[0].key} on line {inside[0].first + 1}")
        if appending and hazard.covers(end):
            _refuse(hazard, hazards, "lines added at the end")
    _refuse_hidden(parsed, keys, [hazard for hazard in shell if hazard.quoted])


def _refuse_hidden(parsed: _Parsed, keys: set[str], quoted: list[_Hazard]) -> None:
    """Refuse when a line of ours is inside a value python-dotenv reads over several lines (so it does not
    see it) but not inside a quote for bash (so bash runs it)."""
    for binding in parsed.bindings:
        for index in range(binding.first + 1, binding.last + 1):  # the lines a quoted value goes on over
            line = _BINDING.fullmatch(textdoc.strip_eol(parsed.doc.lines[index]))
            if line and line.group("key") in keys and not any(hazard.covers(index) for hazard in quoted):
                problem = f"line {binding.first + 1} opens a quote that python-dotenv closes on line {binding.last + 1}"
                hidden = _Hazard(binding.first + 1, binding.last + 1, problem, _OWN_LINES, "fix that quote")
                _refuse(hidden, [hidden], f"{line.group('key')} on line {index + 1}")


def _refuse(hazard: _Hazard, hazards: list[_Hazard], what: str) -> NoReturn:
    readers = "; ".join(dict.fromkeys(h.readers for h in hazards if h.problem == hazard.problem))
    raise EditError(f"{hazard.problem} ({readers}), so readers disagree on {what}; {hazard.fix} first")


def _spliced(doc: _Text, changed: list[Binding], values: Mapping[str, str]) -> str:
    """The text with each changed binding (in file order) rewritten, in one pass."""
    out: list[str] = []
    at = 0
    for binding in changed:
        last = doc.lines[binding.last]
        out += doc.lines[at : binding.first]
        out += _rebound(binding, values[binding.key], last[len(textdoc.strip_eol(last)) :], textdoc.eol_of(doc.text))
        at = binding.last + 1
    return "".join(out + doc.lines[at:])


def upsert(text: str, values: Mapping[str, str], header: str = "") -> str:
    """Set each key to its value: in place where bound, appended (after `# header`) where not."""
    parsed = _parse(text)
    clashes = _duplicates(parsed.bindings, set(values))
    if clashes:
        where = "; ".join(f"{key} on lines {' and '.join(map(str, lines))}" for key, lines in clashes.items())
        raise EditError(f"it sets {where}; readers disagree on which wins, so remove all but one")
    bound = {binding.key: binding for binding in parsed.bindings if binding.key in values}
    missing = [quoting.dotenv_line(key, value) for key, value in values.items() if key not in bound]
    _refuse_hazards(parsed, set(values), appending=bool(missing))
    changed = sorted((b for b in bound.values() if b.value != values[b.key]), key=lambda b: b.first)
    result = _spliced(parsed.doc, changed, values) if changed else text
    if missing and header and f"# {header}" not in (textdoc.strip_eol(line) for line in parsed.doc.lines):
        missing.insert(0, f"# {header}")
    return textdoc.append_lines(result, missing)
