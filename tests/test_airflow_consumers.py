"""What `lineage-setup airflow` writes and prints, read by the real consumers.

- every .env: python-dotenv and `bash -c 'set -a; . ./.env; env'` see the same values (and the Astro
  CLI's `--load` rule too);
- the transport JSON and the legacy variables: the real openlineage-python client builds the transport;
- the Astro Deployment commands: `bash -n`, shellcheck, and run against a stand-in `astro` that records
  its arguments, split on the first `=` as the Astro CLI does.
(Astro Runtime 9.2.0+: the sub-transport added to Astro's composite, read by the client, is in
test_airflow_astro.py.)
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lineage_setup.answers import Connection
from lineage_setup.integrations.airflow import destination, forms, versions
from lineage_setup.integrations.airflow import project as airflow_project
from lineage_setup.integrations.airflow.edits import HEADER
from lineage_setup.integrations.airflow.forms import transport_json
from lineage_setup.integrations.airflow.render import variables
from lineage_setup.integrations.airflow.versions import AF_NAMESPACE, BACKEND, TRANSPORT

from .helpers import CANARY, CONN, cli, copy_golden
from .test_airflow_golden import GOLDEN, case_args

openlineage_client = pytest.importorskip("openlineage.client")
dotenv = pytest.importorskip("dotenv")

ENV_CASES = sorted(
    case
    for case in os.listdir(GOLDEN)
    if (GOLDEN / case / "after" / "dot-env").exists() and HEADER in (GOLDEN / case / "after" / "dot-env").read_text()
)
PROVIDER_CASES = [case for case in ENV_CASES if TRANSPORT in (GOLDEN / case / "after" / "dot-env").read_text()]
CONNECTION = Connection("https://lineage.example.com", "api/v1/lineage", "dev", CANARY)


def _bash_env(folder: Path) -> dict[str, str]:
    done = subprocess.run(
        ["bash", "-c", "set -a; . ./.env; env -0"], cwd=folder, capture_output=True, env={"PATH": os.environ["PATH"]}
    )
    pairs = (item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    return dict(pairs)  # type: ignore[arg-type]


def _astro_load(text: str) -> dict[str, str]:
    """astro deployment variable create --load: split on the first `=`, Trim `"` then `'`, TrimSpace."""
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip("\ufeff").startswith("#"):
            key, _, value = line.partition("=")
            out[key] = value.strip('"').strip("'").strip()
    return out


def _written(case: str, tmp_path: Path) -> Path:
    """The project after the CLI ran the case (the golden test proves it equals after/)."""
    folder = tmp_path / "p"
    copy_golden(GOLDEN / case / "before", folder)
    assert cli(["airflow", "--dir", str(folder), *CONN, *case_args(case), "--yes"]).exit_code == 0
    return folder


def _flag(args: list[str], flag: str, default: str | None) -> str | None:
    """The value the CLI takes for a flag: the last one given."""
    values = [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == flag]
    return values[-1] if values else default


def _expected(case: str) -> dict[str, str]:
    args = [*CONN, *case_args(case)]
    endpoint = _flag(args, "--endpoint", "api/v1/lineage") or ""
    url, key = _flag(args, "--url", "") or "", _flag(args, "--api-key", "") or ""
    conn = Connection(url, endpoint, CONNECTION.namespace, key, backend=_flag(args, "--backend", "custom") or "custom")
    env = (GOLDEN / case / "after" / "dot-env").read_text()
    if "OPENLINEAGE__TRANSPORT__TYPE=composite" in env:  # Astro Runtime 9.2.0+: a sub-transport of Astro's
        name = destination.name(_flag(args, "--transport-name", None), conn)
        return dict(forms.pairs(forms.subtransport(conn, name, "env")))
    era = "provider" if TRANSPORT in env else "backend" if BACKEND in env else "plugin"
    return dict(variables(conn, era))  # type: ignore[arg-type]


@pytest.mark.parametrize("case", ENV_CASES)
def test_every_env_reads_the_same_in_dotenv_bash_and_astro(case: str, tmp_path: Path) -> None:
    folder = _written(case, tmp_path)
    text = (folder / ".env").read_bytes().decode("utf-8-sig")
    ours = _expected(case)
    by_dotenv = dotenv.dotenv_values(folder / ".env")
    by_bash = _bash_env(folder)
    assert {key: by_dotenv[key] for key in ours} == ours
    if "\r\n" in text:  # bash keeps the CR of a CRLF file (the run warns about it); the values are otherwise equal
        by_bash = {key: value.removesuffix("\r") for key, value in by_bash.items()}
    for key, value in by_dotenv.items():
        assert by_bash[key.removeprefix("export ")] == value, key
    loaded = _astro_load(text.replace("\r\n", "\n"))
    # `--load` keeps an `export ` prefix in the key; we keep the user's prefix on a line we update
    assert {key: loaded.get(key, loaded.get(f"export {key}")) for key in ours} == ours


# --- the real OpenLineage client ---------------------------------------------------------------------


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No openlineage.yml in CWD or HOME (conftest gives a private HOME and clears OPENLINEAGE*)."""
    for name in list(os.environ):
        assert not name.startswith("OPENLINEAGE")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


@pytest.mark.parametrize("case", PROVIDER_CASES)
def test_transport_json_builds_the_client(case: str, tmp_path: Path, isolated: None) -> None:
    values = dotenv.dotenv_values(GOLDEN / case / "after" / "dot-env")
    transport = json.loads(values[TRANSPORT])  # what the provider's conf.getjson returns
    client = openlineage_client.OpenLineageClient(config={"transport": transport})
    http = client.transport
    assert (http.kind, http.url, http.endpoint) == ("http", "https://lineage.example.com", "api/v1/lineage")
    assert http.config.auth.get_bearer() == f"Bearer {CANARY}"
    assert values[AF_NAMESPACE] == "dev"


def test_printed_transport_builds_the_client(isolated: None) -> None:
    args = ["--url", "https://h.example:8443/custom/ol", "--namespace", "dev", "--api-key", CANARY]
    result = cli(["airflow", *args, "--print", "--format", "env"])
    value = result.stdout.splitlines()[0].split("=", 1)[1]
    assert value.startswith("'{") and value.endswith("}'")
    http = openlineage_client.OpenLineageClient(config={"transport": json.loads(value[1:-1])}).transport
    assert (http.url, http.endpoint) == ("https://h.example:8443", "custom/ol")
    assert http.config.auth.get_bearer() == f"Bearer {CANARY}"


@pytest.mark.parametrize("case", ["astro-4.1.0", "plain-2.4-endpoint", "astro-9.1.0-local"])
def test_legacy_variables_build_the_client(case: str, isolated: None, monkeypatch: pytest.MonkeyPatch) -> None:
    values = dotenv.dotenv_values(GOLDEN / case / "after" / "dot-env")
    for name, value in values.items():
        if name.startswith("OPENLINEAGE_"):
            monkeypatch.setenv(name, value or "")
    http = openlineage_client.OpenLineageClient().transport  # as openlineage-airflow builds it
    endpoint = values.get("OPENLINEAGE_ENDPOINT", "api/v1/lineage")
    assert (http.kind, http.url, http.endpoint) == ("http", "https://lineage.example.com", endpoint)
    assert http.config.auth.get_bearer() == f"Bearer {CANARY}"


# --- --print --format env / shell -----------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2.2", "2.4", "3.1"])
def test_print_env_and_shell_agree_with_their_readers(version: str, tmp_path: Path) -> None:
    args = ["airflow", *CONN, "--print", "--airflow-version", version, "--format"]
    env_text, shell_text = cli([*args, "env"]).stdout, cli([*args, "shell"]).stdout
    (tmp_path / ".env").write_text(env_text)
    by_dotenv = dotenv.dotenv_values(tmp_path / ".env")
    assert by_dotenv == dict(variables(CONNECTION, versions.era(airflow_project.airflow_version(version))))
    assert {key: _bash_env(tmp_path)[key] for key in by_dotenv} == by_dotenv
    script = shell_text + "".join(f'printf "%s\\0" "${key}"\n' for key in by_dotenv)
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split("\0")[:-1] == list(by_dotenv.values())


# --- the Astro Deployment commands ----------------------------------------------------------------------


@pytest.fixture
def fake_astro(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in `astro` on PATH that appends its argv as one JSON line to a log."""
    bin_dir, log = tmp_path / "bin", tmp_path / "astro.log"
    bin_dir.mkdir()
    script = bin_dir / "astro"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"with open({str(log)!r}, 'a') as f: f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    script.chmod(0o755)
    return bin_dir, log


def _syntax_ok(script: str) -> None:
    assert subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True).returncode == 0, script
    shellcheck = shutil.which("shellcheck")
    if shellcheck:
        done = subprocess.run([shellcheck, "-s", "bash", "-"], input=script, text=True, capture_output=True)
        assert done.returncode == 0, done.stdout


def _run_commands(script: str, fake: tuple[Path, Path], env: dict[str, str]) -> list[list[str]]:
    bin_dir, log = fake
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    subprocess.run(["bash", "-e", "-c", script], env={"PATH": path, **env}, check=True, capture_output=True)
    return [json.loads(line) for line in log.read_text().splitlines()]


def _variables(argv: list[str]) -> dict[str, str]:
    """The Astro CLI's reading of KEY=VAL arguments: split on the first `=`."""
    assert argv[:3] == ["deployment", "variable", "create"]
    return dict(arg.split("=", 1) for arg in argv[3:] if not arg.startswith("-") and "=" in arg)


def _sub(conn: Connection, name: str) -> dict[str, str]:
    """The sub-transport's variables, as they reach the Deployment (Astro sets TYPE=composite there)."""
    pairs = dict(forms.pairs(forms.subtransport(conn, name, "env")))
    pairs.pop("OPENLINEAGE__TRANSPORT__TYPE")
    return pairs


@pytest.mark.parametrize(
    ("version", "want"),
    [
        ("2.1", dict(variables(CONNECTION, "backend"))),  # Runtime 3: lineage is ours to set
        ("2.6", {}),  # Runtime 8: Astro's own, and nothing can be added next to it there
        ("2.7", _sub(CONNECTION, "LINEAGE_EXAMPLE_COM")),  # Runtime 9.2.0+: a sub-transport next to Astro's
        ("3.1", _sub(CONNECTION, "LINEAGE_EXAMPLE_COM")),
    ],
)
@pytest.mark.parametrize("deployment", [None, "clx0abc123def"])
def test_printed_astro_commands_are_copy_paste_ready(
    version: str, want: dict[str, str], deployment: str | None, fake_astro: tuple[Path, Path]
) -> None:
    extra = ["--deployment-id", deployment] if deployment else []
    result = cli(["airflow", *CONN, "--print", "--format", "astro", "--airflow-version", version, *extra])
    assert result.exit_code == 0
    script = result.stdout
    assert TRANSPORT not in script  # never on an Astro Deployment
    if not want:
        assert script == "" and "Nothing to set" in result.stderr
        return
    _syntax_ok(script)
    calls = _run_commands(script, fake_astro, {"ASTRO_DEPLOYMENT_ID": "from-env"})
    assert {key: value for call in calls for key, value in _variables(call).items()} == want
    for call in calls:
        holds_key = any(CANARY in arg for arg in call)
        assert ("--secret" in call) == holds_key  # the key alone in its --secret call
        assert call[call.index("--deployment-id") + 1] == (deployment or "from-env")
    assert sum("--secret" in call for call in calls) == 1


def test_commands_stop_without_a_deployment_id(fake_astro: tuple[Path, Path]) -> None:
    script = cli(["airflow", *CONN, "--print", "--format", "astro"]).stdout
    bin_dir, log = fake_astro
    done = subprocess.run(
        ["bash", "-c", script], env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}, capture_output=True
    )
    assert done.returncode != 0
    assert "ASTRO_DEPLOYMENT_ID" in done.stderr.decode()
    assert not log.exists()  # astro never ran


def test_next_step_commands_parse_and_hide_the_key(tmp_path: Path, fake_astro: tuple[Path, Path]) -> None:
    folder = tmp_path / "p"
    copy_golden(GOLDEN / "astro-4.1.0" / "before", folder)
    result = cli(["airflow", "--dir", str(folder), *CONN, "--yes", "--deployment-id", "clx0abc123def"])
    assert CANARY not in result.stdout + result.stderr
    commands = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("astro deployment")]
    assert len(commands) == 2
    _syntax_ok("\n".join(commands) + "\n")
    plain, secret = _run_commands("\n".join(commands), fake_astro, {})
    assert _variables(plain) == {
        "AIRFLOW__LINEAGE__BACKEND": "openlineage.lineage_backend.OpenLineageBackend",
        "OPENLINEAGE_URL": "https://lineage.example.com",
        "OPENLINEAGE_NAMESPACE": "dev",
    }
    assert _variables(secret) == {"OPENLINEAGE_API_KEY": "****"}
    assert secret[-1] == "--secret" and "--secret" not in plain


def test_json_values_survive_shell_quoting() -> None:
    conn = Connection("https://h.example", "api/v1/lineage", "dev", "[1,2,3,4]")  # json.loads reads a list
    (command,) = [c for c in forms.subtransport(conn, "OURS", "astro", "d1").splitlines() if "--secret" in c]
    (value,) = _variables(shlex.split(command)[1:]).values()
    assert json.loads(value) == {"type": "api_key", "apiKey": "[1,2,3,4]"}
    provider = dict(forms.pairs(forms.provider(CONNECTION, "env")))
    assert json.loads(provider[TRANSPORT]) == json.loads(transport_json(CONNECTION))
