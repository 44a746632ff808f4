"""edits/json_doc: a JSON file is rewritten exactly as it was written, or refused (the GX 1.x checkpoint edit).

Properties: whatever json.dumps settings wrote a file, reading it finds settings that write it back byte
for byte, and an edit then changes only what the caller changed; any other text is refused with EditError,
never another exception.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage_setup.edits import EditError, json_doc

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
STYLES = st.builds(
    lambda indent, compact, ascii_only, crlf, final: json_doc.Style(
        indent,
        "," if indent is not None or compact else ", ",
        ":" if compact and indent is None else ": ",
        ascii_only,
        "\r\n" if crlf else "\n",
        final,
    ),
    st.sampled_from([None, " ", "  ", "    ", "\t"]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(DATA, STYLES)
def test_what_json_dumps_wrote_is_read_back_and_written_unchanged(data: Any, style: json_doc.Style) -> None:
    text = json_doc.write(data, style)
    doc = json_doc.read(text)
    assert doc.data == data or json.dumps(doc.data) == json.dumps(data)  # -0.0 == 0.0, and so on
    assert json_doc.write(doc.data, doc.style) == text


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=6), SCALARS, max_size=5), STYLES, st.text(max_size=6), SCALARS)
def test_an_edit_changes_only_the_key_it_sets(
    data: dict[str, Any], style: json_doc.Style, key: str, value: Any
) -> None:
    doc = json_doc.read(json_doc.write(data, style))
    edited = json_doc.put(doc.data, key, value)
    again = json_doc.read(json_doc.write(edited, doc.style)).data
    assert again[key] == value or json.dumps(again[key]) == json.dumps(value)
    assert {k: v for k, v in again.items() if k != key} == {k: v for k, v in data.items() if k != key}
    kept = [k for k in data if k != key]
    assert [k for k in again if k != key] == kept  # the file's own order
    if key not in data and list(data) == sorted(data):
        assert list(again) == sorted(again)  # a sorted object (as GX writes) stays sorted


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40) | DATA.map(lambda d: json.dumps(d, indent=2)[:-1] + " }"))
def test_any_other_text_is_read_back_exactly_or_refused(text: str) -> None:
    try:
        doc = json_doc.read(text)
    except EditError:
        return
    assert json_doc.write(doc.data, doc.style) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1, "a": 2}', "sets 'a' twice"),
        ('{"a": NaN}', "holds NaN"),
        ('{\n  // a comment\n  "a": 1\n}', "not valid JSON"),
        ('{\n  "a": 1,\n    "b": 2\n}', "not laid out the way a program writes JSON"),
        ('{"name":   "x"}', "not laid out the way a program writes JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a": 1e5}', "not laid out the way a program writes JSON"),
    ],
)
def test_refusals_say_why(text: str, message: str) -> None:
    with pytest.raises(EditError, match=message):
        json_doc.read(text)


def test_gx_s_own_layout_is_kept() -> None:
    """What GX writes (pydantic's .json(indent=2, sort_keys=True): no final newline) stays so."""
    text = json.dumps({"actions": [], "name": "daily", "validation_definitions": []}, indent=2, sort_keys=True)
    doc = json_doc.read(text)
    assert (doc.style.indent, doc.style.final_newline) == ("  ", False)
    edited = json_doc.put(doc.data, "id", "x")
    assert json_doc.write(edited, doc.style) == json.dumps({**doc.data, "id": "x"}, indent=2, sort_keys=True)
