"""`lineage-setup airflow`: runtime detection, the version tables, exit codes, git safety, the key kept secret."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from packaging.version import Version

from lineage_setup import answers, runner
from lineage_setup.errors import ExitCode, UsageError
from lineage_setup.git import status as git_status
from lineage_setup.integrations import REGISTRY, airflow, base
from lineage_setup.integrations.airflow import project as airflow_project
from lineage_setup.integrations.airflow import versions
from lineage_setup.workspace import Workspace

from .helpers import CANARY, CONN, cli, git, tree

GITIGNORE = ".env\n"
RT = airflow_project.RUNTIME2


def project(root: Path, dockerfile: str | None, **files: str) -> Path:
    root.mkdir(exist_ok=True)
    if dockerfile is not None:
        (root / "Dockerfile").write_text(dockerfile)
    for name, text in files.items():
        (root / name.replace("dot_", ".")).write_text(text)
    return root


def astro(root: Path, tag: str, image: str = airflow_project.RUNTIME2, **files: str) -> Path:
    files.setdefault("dot_gitignore", GITIGNORE)
    files.setdefault("dot_dockerignore", ".env\n")
    return project(root, f"FROM {image}:{tag}\n", **files)


def run(root: Path, *args: str):  # type: ignore[no-untyped-def]
    result = cli(["airflow", "--dir", str(root), *args])
    assert CANARY not in result.stdout + result.stderr  # only --print may show the key
    assert "Traceback" not in result.output
    return result


# --- the Dockerfile ---------------------------------------------------------------------------------


def _detect(tmp_path: Path, dockerfile: str | None, **options: str) -> airflow_project.Target:
    return airflow_project.target(Workspace(project(tmp_path / "p", dockerfile)), airflow.Options(**options))


@pytest.mark.parametrize(
    ("dockerfile", "airflow_version", "automatic", "era"),
    [
        ("FROM quay.io/astronomer/astro-runtime:3.4.0\n", "2.1", False, "backend"),
        ("FROM quay.io/astronomer/astro-runtime:4.1.0\n", "2.2", False, "backend"),
        ("FROM quay.io/astronomer/astro-runtime:4.2.0\n", "2.2", True, "backend"),
        ("FROM quay.io/astronomer/astro-runtime:5.0.0\n", "2.3", True, "plugin"),
        ("FROM quay.io/astronomer/astro-runtime:8.8.0\n", "2.6", True, "plugin"),
        ("FROM quay.io/astronomer/astro-runtime:9.1.0\n", "2.7", True, "plugin"),  # ships openlineage-airflow
        ("FROM quay.io/astronomer/astro-runtime:9.2.0\n", "2.7", True, "provider"),
        ("FROM quay.io/astronomer/astro-runtime:11.3.0\n", "2.9", True, "provider"),
        ("FROM astrocrpublic.azurecr.io/runtime:3.1-12\n", "3.1", True, "provider"),
        ("FROM astrocrpublic.azurecr.io/runtime:3.0-7-python-3.12-base\n", "3.0", True, "provider"),
        # the forms a Dockerfile may take
        ("from quay.io/astronomer/astro-runtime:7.3.0-python-3.9-base\n", "2.5", True, "plugin"),
        ("FROM --platform=linux/amd64 quay.io/astronomer/astro-runtime:9.2.0 AS base\n", "2.7", True, "provider"),
        ("FROM quay.io/astronomer/astro-runtime:4.1.0@sha256:" + "a" * 64 + "\n", "2.2", False, "backend"),
        (f"# FROM {RT}:9.2.0\r\nFROM {RT}:4.1.0\r\n", "2.2", False, "backend"),
        (f"FROM python:3.11 AS build\nRUN make\nFROM {RT}:9.2.0\nCOPY --from=build /x /x\n", "2.7", True, "provider"),
    ],
)  # fmt: skip
def test_runtime_detection(tmp_path: Path, dockerfile: str, airflow_version: str, automatic: bool, era: str) -> None:
    target = _detect(tmp_path, dockerfile)
    assert (target.astro, str(target.airflow), target.automatic, target.era) == (True, airflow_version, automatic, era)


def test_assumed_rows_say_so_and_the_flag_overrides_them(tmp_path: Path) -> None:
    # 12 -> 2.10: Astro's release notes ("Astro Runtime 12.0.0 ... Airflow version: 2.10.0"); 13 -> 2.11: assumed
    assert [row.runtime_major for row in versions.RUNTIME_AIRFLOW if not row.confirmed] == [13]
    target = _detect(tmp_path, "FROM quay.io/astronomer/astro-runtime:12.1.1\n")
    assert str(target.airflow) == "2.10"
    assert "assumed" not in airflow_project.summary(target)
    target = _detect(tmp_path, "FROM quay.io/astronomer/astro-runtime:13.0.0\n")
    assert str(target.airflow) == "2.11"
    assert "an assumed row" in airflow_project.summary(target)
    assert "pass --airflow-version" in airflow_project.summary(target)
    target = _detect(tmp_path, "FROM quay.io/astronomer/astro-runtime:13.0.0\n", airflow_version="2.10.0")
    assert (str(target.airflow), target.origin) == ("2.10", "--airflow-version")


def test_plain_airflow(tmp_path: Path) -> None:
    target = _detect(tmp_path, None, airflow_version="2.5.3")
    assert (target.astro, str(target.airflow), target.automatic, target.era) == (False, "2.5", False, "plugin")
    target = _detect(tmp_path, "FROM apache/airflow:2.9.3\n", airflow_version="2.9")
    assert (target.astro, target.era) == (False, "provider")


def test_unreadable_runtime_with_the_flag(tmp_path: Path) -> None:
    dockerfile = "ARG RT=9.2.0\nFROM quay.io/astronomer/astro-runtime:${RT}\n"
    target = _detect(tmp_path, dockerfile, airflow_version="2.7")
    assert (target.astro, target.automatic, target.era) == (True, True, "provider")
    target = _detect(tmp_path, dockerfile, airflow_version="2.1")
    assert (target.automatic, target.era) == (False, "backend")
    with pytest.raises(UsageError, match=r"Runtimes for Airflow 2\.2 differ"):
        _detect(tmp_path, dockerfile, airflow_version="2.2")


@pytest.mark.parametrize(
    ("version", "era", "spec"),
    [
        ("2.1", "backend", "openlineage-airflow<=1.14.0"),
        ("2.2.5", "backend", "openlineage-airflow<=1.14.0"),
        ("2.3", "plugin", "openlineage-airflow<=1.33.0"),
        ("2.4.3", "plugin", "openlineage-airflow<=1.33.0"),
        ("2.5", "plugin", "openlineage-airflow<=1.41.0"),
        ("2.6.3", "plugin", "openlineage-airflow<=1.41.0"),
        ("2.7", "provider", "apache-airflow-providers-openlineage>=1.0.0,<1.11.0"),
        ("2.8", "provider", "apache-airflow-providers-openlineage>=1.0.0,<2.0.0"),
        ("2.9", "provider", "apache-airflow-providers-openlineage>=1.0.0,<2.3.0"),
        ("2.10", "provider", "apache-airflow-providers-openlineage>=1.0.0,<2.9.0"),
        ("2.11", "provider", "apache-airflow-providers-openlineage>=1.0.0"),
        ("3.0", "provider", "apache-airflow-providers-openlineage>=1.0.0"),
        ("3.1.2", "provider", "apache-airflow-providers-openlineage>=1.0.0"),
    ],
)
def test_era_and_pin_per_airflow(version: str, era: str, spec: str) -> None:
    airflow_version = airflow_project.airflow_version(version)
    assert versions.era(airflow_version) == era
    pin = versions.requirement(airflow_version, versions.era(airflow_version))
    assert pin.spec == spec
    assert pin.name in ("openlineage-airflow", "apache-airflow-providers-openlineage")


def test_pins_allow_the_releases_the_facts_name() -> None:
    from packaging.requirements import Requirement

    def allows(airflow_version: str, version: str) -> bool:
        pin = versions.requirement(Version(airflow_version), versions.era(Version(airflow_version)))
        return Requirement(pin.spec).specifier.contains(version)

    assert allows("2.2", "1.14.0") and not allows("2.2", "1.15.0")  # lineage_backend removed in 1.15.0
    assert allows("2.4", "1.33.0") and not allows("2.4", "1.34.0")  # 1.34.0 ignores Airflow < 2.5
    assert allows("2.6", "1.41.0")
    assert allows("2.7", "1.10.0") and not allows("2.7", "1.11.0") and not allows("2.7", "0.9.0")
    assert allows("2.10", "2.8.0") and not allows("2.10", "2.9.0")
    assert allows("3.1", "2.20.3")


# --- before any question ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dockerfile", "args", "message"),
    [
        (None, [], "no Dockerfile in "),
        ("", [], "(found no FROM line)"),
        ("FROM apache/airflow:2.7.1\n", [], "(found line 1: FROM apache/airflow:2.7.1)"),
        ("ARG RT\nFROM quay.io/astronomer/astro-runtime:${RT}\n", [], "line 2: cannot read the Astro Runtime version"),
        ("FROM quay.io/astronomer/astro-runtime\n", [], "or pass --airflow-version"),
        ("FROM astrocrpublic.azurecr.io/runtime:latest\n", [], "cannot read the Astro Runtime version"),
        ("FROM quay.io/astronomer/astro-runtime:14.0.0\n", [], "Runtime 14.0.0 (Dockerfile line 1) is not in"),
        ("FROM quay.io/astronomer/astro-runtime:2.1.0\n", [], "pass --airflow-version with its Airflow version"),
        (None, ["--airflow-version", "abc"], "--airflow-version: 'abc' is not a version such as 2.7"),
        (None, ["--airflow-version", "1.10.15"], "Airflow 1.10 is not supported"),
        (None, ["--airflow-version", "2.0"], "Airflow 2.0 is not supported"),
        (None, ["--airflow-version", "4.0"], "Airflow 4.0 is not supported"),
        ("FROM quay.io/astronomer/astro-runtime:4.1.0\n", ["--deployment-id", "a b"], "--deployment-id: 'a b'"),
        ("FROM quay.io/astronomer/astro-runtime:4.1.0\n", ["--deployment-id", "$(id)"], "not an Astro Deployment"),
    ],
)
def test_bad_project_or_option_is_exit_2_before_any_question(
    tmp_path: Path, dockerfile: str | None, args: list[str], message: str
) -> None:
    root = project(tmp_path / "p", dockerfile)
    before = tree(root)
    result = run(root, "--no-input", *args)  # no answers: the project is checked first
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "--airflow-version" in result.stderr or "--deployment-id" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert tree(root) == before


def test_dockerfile_link_is_followed_and_binary_is_exit_2(tmp_path: Path) -> None:
    real = tmp_path / "Dockerfile.real"
    real.write_text(f"FROM {RT}:9.1.0\n")
    root = project(tmp_path / "p", None)
    (root / "Dockerfile").symlink_to(real)
    assert "Runtime 9.1.0" in run(root, "--no-input").stdout
    (root / "Dockerfile").unlink()
    (root / "Dockerfile").write_bytes(b"FROM \xff\n")
    result = run(root, "--no-input")
    assert result.exit_code == 2
    assert "cannot read it as UTF-8 text; pass --airflow-version" in result.stderr


@pytest.mark.parametrize("mode", [[], ["--yes"], ["--check"], ["--dry-run"]])
def test_runtime_9_1_keeps_astros_lineage_without_any_answer(tmp_path: Path, mode: list[str]) -> None:
    root = astro(tmp_path / "p", "9.1.0", **{"dot_env": "X=1\n", "requirements.txt": "# providers\n"})
    before = tree(root)
    result = run(root, "--no-input", *mode)
    assert result.exit_code == 0, result.output
    assert "Astro Runtime 9.1.0 runs Airflow 2.7" in result.stdout
    assert "Astro configures lineage itself from Astro Runtime 4.2.0 on. Nothing to change." in result.stdout
    assert "adds an endpoint next to Astro's only from Runtime 9.2.0" in result.stdout
    assert f"lineage-setup airflow --dir {root} --local" in result.stdout
    assert tree(root) == before


@pytest.mark.parametrize("mode", [[], ["--yes"], ["--check"], ["--dry-run"]])
def test_runtime_9_2_sending_to_astro_needs_nothing(tmp_path: Path, mode: list[str]) -> None:
    root = astro(tmp_path / "p", "9.2.0", **{"dot_env": "X=1\n", "requirements.txt": "# providers\n"})
    before = tree(root)
    result = run(root, "--domain", "astronomer.io", "--namespace", "dev", "--api-key", CANARY, *mode)
    assert result.exit_code == 0, result.output
    assert "Astro Runtime 4.2.0 on. Sending to Astro needs nothing" in result.stdout
    assert "Nothing to change." in result.stdout
    local = f"lineage-setup airflow --dir {root} --domain astronomer.io --namespace dev --local"
    assert local in result.stdout
    assert tree(root) == before


def test_automatic_runtime_sending_to_astro_asks_nothing(tmp_path: Path) -> None:
    class NoQuestions:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"asked: {name}")

    root = astro(tmp_path / "p", "3.1-12", image=airflow_project.RUNTIME3)
    before = tree(root)
    code = runner.run(
        airflow,  # type: ignore[arg-type]
        root=root,
        flags=answers.Flags(domain="astronomer.io", api_key=CANARY, namespace="dev"),
        mode=runner.Mode("check"),  # nothing to change: exit 0 (an apply would then offer a test event)
        options=airflow.Options(local=False),
        env={},
        prompter=NoQuestions(),  # type: ignore[arg-type]
    )
    assert code == ExitCode.OK
    assert tree(root) == before


def test_runner_with_the_default_hooks_plans_as_before(tmp_path: Path) -> None:
    fake = types.SimpleNamespace(
        NAME="fake",
        PRINT_FORMATS=("x",),
        check_options=base.no_option_check,
        preflight=base.no_preflight,
        namespace_default=base.no_namespace_default,
        detect=base.no_detect,
        describe=base.no_describe,
        plan_removal=base.no_removal,
        plan=lambda req, ws: ws.info("planned"),
        render=None,
    )
    flags = answers.Flags(url="https://h.example", api_key=CANARY, namespace="n")
    code = runner.run(fake, root=tmp_path, flags=flags, mode=runner.Mode(), options={}, env={}, prompter=None)  # type: ignore[arg-type]
    assert code == ExitCode.OK


# --- the Done-when of the issue: 4.1.0 and 9.2.0 as a new user would -----------------------------


def test_runtime_4_1_gets_a_pin_four_variables_and_deployment_commands(tmp_path: Path) -> None:
    env_before = "# mine\nexport FOO=bar\n\nAIRFLOW__CORE__LOAD_EXAMPLES=False  # keep\n"
    reqs_before = "# deps\npandas==1.3.5\n"
    root = astro(tmp_path / "p", "4.1.0", **{"dot_env": env_before, "requirements.txt": reqs_before})
    assert run(root, *CONN, "--check").exit_code == 1
    result = run(root, *CONN, "--yes", "--deployment-id", "clx0abc123")
    assert result.exit_code == 0, result.output
    reqs = (root / "requirements.txt").read_text()
    assert reqs == reqs_before + "openlineage-airflow<=1.14.0  # 1.15.0 removed openlineage.lineage_backend\n"
    env_after = (root / ".env").read_text()
    assert env_after.startswith(env_before)
    assert env_after[len(env_before) :].splitlines() == [
        "# OpenLineage (lineage-setup airflow)",
        "AIRFLOW__LINEAGE__BACKEND=openlineage.lineage_backend.OpenLineageBackend",
        "OPENLINEAGE_URL=https://lineage.example.com",
        f"OPENLINEAGE_API_KEY={CANARY}",
        "OPENLINEAGE_NAMESPACE=dev",
    ]
    assert "Upgrading to Astro Runtime 4.2.0 or newer is the easier path" in result.stdout
    assert "--deployment-id clx0abc123 --secret" in result.stdout
    assert "OPENLINEAGE_API_KEY=**** --deployment-id" in result.stdout
    assert "`create` skips keys the Deployment already has" in result.stdout
    assert "astro deploy" in result.stdout
    assert run(root, *CONN, "--check").exit_code == 0


def test_alias_astronomer(tmp_path: Path) -> None:
    assert "astronomer" in REGISTRY["airflow"].aliases
    root = astro(tmp_path / "p", "9.1.0")
    result = cli(["astronomer", "--dir", str(root), "--no-input"])
    assert result.exit_code == 0
    assert "Astro configures lineage itself" in result.stdout


# --- refusals: exit 3, nothing written --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("requirements.txt", "pandas==2.2 --hash=sha256:" + "0" * 64 + "\n", "uses --hash="),
        ("requirements.txt", "#\n# This file is autogenerated by pip-compile\n#\npandas==2.2\n", "generated"),
        ("requirements.txt", "openlineage-airflow\nOpenLineage_Airflow==1.0\n", "more than once (lines 1 and 2)"),
        ("dot_env", "OPENLINEAGE_URL=https://a\n# x\nexport OPENLINEAGE_URL=https://b\n", "lines 1 and 3"),
    ],
)
def test_unsafe_files_are_refused_with_the_lines_to_add(tmp_path: Path, name: str, text: str, message: str) -> None:
    root = astro(tmp_path / "p", "4.1.0", **{name: text})
    before = tree(root)
    result = run(root, *CONN, "--replace", "--yes")  # its .env sends elsewhere: replaced
    assert result.exit_code == 3, result.output
    assert message in result.stderr
    assert "Nothing was written" in result.stderr
    if name == "requirements.txt":
        assert result.stderr.rstrip().endswith("openlineage-airflow<=1.14.0")
    else:
        assert "OPENLINEAGE_API_KEY=****" in result.stderr
    assert tree(root) == before


def test_tracked_env_is_refused(tmp_path: Path) -> None:
    root = astro(tmp_path / "p", "4.1.0", **{"dot_env": "X=1\n", "dot_gitignore": "*.pyc\n"})
    git(root, "init", "-q")
    git(root, "add", "-A")
    before = tree(root)
    result = run(root, *CONN, "--yes")
    assert result.exit_code == 3
    assert "is tracked by git" in result.stderr and "git rm --cached .env" in result.stderr
    assert tree(root) == before


def test_env_not_ignored_gets_a_gitignore_entry_and_a_warning(tmp_path: Path) -> None:
    root = astro(tmp_path / "p", "4.1.0", dot_gitignore="*.pyc\n!.env\n")
    git(root, "init", "-q")
    result = run(root, *CONN, "--yes")
    assert result.exit_code == 0, result.output
    assert "git does not ignore .env" in result.stderr
    assert (root / ".gitignore").read_text().endswith("# local environment: holds the OpenLineage API key\n.env\n")
    assert git_status(root / ".env") == "ignored"


def test_env_already_ignored_leaves_gitignore_alone(tmp_path: Path) -> None:
    root = astro(tmp_path / "p", "4.1.0", dot_gitignore="*.env\n")
    git(root, "init", "-q")
    before = (root / ".gitignore").read_bytes()
    assert run(root, *CONN, "--yes").exit_code == 0
    assert (root / ".gitignore").read_bytes() == before


def test_dockerignore_is_created_so_the_key_stays_out_of_the_image(tmp_path: Path) -> None:
    root = project(tmp_path / "p", "FROM quay.io/astronomer/astro-runtime:4.1.0\n", dot_gitignore=GITIGNORE)
    assert run(root, *CONN, "--yes").exit_code == 0
    assert (root / ".dockerignore").read_text() == "# holds the OpenLineage API key\n.env\n"


# --- notes ------------------------------------------------------------------------------------------


def test_replacing_a_requirement_is_said(tmp_path: Path) -> None:
    root = astro(tmp_path / "p", "4.1.0", **{"requirements.txt": "openlineage-airflow==1.20.0  # ours\n"})
    result = run(root, *CONN, "--yes")
    assert result.exit_code == 0
    assert "replacing `openlineage-airflow==1.20.0` with `openlineage-airflow<=1.14.0`" in result.stderr
    assert (root / "requirements.txt").read_text() == "openlineage-airflow<=1.14.0  # ours\n"


def test_a_satisfying_requirement_is_left_alone(tmp_path: Path) -> None:
    root = astro(tmp_path / "p", "4.1.0", **{"requirements.txt": "openlineage-airflow==1.10.0\n"})
    result = run(root, *CONN, "--yes")
    assert result.exit_code == 0
    assert (root / "requirements.txt").read_text() == "openlineage-airflow==1.10.0\n"
    assert "replacing" not in result.stderr


@pytest.mark.parametrize(
    ("env_text", "environ", "note"),
    [
        ("OPENLINEAGE_DISABLED=true\n", {}, "OPENLINEAGE_DISABLED=true is set"),
        ("", {"AIRFLOW__OPENLINEAGE__DISABLED": "True"}, "AIRFLOW__OPENLINEAGE__DISABLED=True is set"),
        ("AIRFLOW__OPENLINEAGE__CONFIG_PATH=/x.yml\n", {}, "CONFIG_PATH, which overrides Astro's own lineage"),
        ("A=1\r\nB=2\r\n", {}, "Windows (CRLF) line endings"),
    ],
)
def test_environment_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env_text: str, environ: dict[str, str], note: str
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    root = astro(tmp_path / "p", "9.2.0", dot_env=env_text)
    result = run(root, *CONN, "--local", "--dry-run")
    assert result.exit_code == 0
    assert note in result.stderr


def test_namespace_default_is_the_astro_project_name(tmp_path: Path) -> None:
    root = astro(tmp_path / "p", "4.1.0")
    ws = Workspace(root)
    assert airflow.namespace_default(ws) is None
    (root / ".astro").mkdir()
    (root / ".astro" / "config.yaml").write_text("project:\n  name: sales-etl\n")
    assert airflow.namespace_default(Workspace(root)) == "sales-etl"
    (root / ".astro" / "config.yaml").write_text("project:\n  name: has space\n")
    assert airflow.namespace_default(Workspace(root)) is None
    (root / ".astro" / "config.yaml").write_text("- [broken\n")
    assert airflow.namespace_default(Workspace(root)) is None


# --- --print ---------------------------------------------------------------------------------------


def test_print_shows_the_key_and_hints_go_to_stderr(empty_dir: Path) -> None:
    result = cli(["airflow", "--dir", str(empty_dir), *CONN, "--print"])
    assert result.exit_code == 0
    assert f'"apiKey":"{CANARY}"' in result.stdout
    assert result.stdout.startswith("AIRFLOW__OPENLINEAGE__TRANSPORT='{")
    assert "pass --airflow-version for older Airflow" in result.stderr
    assert list(empty_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("version", "keys"),
    [
        ("2.2", ["AIRFLOW__LINEAGE__BACKEND", "OPENLINEAGE_URL", "OPENLINEAGE_API_KEY", "OPENLINEAGE_NAMESPACE"]),
        ("2.5", ["OPENLINEAGE_URL", "OPENLINEAGE_API_KEY", "OPENLINEAGE_NAMESPACE"]),
        ("3.0", ["AIRFLOW__OPENLINEAGE__TRANSPORT", "AIRFLOW__OPENLINEAGE__NAMESPACE"]),
    ],
)
def test_print_follows_the_airflow_version(version: str, keys: list[str]) -> None:
    result = cli(["airflow", *CONN, "--print", "--format", "shell", "--airflow-version", version])
    assert result.exit_code == 0
    assert [line.split("=", 1)[0].removeprefix("export ") for line in result.stdout.splitlines()] == keys
