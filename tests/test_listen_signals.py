"""listen stops on SIGINT, SIGTERM and SIGHUP however it was started, and says what it counted.

A shell starts a background job (`lineage-setup listen &` in a script) with SIGINT ignored; Python then
installs no KeyboardInterrupt handler, so listen must install its own.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from lineage_setup.listen import stop_signals

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

WAIT = 10  # seconds for anything the child does


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a shell does for a background job


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(preexec: Callable[[], None]) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "LINEAGE_SETUP"))}
    return subprocess.Popen(
        [sys.executable, "-m", "lineage_setup", "listen", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=preexec,
    )


def _read(process: subprocess.Popen[str]) -> tuple[queue.Queue[str], threading.Thread]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in process.stderr or ():
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    return lines, reader


def _stop(process: subprocess.Popen[str], sig: int) -> tuple[int | None, float]:
    """Send `sig`: the exit code (None: it did not stop, and was killed) and the seconds it took."""
    began = time.monotonic()
    process.send_signal(sig)
    try:
        code: int | None = process.wait(timeout=WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=WAIT)
        code = None
    return code, time.monotonic() - began


def _rest(lines: queue.Queue[str], reader: threading.Thread) -> str:
    """Everything the child wrote to stderr after its first line (it has exited: the reader ends at EOF)."""
    reader.join(timeout=WAIT)
    rest = []
    while not lines.empty():
        rest.append(lines.get_nowait())
    return "".join(rest)


@pytest.mark.parametrize(
    ("preexec", "sig"),
    [
        pytest.param(_ignore_sigint, signal.SIGINT, id="SIGINT-in-a-background-job"),
        pytest.param(_default_sigint, signal.SIGINT, id="SIGINT"),
        pytest.param(_ignore_sigint, signal.SIGTERM, id="SIGTERM-in-a-background-job"),
        pytest.param(_default_sigint, signal.SIGHUP, id="SIGHUP"),
    ],
)
def test_listen_stops_with_its_summary(preexec: Callable[[], None], sig: int) -> None:
    with _start(preexec) as process:
        lines, reader = _read(process)
        try:
            match = re.search(r"--url (http://\S+)", lines.get(timeout=WAIT))
            assert match
            assert httpx.post(f"{match.group(1)}/api/v1/lineage", content=b"{oops", timeout=WAIT).status_code == 400
            code, taken = _stop(process, sig)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=WAIT)
        rest = _rest(lines, reader)
    assert code == 0, rest
    assert "Stopped: 0 events received, 1 rejected." in rest
    assert taken < WAIT


def test_stop_signals_turn_an_ignored_sigint_into_a_stop_and_restore_it() -> None:
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with pytest.raises(KeyboardInterrupt), stop_signals():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(WAIT)  # the handler raises before this ends
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_stop_signals_restore_every_handler() -> None:
    def mine(signum: int, frame: object) -> None:
        pass

    names = [name for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]
    before = {name: signal.signal(getattr(signal, name), mine) for name in names}
    try:
        with stop_signals():
            assert all(signal.getsignal(getattr(signal, name)) is not mine for name in names)
        assert all(signal.getsignal(getattr(signal, name)) is mine for name in names)
    finally:
        for name, handler in before.items():
            signal.signal(getattr(signal, name), handler)
