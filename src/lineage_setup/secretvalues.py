"""Every secret value a file holds, found by parsing it, so a diff can mask them wherever they appear.

A line pattern (`apiKey: ...`) misses a key written as a block scalar, on the next line, behind a tag,
in a flow map or split over continuation lines. So each file is read the way its consumer reads it
(YAML, .env, Java properties, JSON), every value under a key that names a secret is collected, and
with it the raw text of that value as written (the lines a diff shows), to be masked wherever it
appears. A reference to a secret (`${VAR}`, `{{secrets/scope/key}}`) is not one and stays readable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

# a key named so, or ending so (openlineage_apiKey, auth.token, DD_API_KEY, ...), holds a secret
_NAME_ENDS = (
    "apikey",
    "api_key",
    "api-key",
    "token",
    "password",
    "passwd",
    "secret",
    "authorization",
    "credential",
    "credentials",
)
_REFERENCE = re.compile(r"^(\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{secrets/[^}]*\}\})$")
SHORTEST = 4  # shorter values (`1`, `abc`) would mask ordinary text; no API key is this short


def is_secret_name(name: str, extra: Iterable[str] = ()) -> bool:
    return name.lower().endswith(_NAME_ENDS) or name in extra


def in_text(path_name: str, text: str, extra: Iterable[str] = ()) -> set[str] | None:
    """Secret values in a file's text, by the format its name says (none for a format we do not know);
    None when the text cannot be parsed as that format."""
    reader = _reader(path_name)
    if reader is None:
        return set()
    try:
        found = set(reader(text, frozenset(extra)))
    except Exception:  # any parser error: the caller falls back to coarser masking
        return None
    return {value for value in (_clean(v) for v in found) if value}


def in_data(data: Any, extra: Iterable[str] = ()) -> set[str]:
    """Secret values in parsed data (a cluster's spark_conf, a JSON body)."""
    return {value for value in (_clean(v) for v in _walk(data, frozenset(extra), False)) if value}


def _reader(name: str) -> Any:
    lower = name.lower()
    if lower.endswith((".yml", ".yaml")):
        return _yaml
    if lower.endswith(".env") or lower == ".env" or lower.startswith(".env."):
        return _dotenv
    if lower.endswith((".conf", ".properties")):
        return _properties
    if lower.endswith(".json"):
        return _json
    return None


def _clean(value: str) -> str | None:
    value = value.strip().strip("'\"").strip()
    if len(value) < SHORTEST or _REFERENCE.match(value):
        return None
    return value


def _values_of(value: str) -> Iterator[str]:
    """A value, its words after `Bearer`, and anything secret inside it when it is JSON (a transport dict)."""
    yield value
    if value[:7].lower() == "bearer ":
        yield value[7:]
    yield from _json_inside(value, frozenset())


def _walk(data: Any, extra: frozenset[str], secret: bool) -> Iterator[str]:
    """Scalars under a secret-named key, at any depth (a JSON transport, a YAML auth block)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, extra, secret or is_secret_name(str(key), extra))
    elif isinstance(data, list):
        for item in data:
            yield from _walk(item, extra, secret)
    elif isinstance(data, str):
        yield from (_values_of(data) if secret else _json_inside(data, extra))


def _json_inside(value: str, extra: frozenset[str]) -> Iterator[str]:
    if value.lstrip().startswith("{"):
        try:
            yield from _walk(json.loads(value), extra, False)
        except ValueError:
            return


# --- YAML: the node tree, so the raw text of each value is known too ---------------------------------


def _yaml(text: str, extra: frozenset[str]) -> Iterator[str]:
    from lineage_setup.edits import yaml_lines

    tree = yaml_lines.read(text)  # plain block YAML (GE's checkpoints): its lines say it, without a parser
    if tree is not None:
        yield from _yaml_tree(tree, extra, False)
    else:
        yield from _yaml_composed(text, extra)


def _yaml_composed(text: str, extra: frozenset[str]) -> Iterator[str]:
    import yaml

    for root in yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if root is not None:
            yield from _yaml_node(root, text, extra, False)


def _yaml_node(node: Any, text: str, extra: frozenset[str], secret: bool) -> Iterator[str]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            named = isinstance(key, yaml.ScalarNode) and is_secret_name(str(key.value), extra)
            yield from _yaml_node(value, text, extra, secret or named)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _yaml_node(item, text, extra, secret)
    elif isinstance(node, yaml.ScalarNode):
        if secret:
            yield from _values_of(str(node.value))
            yield from _raw_lines(text[node.start_mark.index : node.end_mark.index])
        else:
            yield from _json_inside(str(node.value), extra)


def _yaml_tree(tree: Any, extra: frozenset[str], secret: bool) -> Iterator[str]:
    """As `_yaml_node`, over what yaml_lines reads: each scalar as written (quotes and all) on its line."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _yaml_tree(value, extra, secret or is_secret_name(key, extra))
    elif isinstance(tree, list):
        for item in tree:
            yield from _yaml_tree(item, extra, secret)
    else:
        value = tree[1:-1] if tree[:1] in ("'", '"') else tree
        if secret:
            yield from _values_of(value)
            yield from _raw_lines(tree)
        else:
            yield from _json_inside(value, extra)


def _raw_lines(raw: str) -> Iterator[str]:
    """The value as written, line by line (a block scalar, a folded or quoted value over lines)."""
    for line in raw.splitlines():
        line = line.strip()
        if line not in ("|", ">", "|-", ">-", "|+", ">+"):
            yield line.lstrip("|>-+ ").strip() if line[:1] in "|>" else line


# --- .env, Java properties, JSON ------------------------------------------------------------------------


def _dotenv(text: str, extra: frozenset[str]) -> Iterator[str]:
    from lineage_setup.edits import env

    lines = text.split("\n")
    for binding in env.parse(text):
        if is_secret_name(binding.key, extra) or binding.key.upper().endswith("__AUTH"):  # __AUTH={"apiKey":..}
            yield from _values_of(binding.value)
            yield from binding.value.split("\n")  # a quoted value over several lines, piece by piece
            yield from (line.strip() for line in lines[binding.first + 1 : binding.last + 1])
        else:
            yield from _json_inside(binding.value, extra)


def _properties(text: str, extra: frozenset[str]) -> Iterator[str]:
    from lineage_setup.edits import properties

    lines: list[str] = []
    for entry in properties.entries(text):
        # the last part of a dotted key ends as the whole key does: only `extra` names need it on its own
        if is_secret_name(entry.key, extra) or (extra and entry.key.rsplit(".", 1)[-1] in extra):
            lines = lines or text.split("\n")
            yield from _values_of(entry.value)
            yield lines[entry.first][len(entry.prefix) :].rstrip("\\\r").strip()
            yield from (line.rstrip("\\\r").strip() for line in lines[entry.first + 1 : entry.last + 1])


def _json(text: str, extra: frozenset[str]) -> Iterator[str]:
    yield from _walk(json.loads(text), extra, False)


def mask(line: str, secrets: Iterable[str], marker: str = "****") -> str:
    """Every occurrence of each secret (longest first, so one that holds another is masked whole)."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret in line:
            line = line.replace(secret, marker)
    return line
