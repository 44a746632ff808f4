"""GE's action operations (integrations/great_expectations/edits.py) on the YAML round-trip engine:
the OpenLineage entry in operators and checkpoints, in the file's own style, and what is refused."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import yaml

from lineage_setup.edits import EditError, yaml_nodes, yaml_read, yaml_write
from lineage_setup.edits.yaml_emit import placeholder, python, quoted
from lineage_setup.edits.yaml_write import Put
from lineage_setup.integrations.great_expectations import edits as ge_edits

PARAMS = {
    "openlineage_host": quoted("https://lineage.example.com"),
    "openlineage_namespace": quoted("dev"),
    "openlineage_apiKey": placeholder("OPENLINEAGE_API_KEY"),
}
ENTRY = python(ge_edits.action_entry(PARAMS))


def _operator(text: str) -> str:
    return yaml_write.apply(text, ge_edits.operator_ops(yaml_read.load(text), "action_list_operator", PARAMS))


def _checkpoint(text: str) -> str:
    return yaml_write.apply(text, ge_edits.checkpoint_action_ops(yaml_read.load(text), PARAMS))


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


@pytest.mark.parametrize("empty", ["", " ~", " null", " []", " {}"])
def test_empty_values_become_blocks(empty: str) -> None:
    text = f"top:\n  action_list:{empty}   # note\n  other: 1\n"
    out = yaml_write.apply(text, [Put(("top",), "action_list", [ge_edits.action_entry(PARAMS)])])
    assert out.startswith("top:\n  action_list:   # note\n    - name: openlineage\n")
    assert out.endswith("\n  other: 1\n")
    assert yaml.safe_load(out)["top"]["action_list"] == [ENTRY]


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
        data = yaml_read.load(text)
        ops = ge_edits.ensure_action_ops(data, path, PARAMS, {}, ())
        yaml_write.apply(text, ops, data)
    assert reason in str(caught.value)


def test_files_already_right_are_not_parsed_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(text: str) -> Any:
        raise AssertionError("a file with nothing to change was round-tripped")

    done = _checkpoint("action_list: []\n")
    monkeypatch.setattr(yaml_read, "load_ruamel", fail)
    monkeypatch.setattr(yaml_nodes, "Doc", fail)
    data = yaml_read.load(done)
    assert yaml_write.apply(done, ge_edits.checkpoint_action_ops(data, PARAMS), data) == done
