"""YAML data as its readers see it: PyYAML (libyaml when available) and ruamel.yaml's safe loader.

The round-trip engine (yaml_nodes, yaml_write, yaml_proof) edits text; these read the data that
text stands for, before and after an edit. The YAML libraries are imported inside the functions,
so importing this module costs nothing at start-up.
"""

from __future__ import annotations

import functools
from typing import Any, Union

from lineage_setup.edits import EditError, describe_yaml_error

Key = Union[str, int]
KeyPath = tuple[Key, ...]


def describe(path: KeyPath) -> str:
    """A key path as an error message names it: `a.b.0`, or `the top level`."""
    return ".".join(str(key) for key in path) or "the top level"


def at(data: Any, path: KeyPath) -> Any:
    """The value at `path` in loaded data (KeyError, IndexError or TypeError when it is not there)."""
    for key in path:
        data = data[key]
    return data


def loader_class() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """The data PyYAML reads (libyaml when available), refusing several documents and a key set twice
    in one mapping (PyYAML keeps the last value, ruamel.yaml stops with an error).

    Plain block YAML is read by its lines (yaml_lines: the same data, a tenth of the time)."""
    from lineage_setup.edits import yaml_lines

    data = yaml_lines.load(text)
    return load_pyyaml(text) if data is NotImplemented else data


def load_pyyaml(text: str) -> Any:
    """`load`, always by PyYAML itself."""
    return _load(text, loader_class(), unique_keys=True)


def safe_load(text: str) -> Any:
    """The data `yaml.safe_load` reads (the pure-Python loader, stricter about tabs than libyaml),
    refusing several documents."""
    import yaml

    return _load(text, yaml.SafeLoader, unique_keys=False)


def _load(text: str, loader_type: Any, *, unique_keys: bool) -> Any:
    import yaml

    loader = loader_type(text)
    try:
        node = loader.get_single_node()
        if node is not None and unique_keys:
            _refuse_duplicates(node)
        return loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        if "expected a single document" in str(exc):
            raise EditError("it holds several YAML documents") from None
        raise EditError(f"it is not valid YAML ({describe_yaml_error(exc)})") from None
    finally:
        loader.dispose()


def _refuse_duplicates(root: Any) -> None:
    import yaml

    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen or isinstance(node, yaml.ScalarNode):
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
            continue
        seen_keys: set[str] = set()
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.value == "<<":
                continue
            if key.value in seen_keys:
                raise EditError(f"it sets '{key.value}' twice in one mapping (line {key.start_mark.line + 1})")
            seen_keys.add(key.value)
        stack.extend(value for _, value in node.value)


def load_ruamel(text: str) -> Any:
    """The data ruamel.yaml's safe loader reads (YAML 1.2).

    One loader is reused (making one costs more than reading a small file), except for text with
    a directive: a loader that has read `%YAML 1.1` keeps reading YAML 1.1 afterwards.
    """
    if text.startswith("%") or "\n%" in text or "\t" in text:
        # the pure parser: only it honours a %YAML 1.1 directive, and it is the stricter one
        # about tabs (the C parser accepts a tab before a comment)
        return _new_ruamel(pure=True).load(text)
    try:
        return _ruamel().load(text)
    except BaseException:
        _ruamel.cache_clear()  # whatever state the failed load left behind goes with it
        raise


def _new_ruamel(pure: bool = False) -> Any:
    from ruamel.yaml import YAML

    # the C parser (ruamel.yaml.clib) when installed: the same events as the pure one, about 4x faster
    # for thousands of files; the resolver and constructor are the same Python code
    return YAML(typ="safe", pure=pure)


_ruamel = functools.cache(_new_ruamel)
