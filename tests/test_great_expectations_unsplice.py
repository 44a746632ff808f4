"""unsplice.py undoes edits/yaml_write's splices exactly: whatever the file's indentation, list style, line
endings and final newline, putting our entry in (Append, Put) and taking it out (Pop, Drop, Empty) gives the
original text back, byte for byte; and what cannot be taken out exactly (a comment inside it, an alias) is
refused, never half done."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage_setup.edits import EditError, yaml_read, yaml_write
from lineage_setup.edits.yaml_emit import plain
from lineage_setup.integrations.great_expectations import edits, keyless, unsplice
from lineage_setup.integrations.great_expectations.unsplice import Drop, Empty, Pop

OURS = edits.action_entry({"openlineage_host": plain("https://h.example"), "openlineage_namespace": plain("dev")})
names = st.sampled_from(["store_validation_result", "update_data_docs", "slack", "a_b"])


@st.composite
def checkpoints(draw: st.DrawFn) -> str:
    """A checkpoint as people and GE lay them out: `- ` at the key's column or indented, 1 or 2 spaces after
    it, 2 or 4 spaces per level, other keys before and after, LF or CRLF, with or without a final newline."""
    dash, gap, step = draw(st.sampled_from([0, 2, 4])), draw(st.integers(1, 2)), draw(st.sampled_from([2, 4]))
    items = draw(st.lists(names, min_size=1, max_size=3))
    inner = " " * (dash + 1 + gap)
    lines = ["name: daily", "config_version: 1.0", "class_name: Checkpoint", "action_list:"]
    for name in items:
        lines += [f"{' ' * dash}-{' ' * gap}name: {name}", f"{inner}action:", f"{inner}{' ' * step}class_name: X"]
    lines += draw(st.sampled_from([[], ["validations: []"], ["# the end"]]))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    return eol.join(lines) + (eol if draw(st.booleans()) else "")


@settings(max_examples=150, deadline=None)
@given(checkpoints())
def test_append_then_pop_is_the_original(text: str) -> None:
    data = yaml_read.load(text)
    added = yaml_write.apply(text, [yaml_write.Append(("action_list",), OURS)], data)
    assert added != text
    assert unsplice.remove(added, [Pop(("action_list",), len(data["action_list"]))]) == text


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["\n", "\r\n"]), st.booleans(), st.booleans())
def test_a_new_top_level_section_and_key_come_out_again(eol: str, spaced: bool, final: bool) -> None:
    gap = eol if spaced else ""
    text = eol.join(["# config", "config_version: 2.0", *([""] if spaced else []), "stores:", "  a: 1"])
    text = text + gap + (eol if final else "")
    ops = [
        yaml_write.Put((), "config_variables_file_path", plain("uncommitted/config_variables.yml")),
        yaml_write.Put((), "validation_operators", {"action_list_operator": {"action_list": [OURS]}}),
    ]
    added = yaml_write.apply(text, ops)
    removed = unsplice.remove(added, [Drop((), "validation_operators"), Drop((), "config_variables_file_path")])
    assert removed == text


@pytest.mark.parametrize("before", ["action_list: []\nvalidations: []\n", "action_list:\nvalidations: []\n"])
def test_a_lone_entry_where_an_empty_list_was(before: str) -> None:
    text = "name: d\n" + before
    added = yaml_write.apply(text, [yaml_write.Put((), "action_list", [OURS])])
    assert unsplice.remove(added, [Empty((), "action_list")]) == "name: d\naction_list: []\nvalidations: []\n"


@pytest.mark.parametrize(
    ("text", "op", "why"),
    [
        ("a:\n  - x: 1  # mine\n", Pop(("a",), 0), "holds a comment"),
        ("a: &x\n  - 1\nb: *x\n", Drop((), "a"), "would not read back"),  # the alias loses its anchor
        ("a: [1, 2]\n", Pop(("a",), 0), "not a block list"),
        ("a:\n- b: 1\n  c: 2\n", Drop(("a", 0), "b"), "does not start its own line"),
    ],
)
def test_what_cannot_be_taken_out_exactly_is_refused(text: str, op: unsplice.Removal, why: str) -> None:
    with pytest.raises(EditError, match=why):
        unsplice.remove(text, [op])


def test_keyless_takes_only_the_key_line_out() -> None:
    text = (
        "action_list:\n  - name: openlineage\n    action:\n      class_name: OpenLineageValidationAction\n"
        "      openlineage_host: h\n      openlineage_apiKey: ${OPENLINEAGE_API_KEY}\n      job_name: j\n"
    )
    out = keyless.without_key(text, yaml_read.load(text), [("action_list",)])
    assert out == text.replace("      openlineage_apiKey: ${OPENLINEAGE_API_KEY}\n", "")
