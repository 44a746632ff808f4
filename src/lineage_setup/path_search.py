"""verify on a 404 (or 405): the paths the presets know, tried on the same scheme, host and port only.

The key goes with each try, so no try ever leaves the configured origin: every URL is that origin plus a
known path, and is checked to be so before it is sent. At most one request per path, no retries, all within
the one --timeout deadline of verify.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lineage_setup import backends
from lineage_setup.http_exchange import Exchange, Failed, send

if TYPE_CHECKING:
    import httpx


def candidates(exchange: Exchange) -> list[str]:
    """The URLs to try: each known path on the exchange's origin, except the one that just failed."""
    urls = [f"{exchange.origin}/{path}" for path in backends.known_paths()]
    for url in urls:
        if not same_origin(url, exchange.origin):
            raise AssertionError(f"{url} is not on {exchange.origin}")  # never reached: the key stays home
    return [url for url in urls if url != exchange.url]


def same_origin(url: str, origin: str) -> bool:
    """Same scheme, host and port (the port as written: an explicit default port is a different origin here)."""
    one, two = urlsplit(url), urlsplit(origin)
    return (one.scheme, one.netloc) == (two.scheme, two.netloc) and url.startswith(origin + "/")


def other_paths(client: httpx.Client, exchange: Exchange, body: bytes) -> str:
    """What the other known paths answered to `body`, and the flag to use when one accepted it."""
    urls = candidates(exchange)
    tried: list[str] = []
    for url in urls:
        path = url[len(exchange.origin) + 1 :]
        try:
            answer, _ = send(client, exchange, body, url)
        except Failed as failed:
            return f"trying the other known paths stopped after {len(tried)} of {len(urls)}{_so_far(tried)}: {failed}"
        if 200 <= answer.status < 300:
            return f"{url} accepted the test event ({answer.status}): use {flag_for(path)}"
        tried.append(f"{path} {answer.status}")
    return f"none of the {len(urls)} other known paths on {exchange.origin} accepted it ({', '.join(tried)})"


def _so_far(tried: list[str]) -> str:
    return f" ({', '.join(tried)})" if tried else ""


def flag_for(path: str) -> str:
    """--backend NAME when one preset has this path; --endpoint PATH when several share it (or none has it)."""
    owners = [preset.name for preset in backends.PRESETS.values() if preset.endpoint == path]
    if len(owners) == 1:
        return f"--backend {owners[0]} (or --endpoint {path})"
    shared = f" (the path of {', '.join(owners)}; add --backend for the one this is)" if owners else ""
    return f"--endpoint {path}{shared}"
