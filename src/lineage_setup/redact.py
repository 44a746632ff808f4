"""The one chokepoint that keeps secrets out of everything we print."""

from __future__ import annotations

MASK = "****"
_secrets: set[str] = set()


def register(secret: str | None) -> None:
    if secret:
        _secrets.add(secret)


def clear() -> None:
    _secrets.clear()


def redact(text: str) -> str:
    # longest first, so a secret that contains another is masked whole
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
