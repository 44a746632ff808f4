"""Send a real START and COMPLETE RunEvent through the configured path and say plainly what happened.

One deadline (--timeout) bounds the whole exchange: both events, every retry and every backoff sleep, and
the search for the right path on a 404 (path_search). The requests themselves are http_exchange's; the words
for what went wrong, http_problems'. With --lint the test events are checked as `listen --lint` checks
what it receives, for the chosen backend.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from lineage_setup import PROJECT_URL, __version__, validate
from lineage_setup.errors import UsageError
from lineage_setup.http_exchange import Deadline, Exchange, Failed, send, session
from lineage_setup.http_problems import proxy_in_use, shown, status_problem

if TYPE_CHECKING:
    import httpx

    from lineage_setup import lint
    from lineage_setup.answers import Connection

JOB_NAME = "lineage-setup.verify"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
PRODUCER = f"{PROJECT_URL}/tree/v{__version__}"
JOB_TYPE_SCHEMA_URL = "https://openlineage.io/spec/facets/2-0-2/JobTypeJobFacet.json#/$defs/JobTypeJobFacet"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRIES = 3  # after the first attempt
BACKOFF = 0.5  # seconds, doubled each retry
RETRY_AFTER_CAP = 5.0
_DELAY_SECONDS = re.compile(r"[0-9]{1,10}")  # ASCII digits only: '²'.isdigit() and '٣'.isdigit() are True


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7): 48-bit Unix milliseconds, then random bits."""
    value = (time.time_ns() // 1_000_000 & (1 << 48) - 1) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 4122 variant
    return uuid.UUID(int=value)


def events(
    namespace: str, run_id: uuid.UUID | None = None, job_facets: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The START and COMPLETE events of one test run, with the job facets a backend requires (`job_facets`)."""
    run_id = run_id or uuid7()
    facets = {name: FACETS[name]() for name in job_facets if name in FACETS}

    def event(kind: str) -> dict[str, Any]:
        job: dict[str, Any] = {"namespace": namespace, "name": JOB_NAME}
        if facets:
            job["facets"] = facets
        return {
            "eventType": kind,
            "eventTime": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "run": {"runId": str(run_id)},
            "job": job,
            "inputs": [],
            "outputs": [],
            "producer": PRODUCER,
            "schemaURL": SCHEMA_URL,
        }

    return event("START"), event("COMPLETE")


def _job_type() -> dict[str, Any]:
    """The jobType job facet (Datadog processes no run event without it): a batch job of this tool."""
    return {
        "_producer": PRODUCER,
        "_schemaURL": JOB_TYPE_SCHEMA_URL,
        "processingType": "BATCH",
        "integration": "LINEAGE_SETUP",
        "jobType": "JOB",
    }


FACETS: dict[str, Callable[[], dict[str, Any]]] = {"jobType": _job_type}  # job facets a preset may require


@dataclass(frozen=True)
class Result:
    ok: bool
    message: str  # one line for the user; never holds the key, nor a control character from the network
    findings: tuple[lint.Finding, ...] = ()  # with --lint: what the checks found in the test events


# --- where to post --------------------------------------------------------------------------------


def target(conn: Connection) -> str:
    """The URL the OpenLineage client posts to, which must be conn.lineage_url; else a UsageError (exit 2)."""
    problem = validate.endpoint_problem(conn.endpoint)
    joined = urljoin(conn.url, conn.endpoint)
    if problem is None and joined != conn.lineage_url:  # a rule above missed a case: still refuse
        problem = f"the client would post to {joined} instead"
    if problem is None:
        return joined
    source = conn.origin.get("endpoint", "the endpoint")
    source = "--url" if source == "URL path" else source
    raise UsageError(
        f"{source}: the endpoint path {conn.endpoint!r} cannot be used: {problem} "
        f"(the OpenLineage Python client posts to urljoin(url, path), so it would not reach {conn.lineage_url})"
    )


# --- the exchange ---------------------------------------------------------------------------------


def check(
    conn: Connection, timeout: float = 10.0, sleep: Callable[[float], None] = time.sleep, lint: bool = False
) -> Result:
    """Post START then COMPLETE, all within `timeout` seconds; a path the client would not reach is a UsageError.

    On a 404 or 405 for START, the other known paths on the same scheme, host and port are tried (path_search)."""
    from lineage_setup import redact

    redact.register(conn.api_key)  # a server may echo it back in a body, a reason or a Location
    url = target(conn)
    start, complete = events(conn.namespace, job_facets=conn.preset.job_facets)
    findings = _lint(conn, (start, complete)) if lint else ()
    exchange = Exchange(conn.url, url, _headers(conn), Deadline(timeout), sleep)
    try:
        with session(exchange) as client:
            timings = _send_run(client, exchange, (start, complete))
    except Failed as failed:
        return Result(False, shown(f"{failed}{_domain_hint(conn, failed)}"), findings)
    return Result(
        True,
        f"OpenLineage accepted the test run at {conn.lineage_url} ({'; '.join(timings)}): "
        f"job {conn.namespace}/{JOB_NAME}, run {start['run']['runId']}",
        findings,
    )


def _send_run(client: httpx.Client, exchange: Exchange, run: tuple[dict[str, Any], ...]) -> list[str]:
    timings: list[str] = []
    for event in run:
        body = json.dumps(event).encode()
        try:
            status, elapsed = _post(client, exchange, body)
        except _WrongPlace as failed:
            if timings:  # START went through: this URL and path are right
                raise Failed(str(failed)) from None
            if not isinstance(failed, _NotThere):
                raise
            from lineage_setup import path_search

            found = path_search.other_paths(client, exchange, body)
            moved = " accepted the test event " in found  # the host is right, another path took it
            raise (Failed if moved else _NotThere)(f"{failed}; {found}") from None
        timings.append(f"{event['eventType']} {status} in {elapsed * 1000:.0f} ms")
    return timings


def _domain_hint(conn: Connection, failed: Failed) -> str:
    """When the URL was built from a domain and the failure may mean it is the wrong one: where the exact URL is."""
    if not conn.domain_source or not isinstance(failed, _WrongPlace):
        return ""
    from lineage_setup import backends

    return f"; {backends.domain_hint(conn.preset, conn.domain_source)}"


def _lint(conn: Connection, run: tuple[dict[str, Any], ...]) -> tuple[lint.Finding, ...]:
    from lineage_setup import lint

    tracker = lint.Tracker(lint.Context(conn.preset, conn.namespace))
    return tuple(finding for event in run for finding in tracker.see(event, len(json.dumps(event).encode())))


def _headers(conn: Connection) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {conn.api_key}",
        "Content-Type": "application/json",
        "User-Agent": f"lineage-setup/{__version__}",
        "Accept-Encoding": "identity",  # a failure body is shown as it came, never inflated
    }


class _WrongPlace(Failed):
    """A failure that may mean a wrong URL: the host does not resolve or answer, or rejects the key (401, 403)."""


class _NotThere(_WrongPlace):
    """A 404 or 405: nothing takes events at this path."""


def _post(client: httpx.Client, exchange: Exchange, body: bytes) -> tuple[int, float]:
    for attempt in range(RETRIES + 1):
        try:
            answer, elapsed = send(client, exchange, body)
        except Failed as failed:  # the network: a proxy's failure says nothing about the URL
            raise (Failed if proxy_in_use(exchange) else _WrongPlace)(str(failed)) from None
        from lineage_setup import ui

        ui.debug(f"POST {exchange.url}: {answer.status} in {elapsed * 1000:.0f} ms (attempt {attempt + 1})")
        if 200 <= answer.status < 300:
            return answer.status, elapsed
        problem = status_problem(answer, exchange.url, len(body), attempt + 1, RETRY_STATUSES)
        if answer.status in (404, 405):
            raise _NotThere(problem)
        if answer.status in (401, 403):
            raise _WrongPlace(problem)
        if answer.status not in RETRY_STATUSES or attempt == RETRIES:
            raise Failed(problem)
        delay = _delay(answer.headers.get("Retry-After", ""), attempt)
        if delay >= exchange.deadline.remaining():
            raise Failed(f"{problem} (stopped when --timeout {exchange.deadline.seconds:g} s ran out)")
        exchange.sleep(delay)
    raise AssertionError("unreachable")


def _delay(retry_after: str, attempt: int) -> float:
    """Retry-After as delay-seconds (ASCII digits) or an HTTP-date, capped; anything else: the backoff."""
    value = retry_after.strip()
    if _DELAY_SECONDS.fullmatch(value):
        return min(float(value), RETRY_AFTER_CAP)
    when = _http_date(value)
    if when is not None:
        return min(max(when - time.time(), 0.0), RETRY_AFTER_CAP)
    return float(BACKOFF * 2**attempt)


def _http_date(value: str) -> float | None:
    from email.utils import parsedate_to_datetime

    if not value or not value.isascii():
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.timestamp() if when.tzinfo is not None else None
