"""The proof's two shortcuts (edits/yaml_proof.py) decide exactly what the long way decides.

- `_lines_inserted`: when it says the edit only inserted whole lines, counting every comment and `$`
  placeholder of both texts finds none missing (it is never more lenient than the count); and a real
  insertion of whole lines is recognised.
- `_expected` without anchors copies only the containers on each operation's path: the result is what a
  deep copy gives, and the caller's data is never changed.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from lineage_setup.edits import yaml_proof
from lineage_setup.edits.yaml_emit import plain
from lineage_setup.edits.yaml_write import Append, Put, Section

LINE = st.sampled_from(
    ["a: 1", "# c", "b: x  # eol", "k: ${V}", "k: $V", "- x", "  - y # z", "", "s: '${A'", "t: b}", "u: \\$V", "#"]
)
TEXT = st.lists(LINE, min_size=0, max_size=8).map(lambda lines: "".join(f"{line}\n" for line in lines))


def missing(before: str, after: str) -> Counter[str]:
    """The long way: what `_kept` counts."""
    lost: Counter[str] = Counter()
    for pick in (yaml_proof._comments, yaml_proof.PLACEHOLDER.findall):
        lost += Counter(pick(before)) - Counter(pick(after))
    return lost


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, str]:
    before = draw(TEXT)
    at = draw(st.integers(0, len(before)))
    how = draw(st.sampled_from(["lines at a line start", "text anywhere", "cut", "replace"]))
    if how == "lines at a line start":
        at = before.rfind("\n", 0, at) + 1
        return before, before[:at] + draw(TEXT) + before[at:]
    if how == "text anywhere":
        return before, before[:at] + draw(st.text("ab #$\n{}:-", max_size=12)) + before[at:]
    end = draw(st.integers(at, len(before)))
    middle = draw(st.text("ab #$\n{}", max_size=6)) if how == "replace" else ""
    return before, before[:at] + middle + before[end:]


@settings(max_examples=1500, deadline=None)
@given(edited())
@example(("k: ${A\n}\n", "k: ${A\nn: x\n}\n"))  # a placeholder across lines, split by the new line
@example(("a: 1\n", "a: 1\n# c\n"))
@example(("k: ${V}\n", "s: '${A'\nk: ${V}\n"))  # a new line opens a placeholder that swallows the old one
@example(("x # c\n", "x # \nc\n"))  # a line break inside a comment: not a whole line inserted
@example(("x # c\n", "x # c\n # c\n"))
def test_a_shortcut_never_passes_what_the_count_refuses(pair: tuple[str, str]) -> None:
    before, after = pair
    if yaml_proof._lines_inserted(before, after):
        assert not missing(before, after)


@given(TEXT, TEXT.filter(bool), st.integers(0, 100))
def test_whole_lines_inserted_are_recognised(before: str, inserted: str, where: int) -> None:
    at = before.rfind("\n", 0, min(where, len(before))) + 1
    after = before[:at] + inserted + before[at:]
    multiline = any("\n" in found for text in (before, after) for found in yaml_proof.PLACEHOLDER.findall(text))
    assert yaml_proof._lines_inserted(before, after) is not multiline


SCALAR = st.one_of(st.integers(), st.text(max_size=3), st.none(), st.booleans())
DATA = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3),
    max_leaves=12,
)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a container in `data`."""
    found = [prefix] if isinstance(data, (dict, list)) else []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found += paths(value, (*prefix, key))
    return found


def load(text: str) -> Any:
    return {"s": text}


@given(st.dictionaries(st.sampled_from("abc"), DATA, max_size=3), st.data())
def test_copying_along_the_paths_gives_what_a_deep_copy_gives(data: dict[str, Any], draw: st.DataObject) -> None:
    ops: list[Any] = []
    for path in draw.draw(st.lists(st.sampled_from(paths(data)), max_size=3)):
        holder: Any = data
        for key in path:
            holder = holder[key]
        ops.append(Append(path, plain("n")) if isinstance(holder, list) else Put(path, "n", plain("v")))
    if draw.draw(st.booleans()):
        ops.append(Section("s", "s: 1\n"))
    original = copy.deepcopy(data)
    want = copy.deepcopy(data)
    for op in ops:
        op.on(want, load)
    got = yaml_proof._expected(data, ops, load, shared=False)
    assert yaml_proof.same(got, want)
    assert yaml_proof.same(data, original)  # the caller's data is untouched


def test_with_anchors_one_object_at_two_places_changes_at_both() -> None:
    shared: list[Any] = [1]
    data = {"a": shared, "b": shared}  # what PyYAML makes of `a: &x [1]` and `b: *x`
    got = yaml_proof._expected(data, [Append(("a",), plain("n"))], load, shared=True)
    assert got == {"a": [1, "n"], "b": [1, "n"]} and data == {"a": [1], "b": [1]}


def test_a_copied_container_keeps_its_type() -> None:
    """`same` compares types: a reader's own mapping type (a dict subclass) must stay what it is."""
    from collections import OrderedDict

    data = OrderedDict(a=OrderedDict(b=[1]))
    got = yaml_proof._expected(data, [Append(("a", "b"), plain("n"))], load, shared=False)
    assert type(got) is OrderedDict and type(got["a"]) is OrderedDict
    assert got == {"a": {"b": [1, "n"]}} and data == {"a": {"b": [1]}}


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="${}\\\na_ ", max_size=30))
def test_a_placeholder_over_lines_is_found_by_one_search(text: str) -> None:
    """_SPANNING finds one exactly when PLACEHOLDER.findall lists a placeholder holding a line break."""
    from lineage_setup.edits.yaml_emit import PLACEHOLDER

    listed = any("\n" in found for found in PLACEHOLDER.findall(text))
    assert (yaml_proof._SPANNING.search(text) is not None) == listed, text
