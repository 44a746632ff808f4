"""The proof of a YAML splice: read back, the edited text must say the original plus exactly the edit.

PyYAML must read it so; ruamel.yaml too, when it is one of the file's readers; and every comment
(own line or end of line) and `$` placeholder of the original must still be there, except in text
an operation replaced on purpose (a Section's old entry).

Where the result is plain block YAML that yaml_lines reads (GE checkpoints, mostly), its reading is the
proof for both readers: it reads such text exactly as each of them does (tests/test_yaml_lines.py), so
the two are not asked (that halved the time to patch 2,000 checkpoints).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from lineage_setup import textdoc
from lineage_setup.edits import EditError, describe_yaml_error, yaml_lines, yaml_read
from lineage_setup.edits.yaml_emit import PLACEHOLDER

if TYPE_CHECKING:
    from lineage_setup.edits.yaml_ops import Op


def verify(
    before: str,
    after: str,
    ops: Sequence[Op],
    data: Any = None,
    *,
    ruamel: bool = True,
    dropped: Iterable[str] = (),
) -> None:
    """Raise EditError unless `after` reads as `before` with `ops` made (`data`: `before`, loaded)."""
    load = pyyaml_reader(ruamel)
    expected = _expected(data if data is not None else load(before), ops, load, shared="&" in before)
    got = yaml_lines.load(after)  # what every reader reads, when the result is plain block YAML
    asked = got is NotImplemented
    if asked:
        try:
            got = (yaml_read.load_pyyaml if ruamel else load)(after)
        except EditError as exc:
            raise EditError(f"the edited file would not parse: {exc}") from None
    if not same(got, expected) and not (got is None and expected == {}):  # an emptied file reads as nothing
        raise EditError("the edit would change other parts of the file")
    if ruamel and asked:
        _same_for_ruamel(before, after, expected, ops)
    _kept(before, after, dropped)


def same(one: Any, other: Any) -> bool:
    """The same data, types included: 1, 1.0 and True are equal in Python, not the same reading (and a
    NaN is the same as a NaN)."""
    if type(one) is not type(other):
        return False
    if isinstance(one, dict):
        if {(type(key), key) for key in one} != {(type(key), key) for key in other}:
            return False
        return all(same(value, other[key]) for key, value in one.items())
    if isinstance(one, list):
        return len(one) == len(other) and all(map(same, one, other))
    return one is other or one == other or (isinstance(one, float) and one != one and other != other)


def pyyaml_reader(with_ruamel: bool) -> Callable[[str], Any]:
    """PyYAML as the proof reads: strict where ruamel.yaml reads the file too, else as yaml.safe_load."""
    return yaml_read.load if with_ruamel else yaml_read.safe_load


def _expected(data: Any, ops: Sequence[Op], load: Callable[[str], Any], *, shared: bool) -> Any:
    """`data` with the operations made, `data` itself left as it is. `shared`: the text has anchors, so one
    object may sit at two places (both change, as both change in the text): copied whole, aliases kept.
    Else only the containers on each operation's path are copied (a whole copy per file was a tenth of
    the time to patch 2,000 checkpoints)."""
    import copy

    if data is None:
        data = {}
    elif shared:
        data = copy.deepcopy(data)
    else:
        data = _copied_along(data, ops)
    for op in ops:
        op.on(data, load)
    return data


def _copied_along(data: Any, ops: Sequence[Op]) -> Any:
    root = _shallow(data)
    for op in ops:
        node = root
        for key in getattr(op, "path", ()):  # a Section's is the top level
            try:
                node[key] = node = _shallow(node[key])
            except (KeyError, IndexError, TypeError):
                break  # not there: the operation itself says so
    return root


def _shallow(value: Any) -> Any:
    """A container's shallow copy, of the same type (`same` compares types); anything else as it is."""
    import copy

    kind = type(value)
    if kind is dict or kind is list:
        return kind(value)
    return copy.copy(value) if isinstance(value, (dict, list)) else value


def _same_for_ruamel(before: str, after: str, expected_pyyaml: Any, ops: Sequence[Op]) -> None:
    """ruamel.yaml reads YAML 1.2: it must see the original plus the change too."""
    try:
        got = yaml_read.load_ruamel(after)
        if same(got, expected_pyyaml):  # both readers agree on the result: one load is enough
            return
        expected = _expected(yaml_read.load_ruamel(before), ops, yaml_read.load_ruamel, shared="&" in before)
    except Exception as exc:  # ruamel raises many kinds; any of them means we cannot prove the edit
        raise EditError(f"ruamel.yaml cannot read it ({describe_yaml_error(exc)})") from None
    if not same(got, expected):
        raise EditError("ruamel.yaml would read other parts of the edited file differently")


def _kept(before: str, after: str, dropped: Iterable[str]) -> None:
    """Every comment and every `$` placeholder of the original is still there (but in `dropped` text)."""
    dropped = [text for text in dropped if text]
    if not dropped and _lines_inserted(before, after):
        return  # every line of the original is still there, whole (a new list item, a new key)
    for name, pick in (("comment", _comments), ("placeholder", PLACEHOLDER.findall)):
        missing = Counter(pick(before)) - Counter(pick(after))
        if dropped:
            missing -= Counter(found for text in dropped for found in pick(text))
        if missing:
            raise EditError(f"the edit would lose a {name} ({next(iter(missing))[:60]!r})")


def _lines_inserted(before: str, after: str) -> bool:
    """`after` is `before` with whole lines inserted at one line start, and no placeholder in either spans
    lines (an insertion could split one, or open one that swallows an original: `'${A` then `${V}`)."""
    extra = len(after) - len(before)
    if extra <= 0:
        return False
    low, high = 0, len(before)  # the longest common prefix, by halving: each comparison runs in C
    while low < high:
        middle = (low + high + 1) // 2
        if after.startswith(before[:middle]):
            low = middle
        else:
            high = middle - 1
    at = before.rfind("\n", 0, low) + 1  # the start of the line where the two part
    if after[at + extra :] != before[at:] or (at + extra > 0 and after[at + extra - 1] != "\n"):
        return False
    return _SPANNING.search(before) is None and _SPANNING.search(after) is None


# A `${...}` placeholder (PLACEHOLDER's braced form) over more than one line: found by one search, as every
# placeholder that PLACEHOLDER.findall lists and that holds a line break (tests/test_yaml_proof_shortcuts.py)
_SPANNING = re.compile(r"(?<!\\)\$\{[^}\n]*\n[^}]*\}")


def _comments(text: str) -> list[str]:
    """Comment lines, and what follows ` #` on other lines (a `#` inside quotes counts too: it must stay as well)."""
    found = []
    for line in textdoc.lines(text):
        body = line.strip()
        if body.startswith("#"):
            found.append(body)
        elif " #" in body:
            found.append(body[body.index(" #") :].strip())
    return found
