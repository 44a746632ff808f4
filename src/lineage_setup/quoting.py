"""Quote a value for each target format; never concatenate raw user text into config."""

from __future__ import annotations

import re

from lineage_setup.errors import UsageError

# The one .env form python-dotenv, docker compose, bash `source` and the Astro CLI all read alike.
_DOTENV_PLAIN = re.compile(r"[A-Za-z0-9_./:@+=,%-]*")
_DOTENV_SINGLE_BAD = set("'\\\n\r$")


def yaml_str(value: str) -> str:
    """A double-quoted YAML scalar, escaped as JSON escapes each character (valid YAML 1.1 and 1.2),
    except characters beyond U+FFFF: JSON's surrogate pairs (`\\ud83d\\ude00`) are rejected by YAML
    readers, so those are written `\\UXXXXXXXX`."""
    return '"' + "".join(_yaml_char(ch) for ch in value) + '"'


def _yaml_char(ch: str) -> str:
    if " " <= ch <= "~" and ch not in '"\\':
        return ch  # printable ASCII: JSON keeps it as it is
    import json  # (json and shlex are imported where used: most runs need neither)

    return json.dumps(ch, ensure_ascii=True)[1:-1] if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"


def shell(value: str) -> str:
    import shlex

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
