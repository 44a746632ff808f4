"""Connection answers: flag > environment > prompt, and what happens when one is missing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from lineage_setup import answers, redact
from lineage_setup.answers import Flags
from lineage_setup.errors import UsageError

from .helpers import CANARY


class FakePrompter:
    """Answers from a dict keyed by a word of the question; fails on any question it lacks."""

    def __init__(self, replies: dict[str, str], confirms: dict[str, bool] | None = None) -> None:
        self.replies = replies
        self.confirms = confirms or {}  # by a word of the question; unlisted questions get yes
        self.asked: list[str] = []

    def _reply(self, message: str, validate: answers.validate.Check, default: str = "") -> str:
        self.asked.append(message)
        key = next(k for k in self.replies if k in message)
        reply = self.replies[key] or default  # questionary pre-fills the default; Enter accepts it
        assert validate(reply) is True, validate(reply)
        return reply

    def text(self, message: str, *, default: str = "", validate: answers.validate.Check) -> str:
        return self._reply(message, validate, default)

    def secret(self, message: str, *, validate: answers.validate.Check) -> str:
        return self._reply(message, validate)

    def confirm(self, message: str, *, default: bool = False) -> bool:
        self.asked.append(message)
        return next((answer for key, answer in self.confirms.items() if key in message), True)

    def choose(self, message: str, choices: object, *, default: str) -> str:
        self.asked.append(message)
        return next((reply for key, reply in self.replies.items() if key in message), default)


FULL = Flags(url="https://flag.example", api_key=CANARY, namespace="flag-ns")
ENV = {
    "OPENLINEAGE_URL": "https://env.example",
    "OPENLINEAGE_API_KEY": "env-key-123456",
    "OPENLINEAGE_NAMESPACE": "env-ns",
    "LINEAGE_SETUP_DOMAIN": "envdomain.io",
}


def test_flags_win_over_environment() -> None:
    conn = answers.resolve(FULL, ENV, None)
    assert (conn.url, conn.api_key, conn.namespace) == ("https://flag.example", CANARY, "flag-ns")
    assert conn.origin == {
        "backend": "implied by the endpoint",
        "url": "--url",
        "api_key": "--api-key",
        "namespace": "--namespace",
        "endpoint": "default",
    }


def test_environment_used_when_no_flags() -> None:
    conn = answers.resolve(Flags(), ENV, None)
    assert (conn.url, conn.api_key, conn.namespace) == ("https://env.example", "env-key-123456", "env-ns")
    assert conn.lineage_url == "https://env.example/api/v1/lineage"


def test_url_beats_domain_and_domain_flag_beats_env_url() -> None:
    assert (
        answers.resolve(Flags(url="https://u.example", domain="d.io", api_key=CANARY, namespace="n"), {}, None).url
        == "https://u.example"
    )
    assert answers.resolve(Flags(domain="astronomer.io"), ENV, None).url == "https://api.astronomer.io"
    env = {k: v for k, v in ENV.items() if k != "OPENLINEAGE_URL"}
    assert answers.resolve(Flags(), env, None).url == "https://api.envdomain.io"


def test_url_path_becomes_the_endpoint() -> None:
    conn = answers.resolve(Flags(url="http://127.0.0.1:5000/custom/lineage/", api_key=CANARY, namespace="n"), {}, None)
    assert (conn.url, conn.endpoint) == ("http://127.0.0.1:5000", "custom/lineage")
    assert not conn.insecure  # plain http to this machine's own receiver: no warning
    remote = answers.resolve(Flags(url="http://lineage.example.com", api_key=CANARY, namespace="n"), {}, None)
    assert remote.insecure


def test_url_path_and_endpoint_flag_conflict() -> None:
    with pytest.raises(UsageError, match="already has a path"):
        answers.resolve(Flags(url="https://h.example/x", endpoint="y", api_key=CANARY, namespace="n"), {}, None)


def test_endpoint_from_flag_and_env() -> None:
    base = Flags(url="https://h.example", api_key=CANARY, namespace="n")
    assert answers.resolve(base, {"OPENLINEAGE_ENDPOINT": "/v2/ol"}, None).endpoint == "v2/ol"
    assert answers.resolve(Flags(**{**base.__dict__, "endpoint": "x/y"}), {}, None).endpoint == "x/y"


@pytest.mark.parametrize(
    ("flags", "env", "message"),
    [
        (
            Flags(api_key=CANARY, namespace="n"),
            {},
            "missing the OpenLineage endpoint: pass --domain (or --url) "
            "or set LINEAGE_SETUP_DOMAIN (or OPENLINEAGE_URL)",
        ),
        (
            Flags(url="https://h.example", namespace="n"),
            {},
            "missing the API key: pass --api-key-file (or --api-key) or set OPENLINEAGE_API_KEY",
        ),
        (
            Flags(url="https://h.example", api_key=CANARY),
            {},
            "missing the namespace: pass --namespace or set OPENLINEAGE_NAMESPACE",
        ),
    ],
)
def test_missing_answer_without_terminal_names_flag_and_env(flags: Flags, env: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match="^" + re.escape(message)):
        answers.resolve(flags, env, None)


def test_bad_env_value_names_the_variable() -> None:
    with pytest.raises(UsageError, match=r"^OPENLINEAGE_NAMESPACE: "):
        answers.resolve(Flags(url="https://h.example", api_key=CANARY), {"OPENLINEAGE_NAMESPACE": "bad ns"}, None)


def test_prompts_only_for_what_is_missing() -> None:
    prompter = FakePrompter({"Astro base domain": "astronomer.io", "API key": f"  {CANARY}\n", "Namespace": ""})
    conn = answers.resolve(Flags(), {}, prompter, namespace_default="jaffle")
    assert (conn.url, conn.api_key, conn.namespace) == ("https://api.astronomer.io", CANARY, "jaffle")
    assert len(prompter.asked) == 4  # where to (Astro by default), the URL, the key, the namespace
    assert conn.backend == "astro"
    prompter = FakePrompter({})
    answers.resolve(FULL, {}, prompter)
    assert prompter.asked == []


def test_prompt_accepts_a_full_url() -> None:
    prompter = FakePrompter({"Astro base domain": "http://localhost:5000", "API key": CANARY, "Namespace": "n"})
    assert answers.resolve(Flags(), {}, prompter).url == "http://localhost:5000"


def test_key_is_registered_for_redaction() -> None:
    answers.resolve(FULL, {}, None)
    assert redact.redact(f"x {CANARY} y") == "x **** y"


def test_key_file_and_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(f"{CANARY}\n")
    flags = Flags(url="https://h.example", namespace="n", api_key_file=str(key_file))
    assert answers.resolve(flags, {}, None).api_key == CANARY
    monkeypatch.setattr("sys.stdin", io.StringIO(f"  {CANARY}\r\n"))
    assert answers.resolve(Flags(url="https://h.example", namespace="n", api_key_file="-"), {}, None).api_key == CANARY


def test_key_file_problems(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"--api-key-file: the file it names does not exist") as missing:
        answers.resolve(Flags(url="https://h.example", namespace="n", api_key_file=str(tmp_path / "missing")), {}, None)
    assert "missing" not in str(missing.value)  # never echoed: it may be the key itself
    with pytest.raises(UsageError, match="not both"):
        answers.resolve(Flags(url="https://h.example", namespace="n", api_key=CANARY, api_key_file="x"), {}, None)
    two_lines = tmp_path / "two"
    two_lines.write_text(f"{CANARY}\nsecond\n")
    with pytest.raises(UsageError, match="--api-key-file: the API key contains whitespace"):
        answers.resolve(Flags(url="https://h.example", namespace="n", api_key_file=str(two_lines)), {}, None)
