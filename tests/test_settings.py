"""Saved settings: an endpoint answered at a prompt is remembered once it proved right; never the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage_setup import answers, prompts, settings
from lineage_setup.answers import Flags
from lineage_setup.errors import UsageError

from .helpers import CANARY, cli
from .receiver import receiver
from .test_answers import FakePrompter


def test_path_follows_the_environment(tmp_path: Path) -> None:
    assert settings.path({"HOME": "/h"}) == Path("/h/.config/lineage-setup/settings.toml")
    assert settings.path({"HOME": "/h", "XDG_CONFIG_HOME": "/x"}) == Path("/x/lineage-setup/settings.toml")
    assert settings.path({"LINEAGE_SETUP_CONFIG": str(tmp_path / "s.toml")}) == tmp_path / "s.toml"


def test_save_load_and_keep_the_users_comments(tmp_path: Path) -> None:
    env = {"LINEAGE_SETUP_CONFIG": str(tmp_path / "s.toml")}
    assert settings.load(env) == {}
    assert settings.save(env, {"url": "https://h.example", "endpoint": "api/v1/lineage"}) == tmp_path / "s.toml"
    assert settings.load(env) == {"url": "https://h.example", "endpoint": "api/v1/lineage"}
    file = tmp_path / "s.toml"
    file.write_text(file.read_text() + "# mine\n")
    mtime = file.stat().st_mtime_ns
    assert settings.save(env, {"url": "https://h.example", "endpoint": "api/v1/lineage"}) is None
    assert file.stat().st_mtime_ns == mtime
    settings.save(env, {"url": "https://other.example", "endpoint": "api/v1/lineage"})
    assert "# mine" in file.read_text()
    assert 'url = "https://other.example"' in file.read_text()


def test_invalid_toml_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text("url = [\n")
    with pytest.raises(UsageError, match="not valid TOML"):
        settings.load({"LINEAGE_SETUP_CONFIG": str(tmp_path / "s.toml")})


def test_saved_settings_rank_below_flags_and_environment() -> None:
    saved = {"url": "https://saved.example", "endpoint": "saved/path"}
    base = Flags(api_key=CANARY, namespace="n")
    conn = answers.resolve(base, {}, None, saved=saved)
    assert (conn.url, conn.endpoint, conn.origin["url"]) == ("https://saved.example", "saved/path", "saved settings")
    conn = answers.resolve(base, {"OPENLINEAGE_URL": "https://env.example"}, None, saved=saved)
    assert (conn.url, conn.endpoint) == ("https://env.example", "api/v1/lineage")  # the saved path is the saved URL's


def _interactive(monkeypatch: pytest.MonkeyPatch, replies: dict[str, str]) -> FakePrompter:
    prompter = FakePrompter(replies, confirms={"Send a test event": False})
    monkeypatch.setattr(prompts, "interactive", lambda no_input, env: True)
    monkeypatch.setattr(prompts, "make_prompter", lambda: prompter)
    return prompter


def test_prompted_endpoint_is_saved_after_writing_and_used_next_time(
    dbt_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _interactive(
        monkeypatch, {"Astro base domain": "https://lineage.example.com/ol", "API key": CANARY, "Namespace": "dev"}
    )
    first = cli(["dbt", "--dir", str(dbt_project), "--yes"])
    assert first.exit_code == 0, first.output
    assert "Saved the endpoint in" in first.stderr
    file = settings.path({"HOME": str(Path.home())})
    assert CANARY not in file.read_text()
    prompter = _interactive(monkeypatch, {"Astro base domain": "", "API key": CANARY, "Namespace": "dev"})
    second = cli(["dbt", "--dir", str(dbt_project), "--yes"])  # the saved URL is the default; Enter accepts it
    assert second.exit_code == 0, second.output
    assert "(from saved settings)" in second.stdout
    assert "Nothing to change" in second.stdout
    assert any("Astro base domain" in question for question in prompter.asked)  # asked, never silently reused


def test_endpoint_from_a_flag_is_not_saved(dbt_project: Path) -> None:
    result = cli(
        [
            "dbt",
            "--dir",
            str(dbt_project),
            "--url",
            "https://h.example",
            "--namespace",
            "n",
            "--api-key",
            CANARY,
            "--yes",
        ]
    )
    assert result.exit_code == 0
    assert not settings.path({"HOME": str(Path.home())}).exists()


def test_endpoint_that_failed_verification_is_not_saved(monkeypatch: pytest.MonkeyPatch) -> None:
    with receiver() as rx:
        port = rx.url.rsplit(":", 1)[1]
    _interactive(monkeypatch, {"Astro base domain": f"http://127.0.0.1:{port}", "API key": CANARY, "Namespace": "dev"})
    result = cli(["verify"])  # the receiver is gone: connection refused
    assert result.exit_code == 1
    assert not settings.path({"HOME": str(Path.home())}).exists()
