"""What went wrong with an HTTP exchange, said plainly: the network (a proxy named as a proxy, TLS, DNS, a
refused port, the deadline) and the answer (a status, with an excerpt of the body)."""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from lineage_setup.http_exchange import Answer, Exchange

EXCERPT = 200  # characters of a failure body shown
AIRPLAY_PORT = 5000  # macOS's AirPlay Receiver listens here and answers 403


def shown(text: str) -> str:
    """One line: the key masked, control characters (a terminal escape sent by a server) escaped."""
    from lineage_setup.redact import redact
    from lineage_setup.ui import printable

    return printable(redact(text)).replace("\n", "\\n").replace("\t", "\\t")


# --- the network ----------------------------------------------------------------------------------


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def timed_out(exchange: Exchange) -> str:
    where = urlsplit(exchange.origin).netloc
    return f"no answer from {where}{_via(exchange)} within {exchange.deadline.seconds:g} s{exchange.timeout_hint}"


def network_problem(exc: Exception, exchange: Exchange) -> str:
    import httpx

    proxy = proxy_in_use(exchange)
    if proxy is not None and (isinstance(exc, httpx.ProxyError) or not exchange.trace.connected):
        return _proxy_problem(exc, exchange, proxy)
    if isinstance(exc, httpx.ProxyError):
        return f"the proxy failed ({_proxy_variable(exchange.origin, None)}): {exc}"
    if isinstance(exc, httpx.TimeoutException) or exchange.deadline.remaining() <= 0:  # or cut by the watchdog
        return timed_out(exchange)
    return _endpoint_problem(exc, exchange)


def _endpoint_problem(exc: Exception, exchange: Exchange) -> str:
    import socket

    parts = urlsplit(exchange.origin)
    host, where, via = parts.hostname or exchange.origin, parts.netloc, _via(exchange)
    chain = list(_chain(exc))
    cert = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if cert is not None:
        return (
            f"the TLS certificate of {host} was not accepted ({cert.verify_message}){via}; behind a proxy that "
            "re-signs traffic, point SSL_CERT_FILE at its CA bundle"
        )
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return f"the TLS handshake with {where}{via} failed ({exc}); check the scheme and port"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return f"cannot resolve {host}: check the domain, and your VPN or proxy (NO_PROXY?)"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return f"connection refused by {where}: is the receiver running, and the port right?"
    return f"cannot reach {where}{via}: {exc or type(exc).__name__}"


def proxy_in_use(exchange: Exchange) -> tuple[str, int] | None:
    """The proxy the request went through: the TCP connection went elsewhere than the endpoint."""
    parts = urlsplit(exchange.origin)
    endpoint = (parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    went = exchange.trace.connect_to
    return went if went is not None and went != endpoint else None


def _proxy_name(proxy: tuple[str, int]) -> str:
    host, port = proxy
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _via(exchange: Exchange) -> str:
    proxy = proxy_in_use(exchange)
    if proxy is None:
        return ""
    return f" through the proxy {_proxy_name(proxy)} ({_proxy_variable(exchange.origin, proxy)})"


def _proxy_problem(exc: Exception, exchange: Exchange, proxy: tuple[str, int]) -> str:
    import socket

    import httpx

    name, variable = _proxy_name(proxy), _proxy_variable(exchange.origin, proxy)
    host = urlsplit(exchange.origin).hostname
    bypass = f"set NO_PROXY={host} if {host} should be reached directly"
    chain = list(_chain(exc))
    if isinstance(exc, httpx.ProxyError):
        return f"the proxy failed ({variable}): the proxy {name} answered {exc}; check its credentials or rules"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return f"connection refused by the proxy {name} ({variable}): is the proxy running? ({bypass})"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return f"cannot resolve the proxy host {proxy[0]} ({variable}): check the variable ({bypass})"
    if isinstance(exc, httpx.TimeoutException):
        seconds = exchange.deadline.seconds
        return f"the proxy {name} ({variable}) did not accept a connection within {seconds:g} s ({bypass})"
    return f"cannot reach the proxy {name} ({variable}): {exc or type(exc).__name__} ({bypass})"


def _proxy_variable(url: str, proxy: tuple[str, int] | None) -> str:
    """Which variable names the proxy: lower case first, as urllib (and so httpx and requests) reads them."""
    scheme = urlsplit(url).scheme
    names = [f"{scheme}_proxy", f"{scheme.upper()}_PROXY", "all_proxy", "ALL_PROXY"]
    set_ = [name for name in names if os.environ.get(name)]
    for name in set_:
        parts = urlsplit(os.environ[name] if "://" in os.environ[name] else f"http://{os.environ[name]}")
        try:
            if proxy is not None and (parts.hostname, parts.port) == proxy:
                return f"from {name}"
        except ValueError:  # a port that is not a number
            continue
    return f"from {set_[0]}" if set_ else "from the environment"


# --- the answer -----------------------------------------------------------------------------------


def status_problem(answer: Answer, url: str, size: int, attempts: int, retried: frozenset[int]) -> str:
    """verify's words for a status other than 2xx from `url` (a path of the configured endpoint)."""
    status = answer.status
    if 300 <= status < 400:
        where = answer.headers.get("Location", "(no Location header)")
        return f"{url} redirected ({status}) to {where}: use that URL (is it https, the right domain?)"
    known = {
        400: f"the endpoint rejected the event as invalid (400): {excerpt(answer)}",
        401: "the API key was rejected (401): check it, or get a new one",
        403: "the API key is valid but not allowed to send here (403): check its permissions" + _airplay(url),
        404: f"nothing at {url} (404): wrong domain or endpoint? (--url, --endpoint)",
        405: f"{url} does not accept POST (405): wrong domain or endpoint? (--url, --endpoint)",
        413: f"the event ({size} bytes) was too large for {url} (413): a proxy in between may limit bodies",
    }
    if status in known:
        return known[status]
    if status in retried:
        busy = "the server is busy or down, try later"
        return f"{url} answered {status} {answer.reason} after {attempts} attempts: {busy}"
    return f"{url} answered {status} {answer.reason}: {excerpt(answer)}"


def _airplay(url: str) -> str:
    """macOS's AirPlay Receiver holds port 5000 on every address and answers 403 to a POST."""
    import ipaddress

    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback or parts.port != AIRPLAY_PORT:
        return ""
    return (
        f"; this may not be `lineage-setup listen` answering: on macOS the AirPlay Receiver holds port "
        f"{AIRPLAY_PORT} and answers 403 (run listen with --port 0, or turn AirPlay Receiver off)"
    )


def excerpt(answer: Answer) -> str:
    from lineage_setup.http_exchange import BODY_CAP
    from lineage_setup.redact import redact

    encoding = answer.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return f"(a {encoding}-encoded body, not shown)"
    text = redact(" ".join(_decode(answer.body, answer.charset).split()))  # redact before cutting
    cut = len(answer.body) >= BODY_CAP or len(text) > EXCERPT
    return (text[:EXCERPT] + "...") if cut else (text or "(empty body)")


def _decode(data: bytes, charset: str | None) -> str:
    try:
        return data.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", errors="replace")
