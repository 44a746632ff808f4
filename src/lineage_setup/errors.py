"""Exceptions that end a run, each carrying the exit code it maps to."""

from __future__ import annotations

from enum import Enum


class ExitCode(int, Enum):
    """Each outcome with its exit code; PENDING and FAILED share 1 but stay two members (not aliases)."""

    OK = 0, "done, or nothing to do"
    FAILED = 1, "a verification or a write failed"
    PENDING = 1, "--check found pending changes"
    USAGE = 2, "bad or missing input"
    UNSAFE = 3, "a target refused as unsafe or unparseable; nothing written"
    HANGUP = 129, "ended by SIGHUP"
    INTERRUPTED = 130, "interrupted (Ctrl-C)"
    TERMINATED = 143, "ended by SIGTERM"

    meaning: str

    def __new__(cls, code: int, meaning: str) -> ExitCode:
        member = int.__new__(cls, code)
        member._value_ = (code, meaning)  # a distinct value: members sharing a code are not aliases
        member.meaning = meaning
        return member

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<ExitCode.{self.name}: {int(self)}>"


class LineageSetupError(Exception):
    """A message for the user, printed as-is (after redaction), and an exit code."""

    exit_code = ExitCode.USAGE


class UsageError(LineageSetupError):
    """Bad or missing answer, bad flag combination, missing project file."""


class UnsafeTargetError(LineageSetupError):
    """A file we would write is unsafe or cannot be parsed; nothing was written."""

    exit_code = ExitCode.UNSAFE


class ConflictError(UnsafeTargetError):
    """A target changed between planning and applying; nothing was written."""


class VerificationError(LineageSetupError):
    exit_code = ExitCode.FAILED


class WriteError(LineageSetupError):
    """Writing failed; the message says what was restored."""

    exit_code = ExitCode.FAILED


class UserAbort(LineageSetupError):
    """Ctrl-C at a prompt or during a run (or SIGTERM/SIGHUP: the exit code says which)."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.INTERRUPTED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Signalled(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is, so a run ends (and undoes its writes) as on Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.exit_code = ExitCode.TERMINATED if signum == 15 else ExitCode.HANGUP


def interrupt_code(exc: BaseException) -> ExitCode:
    """130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
    return exc.exit_code if isinstance(exc, Signalled) else ExitCode.INTERRUPTED
