"""The one chokepoint that keeps secrets out of everything we print."""

from __future__ import annotations

import re

MASK = "****"
PARTIAL = 8  # a fragment of a registered secret this long is masked too (text cut to fit shows fragments)
_secrets: set[str] = set()
_fields: set[str] = set()  # more names whose value is a key (a GE config variable of the user's)
# the value of any API-key field, in the forms we read and write: YAML `apiKey: "v"`, .env
# `OPENLINEAGE_API_KEY=v`, JSON `"apiKey":"v"`, Java properties `...auth.apiKey v`. A reference
# (`${VAR}`, `$VAR`, `{{secrets/...}}`) is not a key and stays readable.
_KEY_FIELD = re.compile(r"""(?i)(api[_-]?key["']?[ \t]*[:=]?[ \t]*["']?)(?![$:=]|\{\{secrets/)([^\s"',}]+)""")


_FIELD = r"""(?<![A-Za-z0-9_])({name}["']?[ \t]*[:=][ \t]*["']?)(?![$:=]|\{{\{{secrets/)([^\s"',}}]+)"""


SHORTEST = 4  # a shorter "key" (refused anyway: a key has 8 characters or more) would mask letters of every word


def register(secret: str | None) -> None:
    if secret and len(secret) >= SHORTEST:
        _secrets.add(secret)


def register_field(name: str) -> None:
    """Mask the value of `name: ...` / `name=...` in diffs too, as for apiKey fields."""
    _fields.add(name)


def fields() -> frozenset[str]:
    return frozenset(_fields)


def clear() -> None:
    _secrets.clear()
    _fields.clear()


# a password in a URL a project's files hold (`https://bob:pw@host`): the user name stays, the password is masked
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:)[^\s/@]+(?=@)")


def redact(text: str) -> str:
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK, text)
    # longest first, so a secret that contains another is masked whole
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
        if len(secret) > PARTIAL:
            text = _mask_fragments(text, secret)
    return text


def _mask_fragments(text: str, secret: str) -> str:
    """A start or an end of the secret, PARTIAL characters or longer (what truncation leaves)."""
    for piece, at_start in ((secret[:PARTIAL], True), (secret[-PARTIAL:], False)):
        position = text.find(piece)
        while position >= 0:
            start, end = _extend(text, secret, position, at_start)
            text = text[:start] + MASK + text[end:]
            position = text.find(piece, start + len(MASK))
    return text


def _extend(text: str, secret: str, position: int, at_start: bool) -> tuple[int, int]:
    if at_start:
        length = PARTIAL
        while position + length < len(text) and length < len(secret) and text[position + length] == secret[length]:
            length += 1
        return position, position + length
    end, length = position + PARTIAL, PARTIAL
    while end - length > 0 and length < len(secret) and text[end - length - 1] == secret[-length - 1]:
        length += 1
    return end - length, end


def mask_key_fields(line: str) -> str:
    """Mask the value of any API-key field: an old key on a diff's `-` line is a secret as well."""
    line = _KEY_FIELD.sub(lambda m: m.group(1) + MASK, line)
    for name in _fields:
        line = re.sub(_FIELD.format(name=re.escape(name)), lambda m: m.group(1) + MASK, line)
    return line
