"""Shared edits for .env and requirements.txt: before/after and no-op tables, and real readers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from lineage_setup.edits import EditError, env, requirements
from lineage_setup.errors import UsageError

# --- .env ------------------------------------------------------------------------------------

OURS = {"OPENLINEAGE_URL": "https://h.example", "OPENLINEAGE_NAMESPACE": "dev"}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "# lineage\nOPENLINEAGE_URL=https://h.example\nOPENLINEAGE_NAMESPACE=dev\n"),
        (
            "# my settings\nAIRFLOW__CORE__X=1\n\n",
            "# my settings\nAIRFLOW__CORE__X=1\n\n# lineage\nOPENLINEAGE_URL=https://h.example\nOPENLINEAGE_NAMESPACE=dev\n",
        ),
        (  # an inline comment moves above the line: the Astro CLI's --load would read it as value
            "export OPENLINEAGE_URL=http://old  # old one\nOTHER='x y'\n",
            "# old one\nexport OPENLINEAGE_URL=https://h.example\nOTHER='x y'\n# lineage\nOPENLINEAGE_NAMESPACE=dev\n",
        ),
        (
            '  OPENLINEAGE_NAMESPACE="old" # quoted, commented\n',
            "  # quoted, commented\n  OPENLINEAGE_NAMESPACE=dev\n# lineage\nOPENLINEAGE_URL=https://h.example\n",
        ),
        (
            "A=1\r\nOPENLINEAGE_NAMESPACE=prod\r\n",
            "A=1\r\nOPENLINEAGE_NAMESPACE=dev\r\n# lineage\r\nOPENLINEAGE_URL=https://h.example\r\n",
        ),
        ("A=1", "A=1\n# lineage\nOPENLINEAGE_URL=https://h.example\nOPENLINEAGE_NAMESPACE=dev"),
        (
            'OPENLINEAGE_NAMESPACE="multi\nline"\nB=2\n',
            "OPENLINEAGE_NAMESPACE=dev\nB=2\n# lineage\nOPENLINEAGE_URL=https://h.example\n",
        ),
        (  # a key inside another key's multi-line value is not a binding
            "NOTE='first\nOPENLINEAGE_URL=fake'\n",
            "NOTE='first\nOPENLINEAGE_URL=fake'\n# lineage\nOPENLINEAGE_URL=https://h.example\nOPENLINEAGE_NAMESPACE=dev\n",
        ),
        (  # the header is not repeated
            "# lineage\nOPENLINEAGE_URL=https://h.example\n",
            "# lineage\nOPENLINEAGE_URL=https://h.example\nOPENLINEAGE_NAMESPACE=dev\n",
        ),
    ],
)
def test_env_upsert(before: str, after: str) -> None:
    assert env.upsert(before, OURS, header="lineage") == after
    assert env.upsert(after, OURS, header="lineage") == after


@pytest.mark.parametrize(
    "text",
    [
        "OPENLINEAGE_URL=https://h.example\nOPENLINEAGE_NAMESPACE=dev\n",
        "OPENLINEAGE_URL='https://h.example'\nexport OPENLINEAGE_NAMESPACE=\"dev\"  \n",
        "OPENLINEAGE_URL = https://h.example # comment\nOPENLINEAGE_NAMESPACE=dev",
    ],
)
def test_env_same_values_are_a_noop(text: str) -> None:
    assert env.upsert(text, OURS, header="lineage") == text


def test_env_duplicate_key_is_refused_with_line_numbers() -> None:
    with pytest.raises(EditError, match="OPENLINEAGE_URL on lines 1 and 3"):
        env.upsert("OPENLINEAGE_URL=a\nX=1\nexport OPENLINEAGE_URL=b\n", OURS)


def test_env_value_needing_escapes_is_refused() -> None:
    with pytest.raises(UsageError, match="OPENLINEAGE_X"):
        env.upsert("", {"OPENLINEAGE_X": "it's"})


@pytest.mark.parametrize(
    "value",
    [
        "https://h.example:8443",
        "a;b=c@d+e/f",
        json.dumps(
            {"type": "http", "url": "https://h", "auth": {"type": "api_key", "apiKey": "k#1"}}, separators=(",", ":")
        ),
        "with space",
        "hash # inside",
    ],
)
def test_env_values_read_back_the_same_by_dotenv_and_bash(tmp_path: Path, value: str) -> None:
    from dotenv import dotenv_values

    path = tmp_path / ".env"
    path.write_text(env.upsert("# keep\nexport OTHER=1\n", {"OPENLINEAGE_X": value}))
    assert dotenv_values(path)["OPENLINEAGE_X"] == value
    out = subprocess.run(
        ["bash", "-c", 'set -a; . ./.env; printf "%s" "$OPENLINEAGE_X"'], cwd=tmp_path, capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout == value


# --- requirements.txt ---------------------------------------------------------------------------

PIN = "openlineage-airflow<=1.14.0"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "openlineage-airflow<=1.14.0\n"),
        ("pandas==2.2\n", "pandas==2.2\nopenlineage-airflow<=1.14.0\n"),
        ("pandas==2.2", "pandas==2.2\nopenlineage-airflow<=1.14.0"),
        ("# deps\r\npandas\r\n", "# deps\r\npandas\r\nopenlineage-airflow<=1.14.0\r\n"),
        ("openlineage-airflow  # lineage\nx\n", "openlineage-airflow<=1.14.0  # lineage\nx\n"),
        ("OpenLineage_Airflow>=1.20\n", "openlineage-airflow<=1.14.0\n"),
        ('openlineage.airflow==1.20; python_version<"3.12"\n', 'openlineage-airflow<=1.14.0; python_version<"3.12"\n'),
        ("a \\\n  >=1\nopenlineage-airflow \\\n   >=1.2\nb\n", "a \\\n  >=1\nopenlineage-airflow<=1.14.0\nb\n"),
        (
            "-r base.txt\n-e .\n--index-url https://p.example/simple\n",
            "-r base.txt\n-e .\n--index-url https://p.example/simple\nopenlineage-airflow<=1.14.0\n",
        ),
    ],
)
def test_requirements_ensure(before: str, after: str) -> None:
    assert requirements.ensure(before, PIN) == after
    assert requirements.ensure(after, PIN) == after


@pytest.mark.parametrize(
    "text",
    [
        "openlineage-airflow<=1.14.0\n",
        "openlineage-airflow==1.10.0\n",  # a pin inside the range already satisfies it
        "openlineage_airflow <= 1.14.0  # ok\n",
    ],
)
def test_requirements_satisfied_is_a_noop(text: str) -> None:
    assert requirements.ensure(text, PIN) == text


def test_requirements_extras_must_be_present() -> None:
    spec = "openlineage-integration-common[great-expectations]<=1.39.0"
    assert requirements.ensure("openlineage-integration-common<=1.39.0\n", spec) == spec + "\n"
    assert requirements.ensure(f"{spec}\n", spec) == f"{spec}\n"


def test_requirements_extras_compare_normalised() -> None:  # PEP 685
    spec = "openlineage-integration-common[great-expectations]<=1.39.0"
    listed = "openlineage_integration_common[Great_Expectations]==1.39.0\n"
    assert requirements.ensure(listed, spec) == listed


@pytest.mark.parametrize(
    "text",
    [
        "# This file is autogenerated by pip-compile with Python 3.11\nopenlineage-airflow==1.14.0\n",
        "openlineage-airflow==1.10.0 \\\n    --hash=sha256:abc\n",
    ],
)
def test_requirements_already_satisfied_is_not_refused(text: str) -> None:
    assert requirements.ensure(text, PIN) == text  # nothing to change in a file we may not edit


def test_requirements_why_comment_on_new_lines_only() -> None:
    assert requirements.ensure("", PIN, why="backend removed in 1.15.0") == f"{PIN}  # backend removed in 1.15.0\n"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("pandas==2.2 \\\n    --hash=sha256:abc\n", "--hash="),
        ("#\n# This file is autogenerated by pip-compile with Python 3.11\n#\npandas==2.2\n", "generated"),
        ("# This file was autogenerated by uv via the following command:\n#    uv pip compile\npandas\n", "generated"),
        ("openlineage-airflow\nx\nOpenLineage-Airflow==1\n", "more than once (lines 1 and 3)"),
    ],
)
def test_requirements_refused(text: str, reason: str) -> None:
    with pytest.raises(EditError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        requirements.ensure(text, PIN)


def test_requirements_find() -> None:
    assert requirements.find("x\nOpenLineage.Airflow>=1  # c\n", "openlineage-airflow") == "OpenLineage.Airflow>=1"
    assert requirements.find("x\n", "openlineage-airflow") is None
