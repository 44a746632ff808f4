"""Send a real START and COMPLETE RunEvent through the configured path and say plainly what happened."""

from __future__ import annotations

import json
import os
import ssl
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from lineage_setup import PROJECT_URL, __version__

if TYPE_CHECKING:
    import httpx

    from lineage_setup.answers import Connection

JOB_NAME = "lineage-setup.verify"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
PRODUCER = f"{PROJECT_URL}/tree/v{__version__}"
RETRY_STATUSES = {429, 500, 502, 503, 504}
RETRIES = 3  # after the first attempt
BACKOFF = 0.5  # seconds, doubled each retry
RETRY_AFTER_CAP = 5.0


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7): 48-bit Unix milliseconds, then random bits."""
    value = (time.time_ns() // 1_000_000 & (1 << 48) - 1) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 4122 variant
    return uuid.UUID(int=value)


def events(namespace: str, run_id: uuid.UUID | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The START and COMPLETE events of one test run."""
    run_id = run_id or uuid7()

    def event(kind: str) -> dict[str, Any]:
        return {
            "eventType": kind,
            "eventTime": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "run": {"runId": str(run_id)},
            "job": {"namespace": namespace, "name": JOB_NAME},
            "inputs": [],
            "outputs": [],
            "producer": PRODUCER,
            "schemaURL": SCHEMA_URL,
        }

    return event("START"), event("COMPLETE")


@dataclass(frozen=True)
class Result:
    ok: bool
    message: str  # one line for the user; never holds the key


class _Failed(Exception):
    """Ends the check with a message."""


def check(conn: Connection, timeout: float = 10.0, sleep: Callable[[float], None] = time.sleep) -> Result:
    import httpx

    start, complete = events(conn.namespace)
    headers = {
        "Authorization": f"Bearer {conn.api_key}",
        "Content-Type": "application/json",
        "User-Agent": f"lineage-setup/{__version__}",
    }
    timings = []
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            for event in (start, complete):
                body = json.dumps(event).encode()
                status, elapsed = _post(client, conn, headers, body, timeout, sleep)
                timings.append(f"{event['eventType']} {status} in {elapsed * 1000:.0f} ms")
    except _Failed as failed:
        return Result(False, str(failed))
    except (httpx.InvalidURL, ValueError) as exc:  # UnicodeError is a ValueError: a host httpx cannot encode
        return Result(False, f"{conn.lineage_url} cannot be used as a URL ({exc})")
    return Result(
        True,
        f"OpenLineage accepted the test run at {conn.lineage_url} ({'; '.join(timings)}): "
        f"job {conn.namespace}/{JOB_NAME}, run {start['run']['runId']}",
    )


def _post(
    client: httpx.Client,
    conn: Connection,
    headers: dict[str, str],
    body: bytes,
    timeout: float,
    sleep: Callable[[float], None],
) -> tuple[int, float]:
    import httpx

    for attempt in range(RETRIES + 1):
        began = time.perf_counter()
        try:
            response = client.post(conn.lineage_url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise _Failed(_network_problem(exc, conn, timeout)) from None
        elapsed = time.perf_counter() - began
        if response.is_success:
            return response.status_code, elapsed
        if response.status_code not in RETRY_STATUSES or attempt == RETRIES:
            raise _Failed(_status_problem(response, conn, len(body), attempt + 1))
        sleep(_delay(response, attempt))
    raise AssertionError("unreachable")


def _delay(response: httpx.Response, attempt: int) -> float:
    retry_after = response.headers.get("Retry-After", "")
    if retry_after.isdigit():
        return min(float(retry_after), RETRY_AFTER_CAP)
    return float(BACKOFF * 2**attempt)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _network_problem(exc: Exception, conn: Connection, timeout: float) -> str:
    import socket

    import httpx

    parts = urlsplit(conn.url)
    host, where = parts.hostname or conn.url, parts.netloc
    chain = list(_chain(exc))
    if isinstance(exc, httpx.ProxyError):
        return f"the proxy failed ({_proxy_variable(conn.url)}): {exc}"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer from {where} within {timeout:g} s (raise it with --timeout)"
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain):
        reason = next(str(e.verify_message) for e in chain if isinstance(e, ssl.SSLCertVerificationError))
        return (
            f"the TLS certificate of {host} was not accepted ({reason}); behind a proxy that re-signs "
            "traffic, point SSL_CERT_FILE at its CA bundle"
        )
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return f"the TLS handshake with {where} failed ({exc}); check the scheme and port"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return f"cannot resolve {host}: check the domain, and your VPN or proxy (NO_PROXY?)"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return f"connection refused by {where}: is the receiver running, and the port right?"
    return f"cannot reach {where}: {exc or type(exc).__name__}"


def _proxy_variable(url: str) -> str:
    scheme = urlsplit(url).scheme
    for name in (f"{scheme.upper()}_PROXY", f"{scheme}_proxy", "ALL_PROXY", "all_proxy"):
        if os.environ.get(name):
            return f"from {name}"
    return "from the environment"


def _status_problem(response: httpx.Response, conn: Connection, size: int, attempts: int) -> str:
    status, url = response.status_code, conn.lineage_url
    if 300 <= status < 400:
        where = response.headers.get("Location", "(no Location header)")
        return f"{url} redirected ({status}) to {where}: use that URL (is it https, the right domain?)"
    known = {
        400: f"the endpoint rejected the event as invalid (400): {_excerpt(response)}",
        401: "the API key was rejected (401): check it, or get a new one",
        403: "the API key is valid but not allowed to send here (403): check its permissions",
        404: f"nothing at {url} (404): wrong domain or endpoint? (--url, --endpoint)",
        405: f"{url} does not accept POST (405): wrong domain or endpoint? (--url, --endpoint)",
        413: f"the event ({size} bytes) was too large for {url} (413): a proxy in between may limit bodies",
    }
    if status in known:
        return known[status]
    if status in RETRY_STATUSES:
        return (
            f"{url} answered {status} {response.reason_phrase} after {attempts} attempts: "
            "the server is busy or down, try later"
        )
    return f"{url} answered {status} {response.reason_phrase}: {_excerpt(response)}"


def _excerpt(response: httpx.Response) -> str:
    from lineage_setup.redact import redact

    text = redact(" ".join(response.text.split()))  # before cutting: a cut key is no longer recognisable
    return (text[:200] + "...") if len(text) > 200 else (text or "(empty body)")
