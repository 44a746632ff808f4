"""The YAML round-trip engine (edits/yaml_*.py): splices that keep every other byte, and the checks
that refuse the rest."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from ruamel.yaml import YAML

from lineage_setup.edits import EditError, yaml_proof, yaml_read, yaml_write
from lineage_setup.edits.yaml_emit import plain, quoted
from lineage_setup.edits.yaml_write import Append, Put

# values YAML readers could misread; astral characters because quoting.yaml_str once wrote JSON
# surrogate pairs (`\\ud83d\\ude00`), which YAML readers reject
TRICKY = [
    "plain",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "~",
    "null",
    "true",
    "0755",
    "0o17",
    "1.10",
    "1e3",
    "12:30",
    ".inf",
    "-",
    "-x",
    "#x",
    "[a]",
    "{a}",
    "*a",
    "&a",
    "!a",
    "%a",
    "@a",
    "`a",
    "'a",
    '"a',
    "a,b",
    "ünïcode",
    "uncommitted/config_variables.yml",
    "https://lineage.example.com/",
    "${VAR}",
    "$VAR",
    "😀",
    "\\😀",
    "back\\slash",
    "a: b",
    "a #b",
    "trailing ",
    " leading",
    "",
    "tab\there",
    "a\U0010ffffb",
    "\\ud83d\\ude00",
    "nel\x85",
    "ls\u2028",
]


def _ruamel(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


# --- what we write reads back as written -------------------------------------------------------


@pytest.mark.parametrize("value", TRICKY)
def test_plain_and_quoted_read_back_the_same_in_yaml_1_1_and_1_2(value: str) -> None:
    for scalar in (plain(value), quoted(value)):
        text = f"k: {scalar.literal}\n"
        assert yaml.safe_load(text) == {"k": value}, scalar.literal
        assert _ruamel(text) == {"k": value}, scalar.literal


def test_plain_stays_plain_only_for_simple_words() -> None:
    assert plain("ActionListValidationOperator").literal == "ActionListValidationOperator"
    assert plain("uncommitted/config_variables.yml").literal == "uncommitted/config_variables.yml"
    assert plain("yes").literal == '"yes"'
    assert plain("0755").literal == '"0755"'


@pytest.mark.parametrize("value", TRICKY)
def test_values_written_inside_flow_mappings_read_back(value: str) -> None:
    text = "a: {b: 1}\n"
    for scalar in (plain(value), quoted(value)):
        out = yaml_write.apply(text, [Put(("a",), "k", scalar)])
        assert yaml.safe_load(out) == {"a": {"b": 1, "k": value}}


# --- each kind of edit -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a: 1\n", "a: 1\nb: x\n"),
        ("a: 1", "a: 1\nb: x"),
        ("", "b: x\n"),
        ("# only a comment\n", "# only a comment\nb: x\n"),
        ("b:\n", "b: x\n"),
        ("b: ~  # later\n", "b: x  # later\n"),
        ("b: old   # keep me\nc: 2\n", "b: x   # keep me\nc: 2\n"),
        ("b: 'old'\n", "b: x\n"),
        ("b: &anchor old\n", "b: x\n"),  # an anchor nothing refers to goes with its value
        ("{a: 1}\n", "{a: 1, b: x}\n"),
        ("{}\n", "{b: x}\n"),
    ],
)
def test_put_scalar(before: str, after: str) -> None:
    assert yaml_write.apply(before, [Put((), "b", plain("x"))]) == after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("---\na: 1\n...\n", "---\na: 1\nb: x\n...\n"),
        ("%YAML 1.1\n---\na: 1\n", "%YAML 1.1\n---\na: 1\nb: x\n"),
    ],
)
def test_document_markers_stay(before: str, after: str) -> None:
    assert yaml_write.apply(before, [Put((), "b", plain("x"))]) == after


def test_a_yaml_1_1_directive_does_not_change_how_later_files_are_read() -> None:
    assert yaml_read.load_ruamel("%YAML 1.1\n---\na: on\n") == {"a": True}
    assert yaml_read.load_ruamel("a: on\nn: x\n") == {"a": "on", "n": "x"}
    assert yaml_read.load_ruamel("%TAG !e! tag:yaml.org,2002:\n---\na: !e!str on\n") == {"a": "on"}
    with pytest.raises(Exception):  # noqa: B017 - any of ruamel's errors
        yaml_read.load_ruamel("a: [1\n")
    assert yaml_read.load_ruamel("a: on\nn: x\n") == {"a": "on", "n": "x"}


def test_append_after_a_block_scalar_item() -> None:
    text = "l:\n  - |\n    text\n\n  # c\nb: 1\n"
    out = yaml_write.apply(text, [Append(("l",), plain("z"))])
    assert out == "l:\n  - |\n    text\n\n  - z\n  # c\nb: 1\n"


def test_marks_count_characters_not_bytes() -> None:
    text = '# ünïcode 😀 before the list\nl:  # 😀😀\n  - "ä😀"\nz: 1\n'
    out = yaml_write.apply(text, [Append(("l",), plain("b")), Put((), "y", quoted("😀"))])
    assert out == text.replace('"ä😀"\n', '"ä😀"\n  - b\n') + 'y: "\\U0001f600"\n'
    assert yaml.safe_load(out)["y"] == "😀"


@pytest.mark.parametrize("odd", ["\r", "\x85", "\u2028", "\u2029"])
def test_odd_line_breaks_are_refused(odd: str) -> None:
    with pytest.raises(EditError, match="line breaks other than LF and CRLF"):
        yaml_write.apply(f"a: 1{odd}b: 2\n", [Put((), "n", plain("x"))])


def test_put_after_a_key() -> None:
    text = "name: a\nclass_name: LegacyCheckpoint  # c\nbatches:\n  - x\n"
    out = yaml_write.apply(text, [Put((), "validation_operator_name", plain("op"), after="class_name")])
    assert out == "name: a\nclass_name: LegacyCheckpoint  # c\nvalidation_operator_name: op\nbatches:\n  - x\n"


def test_new_top_level_section_gets_a_blank_line_only_where_sections_have_them() -> None:
    spaced = "a: 1\n\nb:\n  c: 2\n"
    dense = "a: 1\nb:\n  c: 2\n"
    tree = {"k": plain("v")}
    assert yaml_write.apply(spaced, [Put((), "n", tree)]) == spaced + "\nn:\n  k: v\n"
    assert yaml_write.apply(dense, [Put((), "n", tree)]) == dense + "n:\n  k: v\n"


def test_append_follows_the_last_item_s_dash_and_gap() -> None:
    text = "l:\n-   name: a\n    x: 1\n"
    out = yaml_write.apply(text, [Append(("l",), {"name": plain("b")})])
    assert out == text + "-   name: b\n"


def test_comments_after_a_list_stay_after_it() -> None:
    text = "l:\n  - a\n  # about b\nb: 1  # eol\n"
    assert yaml_write.apply(text, [Append(("l",), plain("z"))]) == "l:\n  - a\n  - z\n  # about b\nb: 1  # eol\n"


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("b: |\n  long\n  text\n", "multi-line value"),
        ('b: "two\n  lines"\n', "multi-line value"),
        ("b:\n  c: 1\n", "holds a mapping"),
    ],
)
def test_replacing_other_kinds_of_value_is_refused(text: str, reason: str) -> None:
    with pytest.raises(EditError, match=reason):
        yaml_write.apply(text, [Put((), "b", plain("x"))])


# --- the verification catches what a splice must never do ----------------------------------------


@pytest.mark.parametrize(
    ("after", "reason"),
    [
        ("a: 1\nb: 3\nn: x\n", "would change other parts"),
        ("a: 1\nb: 2\n", "would change other parts"),  # the intended change is missing
        ("a: 1\nb: 2\nn: x\nn2: y\n", "would change other parts"),
        ("a: 1\nb: [2\nn: x\n", "would not parse"),
        ("a: 1\nb: 2\nn: x\n", "lose a comment"),
    ],
)
def test_verify_rejects(after: str, reason: str) -> None:
    with pytest.raises(EditError, match=reason):
        yaml_proof.verify("# c\na: 1\nb: 2\n", after, [Put((), "n", plain("x"))])


@pytest.mark.parametrize(
    ("before", "after", "reason"),
    [
        ("a: 1  # eol\n", "a: 1\nn: x\n", "lose a comment ('# eol')"),
        ("a: 1  # from $VAR\n", "a: 1  # from\nn: x\n", "lose a comment"),
        ("a: 1 # ${VAR}\n", "a: 1 #\nn: x\n", "lose a comment"),
    ],
)
def test_verify_rejects_lost_end_of_line_comments(before: str, after: str, reason: str) -> None:
    # the data is the same either way: only the text checks see these
    assert yaml.safe_load(after) == {**yaml.safe_load(before), "n": "x"}
    with pytest.raises(EditError, match=re.escape(reason)):
        yaml_proof.verify(before, after, [Put((), "n", plain("x"))])


def test_verify_asks_ruamel_too() -> None:
    # YAML 1.1 (PyYAML) reads `on` and `yes` alike (True); YAML 1.2 (ruamel, GE's reader) reads strings
    before, after = "a: on\n", "a: yes\nn: x\n"
    assert yaml.safe_load(after) == {**yaml.safe_load(before), "n": "x"}
    with pytest.raises(EditError, match=r"ruamel\.yaml would read other parts"):
        yaml_proof.verify(before, after, [Put((), "n", plain("x"))])


def test_files_the_two_readers_disagree_on_are_still_edited() -> None:
    text = "a: on\nb: 0755\n"
    out = yaml_write.apply(text, [Put((), "n", plain("x"))])
    assert out == text + "n: x\n"
    assert yaml.safe_load(out) == {"a": True, "b": 493, "n": "x"}
    assert _ruamel(out) == {"a": "on", "b": 755, "n": "x"}


def test_c_and_pure_ruamel_parsers_read_the_golden_corpus_alike() -> None:
    """The check uses ruamel's C parser for speed; it must read what the pure parser reads."""
    from ruamel.yaml import YAML

    golden = Path(__file__).parent / "golden" / "great_expectations"
    texts = [p.read_text(encoding="utf-8-sig") for p in golden.rglob("*.yml")]
    assert len(texts) > 20
    fast, pure = YAML(typ="safe"), YAML(typ="safe", pure=True)
    assert fast.Parser is not pure.Parser  # the C parser is really in use here
    for text in texts:
        if text.startswith("%") or "\n%" in text or "\t" in text:
            continue  # read with the pure parser: directives, tabs
        try:
            expected = pure.load(text)
        except Exception:  # refused corpus files: both must refuse
            with pytest.raises(Exception):  # noqa: B017
                fast.load(text)
            continue
        assert fast.load(text) == expected


# --- Section: a whole top-level entry, as edits/yamlblock.py sets one ------------------------------

SECTION = "transport:\n  type: http\n"


def test_section_replaces_the_entry_and_drops_only_its_own_comments() -> None:
    text = "# top\ntransport:  # old\n  type: console  # ${OLD}\n\n# about b\nb: 1\n"
    out = yaml_write.apply(text, [yaml_write.Section("transport", SECTION)])
    assert out == "# top\n" + SECTION + "\n# about b\nb: 1\n"


def test_section_for_pyyaml_alone_accepts_what_only_ruamel_refuses() -> None:
    # a tab in a comment, a key set twice in a mapping nobody edits: PyYAML reads both alike
    for text in ("a: 1  # tab\there\ntransport: x\n", "x:\n  k: 1\n  k: 2\ntransport: x\n"):
        out = yaml_write.apply(text, [yaml_write.Section("transport", SECTION)], ruamel=False)
        assert out.endswith(SECTION)
        with pytest.raises(EditError):
            yaml_write.apply(text, [yaml_write.Section("transport", SECTION)])


def test_yaml_str_escapes_each_character_as_json_does() -> None:
    """Printable ASCII is kept without asking json (most values: a run quoting them imports no json);
    every other character of the BMP, a surrogate too, is escaped as json.dumps escapes it."""
    import json

    from lineage_setup.quoting import _yaml_char

    assert all(_yaml_char(chr(i)) == json.dumps(chr(i))[1:-1] for i in range(0x10000))
    assert _yaml_char("\U0001f600") == "\\U0001f600"


@pytest.mark.parametrize(
    "text",
    ["a: 1 # c\x7f\nb: 2\n", "a: 1 # \x00\n", "# \ufffe\na: 1\n", "k" * 1100 + ": 1\n"],
    ids=["DEL", "NUL", "U+FFFE", "a 1,100-character key"],
)
def test_a_file_the_readers_refuse_is_refused_though_its_lines_look_plain(text: str) -> None:
    """Placing nodes from lines (yaml_marks) must not accept what PyYAML and ruamel.yaml refuse (found in
    review): the edit fails as it does through the parser, and nothing is returned."""
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    with pytest.raises(EditError, match="not valid YAML"):
        yaml_write.apply(text, [Put((), "added", plain("x"))])
