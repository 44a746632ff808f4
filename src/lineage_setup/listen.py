"""A local OpenLineage endpoint that prints one line per request it receives.

Every request is answered and counted: an event (201, received) or a refusal (4xx, rejected), each with one
printed line; nothing a client sends is dropped without a word. With --lint each event is checked (lint)
and the findings are printed under its line, with a summary table at stop; with --forward each event is
sent on to a real backend (forward). The request handling is listen_events', the HTTP side listen_http's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_setup import backends
from lineage_setup.errors import ExitCode, UsageError
from lineage_setup.listen_events import MAX_BODY as MAX_BODY
from lineage_setup.listen_events import PATHS as PATHS
from lineage_setup.listen_events import Listener as Listener
from lineage_setup.listen_events import Refused as Refused
from lineage_setup.listen_events import body_size as body_size
from lineage_setup.listen_events import describe as describe
from lineage_setup.listen_events import printable as printable
from lineage_setup.listen_events import served_paths
from lineage_setup.listen_http import bind_problem as bind_problem
from lineage_setup.listen_http import is_loopback, url_host
from lineage_setup.listen_http import make_server as make_server
from lineage_setup.listen_http import stop_signals as stop_signals

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

    from lineage_setup.forward import Forwarder, Sender


@dataclass(frozen=True)
class Checks:
    """listen's --lint, --backend, --namespace and --forward."""

    lint: bool = False
    backend: str | None = None  # a backends.PRESETS name: its path is served, its needs are linted
    namespace: str | None = None  # the job namespace events should carry (--lint)
    forward: str | None = None  # a URL to send each event on to


def run(
    host: str,
    port: int,
    output: Path | None,
    require_key: str | None,
    checks: Checks | None = None,
    env: Mapping[str, str] | None = None,
) -> ExitCode:
    """Serve until Ctrl-C, kill or hang-up, then say how many requests came and how many were refused."""
    from lineage_setup import redact, ui

    checks = checks or Checks()
    redact.register(require_key)
    _check_options(port, output, checks)
    listener, forwarder = _listener(output, require_key, checks, env or {})
    server = _bind(host, port, listener)
    _refuse_a_loop(host, server, forwarder)
    sender = _sender(listener, forwarder)
    url = f"http://{url_host(host)}:{server.server_address[1]}"
    if not is_loopback(host):
        ui.warn(f"listening on {host}: anyone who can reach this machine can send events")
    hint = f"--url {url}" + (f" --backend {checks.backend}" if checks.backend else "")
    ui.info(f"Listening for OpenLineage events at {url}{listener.paths[0]}; point an integration at it with {hint}")
    ui.info("Ctrl-C stops.")
    try:
        with stop_signals():
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()  # waits for requests in flight
        if sender is not None:
            sender.close()  # then for what is still to be forwarded, a while
    _summary(listener, sender)
    return ExitCode.OK


def _listener(
    output: Path | None, require_key: str | None, checks: Checks, env: Mapping[str, str]
) -> tuple[Listener, Forwarder | None]:
    from lineage_setup import lint, ui

    preset = backends.get(checks.backend) if checks.backend else None
    listener = Listener(output=output, require_key=require_key, say=ui.event)
    if preset is not None:
        listener.paths = served_paths(preset.endpoint)
    if checks.lint:
        listener.tracker = lint.Tracker(lint.Context(preset, checks.namespace))
    forwarder = None
    if checks.forward:
        from lineage_setup import forward

        forwarder = forward.make(checks.forward, (preset or backends.get("custom")).endpoint, env)
        if forwarder.api_key and forwarder.origin.startswith("http://") and not _local(forwarder.origin):
            ui.warn("--forward: http:// sends the API key unencrypted; use https://")
    return listener, forwarder


def _local(origin: str) -> bool:
    from urllib.parse import urlsplit

    return is_loopback(urlsplit(origin).hostname or "")


def _sender(listener: Listener, forwarder: Forwarder | None) -> Sender | None:
    """The thread that sends events on, started once the port is ours."""
    if forwarder is None:
        return None
    from lineage_setup import forward, ui

    listener.forward = sender = forward.Sender(forwarder, ui.event)
    return sender


def _bind(host: str, port: int, listener: Listener) -> ThreadingHTTPServer:
    try:
        return make_server(host, port, listener)
    except OSError as exc:
        raise UsageError(bind_problem(host, port, exc)) from None


def _refuse_a_loop(host: str, server: ThreadingHTTPServer, forward: Forwarder | None) -> None:
    """--forward to this very listener would send each event to itself for ever."""
    from urllib.parse import urlsplit

    if forward is None:
        return
    target = urlsplit(forward.origin)
    port = target.port or (443 if target.scheme == "https" else 80)
    wildcard = host in ("0.0.0.0", "::", "[::]")
    if port == server.server_address[1] and (is_loopback(target.hostname or "") or wildcard or target.hostname == host):
        server.server_close()
        raise UsageError(f"--forward: {forward.url} is this listener itself; forward to the real backend")


def _summary(listener: Listener, sender: Sender | None) -> None:
    from lineage_setup import ui

    if listener.tracker is not None:
        for line in listener.tracker.summary():
            ui.info(line)
    if sender is not None:
        ui.info(sender.summary())
    ui.info(f"Stopped: {listener.received} events received, {listener.rejected} rejected.")


def _check_options(port: int, output: Path | None, checks: Checks) -> None:
    if not 0 <= port <= 65535:
        raise UsageError(f"--port: {port} is not a port number (0 to 65535; 0 picks a free one)")
    if output is not None and not output.parent.is_dir():
        raise UsageError(f"--output: the folder {output.parent} does not exist")
    if output is not None and output.exists() and not output.is_file():
        raise UsageError(f"--output: {output} is not a file")
    if checks.namespace is not None and not checks.lint:
        raise UsageError("--namespace applies only with --lint (it is the job namespace events are checked for)")
    if checks.backend is not None and checks.backend not in backends.PRESETS:
        raise UsageError(f"--backend: {checks.backend!r} is not one of {', '.join(backends.NAMES)}")
