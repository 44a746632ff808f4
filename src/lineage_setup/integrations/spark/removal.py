"""`remove spark`: what lineage-setup put into a spark-defaults.conf, found from the file itself.

Ours is what follows our comment lines: the block `lineage-setup spark` appends (templates/spark/
spark-defaults.conf.tmpl's lines) and the one --add appends (adding.ADD_COMMENT), each entry of it as we write
it. With our comment there, our listener and jar come out of the lists they were added to (the other items
stay), and our transport keys set where they already stood come out too; a transport --add moved under a name
gets its own keys back. An entry in our block that is not as we write it is left, and said.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_setup import textdoc
from lineage_setup.edits import EditError, properties
from lineage_setup.edits.properties import Entry
from lineage_setup.integrations.spark import conf_edits
from lineage_setup.integrations.spark.adding import ADD_COMMENT_RE
from lineage_setup.integrations.spark.render import COMMENT, OUR_PACKAGE
from lineage_setup.openlineage_spark import (
    CONTINUE_KEY,
    LEGACY_KEYS,
    LISTENER,
    NAMESPACE_KEY,
    OURS_PREFIX,
    SUBS_PREFIX,
    TRANSPORT_PREFIX,
    TYPE_KEY,
)

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

LISTS: dict[str, Callable[[str], bool]] = {
    "spark.jars.packages": lambda item: bool(OUR_PACKAGE.search(item)),
    "spark.extraListeners": lambda item: item == LISTENER,
}
# our keys and, where it is fixed, the value we write (None: any value)
OURS: dict[str, str | None] = {
    TYPE_KEY: "http",
    TRANSPORT_PREFIX + "url": None,
    TRANSPORT_PREFIX + "endpoint": None,
    TRANSPORT_PREFIX + "auth.type": "api_key",
    TRANSPORT_PREFIX + "auth.apiKey": None,
    TRANSPORT_PREFIX + "compression": "gzip",
    NAMESPACE_KEY: None,
    **dict.fromkeys(LEGACY_KEYS, None),
}
ADDED: dict[str, str | None] = {TYPE_KEY: "composite", CONTINUE_KEY: "true", NAMESPACE_KEY: None}


def plan(ws: Workspace, path: Path) -> list[str]:
    """Propose the file without our lines (deleted when nothing else is left); what is left as it is, and why."""
    text = ws.read(path)
    if text is None:
        return []
    try:
        result, kept = removed(text)
    except EditError as exc:
        return [f"{path}: cannot edit it safely ({exc}); take lineage-setup's lines out by hand"]
    if result == "" and text:
        ws.delete(path, reason="only lineage-setup's lines were in it")
    elif result != text:
        ws.write(path, result, reason="lineage-setup's OpenLineage lines")
    return [f"{path}: {why}" for why in kept]


def removed(text: str) -> tuple[str, list[str]]:
    """The text without what lineage-setup wrote, and what looked like ours but is not as we write it."""
    kept: list[str] = []
    text = _without_added(text, kept)
    if not _comments(text, lambda line: line == f"# {COMMENT}"):
        return text, kept or ["no lines written by lineage-setup in it; left as it is"]
    return _without_ours(text, kept), kept


def _comments(text: str, match: Callable[[str], object]) -> list[int]:
    return [at for at, line in enumerate(textdoc.lines(text)) if match(textdoc.strip_eol(line))]


def _block(text: str, at: int) -> list[Entry]:
    """The entries on the lines right after the comment line `at`, up to the first other line."""
    found: list[Entry] = []
    for entry in properties.entries(text):
        if entry.first == at + 1 + sum(e.last - e.first + 1 for e in found):
            found.append(entry)
    return found


def _ours(entry: Entry, wanted: dict[str, str | None]) -> bool:
    if entry.key in LISTS:
        return all(LISTS[entry.key](item) for item in _items(entry.value))
    return entry.key in wanted and wanted[entry.key] in (None, entry.value)


def _items(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _without_added(text: str, kept: list[str]) -> str:
    """--add's blocks out, our sub-transports out, and the transport it named given back its own keys."""
    comments = _comments(text, ADD_COMMENT_RE.fullmatch)
    if not comments:
        return text
    lines = textdoc.lines(text)
    names = [ADD_COMMENT_RE.fullmatch(textdoc.strip_eol(lines[at])) for at in comments]
    theirs = next((m.group(2) for m in names if m and m.group(2)), None)
    subs = {e.key.split(".")[4] for e in properties.entries(text) if e.key.startswith(SUBS_PREFIX)}
    others = {name for name in subs if not name.startswith(OURS_PREFIX) and name != theirs}
    unwrap = theirs is not None and not others
    stays = theirs is not None and not unwrap  # the composite: other destinations were added since
    gone: list[int] = list(comments)
    for at in comments:
        block = _block(text, at)
        ours = [e for e in block if _ours(e, ADDED) and not (stays and e.key in (TYPE_KEY, CONTINUE_KEY))]
        gone += [line for e in ours for line in range(e.first, e.last + 1)]
    for entry in properties.entries(text):
        if entry.key.startswith(SUBS_PREFIX + OURS_PREFIX):
            gone += range(entry.first, entry.last + 1)
    text = conf_edits.drop(text, gone)
    if stays:
        kept.append(f"other destinations were added since ({', '.join(sorted(others))}): the composite stays")
    if not unwrap or theirs is None:
        return text
    prefix = f"{SUBS_PREFIX}{theirs}."
    back = {
        e.key: TRANSPORT_PREFIX + e.key[len(prefix) :] for e in properties.entries(text) if e.key.startswith(prefix)
    }
    return conf_edits.rename(text, back)


def _without_ours(text: str, kept: list[str]) -> str:
    """Our block out, our items out of the lists, our keys set where they already stood out."""
    comments = _comments(text, lambda line: line == f"# {COMMENT}")
    gone: list[Entry] = []
    lines = set(comments)
    for at in comments:
        for entry in _block(text, at):
            if _ours(entry, OURS):
                gone.append(entry)
            elif entry.key in OURS or entry.key in LISTS:
                kept.append(f"{entry.key} is not as lineage-setup writes it (edited since?); left as it is")
    inside = {e.first for e in gone}
    for entry in properties.entries(text):
        if entry.first in inside or entry.first in lines:
            continue
        if entry.key in LISTS:
            text = _without_items(text, entry, gone, kept)
        elif entry.key in OURS and OURS[entry.key] in (None, entry.value):
            gone.append(entry)
    text = conf_edits.drop(text, {*lines, *(at for e in gone for at in range(e.first, e.last + 1))})
    return text


def _without_items(text: str, entry: Entry, gone: list[Entry], kept: list[str]) -> str:
    """Our items out of a list key written outside our block (the line goes when nothing else is left).
    The text keeps its lines, so the other entries' line numbers stay right."""
    items = _items(entry.value)
    rest = [item for item in items if not LISTS[entry.key](item)]
    if rest == items:
        return text
    if not rest:
        gone.append(entry)
        return text
    if entry.first != entry.last:
        kept.append(f"{entry.key} goes on over several lines: take {', '.join(set(items) - set(rest))} out by hand")
        return text
    joiner = ", " if ", " in entry.value else ","
    return conf_edits.rewrite(text, entry, joiner.join(rest))
