"""Quote a value for each target format; never concatenate raw user text into config."""

from __future__ import annotations

import json
import re
import shlex

from lineage_setup.errors import UsageError

# The one .env form python-dotenv, docker compose, bash `source` and the Astro CLI all read alike.
_DOTENV_PLAIN = re.compile(r"[A-Za-z0-9_./:@+=,%-]*")
_DOTENV_SINGLE_BAD = set("'\\\n\r$")


# a \\uD8xx\\uDCxx escape pair, not preceded by an escaped backslash (`\\\\ud83d` is text)
_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")


def yaml_str(value: str) -> str:
    """A double-quoted YAML scalar: a JSON string, with characters beyond U+FFFF as `\\UXXXXXXXX`.

    JSON writes those as surrogate pairs (`\\ud83d\\ude00`), which YAML readers reject.
    """
    return _SURROGATE_PAIR.sub(_astral, json.dumps(value, ensure_ascii=True))


def _astral(match: re.Match[str]) -> str:
    high, low = int(match.group(2), 16), int(match.group(3), 16)
    return f"{match.group(1)}\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"


def shell(value: str) -> str:
    return shlex.quote(value)


def dotenv(value: str, name: str) -> str:
    """Plain when portable, else single-quoted; values that would need escapes are refused."""
    if _DOTENV_PLAIN.fullmatch(value):
        return value
    bad = next((ch for ch in value if ch in _DOTENV_SINGLE_BAD), None)
    if bad is not None:
        raise UsageError(f"{name}: {bad!r} cannot be written to a .env file the same way for every reader")
    return f"'{value}'"


def dotenv_line(name: str, value: str) -> str:
    return f"{name}={dotenv(value, name)}"


def export_line(name: str, value: str) -> str:
    return f"export {name}={shell(value)}"
