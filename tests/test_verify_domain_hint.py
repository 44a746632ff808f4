"""verify against a URL built from a domain: a failure that may mean a wrong URL says where the exact one is
shown and to pass it with --url (from the preset's unconfirmed facts); a URL the user typed never gets this."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
import respx

from lineage_setup import answers, backends, verify
from lineage_setup.answers import Flags

from .helpers import CANARY, cli
from .test_answers import FakePrompter

ASTRO_WHERE = "Astro shows the exact OpenLineage URL in your Organization settings (https://cloud.<domain>/settings)"
HINT = f"{ASTRO_WHERE}; pass it with --url"
NOWHERE = "nonexistent-xyz.invalid"  # RFC 6761: the .invalid TLD never resolves, online or offline
URL = "https://api.example.invalid/api/v1/lineage"
KEY = ["--namespace", "dev", "--api-key", CANARY, "--timeout", "5"]


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for scheme in ("http", "https", "all", "no"):
        monkeypatch.delenv(f"{scheme}_proxy", raising=False)
        monkeypatch.delenv(f"{scheme.upper()}_PROXY", raising=False)


@pytest.fixture(autouse=True)
def _invalid_names_never_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    """`.invalid` names fail as the resolver fails them, without asking a nameserver (tests stay on loopback)."""
    real = socket.getaddrinfo

    def resolve(host: object, *args: object, **kwargs: object) -> object:
        if isinstance(host, (str, bytes)) and (host.decode() if isinstance(host, bytes) else host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def _no_sleep(seconds: float) -> None:
    pass


def _conn(**flags: str) -> answers.Connection:
    return answers.resolve(Flags(api_key=CANARY, namespace="dev", **flags), {}, None)


def test_the_hint_is_the_presets_unconfirmed_url_fact() -> None:
    doubt = backends.get("astro").doubt("url")
    assert doubt is not None and doubt.where == ASTRO_WHERE
    assert backends.domain_hint(backends.get("astro"), "--domain").endswith(HINT)


# --- DNS, through the CLI: the name really does not resolve ------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "source"),
    [
        (["--domain", NOWHERE], {}, "--domain"),
        ([], {"LINEAGE_SETUP_DOMAIN": NOWHERE}, "LINEAGE_SETUP_DOMAIN"),
    ],
)
def test_dns_failure_of_a_domain_url_says_where_the_exact_url_is(
    args: list[str], env: dict[str, str], source: str
) -> None:
    result = cli(["verify", *args, *KEY], env=env)
    assert result.exit_code == 1, result.output
    line = result.stderr.strip().splitlines()[-1]
    assert f"cannot resolve api.{NOWHERE}" in line
    assert f"the URL was built from {source} in the https://api.<domain> form (unconfirmed)" in line
    assert line.endswith(HINT)
    assert CANARY not in result.output


def test_the_same_url_typed_with_url_gets_no_hint() -> None:
    result = cli(["verify", "--url", f"https://api.{NOWHERE}", *KEY])
    assert result.exit_code == 1, result.output
    assert f"cannot resolve api.{NOWHERE}" in result.stderr
    assert "Organization settings" not in result.output
    assert "--domain" not in result.stderr


def test_verify_after_a_command_gets_the_hint_too(dbt_project: Path) -> None:
    result = cli(["dbt", "--dir", str(dbt_project), "--domain", NOWHERE, *KEY[:4], "--yes", "--verify"])
    assert result.exit_code == 1, result.output
    assert "(from --domain; unconfirmed form, see Organization settings)" in result.stdout
    assert result.stderr.strip().endswith(HINT)


# --- statuses and refused connections, mocked at the domain's URL ------------------------------------


@pytest.mark.parametrize(("status", "said"), [(401, "rejected (401)"), (403, "(403)"), (404, "(404)"), (405, "(405)")])
def test_a_status_that_may_mean_the_wrong_url_gets_the_hint(status: int, said: str) -> None:
    conn = _conn(domain="example.invalid")
    with respx.mock() as mock:
        mock.post(host="api.example.invalid").respond(status)
        result = verify.check(conn, sleep=_no_sleep)
    assert not result.ok
    assert said in result.message
    assert result.message.endswith(HINT)
    assert CANARY not in result.message


@pytest.mark.parametrize("status", [401, 403, 404])
def test_a_typed_url_with_the_same_status_gets_no_hint(status: int) -> None:
    conn = _conn(url="https://api.example.invalid")
    with respx.mock() as mock:
        mock.post(host="api.example.invalid").respond(status)
        result = verify.check(conn, sleep=_no_sleep)
    assert not result.ok
    assert f"({status})" in result.message
    assert "Organization settings" not in result.message and "--domain" not in result.message


def test_a_refused_connection_gets_the_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        error = httpx.ConnectError("refused")
        error.__cause__ = ConnectionRefusedError(111, "Connection refused")
        raise error

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", refuse)
    result = verify.check(_conn(domain="example.invalid"), sleep=_no_sleep)
    assert "connection refused by api.example.invalid" in result.message
    assert result.message.endswith(HINT)


def test_a_dns_failure_from_the_stack_gets_the_hint_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def unknown(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    result = verify.check(_conn(domain="example.invalid"), sleep=_no_sleep)
    assert "cannot resolve api.example.invalid" in result.message
    assert result.message.endswith(HINT)


def test_a_refused_proxy_says_nothing_about_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # bound, never listening: connections to it are refused, no one else takes it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
        result = verify.check(_conn(domain="example.invalid"), timeout=5, sleep=_no_sleep)
    assert f"connection refused by the proxy 127.0.0.1:{port}" in result.message
    assert "Organization settings" not in result.message  # the proxy failed, not the URL


@pytest.mark.parametrize("status", [400, 413, 418, 500])
def test_a_failure_that_does_not_question_the_url_gets_no_hint(status: int) -> None:
    with respx.mock() as mock:
        mock.post(URL).respond(status)
        result = verify.check(_conn(domain="example.invalid"), sleep=_no_sleep)
    assert not result.ok
    assert "Organization settings" not in result.message


def test_a_404_where_another_known_path_takes_the_event_gets_no_hint() -> None:
    with respx.mock(assert_all_called=False) as mock:
        mock.post("https://api.example.invalid/openapi/openlineage/api/v1/lineage").respond(200)
        mock.post(host="api.example.invalid").respond(404)
        result = verify.check(_conn(domain="example.invalid"), sleep=_no_sleep)
    assert "accepted the test event (200): use --backend datahub" in result.message
    assert "Organization settings" not in result.message  # the host is right: only the path was wrong


def test_a_failure_after_the_start_was_accepted_gets_no_hint() -> None:
    with respx.mock() as mock:
        mock.post(URL).mock(side_effect=[httpx.Response(201), httpx.Response(401)])
        result = verify.check(_conn(domain="example.invalid"), sleep=_no_sleep)
    assert "(401)" in result.message
    assert "Organization settings" not in result.message  # START reached the URL: it is right


def test_a_domain_typed_at_the_prompt_gets_the_hint_and_a_url_does_not() -> None:
    for reply, hinted in (("example.invalid", True), ("https://api.example.invalid", False)):
        prompter = FakePrompter({"OpenLineage URL": reply})
        conn = answers.resolve(Flags(backend="astro", api_key=CANARY, namespace="dev"), {}, prompter)
        with respx.mock() as mock:
            mock.post(host="api.example.invalid").respond(401)
            result = verify.check(conn, sleep=_no_sleep)
        assert result.message.endswith(HINT) is hinted, reply
        assert ("the URL was built from your answer in" in result.message) is hinted


def test_a_confirmed_domain_form_says_how_the_url_was_built() -> None:
    with respx.mock() as mock:
        mock.post(host="data-obs-intake.example.invalid").respond(403)
        result = verify.check(_conn(domain="example.invalid", backend="datadog"), sleep=_no_sleep)
    assert "the URL was built from --domain as https://data-obs-intake.<domain>" in result.message
    assert result.message.endswith("pass the exact URL with --url")
    assert "unconfirmed" not in result.message


# --- where the output shows a value built from an unconfirmed fact -----------------------------------


def test_the_answers_summary_marks_a_value_built_from_an_unconfirmed_fact(dbt_project: Path) -> None:
    base = ["dbt", "--dir", str(dbt_project), *KEY[:4], "--dry-run"]
    domain = cli([*base, "--domain", "astronomer.io"]).stdout
    typed = cli([*base, "--url", "https://api.astronomer.io"]).stdout
    datadog = cli([*base, "--backend", "datadog", "--domain", "datadoghq.com"]).stdout
    atlan = cli([*base, "--backend", "atlan", "--url", "https://acme.atlan.com"]).stdout
    assert "(from --domain; unconfirmed form, see Organization settings)" in domain
    assert "(from --url)" in typed and "unconfirmed" not in typed
    assert "(from --domain)" in datadog and "unconfirmed" not in datadog
    assert "(from --url; connector part of the path unconfirmed)" in atlan


def test_help_says_the_domain_form_is_unconfirmed() -> None:
    help_text = " ".join(cli(["verify", "--help"], env={"COLUMNS": "80"}).stdout.replace("│", " ").split())
    assert "https://api.<domain>, an unconfirmed form" in help_text
