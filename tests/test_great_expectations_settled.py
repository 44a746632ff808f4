"""settled.py, the first look a re-run takes at each GE 0.x checkpoint, is sound:

- every text its reader accepts reads the same to PyYAML and to ruamel.yaml (structure, and each scalar
  it calls a string or null), over generated documents and over mutations of real checkpoint files;
- whenever it says a checkpoint is settled, the full plan (PyYAML, the edit engine) changes nothing and
  says nothing about that file, over the same mutations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from lineage_setup.answers import Connection
from lineage_setup.integrations.great_expectations import checkpoints, settled
from lineage_setup.integrations.great_expectations.render import params as make_params

PARAMS = make_params(Connection("https://lineage.example.com", "api/v1/lineage", "bench", "k"), None)
KINDS = ("Checkpoint", "SimpleCheckpoint")
PATCHED = """\
name: check_1
config_version: 1.0
class_name: Checkpoint
run_name_template: "%Y%m%d-%H%M%S-check_1"
validations:
  - batch_request:
      datasource_name: warehouse
      data_asset_name: public.table_1
    expectation_suite_name: table_1.warning
action_list:
  # keep the results
  - name: store_validation_result
    action:
      class_name: StoreValidationResultAction
  - name: openlineage
    action:
      class_name: OpenLineageValidationAction
      module_name: openlineage.common.provider.great_expectations
      openlineage_host: "https://lineage.example.com"
      openlineage_namespace: "bench"
      openlineage_apiKey: ${OPENLINEAGE_API_KEY}
"""
LEGACY = """\
name: legacy_2
config_version:
module_name: great_expectations.checkpoint
class_name: LegacyCheckpoint
validation_operator_name: action_list_operator
batches:
- batch_kwargs:
    datasource: warehouse
  expectation_suite_names:
  - table_2.warning
"""
WORDS = ["a", "x_1", "yes", "on", "null", "~", "1.0", "0123", "1e3", "-", "- x", "${V}", "$V", "a: b", "a #b",
         '"q #: x"', "'s'", '"e\\n"', "{a: 1}", "[1]", "{}", "[]", "[ ]", "&a x", "*a", "!t x", "|", ">", "? k",
         "%x", "@x", "`x",
         "2001-12-14", "1:20", "0x1F", ".inf", "=", "openlineage", "OpenLineageValidationAction",
         "action_list_operator",
         '"https://lineage.example.com"', '"bench"', "Checkpoint", "LegacyCheckpoint", ""]  # fmt: skip
KEYS = ["name", "action", "action_list", "class_name", "module_name", "config_version", "validations", "on", "y",
        "openlineage_host", "openlineage_namespace", "openlineage_apiKey", "job_name", "validation_operator_name",
        "k", '"q"', "a b"]  # fmt: skip
LINE = st.tuples(
    st.integers(0, 8),
    st.booleans(),
    st.sampled_from(["", *KEYS]),
    st.sampled_from(WORDS),
    st.sampled_from(["", " # c"]),
).map(lambda p: " " * p[0] + ("- " if p[1] else "") + (f"{p[2]}: " if p[2] else "") + p[3] + p[4])


def _ruamel(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def _agrees(tree: Any, data: Any) -> bool:
    """The reader's tree and a YAML reader's data: the same structure; each scalar it calls a string that
    string, each it calls null None (others, numbers and such, are left to the readers)."""
    if isinstance(tree, dict):
        return isinstance(data, dict) and set(tree) == set(data) and all(_agrees(v, data[k]) for k, v in tree.items())
    if isinstance(tree, list):
        return isinstance(data, list) and len(tree) == len(data) and all(map(_agrees, tree, data))
    if settled.null(tree):
        return data is None
    text = settled.string(tree)
    return text is None or data == text


def _check_reader(text: str) -> None:
    tree = settled.read(text)
    if tree is None:
        return
    assert _agrees(tree, yaml.safe_load(text)), text
    assert _agrees(tree, _ruamel(text)), text


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE | st.sampled_from(["", "# comment", "  # indented comment"]), min_size=1, max_size=12))
def test_what_the_reader_accepts_reads_the_same_to_pyyaml_and_ruamel(lines: list[str]) -> None:
    _check_reader("\n".join(lines) + "\n")


def _mutations(text: str) -> st.SearchStrategy[str]:
    lines = text.splitlines()

    def mutate(edits: list[tuple[int, int, str]]) -> str:
        out = list(lines)
        for kind, where, word in edits:
            where %= max(len(out), 1)
            if kind == 0 and out:
                del out[where]
            elif kind == 1 and out:
                out.insert(where, out[where])
            elif kind == 2 and out:
                out[where] = " " + out[where]
            elif kind == 3 and out and ": " in out[where]:
                out[where] = out[where].split(": ", 1)[0] + ": " + word
            elif kind == 4:
                out.insert(where, word)
            elif kind == 5 and out:
                out[where] = out[where].replace("- ", "", 1)
        return "\n".join(out) + "\n"

    edit = st.tuples(st.integers(0, 5), st.integers(0, 40), st.sampled_from([*WORDS, "      job_name: x"]))
    return st.lists(edit, max_size=3).map(mutate)


def _full(text: str) -> checkpoints.Checkpoint:
    """The plan without the first look: PyYAML and the edit engine decide."""
    first_look = settled.settled
    settled.settled = lambda *args: None  # type: ignore[assignment]
    try:
        return checkpoints.plan_checkpoint("c", "c.yml", text, {}, PARAMS)
    finally:
        settled.settled = first_look


@settings(max_examples=600, deadline=None)
@given(text=st.sampled_from([PATCHED, LEGACY]).flatmap(_mutations))
def test_settled_means_the_full_plan_changes_and_says_nothing(text: str) -> None:
    _check_reader(text)
    kind = settled.settled(text, PARAMS, KINDS)
    if kind is None:
        return
    full = _full(text)
    assert (full.text, full.refused, full.notes, full.infos) == (None, "", (), ()), text
    assert full == checkpoints.plan_checkpoint("c", "c.yml", text, {}, PARAMS)  # what the run uses
    assert full.kind == kind


@pytest.mark.parametrize("text", [PATCHED, LEGACY])
def test_the_forms_lineage_setup_writes_are_settled(text: str) -> None:
    assert settled.settled(text, PARAMS, KINDS) is not None


@pytest.mark.parametrize(
    "text",
    [
        PATCHED.replace("bench", "other"),  # another namespace: the run updates it
        PATCHED + "  - name: again\n    action:\n      class_name: OpenLineageValidationAction\n",  # twice
        PATCHED.replace("name: check_1", "name: check_1\nname: twice"),  # a key set twice: refused in full
        PATCHED.replace("      openlineage_apiKey", "      job_name: kept\n      openlineage_apiKey"),  # said
        PATCHED.replace("validations:", "validations:\n  - action_list:\n    - name: openlineage\nx:"),
        PATCHED.replace("  - name: openlineage", "  - name: openlineage\n    action: &a"),
        PATCHED.replace("\n", "\r\n"),
        LEGACY.replace("action_list_operator", "my_operator"),
        LEGACY.replace("class_name: LegacyCheckpoint", "class_name: yes"),
        "",
        "- a\n- b\n",
    ],
)
def test_anything_else_takes_the_full_way(text: str) -> None:
    assert settled.settled(text, PARAMS, KINDS) is None


def _ge_written() -> str:
    """A checkpoint as great_expectations 0.15.34 writes it (DataContext.add_checkpoint), empty `{}` and `[]`
    included: the benchmark's V3 file without the comment it adds."""
    from .bench.ge_checkpoints import V3

    return V3.format(n=1).replace("  # keep the results\n", "")


def test_a_checkpoint_as_ge_writes_it_is_read_by_lines_and_settled_once_patched() -> None:
    """GE's own files hold `batch_request: {}` and `profilers: []`: were they declined, every real
    checkpoint would go through PyYAML on every run."""
    from lineage_setup.edits import yaml_lines

    written = _ge_written()
    assert "batch_request: {}" in written and "profilers: []" in written and "#" not in written
    assert yaml_lines.load(written) == yaml.safe_load(written) == _ruamel(written)
    patched = checkpoints.plan_checkpoint("check_1", "check_1.yml", written, {}, PARAMS)
    assert patched.text is not None and "OpenLineageValidationAction" in patched.text
    assert settled.settled(patched.text, PARAMS, KINDS) == "Checkpoint"
    again = _full(patched.text)
    assert (again.text, again.refused, again.notes, again.infos) == (None, "", (), ())


def test_a_bench_sized_project_is_settled_file_by_file(tmp_path: Path) -> None:
    """The benchmark's files, once patched, are all settled (else the no-op re-run target is out of reach)."""
    from .bench.ge_checkpoints import LEGACY as BENCH_LEGACY
    from .bench.ge_checkpoints import V3

    operator = "validation_operator_name:"
    legacy = BENCH_LEGACY.format(n=7).replace(operator, f"{operator} action_list_operator")
    v3 = checkpoints.plan_checkpoint("check_8", "check_8.yml", V3.format(n=8), {}, PARAMS).text
    assert v3 is not None
    assert settled.settled(legacy, PARAMS, KINDS) == "LegacyCheckpoint"
    assert settled.settled(v3, PARAMS, KINDS) == "Checkpoint"
