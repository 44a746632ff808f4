"""edits/yaml_lines.py reads plain block YAML exactly as PyYAML (libyaml and pure, YAML 1.1) and ruamel.yaml
(C and pure, YAML 1.2) do, or declines; the edit proof and yaml_read.load rely on that.

Generated documents mix the lines the reader accepts with the scalars the readers disagree on (`yes`,
`012`, `1e3`, `1:20`, a date, `.inf`...) and with lines it must decline (flow, anchors, tags, block
scalars, continued lines). Data is compared with its types: 1, 1.0 and True are equal in Python but not
the same reading.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from lineage_setup.edits import EditError, yaml_lines, yaml_proof, yaml_read, yaml_write
from lineage_setup.edits.yaml_emit import plain

SCALARS = [
    "a", "x_1", "public.table_1", "${V}", "$V", "https://x.io/p", "a:b", "-", "_x", "x-y", "Check",
    "yes", "Yes", "no", "NO", "on", "Off", "y", "n", "true", "True", "TRUE", "false", "False", "FALSE",
    "null", "Null", "NULL", "~", "", "0", "1", "-1", "+1", "12", "012", "0o12", "0x1F", "0b11", "1_000", "1:20",
    "1.0", "-0.5", "+2.25", "1.", ".5", "1e3", "1.0e+3", "1.5E-2", ".inf", "-.Inf", ".nan", "2001-12-14",
    "2001-12-14t21:59:43.10-05:00", "=", "<<", '"q #: x"', "'s'", '"e\\n"', '"yes"', "'012'", '""', "''",
    "{a: 1}", "[1]", "&a x", "*a", "!t x", "!!str 1", "|", ">", "? k", "%x", "@x", "`x", "a b", "a #b",
    # UUIDs (GE's instance_id), read as strings, beside shapes that are not one: numbers, a date, a time
    "0c2a9f4e-5b1d-4e8a-9c3f-7d2e1a0b6c5d", "12345678-1234-1234-1234-123456789012",
    "1e100000-0000-4000-8000-00000000000a", "00000000-0000-0000-0000-000000000000",
    "0c2a", "1e10", "1234-12-12", "12:34:56", "0x1234-5678",
    # empty flow collections (GE's `datasources: {}`), beside those that are not empty or not alone
    "{}", "[]", "{ }", "[ ]", "{}x", "[]]", "{}}",
]  # fmt: skip
KEYS = ["name", "a", "b", "class_name", "on", "y", "yes", "null", "1", "k", "x_1", '"q"', "a b", "true"]
KEYS += ["k" * 1000, "k" * 1025]  # a simple key: over 1,024 characters the readers stop
# comments: ordinary, non-ASCII, and characters the readers refuse (controls, DEL, U+FFFE) or break lines at
# (NEL, U+2028, U+2029: what follows is an entry to them)
COMMENTS = ["", " # c", "  ", " # é ✓ 😀", " # \x7f", " # \x00", " # \x9b", " # \ufffe", " # \x85b: 1", " # \u2028b: 1"]
COMMENTS += [" # \u2029- x"]
LINE = st.tuples(
    st.integers(0, 6),
    st.booleans(),
    st.sampled_from(["", *KEYS]),
    st.sampled_from(SCALARS),
    st.sampled_from(COMMENTS),
).map(lambda p: " " * p[0] + ("- " if p[1] else "") + (f"{p[2]}: " if p[2] else "") + p[3] + p[4])
DOCUMENT = st.lists(
    LINE | st.sampled_from(["", "# comment", "  # indented", "#\u2028a: 1"]), min_size=1, max_size=10
).map(lambda lines: "\n".join(lines) + "\n")


def typed(data: Any) -> Any:
    """Data with every scalar's type beside it, so that 1 == True and 1 == 1.0 no longer pass."""
    if isinstance(data, dict):
        return {(type(k).__name__, k): typed(v) for k, v in data.items()}
    if isinstance(data, list):
        return [typed(item) for item in data]
    return (type(data).__name__, data)


def readings(text: str) -> dict[str, Any]:
    """What each reader makes of `text` (an exception's class when it refuses)."""
    out: dict[str, Any] = {}
    for name, read in (
        ("libyaml", lambda t: yaml.load(t, Loader=yaml.CSafeLoader)),
        ("pyyaml", yaml.safe_load),
        ("ruamel-c", lambda t: YAML(typ="safe").load(t)),
        ("ruamel-pure", lambda t: YAML(typ="safe", pure=True).load(t)),
    ):
        try:
            out[name] = typed(read(text))
        except Exception as exc:  # a refusal is a reading too
            out[name] = type(exc).__name__
    return out


def check(text: str) -> None:
    data = yaml_lines.load(text)
    if data is NotImplemented:
        return
    mine = typed(data)
    for reader, theirs in readings(text).items():
        assert theirs == mine, (reader, text)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
@example("a: 1\nb: 1.0\nc: true\nd: ~\ne:\n")
@example("- 1\n- -0.5\n- FALSE\n- ${V}\n")
@example("a: 1 # c\x7f\nb: 2\n")
@example("name: c # note\u2028password: x\n")
@example("k" * 1100 + ": 1\n")
def test_what_it_reads_every_reader_reads_alike(text: str) -> None:
    check(text)


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("name: c\nconfig_version: 1.0\nclass_name: C\n", {"name": "c", "config_version": 1.0, "class_name": "C"}),
        ("a:\n  - b: 1\n    c: 'x y'\n  - +2\nd:\n", {"a": [{"b": 1, "c": "x y"}, 2], "d": None}),
        ("k: ${OPENLINEAGE_API_KEY}  # the key\n", {"k": "${OPENLINEAGE_API_KEY}"}),
        ("l:\n- x\n- TRUE\n", {"l": ["x", True]}),
        ("datasources: {}\nl:\n  - []\n  - {}  # none\n", {"datasources": {}, "l": [[], {}]}),
        ("id: 0c2a9f4e-5b1d-4e8a-9c3f-7d2e1a0b6c5d\n", {"id": "0c2a9f4e-5b1d-4e8a-9c3f-7d2e1a0b6c5d"}),  # GE's
    ],
)  # fmt: skip
def test_it_reads_the_common_forms(text: str, data: Any) -> None:
    assert typed(yaml_lines.load(text)) == typed(data)
    check(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: yes\n",  # True to YAML 1.1, "yes" to 1.2
        "a: 012\n",  # 10 to PyYAML, 12 to ruamel
        "a: 1e3\n",  # a string to PyYAML, 1000.0 to ruamel
        "a: 1:20\n",  # 80 to PyYAML
        "a: 2001-12-14\n",  # a date
        "a: b\na: c\n",  # a key set twice
        "a: {b: 1}\n",  # flow
        "a: |\n  x\n",  # a block scalar
        "a: b\n  c\n",  # a continued line
        "a: b\r\n",  # CR
        "a:\tb\n",  # a tab
        "on: 1\n",  # a key 1.1 reads as True
        "",  # nothing: the readers say None
    ],
)
def test_it_declines_what_the_readers_may_disagree_on(text: str) -> None:
    assert yaml_lines.load(text) is NotImplemented


def test_yaml_read_load_gives_the_same_data_as_pyyaml_itself() -> None:
    text = "name: x\nconfig_version: 1.0\naction_list:\n  - name: a\n    action:\n      class_name: A\n"
    assert typed(yaml_read.load(text)) == typed(yaml_read.load_pyyaml(text))


@settings(max_examples=400, deadline=None)
@given(DOCUMENT, st.sampled_from(SCALARS[:40]))
def test_a_proof_by_lines_agrees_with_the_proof_by_both_readers(text: str, value: str) -> None:
    """Where an edit passes the proof (by lines or by both readers), both readers read exactly the edit."""
    try:
        data = yaml_read.load_pyyaml(text)
        yaml_read.load_ruamel(text)
    except Exception:  # not a file both readers take: nothing to prove
        return
    if not isinstance(data, dict):
        return
    op = yaml_write.Put((), "added_key", plain(value))
    try:
        after = yaml_write.apply(text, [op], data)
    except EditError:
        return
    yaml_proof.verify(text, after, [op], data)  # passes by lines or by the readers...
    for read in (yaml_read.load_pyyaml, yaml_read.load_ruamel):  # ...and each reads its original plus the edit
        assert typed(read(after)) == typed({**read(text), "added_key": value})


@pytest.mark.parametrize(
    "after",
    [
        "name: x\nversion: 2\nadded: a\n",  # another value changed
        "name: x\nadded: a\n",  # a key lost
        "name: x\nversion: 1.0\nadded: a\n",  # 1 became 1.0: equal in Python, another reading
        "name: x\nversion: 1\nadded: yes\n",  # not plain to both readers: they are asked, and disagree
    ],
)
def test_the_proof_by_lines_refuses_a_wrong_result(after: str) -> None:
    before = "name: x\nversion: 1\n"
    op = yaml_write.Put((), "added", plain("a"))
    with pytest.raises(EditError):
        yaml_proof.verify(before, after, [op], yaml_read.load(before))


def test_the_last_reading_is_kept_for_the_same_text_only() -> None:
    """An edit reads a file, then places its nodes from the same text: the second read is the first's tree;
    another text (even one equal to it, or after another file) is read anew."""
    text = "name: c\nl:\n  - x\n"
    first = yaml_lines.read(text)
    assert yaml_lines.read(text) is first and first == {"name": "c", "l": ["x"]}
    other = "".join(["name: c\n", "l:\n  - x\n"])
    assert other is not text and yaml_lines.read(other) == first and yaml_lines.read(other) is not first
    assert yaml_lines.read("a: [1\n") is None and yaml_lines.read(text) == first
