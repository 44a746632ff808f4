"""Bytes <-> text for files we edit, and line helpers that keep line endings.

Edits work on the decoded text with its original line endings (a BOM is the only thing
taken off, and put back by `encode`), so every line an edit does not own keeps its bytes.
"""

from __future__ import annotations

from pathlib import Path

from lineage_setup.errors import UnsafeTargetError

BOM = "\ufeff"
BOM_BYTES = BOM.encode("utf-8")


def decode(data: bytes, path: Path | str) -> tuple[str, bool]:
    """Strict UTF-8; returns (text without BOM, had_bom). Never guesses an encoding."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsafeTargetError(
            f"{path}: not UTF-8 (the byte at offset {exc.start} is not); refusing to rewrite it in another encoding"
        ) from None
    if text.startswith(BOM):
        return text[1:], True
    return text, False


def encode(text: str, bom: bool) -> bytes:
    return ((BOM if bom else "") + text).encode("utf-8")


def eol_of(text: str) -> str:
    """The line ending of the first line; LF for a one-line or empty text."""
    index = text.find("\n")
    if index > 0 and text[index - 1] == "\r":
        return "\r\n"
    return "\n"


def lines(text: str) -> list[str]:
    """Lines with their endings, so "".join(lines(t)) == t.

    Splits on LF only (a CRLF line keeps its CR): str.splitlines would also split on
    form feeds, U+2028 and others that may sit inside a user's line.
    """
    parts = text.split("\n")
    out = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def strip_eol(line: str) -> str:
    return line.rstrip("\r\n")


def append_lines(text: str, new: list[str]) -> str:
    """Append lines (given without endings) in the file's line ending, keeping its final-newline state."""
    if not new:
        return text
    eol = eol_of(text)
    body = eol.join(new)
    if not text:
        return body + eol
    if text.endswith("\n"):
        return text + body + eol
    return text + eol + body  # the file had no final newline: neither has the result


def with_eol(block: str, eol: str) -> str:
    """Convert a template's LF line endings to the file's."""
    return block.replace("\n", eol) if eol != "\n" else block
