"""verify posts to exactly the URL the OpenLineage Python client posts to: urljoin(url, endpoint).

openlineage-python (client/transport/http.py) posts to `urljoin(self.url, self.endpoint)`. An endpoint that
urljoin would read differently (a first segment such as `proxy:8080` is a scheme to urljoin) is refused.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lineage_setup import validate, verify
from lineage_setup.answers import Connection
from lineage_setup.errors import UsageError

from .helpers import CANARY, cli
from .receiver import receiver

BASES = ("https://lineage.example.com", "http://h.example:8080", "https://[::1]:5000", "http://127.0.0.1:5000")
PATH_CHARS = "ab1._~%/+=:@,;-AF2e"  # the characters validate's path pattern takes, and hex digits for escapes


def _accepted(raw: str) -> str | None:
    try:
        return validate.endpoint(raw, "--endpoint")
    except UsageError:
        return None


@settings(max_examples=1500, deadline=None)
@given(raw=st.text(alphabet=PATH_CHARS, min_size=1, max_size=24), base=st.sampled_from(BASES))
@example(raw="proxy:8080/api/v1/lineage", base=BASES[0])
@example(raw="https:x", base=BASES[0])
@example(raw="a//b", base=BASES[0])
@example(raw="a/../b", base=BASES[0])
def test_every_endpoint_verify_accepts_is_joined_as_it_is_shown(raw: str, base: str) -> None:
    endpoint = _accepted(raw)
    if endpoint is None:
        return
    conn = Connection(base, endpoint, "dev", CANARY)
    joined = urljoin(conn.url, conn.endpoint)
    problem = validate.endpoint_problem(endpoint)
    if problem is None:
        assert joined == conn.lineage_url  # what verify posts to, and shows, is where the client posts
        assert verify.target(conn) == joined
    else:
        with pytest.raises(UsageError, match="cannot be used"):
            verify.target(conn)
    if joined != conn.lineage_url:  # each difference is caught by a named rule, not only by the final comparison
        assert problem is not None


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("proxy:8080/api/v1/lineage", "first segment reads as a URL scheme ('proxy'"),
        ("https:api/v1/lineage", "first segment reads as a URL scheme ('https'"),
        ("v1+x:y", "first segment reads as a URL scheme"),
        ("api//v1/lineage", "empty segment"),
        ("api/../lineage", "a '..' segment"),
        ("./lineage", "a '.' segment"),
        ("api/v1/lineage/.", "a '.' segment"),
        ("api/%zz", "re-quote it as %25"),
        ("api/%2e%2e/x", "%2e stands for '.'"),
        ("%61pi", "%61 stands for 'a'"),
    ],
)
def test_endpoints_the_client_would_send_elsewhere_are_refused(endpoint: str, reason: str) -> None:
    problem = validate.endpoint_problem(endpoint)
    assert problem is not None and reason in problem
    with pytest.raises(UsageError, match=re.escape(reason)):  # refused as an answer, before anything is written
        validate.endpoint(endpoint)
    with pytest.raises(UsageError, match=re.escape(reason)):
        validate.url(f"https://h.example/{endpoint}")


@pytest.mark.parametrize("endpoint", ["api/v1/lineage", "api/v1:x", "a@b/c;d=e,f+g~h", "x/%2F/y", "1a:b", "v1/a.b"])
def test_ordinary_endpoints_are_accepted(endpoint: str) -> None:
    assert validate.endpoint_problem(endpoint) is None
    conn = Connection("https://h.example", endpoint, "dev", CANARY)
    assert verify.target(conn) == f"https://h.example/{endpoint}"


@pytest.mark.parametrize(
    ("args", "source"),
    [
        (["--url", "{url}/proxy:8080/api/v1/lineage"], "--url"),
        (["--url", "{url}", "--endpoint", "api/../v1/lineage"], "--endpoint"),
        (["--url", "{url}/api//v1/lineage"], "--url"),
    ],
)
def test_cli_refuses_with_exit_2_and_sends_nothing(args: list[str], source: str) -> None:
    with receiver() as rx:
        result = cli(["verify", *[a.format(url=rx.url) for a in args], "--namespace", "dev", "--api-key", CANARY])
    assert result.exit_code == 2, result.output
    assert f"lineage-setup: {source}: the endpoint path" in result.stderr
    assert "cannot be used" in result.stderr
    assert rx.requests == []
    assert CANARY not in result.output
