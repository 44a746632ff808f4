"""linediff.py (the diff of long files edited in a few places) against difflib and against the rule of a patch.

- Applied to the old lines, every diff it prints gives the new ones (generated lists with many repeated
  lines, so that several alignments are possible, and every kind of edit).
- It never takes out or puts in more lines than difflib, and where only one alignment exists (distinct
  lines, edits in place) its lines are difflib.unified_diff's, byte for byte.
- Past its limit it is difflib itself; and a 100,000-line file edited at both ends (the spark-defaults.conf
  case) is shown exactly as difflib shows it.
"""

from __future__ import annotations

import difflib
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from lineage_setup import fs, linediff
from lineage_setup.plan import FileChange

HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
LINES = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "# c\n", "\n", "x = 1\n"]), max_size=40)


def applied(old: list[str], diff: list[str]) -> list[str]:
    """`old` patched by a unified diff, checking every context and removed line on the way."""
    out: list[str] = []
    at = 0
    for line in diff[2:]:
        if line.startswith("@@"):
            match = HUNK.match(line)
            assert match is not None, line
            start = int(match.group(1)) - (0 if match.group(2) == "0" else 1)
            out += old[at:start]
            at = start
        elif line[0] in " -":
            assert old[at] == line[1:], (old[at], line)
            at += 1
            if line[0] == " ":
                out.append(line[1:])
        else:
            assert line[0] == "+", line
            out.append(line[1:])
    return out + old[at:]


def changed(diff: list[str]) -> int:
    return sum(1 for line in diff[2:] if line[:1] in "+-")


@settings(max_examples=1500, deadline=None)
@given(LINES, LINES, st.integers(0, 5))
def test_every_diff_turns_the_old_lines_into_the_new(old: list[str], new: list[str], context: int) -> None:
    diff = list(linediff.unified(old, new, "a/x", "b/x", n=context))
    reference = list(difflib.unified_diff(old, new, "a/x", "b/x", n=context))
    assert bool(diff) == bool(reference)
    if diff:
        assert diff[:2] == ["--- a/x\n", "+++ b/x\n"]
        assert applied(old, diff) == new
        assert changed(diff) <= changed(reference)  # the fewest lines out and in


@st.composite
def edited_in_place(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """Distinct lines, some taken out, replaced or put in (new lines are new): one alignment only."""
    old = [f"line {i}\n" for i in range(draw(st.integers(0, 60)))]
    new: list[str] = []
    for i, line in enumerate(old):
        what = draw(st.sampled_from(["keep"] * 6 + ["drop", "replace", "insert"]))
        if what == "insert":
            new.append(f"new before {i}\n")
        if what in ("keep", "insert"):
            new.append(line)
        elif what == "replace":
            new.append(f"replaced {i}\n")
    if draw(st.booleans()):
        new.append("appended\n")
    return old, new


@settings(max_examples=800, deadline=None)
@given(edited_in_place(), st.integers(0, 4))
def test_where_one_alignment_exists_the_lines_are_difflib_s(pair: tuple[list[str], list[str]], context: int) -> None:
    old, new = pair
    assert linediff.opcodes(old, new) == (difflib.SequenceMatcher(None, old, new).get_opcodes() if old or new else [])
    assert list(linediff.unified(old, new, "a", "b", n=context)) == list(
        difflib.unified_diff(old, new, "a", "b", n=context)
    )


def test_past_its_limit_difflib_answers() -> None:
    old = [f"{i}\n" for i in range(300)]
    new = [f"{i}\n" if i % 2 else f"changed {i}\n" for i in range(300)]  # 300 lines out and in
    assert linediff.opcodes(old, new) is None
    assert list(linediff.unified(old, new, "a", "b")) == list(difflib.unified_diff(old, new, "a", "b"))


def test_a_long_file_edited_at_both_ends_shows_as_difflib_shows_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = [f"spark.custom.key{i} value-{i}\n" for i in range(100_000)]
    before = "".join(["spark.openlineage.namespace old\n", *lines])
    after = "".join(["spark.openlineage.namespace n\n", *lines, "spark.extraListeners x\n"])
    path = tmp_path / "spark-defaults.conf"
    path.write_text(before)
    change = FileChange(fs.snapshot(path), after.encode(), 0o644)
    old, new = before.splitlines(True), after.splitlines(True)
    assert linediff.opcodes(old, new) == difflib.SequenceMatcher(None, old, new).get_opcodes()  # not a fallback
    reference = [
        line.rstrip("\n")
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), "a/conf", "b/conf")
    ]
    assert change.diff("conf") == reference
