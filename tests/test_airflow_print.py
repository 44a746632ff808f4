"""--print follows the project's Dockerfile, and every next step that names a command reproduces what was shown.

The integration reads the project folder from `Request.root`; until the runner hands it over (a `root` field
on base.Request, filled from --dir in the --print path), the tests through the CLI that need it are expected
to fail (strict: they start passing, and must be unmarked, once it does).
"""

from __future__ import annotations

import shlex
import types
from pathlib import Path

import pytest

from lineage_setup.answers import Connection
from lineage_setup.integrations import airflow
from lineage_setup.integrations.airflow import forms

from .helpers import CANARY, CONN, cli

CONNECTION = Connection("https://lineage.example.com", "api/v1/lineage", "dev", CANARY, {"url": "--url"})
RT2, RT3 = "quay.io/astronomer/astro-runtime", "astrocrpublic.azurecr.io/runtime"


def _project(tmp_path: Path, image: str, tag: str) -> Path:
    folder = tmp_path / f"p-{tag}"
    folder.mkdir()
    (folder / "Dockerfile").write_text(f"FROM {image}:{tag}\n")
    (folder / ".gitignore").write_text(".env\n")
    return folder


def _render(folder: Path | None, fmt: str, **options: str) -> tuple[str, tuple[str, ...]]:
    request = types.SimpleNamespace(conn=CONNECTION, options=airflow.Options(**options), env={}, root=folder)
    rendered = airflow.render(request, fmt)  # type: ignore[arg-type]
    return rendered.text, rendered.hints


@pytest.mark.parametrize(
    ("image", "tag", "fmt", "first"),
    [
        (RT2, "4.1.0", "astro", "astro deployment variable create AIRFLOW__LINEAGE__BACKEND="),
        (RT2, "4.1.0", "env", "AIRFLOW__LINEAGE__BACKEND="),
        (RT2, "9.2.0", "astro", "astro deployment variable create OPENLINEAGE__TRANSPORT__TRANSPORTS__"),
        (RT2, "9.2.0", "env", "OPENLINEAGE__TRANSPORT__TYPE=composite"),
        (RT3, "3.1-12", "shell", "export OPENLINEAGE__TRANSPORT__TYPE=composite"),
        (RT2, "7.4.0", "astro", ""),  # Astro's lineage, and nothing can be added next to it there
    ],
)
def test_print_follows_the_dockerfile(tmp_path: Path, image: str, tag: str, fmt: str, first: str) -> None:
    text, hints = _render(_project(tmp_path, image, tag), fmt)
    assert text.startswith(first) and (text != "") == bool(first)
    assert "AIRFLOW__OPENLINEAGE__TRANSPORT" not in text  # never on an Astro Runtime
    assert any(tag in hint for hint in hints)  # says which Runtime it printed for


def test_without_a_dockerfile_astro_means_a_deployment_and_env_plain_airflow() -> None:
    text, hints = _render(None, "astro")
    assert text == forms.subtransport(CONNECTION, "LINEAGE_EXAMPLE_COM", "astro")
    assert "Runtime 9.2.0+ assumed" in hints[0]
    text, _ = _render(None, "env")
    assert text.startswith("AIRFLOW__OPENLINEAGE__TRANSPORT='{")  # plain Airflow: nothing else configures it
    text, _ = _render(None, "astro", airflow_version="2.1")
    assert text == forms.legacy(CONNECTION, "astro", backend=True)


def test_print_through_the_cli_follows_the_dockerfile(tmp_path: Path) -> None:
    folder = _project(tmp_path, RT2, "4.1.0")
    result = cli(["airflow", "--dir", str(folder), *CONN, "--print", "--format", "astro"])
    assert result.exit_code == 0, result.output
    assert "AIRFLOW__LINEAGE__BACKEND=openlineage.lineage_backend.OpenLineageBackend" in result.stdout


def _shown_commands(stdout: str) -> tuple[list[str], str]:
    """The `astro deployment variable create` lines of the next steps, and the command said to print them."""
    commands = [line.strip() for line in stdout.splitlines() if line.strip().startswith("astro deployment")]
    reprint = stdout.split("`lineage-setup airflow ", 1)[1].split("`", 1)[0]
    return commands, f"lineage-setup airflow {reprint}"


@pytest.mark.parametrize(
    ("image", "tag", "extra"),
    [
        (RT2, "4.1.0", []),
        (RT2, "4.1.0", ["--endpoint", "events/v1", "--deployment-id", "clx0dep"]),
        (RT2, "9.2.0", []),
        (RT2, "9.2.0", ["--transport-name", "marquez", "--endpoint", "ol/v1"]),
        (RT3, "3.1-12", ["--deployment-id", "clx0dep"]),
    ],
)
def test_the_print_command_in_the_next_steps_prints_what_they_show(
    tmp_path: Path, image: str, tag: str, extra: list[str]
) -> None:
    folder = _project(tmp_path, image, tag)
    shown = cli(["airflow", "--dir", str(folder), *CONN, *extra, "--dry-run"])
    assert shown.exit_code == 0, shown.output
    commands, reprint = _shown_commands(shown.stdout)
    assert commands and f"--dir {folder}" in reprint
    words = shlex.split(reprint)
    assert words[:2] == ["lineage-setup", "airflow"]
    again = cli(words[1:], env={"OPENLINEAGE_API_KEY": CANARY})  # the key as the hint says to give it
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == [command.replace("****", CANARY) for command in commands]


def test_the_local_hint_reproduces_the_endpoint(tmp_path: Path) -> None:
    folder = _project(tmp_path, RT2, "9.2.0")
    args = ["--domain", "astronomer.io", "--namespace", "dev", "--api-key", CANARY]
    shown = cli(["airflow", "--dir", str(folder), *args, "--dry-run"])
    hint = shown.stdout.split("To also send from `astro dev`: ", 1)[1].splitlines()[0]
    again = cli([*shlex.split(hint)[1:], "--dry-run"], env={"OPENLINEAGE_API_KEY": CANARY})
    assert again.exit_code == 0, again.output
    assert "+OPENLINEAGE__TRANSPORT__TRANSPORTS__API_ASTRONOMER_IO__URL=https://api.astronomer.io" in again.stdout
