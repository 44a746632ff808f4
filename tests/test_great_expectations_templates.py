"""templates/great_expectations/: every printed and pasted form comes from one, each is used, and each renders
hostile-but-valid values into text its consumer reads back as those values (YAML: PyYAML and ruamel.yaml;
JSON: json; the module: Python's own parser)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from lineage_setup import templates
from lineage_setup.answers import Connection
from lineage_setup.integrations.great_expectations import gx1_render
from lineage_setup.integrations.great_expectations.gx1_project import Layout
from lineage_setup.integrations.great_expectations.render import (
    checkpoint_by_hand,
    checkpoint_snippet,
    operator_snippet,
    params,
    variables_lines,
)

from .helpers import CANARY, CONN, cli

FOLDER = Path(__file__).resolve().parents[1] / "templates" / "great_expectations"
HOSTILE_NAMES = [
    'nightly "orders": #1',
    "ünïcödé – 日本語 😀",
    "a: b, [c] {d} & *e !f |g >h %i @j `k",
    "yes",
    "null",
    "0x1F",
    "'single' \\ back",
]
HOSTILE = Connection("https://h.example:8443", "team/api/v1/lineage", "prod:eu;x=1/a_b-c.d@e+f", CANARY)


def _readers(text: str) -> list[Any]:
    return [yaml.safe_load(text), YAML(typ="safe", pure=True).load(text), YAML(typ="safe").load(text)]


def test_every_template_is_used(empty_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    used: set[str] = set()
    real = templates.render

    def render(name: str, **values: str) -> str:
        used.add(name)
        return real(name, **values)

    monkeypatch.setattr(templates, "render", render)
    for fmt in ("yaml", "checkpoint", "variables", "gx1"):
        assert cli(["gx", "--dir", str(empty_dir), *CONN, "--print", "--format", fmt]).exit_code == 0
    assert {f"great_expectations/{p.name}" for p in FOLDER.glob("*.tmpl")} == used


@pytest.mark.parametrize("job_name", [None, *HOSTILE_NAMES])
def test_ge0_snippets_read_back_as_the_values(job_name: str | None) -> None:
    given = params(HOSTILE, job_name)
    for text, path in (
        (checkpoint_snippet(given), ["action_list", -1, "action"]),
        (operator_snippet(given), ["validation_operators", "action_list_operator", "action_list", -1, "action"]),
    ):
        for data in _readers(text):
            action = data
            for key in path:
                action = action[key]
            assert action["openlineage_host"] == "https://h.example:8443/team/"
            assert action["openlineage_namespace"] == HOSTILE.namespace
            assert action["openlineage_apiKey"] == "${OPENLINEAGE_API_KEY}"
            assert action.get("job_name") == job_name


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40))
def test_variables_line_reads_back_as_the_key(key: str) -> None:
    text = variables_lines(["OPENLINEAGE_API_KEY", "TEAM_TOKEN"], key)
    for data in _readers(text):
        assert data == {"OPENLINEAGE_API_KEY": key, "TEAM_TOKEN": key}


@pytest.mark.parametrize("job_name", [None, *HOSTILE_NAMES])
def test_gx1_entry_is_json_with_the_values(job_name: str | None) -> None:
    entry = json.loads(gx1_render.entry_text(HOSTILE, job_name))
    assert entry == {
        "api_key": "${OPENLINEAGE_API_KEY}", "endpoint": HOSTILE.endpoint, "job_name": job_name, "name": "openlineage",
        "namespace": HOSTILE.namespace, "type": "openlineage_gx", "url": HOSTILE.url,
    }  # fmt: skip
    assert list(entry) == sorted(entry)  # as GX writes it


@pytest.mark.parametrize("store", ["checkpoint_store", "my store: #1", "yes", "日本"])
def test_gx1_store_lines_read_back_as_the_values(store: str) -> None:
    where = Layout(store, None, "gx/checkpoints", "my plugins/", "gx/my plugins/openlineage_gx.py")
    for data in _readers(gx1_render.store_text(where, "uncommitted/vars: x.yml")):
        assert data == {
            "config_variables_file_path": "uncommitted/vars: x.yml",
            "plugins_directory": "my plugins/",
            "stores": {store: {"class_name": "CheckpointStore", "module_name": "openlineage_gx"}},
        }


def test_gx1_module_holds_its_values_as_python_reads_them() -> None:
    tree = ast.parse(gx1_render.module_text())
    constants = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }
    assert constants["ACTION_TYPE"] == "openlineage_gx"
    assert constants["PRODUCER"] == gx1_render.PRODUCER


def test_refusal_snippets_come_from_the_templates() -> None:
    """What a refusal tells the user to paste is the rendered template, whole."""
    text = str(gx1_render.config_refusal(Path("gx/great_expectations.yml"), "why", HOSTILE, "j"))
    assert gx1_render.entry_text(HOSTILE, "j") in text and gx1_render.store_text() in text
    given = params(HOSTILE, None)
    assert checkpoint_snippet(given) in checkpoint_by_hand(given, "class_name: Checkpoint\n")
