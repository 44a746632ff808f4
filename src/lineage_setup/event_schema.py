"""Events checked against the vendored OpenLineage JSON Schema (spec 2-0-2), without a jsonschema dependency.

The schema uses a small part of JSON Schema 2020-12; this reads exactly that part (type, properties,
required, items, enum, format, allOf, anyOf, oneOf, not, additionalProperties, $ref into $defs) and refuses
any other keyword when the schema loads, so a newer vendored schema can never be checked half. Formats are
checked as RFC 3339 date-time, RFC 4122 uuid (in its hyphenated form) and RFC 3986 URI (a scheme).
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

KINDS = ("RunEvent", "DatasetEvent", "JobEvent")
MOST = 20  # problems collected per event at most
ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "description", "example"})
KEYWORDS = frozenset(
    {"type", "properties", "required", "items", "enum", "format", "allOf", "anyOf", "oneOf", "not"}
    | {"additionalProperties", "$ref"}
)
_DATE_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-](\d\d):(\d\d))", re.ASCII
)  # RFC 3339 section 5.6
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S*", re.ASCII)
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
}


@functools.cache
def schema() -> dict[str, Any]:
    """The vendored spec, read once; every keyword in it is one this module checks."""
    from importlib import resources

    loaded: dict[str, Any] = json.loads(
        (resources.files("lineage_setup") / "spec" / "OpenLineage.json").read_text("utf-8")
    )
    for definition in loaded["$defs"].values():
        unknown = _unknown_keywords(definition)
        if unknown:
            raise ValueError(f"the vendored OpenLineage schema uses {sorted(unknown)}, which this check cannot read")
    return loaded


def _unknown_keywords(node: Any) -> set[str]:
    """Keywords, types and formats in `node` that this module does not check."""
    if not isinstance(node, dict):
        return set()
    unknown = set(node) - KEYWORDS - ANNOTATIONS
    if node.get("type", "object") not in _TYPES:
        unknown.add(f"type {node['type']}")
    if node.get("format", "uri") not in _FORMATS:
        unknown.add(f"format {node['format']}")
    children = [*node.get("properties", {}).values(), *node.get("allOf", ()), *node.get("anyOf", ())]
    children += [*node.get("oneOf", ()), node.get("not"), node.get("items"), node.get("additionalProperties")]
    for child in children:
        unknown |= _unknown_keywords(child)
    return unknown


def kind_of(event: dict[str, Any]) -> str:
    """RunEvent (run and job), DatasetEvent (dataset), JobEvent (job, no run), or "" for none of them."""
    has = {key for key in ("run", "job", "dataset") if isinstance(event.get(key), dict)}
    if {"run", "job"} <= has:
        return "RunEvent"
    if "dataset" in has:
        return "DatasetEvent"
    if has == {"job"}:
        return "JobEvent"
    return ""


def problems(event: Any, kind: str) -> list[str]:
    """Why `event` is not a valid `kind` (RunEvent, DatasetEvent or JobEvent), at most MOST reasons."""
    found: list[str] = []
    for problem in _check(event, {"$ref": f"#/$defs/{kind}"}, ""):
        if problem not in found:
            found.append(problem)
        if len(found) == MOST:
            break
    return found


def valid(event: Any, node: dict[str, Any]) -> bool:
    return next(_check(event, node, ""), None) is None


def _check(value: Any, node: dict[str, Any], path: str) -> Iterator[str]:
    if "$ref" in node:
        yield from _check(value, _resolve(node["$ref"]), path)
    expected = node.get("type")
    if expected is not None and not _TYPES[expected](value):
        yield f"{_at(path)}must be {'an' if expected[0] in 'aeiou' else 'a'} {expected}, not {_type_name(value)}"
        return
    for part in node.get("allOf", ()):
        yield from _check(value, part, path)
    yield from _alternatives(value, node, path)
    yield from _fields(value, node, path)
    yield from _scalar(value, node, path)


def _alternatives(value: Any, node: dict[str, Any], path: str) -> Iterator[str]:
    any_of = node.get("anyOf")
    if any_of and not any(valid(value, part) for part in any_of):
        yield from _check(value, any_of[0], path)  # the spec's anyOf lists one alternative
    one_of = node.get("oneOf")
    if one_of and sum(valid(value, part) for part in one_of) != 1:
        yield f"{_at(path)}must match exactly one of {len(one_of)} alternatives"
    refused = node.get("not")
    if refused is not None and valid(value, refused):
        names = refused.get("required")
        yield f"{_at(path)}must not have " + (" and ".join(names) if names else "this form")


def _fields(value: Any, node: dict[str, Any], path: str) -> Iterator[str]:
    if isinstance(value, dict):
        for name in node.get("required", ()):
            if name not in value:
                yield f"{_join(path, name)} is missing"
        properties = node.get("properties", {})
        for name, child in properties.items():
            if name in value:
                yield from _check(value[name], child, _join(path, name))
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            for name in value.keys() - properties.keys():
                yield from _check(value[name], extra, _join(path, str(name)))
    items = node.get("items")
    if isinstance(value, list) and items is not None:
        for index, item in enumerate(value):
            yield from _check(item, items, f"{path}[{index}]")


def _scalar(value: Any, node: dict[str, Any], path: str) -> Iterator[str]:
    allowed = node.get("enum")
    if allowed is not None and value not in allowed:
        yield f"{_at(path)}{_short(value)} is not one of {', '.join(map(str, allowed))}"
    fmt = node.get("format")
    if fmt is not None and isinstance(value, str) and not _FORMATS[fmt](value):
        yield f"{_at(path)}{_short(value)} is not {_FORMAT_NAMES[fmt]}"


def _resolve(ref: str) -> dict[str, Any]:
    prefix = "#/$defs/"
    if not ref.startswith(prefix):
        raise ValueError(f"the vendored OpenLineage schema refers to {ref!r}, outside its $defs")
    found: dict[str, Any] = schema()["$defs"][ref[len(prefix) :]]
    return found


def _date_time(text: str) -> bool:
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    offset = match.group(9)
    if offset is not None and (int(offset) > 23 or int(match.group(10)) > 59):
        return False
    try:
        datetime(year, month, day, hour, minute, min(second, 59))  # 60: a leap second
    except ValueError:
        return False
    return second <= 60


def _uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36 and all(text[position] == "-" for position in (8, 13, 18, 23))


_FORMATS: dict[str, Callable[[str], bool]] = {
    "date-time": _date_time,
    "uuid": _uuid,
    "uri": lambda text: _URI_SCHEME.fullmatch(text) is not None,
}
_FORMAT_NAMES = {"date-time": "an RFC 3339 date-time with an offset", "uuid": "a UUID", "uri": "a URI"}


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _at(path: str) -> str:
    return f"{path}: " if path else ""


def _short(value: Any) -> str:
    if isinstance(value, str):
        return repr(value[:57]) + ("..." if len(value) > 57 else "")
    return _type_name(value) if isinstance(value, (dict, list)) else repr(value)


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
