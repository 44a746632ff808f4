"""Every template placeholder is filled by its integration, and renders to something its consumer parses."""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

import pytest
import yaml

from lineage_setup import templates
from lineage_setup.answers import Connection
from lineage_setup.integrations.dbt.render import config_file

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
CONN = Connection("https://h.example", "api/v1/lineage", "dev", "olk_abcdef123456")


def test_checkout_templates_are_the_ones_loaded() -> None:
    assert Path(str(templates.root())).resolve() == TEMPLATES.resolve()


@pytest.mark.parametrize("path", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.tmpl")))
def test_template_placeholders_are_well_formed(path: str) -> None:
    # Template.is_valid/get_identifiers are 3.11+; read the same pattern by hand for 3.10
    matches = list(Template.pattern.finditer((TEMPLATES / path).read_text()))
    assert not [m for m in matches if m.group("invalid") is not None], path  # a literal $ is written $$
    assert [m for m in matches if m.group("named") or m.group("braced")]


def test_missing_value_is_a_template_error() -> None:
    with pytest.raises(templates.TemplateError, match=r"needs a value for \$url"):
        templates.render("dbt/http.yml.tmpl", endpoint="x", compression="", auth="")


def test_missing_template_is_a_template_error() -> None:
    with pytest.raises(templates.TemplateError, match="missing"):
        templates.load("nope/none.tmpl")


@pytest.mark.parametrize("namespace_from", ["file", "env"])
def test_dbt_config_renders_to_yaml_without_placeholders(namespace_from: str) -> None:
    text = config_file(CONN, namespace_from)
    assert not re.search(r"\$\w", text)
    assert yaml.safe_load(text)["transport"]["type"] == ("transform" if namespace_from == "file" else "http")
