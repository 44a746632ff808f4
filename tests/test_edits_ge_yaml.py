"""edits/ge_yaml.py: splices that keep every other byte, and the checks that refuse the rest."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from ruamel.yaml import YAML

from lineage_setup.edits import EditError, ge_yaml
from lineage_setup.edits.ge_yaml import Append, Put

PARAMS = {
    "openlineage_host": ge_yaml.quoted("https://lineage.example.com"),
    "openlineage_namespace": ge_yaml.quoted("dev"),
    "openlineage_apiKey": ge_yaml.placeholder("OPENLINEAGE_API_KEY"),
}
ENTRY = ge_yaml.python(ge_yaml.action_entry(PARAMS))
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


def _operator(text: str) -> str:
    return ge_yaml.apply(text, ge_yaml.operator_ops(ge_yaml.load(text), "action_list_operator", PARAMS))


def _checkpoint(text: str) -> str:
    return ge_yaml.apply(text, ge_yaml.checkpoint_action_ops(ge_yaml.load(text), PARAMS))


# --- what we write reads back as written -------------------------------------------------------


@pytest.mark.parametrize("value", TRICKY)
def test_plain_and_quoted_read_back_the_same_in_yaml_1_1_and_1_2(value: str) -> None:
    for scalar in (ge_yaml.plain(value), ge_yaml.quoted(value)):
        text = f"k: {scalar.literal}\n"
        assert yaml.safe_load(text) == {"k": value}, scalar.literal
        assert _ruamel(text) == {"k": value}, scalar.literal


def test_plain_stays_plain_only_for_simple_words() -> None:
    assert ge_yaml.plain("ActionListValidationOperator").literal == "ActionListValidationOperator"
    assert ge_yaml.plain("uncommitted/config_variables.yml").literal == "uncommitted/config_variables.yml"
    assert ge_yaml.plain("yes").literal == '"yes"'
    assert ge_yaml.plain("0755").literal == '"0755"'


@pytest.mark.parametrize("value", TRICKY)
def test_values_written_inside_flow_mappings_read_back(value: str) -> None:
    text = "a: {b: 1}\n"
    for scalar in (ge_yaml.plain(value), ge_yaml.quoted(value)):
        out = ge_yaml.apply(text, [Put(("a",), "k", scalar)])
        assert yaml.safe_load(out) == {"a": {"b": 1, "k": value}}


# --- a matrix of formatting styles -------------------------------------------------------------

STYLES = list(itertools.product((2, 4), (0, 2), ("\n", "\r\n"), (True, False)))


def _config(step: int, dash: int, eol: str, final_newline: bool) -> str:
    pad, dash_pad = " " * step, " " * dash
    lines = [
        "# comment at the top",
        "config_version: 2.0",
        "validation_operators:",
        f"{pad}action_list_operator:",
        f"{pad * 2}class_name: ActionListValidationOperator   # eol",
        f"{pad * 2}action_list:",
        f"{pad * 2}# before the first item",
        f"{pad * 2}{dash_pad}- name: store_validation_result",
        f"{pad * 2}{dash_pad}  action:",
        f"{pad * 2}{dash_pad}{pad}class_name: StoreValidationResultAction",
        "",
        f"{pad * 2}# between items",
        f"{pad * 2}{dash_pad}- name: update_data_docs",
        f"{pad * 2}{dash_pad}  action: {{class_name: UpdateDataDocsAction}}",
        "# trailing comment",
        "plugins_directory: $PLUGINS",
    ]
    text = eol.join(lines)
    return text + eol if final_newline else text


@pytest.mark.parametrize(("step", "dash", "eol", "final_newline"), STYLES)
def test_operator_edit_keeps_the_file_s_style(step: int, dash: int, eol: str, final_newline: bool) -> None:
    before = _config(step, dash, eol, final_newline)
    after = _operator(before)
    assert _operator(after) == after  # idempotent
    lines = after.split(eol)
    first_new = lines.index(" " * (step * 2 + dash) + "- name: openlineage")
    assert lines[first_new + 1] == " " * (step * 2 + dash + 2) + "action:"
    assert lines[first_new + 2] == " " * (step * 2 + dash + 2 + step) + "class_name: OpenLineageValidationAction"
    assert after.count("\n") == after.count("\r\n") if eol == "\r\n" else "\r" not in after
    assert after.endswith(eol) == final_newline
    # everything before the new item and everything after it is the original, byte for byte
    start = after.index(lines[first_new])
    inserted = eol.join(lines[first_new : first_new + 7]) + eol
    assert after[:start] + after[start + len(inserted) :] == before
    data = yaml.safe_load(after)
    assert data["validation_operators"]["action_list_operator"]["action_list"][-1] == ENTRY


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
    assert ge_yaml.apply(before, [Put((), "b", ge_yaml.plain("x"))]) == after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("---\na: 1\n...\n", "---\na: 1\nb: x\n...\n"),
        ("%YAML 1.1\n---\na: 1\n", "%YAML 1.1\n---\na: 1\nb: x\n"),
    ],
)
def test_document_markers_stay(before: str, after: str) -> None:
    assert ge_yaml.apply(before, [Put((), "b", ge_yaml.plain("x"))]) == after


def test_a_yaml_1_1_directive_does_not_change_how_later_files_are_read() -> None:
    assert ge_yaml.load_ruamel("%YAML 1.1\n---\na: on\n") == {"a": True}
    assert ge_yaml.load_ruamel("a: on\nn: x\n") == {"a": "on", "n": "x"}
    assert ge_yaml.load_ruamel("%TAG !e! tag:yaml.org,2002:\n---\na: !e!str on\n") == {"a": "on"}
    with pytest.raises(Exception):  # noqa: B017 - any of ruamel's errors
        ge_yaml.load_ruamel("a: [1\n")
    assert ge_yaml.load_ruamel("a: on\nn: x\n") == {"a": "on", "n": "x"}


def test_append_after_a_block_scalar_item() -> None:
    text = "l:\n  - |\n    text\n\n  # c\nb: 1\n"
    out = ge_yaml.apply(text, [Append(("l",), ge_yaml.plain("z"))])
    assert out == "l:\n  - |\n    text\n\n  - z\n  # c\nb: 1\n"


def test_marks_count_characters_not_bytes() -> None:
    text = '# ünïcode 😀 before the list\nl:  # 😀😀\n  - "ä😀"\nz: 1\n'
    out = ge_yaml.apply(text, [Append(("l",), ge_yaml.plain("b")), Put((), "y", ge_yaml.quoted("😀"))])
    assert out == text.replace('"ä😀"\n', '"ä😀"\n  - b\n') + 'y: "\\U0001f600"\n'
    assert yaml.safe_load(out)["y"] == "😀"


@pytest.mark.parametrize("odd", ["\r", "\x85", "\u2028", "\u2029"])
def test_odd_line_breaks_are_refused(odd: str) -> None:
    with pytest.raises(EditError, match="line breaks other than LF and CRLF"):
        ge_yaml.apply(f"a: 1{odd}b: 2\n", [Put((), "n", ge_yaml.plain("x"))])


def test_put_after_a_key() -> None:
    text = "name: a\nclass_name: LegacyCheckpoint  # c\nbatches:\n  - x\n"
    out = ge_yaml.apply(text, [Put((), "validation_operator_name", ge_yaml.plain("op"), after="class_name")])
    assert out == "name: a\nclass_name: LegacyCheckpoint  # c\nvalidation_operator_name: op\nbatches:\n  - x\n"


@pytest.mark.parametrize("empty", ["", " ~", " null", " []", " {}"])
def test_empty_values_become_blocks(empty: str) -> None:
    text = f"top:\n  action_list:{empty}   # note\n  other: 1\n"
    out = ge_yaml.apply(text, [Put(("top",), "action_list", [ge_yaml.action_entry(PARAMS)])])
    assert out.startswith("top:\n  action_list:   # note\n    - name: openlineage\n")
    assert out.endswith("\n  other: 1\n")
    assert yaml.safe_load(out)["top"]["action_list"] == [ENTRY]


def test_new_top_level_section_gets_a_blank_line_only_where_sections_have_them() -> None:
    spaced = "a: 1\n\nb:\n  c: 2\n"
    dense = "a: 1\nb:\n  c: 2\n"
    tree = {"k": ge_yaml.plain("v")}
    assert ge_yaml.apply(spaced, [Put((), "n", tree)]) == spaced + "\nn:\n  k: v\n"
    assert ge_yaml.apply(dense, [Put((), "n", tree)]) == dense + "n:\n  k: v\n"


def test_append_follows_the_last_item_s_dash_and_gap() -> None:
    text = "l:\n-   name: a\n    x: 1\n"
    out = ge_yaml.apply(text, [Append(("l",), {"name": ge_yaml.plain("b")})])
    assert out == text + "-   name: b\n"


def test_comments_after_a_list_stay_after_it() -> None:
    text = "l:\n  - a\n  # about b\nb: 1  # eol\n"
    assert ge_yaml.apply(text, [Append(("l",), ge_yaml.plain("z"))]) == "l:\n  - a\n  - z\n  # about b\nb: 1  # eol\n"


# --- the OpenLineage entry ---------------------------------------------------------------------


def test_existing_entry_is_updated_in_place_and_keeps_the_user_s_keys() -> None:
    text = (
        "action_list:\n"
        "  - name: send_lineage\n"
        "    action:\n"
        "      class_name: OpenLineageValidationAction,\n"
        "      module_name: openlineage.common.provider.great_expectations.action\n"
        "      openlineage_namespace: old  # was\n"
        "      job_description: mine\n"
    )
    out = _checkpoint(text)
    assert out == (
        "action_list:\n"
        "  - name: send_lineage\n"
        "    action:\n"
        "      class_name: OpenLineageValidationAction\n"
        "      module_name: openlineage.common.provider.great_expectations.action\n"
        '      openlineage_namespace: "dev"  # was\n'
        "      job_description: mine\n"
        '      openlineage_host: "https://lineage.example.com"\n'
        "      openlineage_apiKey: ${OPENLINEAGE_API_KEY}\n"
    )


def test_the_user_s_placeholders_are_kept() -> None:
    text = (
        "action_list:\n  - name: openlineage\n    action:\n      class_name: OpenLineageValidationAction\n"
        "      module_name: openlineage.common.provider.great_expectations\n"
        "      openlineage_host: ${OL_URL}\n      openlineage_namespace: $NS\n      openlineage_apiKey: $KEY\n"
    )
    assert _checkpoint(text) == text


def test_operator_created_with_ge_defaults_only_when_absent() -> None:
    created = yaml.safe_load(_operator("config_version: 2.0\n"))
    names = [item["name"] for item in created["validation_operators"]["action_list_operator"]["action_list"]]
    assert names == ["store_validation_result", "store_evaluation_params", "update_data_docs", "openlineage"]
    empty = yaml.safe_load(_operator("validation_operators:\n  action_list_operator:\n    action_list: []\n"))
    operator = empty["validation_operators"]["action_list_operator"]
    assert operator == {"class_name": "ActionListValidationOperator", "action_list": [ENTRY]}


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a: 1\n---\nb: 2\n", "several YAML documents"),
        ("a: 1\nb: [1\n", "not valid YAML"),
        ("a:\n  b: 1\n  b: 2\n", "it sets 'b' twice in one mapping (line 3)"),
        ("a: 1 \t# tab\n", "tab character (line 1)"),
        ("- a\n", "'the top level' is not a mapping"),
        ("l: &x [a]\nm: *x\naction_list: *x\n", "is an alias (*x)"),
        ("action_list: &x\n  - a\nm: *x\n", "anchored (&x) and reused elsewhere"),
        ("b: &d {action_list: [a]}\nc:\n  <<: *d\n", "comes from a merge key"),
        ("action_list: [{name: a}]\n", "written in flow style [...]"),
        ("action_list: 3\n", "is not a list"),
        ("action_list:\n  - name: openlineage\n  - name: x\n    action: {class_name: OpenLineageValidationAction}\n",
         "more than once (items 1 and 2)"),
        ("action_list:\n  - name: openlineage\n    action: x\n", "'action_list.0.action' is not a mapping"),
    ],
)  # fmt: skip
def test_refused(text: str, reason: str) -> None:
    with pytest.raises(EditError, match=None) as caught:
        path = ("c", "action_list") if "<<" in text else ("action_list",)
        data = ge_yaml.load(text)
        ops = ge_yaml.ensure_action_ops(data, path, PARAMS, {}, ())
        ge_yaml.apply(text, ops, data)
    assert reason in str(caught.value)


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
        ge_yaml.apply(text, [Put((), "b", ge_yaml.plain("x"))])


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
        ge_yaml.verify("# c\na: 1\nb: 2\n", after, [Put((), "n", ge_yaml.plain("x"))])


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
        ge_yaml.verify(before, after, [Put((), "n", ge_yaml.plain("x"))])


def test_verify_asks_ruamel_too() -> None:
    # YAML 1.1 (PyYAML) reads `on` and `yes` alike (True); YAML 1.2 (ruamel, GE's reader) reads strings
    before, after = "a: on\n", "a: yes\nn: x\n"
    assert yaml.safe_load(after) == {**yaml.safe_load(before), "n": "x"}
    with pytest.raises(EditError, match=r"ruamel\.yaml would read other parts"):
        ge_yaml.verify(before, after, [Put((), "n", ge_yaml.plain("x"))])


def test_files_the_two_readers_disagree_on_are_still_edited() -> None:
    text = "a: on\nb: 0755\n"
    out = ge_yaml.apply(text, [Put((), "n", ge_yaml.plain("x"))])
    assert out == text + "n: x\n"
    assert yaml.safe_load(out) == {"a": True, "b": 493, "n": "x"}
    assert _ruamel(out) == {"a": "on", "b": 755, "n": "x"}


def test_files_already_right_are_not_parsed_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(text: str) -> Any:
        raise AssertionError("a file with nothing to change was round-tripped")

    done = _checkpoint("action_list: []\n")
    monkeypatch.setattr(ge_yaml, "load_ruamel", fail)
    monkeypatch.setattr(ge_yaml, "Doc", fail)
    data = ge_yaml.load(done)
    assert ge_yaml.apply(done, ge_yaml.checkpoint_action_ops(data, PARAMS), data) == done


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
