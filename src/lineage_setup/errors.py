"""Exceptions that end a run, each carrying the exit code it maps to."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # done, or nothing to do
    FAILED = 1  # a verification or a write failed
    PENDING = 1  # --check found pending changes
    USAGE = 2  # bad or missing input
    UNSAFE = 3  # a target refused as unsafe or unparseable; nothing written
    INTERRUPTED = 130


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
    """Ctrl-C at a prompt or during a run."""

    exit_code = ExitCode.INTERRUPTED
