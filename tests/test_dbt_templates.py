"""Every dbt and demo template is used by some output form (a template nothing renders is dead config that
could drift from what the consumer reads)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage_setup import demo, templates

from .helpers import CANARY, CONN, cli

TEMPLATES = Path(__file__).parent.parent / "templates"


def _recording(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    used: set[str] = set()
    render = templates.render

    def recording(template: str, /, **values: str) -> str:  # the demo's values hold a `name`
        used.add(template)
        return render(template, **values)

    monkeypatch.setattr(templates, "render", recording)
    return used


def test_every_dbt_template_is_used(monkeypatch: pytest.MonkeyPatch, dbt_project: Path) -> None:
    used = _recording(monkeypatch)
    for fmt in ("yaml", "shell", "env"):
        assert cli(["dbt", "--print", "--format", fmt, *CONN]).exit_code == 0
    assert cli(["dbt", "--print", "--namespace-from", "env", *CONN]).exit_code == 0
    keyless = ["--backend", "marquez", "--url", "http://127.0.0.1:5000", "--namespace", "n"]
    assert cli(["dbt", "--print", *keyless]).exit_code == 0
    (dbt_project / "openlineage.yml").write_text("transport:\n  type: http\n  url: https://other.example.com\n")
    assert cli(["dbt", "--dir", str(dbt_project), *CONN, "--add", "--dry-run"]).exit_code == 0
    assert used == {f"dbt/{path.name}" for path in (TEMPLATES / "dbt").glob("*.tmpl")}


def test_every_demo_template_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    used = _recording(monkeypatch)
    demo.write_sample(tmp_path)
    assert used == {f"demo/{path.name}" for path in (TEMPLATES / "demo").glob("*.tmpl")}
    assert CANARY not in "".join(p.read_text() for p in tmp_path.rglob("*") if p.is_file())
