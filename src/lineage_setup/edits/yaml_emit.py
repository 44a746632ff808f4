"""Values we write into YAML, and the block lines that hold them.

A `Scalar` is a string and its spelling; a `Tree` nests them in mappings and lists. `emit` writes a
tree as block YAML in a file's own indentation (a `Style` read from the file).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

from lineage_setup import quoting

PLAIN_SAFE = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
# `${VAR}` or `$VAR` (not `\$`): what a reader that substitutes variables fills in
PLACEHOLDER = re.compile(r"(?<!\\)\$(?:\{[^}]*\}|[_a-zA-Z][_a-zA-Z0-9]*)")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


@dataclass
class Style:
    """The indentation a file uses (yaml_nodes.Doc reads it from the file)."""

    step: int = 2  # a nested mapping's indent
    dash: int = 2  # a list's `-` column after its key's
    gap: int = 1  # spaces after `-`
    spaced: bool = False  # top-level sections are separated by blank lines


@dataclass(frozen=True)
class Scalar:
    """A string we write: its value, and how it is written in YAML."""

    value: str
    literal: str


def plain(value: str) -> Scalar:
    """Unquoted when every YAML 1.1 and 1.2 reader reads it as this same string, else double-quoted."""
    if PLAIN_SAFE.fullmatch(value) and value.lower() not in _YAML11_WORDS:
        return Scalar(value, value)
    return quoted(value)


def quoted(value: str) -> Scalar:
    return Scalar(value, quoting.yaml_str(value))


def placeholder(name: str) -> Scalar:
    """`${NAME}`, written as it is: the file's reader substitutes it (from the environment, say)."""
    return Scalar(f"${{{name}}}", f"${{{name}}}")


def flow_literal(tree: Scalar) -> str:
    """Inside [...] or {...} a plain scalar ends at `,[]{}`: quote anything but a simple word."""
    return tree.literal if PLAIN_SAFE.fullmatch(tree.literal) else quoting.yaml_str(tree.value)


Tree = Union[Scalar, Mapping[str, "Tree"], Sequence["Tree"]]


def python(tree: Tree) -> Any:
    """What a YAML reader makes of a tree we write."""
    if isinstance(tree, Scalar):
        return tree.value
    if isinstance(tree, Mapping):
        return {key: python(value) for key, value in tree.items()}
    return [python(item) for item in tree]


def emit(tree: Tree, col: int = 0, style: Style | None = None) -> list[str]:
    """Block YAML lines (without endings) for a mapping or list, starting at column `col`."""
    style = style or Style()
    if isinstance(tree, Mapping):
        return emit_map(tree, col, style)
    if isinstance(tree, Sequence) and not isinstance(tree, Scalar):
        return emit_seq(tree, col, style)
    raise TypeError("emit() takes a mapping or a list")


def emit_map(tree: Mapping[str, Tree], col: int, style: Style) -> list[str]:
    lines, pad = [], " " * col
    for key, value in tree.items():
        if isinstance(value, Scalar):
            lines.append(f"{pad}{key}: {value.literal}")
            continue
        lines.append(f"{pad}{key}:")
        inner = col + (style.step if isinstance(value, Mapping) else style.dash)
        lines.extend(emit(value, inner, style))
    return lines


def emit_seq(tree: Sequence[Tree], dash: int, style: Style) -> list[str]:
    lines, inner = [], dash + 1 + style.gap
    prefix = " " * dash + "-" + " " * style.gap
    for item in tree:
        if isinstance(item, Scalar):
            lines.append(prefix + item.literal)
            continue
        block = emit(item, inner, style)
        lines.extend([prefix + block[0][inner:], *block[1:]])
    return lines
