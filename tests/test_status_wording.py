"""`status` on an Astro project that sends to Astro alone: where "sends to Astro" comes from is told in the words
that fit its Runtime. "Runtime 4.2.0+" names Airflow 2 Runtimes (4.2.0 to 13.x); an Airflow 3 Runtime (3.0-1,
numbered after its Airflow) is not one of them, though 3.0 < 4.2.0 would read as if it were too old."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import cli


def _sends_to(root: Path) -> dict[str, str]:
    result = cli(["status", "--dir", str(root), "--json"])
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)["status"]
    (setting,) = [s for s in entry["settings"] if s["name"] == "sends to"]
    return setting  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("image", "airflow"),
    [("astrocrpublic.azurecr.io/runtime:3.0-1", "3.0"), ("astrocrpublic.azurecr.io/runtime:3.1-12", "3.1")],
)
def test_an_airflow_3_runtime_is_not_described_as_runtime_4_2_0_plus(tmp_path: Path, image: str, airflow: str) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {image}\n")
    setting = _sends_to(tmp_path)
    assert setting["value"].startswith("Astro ")
    assert "4.2.0" not in setting["source"]
    assert (
        setting["source"] == f"Astro Runtime {image.rsplit(':', 1)[1]}: Astro configures it on its Airflow 3 Runtimes"
    )
    text = cli(["status", "--dir", str(tmp_path)]).stdout
    assert "4.2.0" not in text and f"Airflow {airflow}" in text


@pytest.mark.parametrize("tag", ["4.2.0", "9.2.0", "12.1.0"])
def test_an_airflow_2_runtime_keeps_the_4_2_0_sentence(tmp_path: Path, tag: str) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM quay.io/astronomer/astro-runtime:{tag}\n")
    assert _sends_to(tmp_path)["source"] == "Astro Runtime 4.2.0+ configures it"
