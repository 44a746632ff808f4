"""The node tree of plain block YAML from its lines, with the marks PyYAML's parser gives, without parsing.

A bulk edit (2,000 GE checkpoints) locates each edit's place in a tree of positioned nodes
(yaml_nodes.Doc). For the files yaml_lines reads (plain block YAML that every reader reads alike) the
lines' indentation decides the tree, and the parser's marks follow from the lines too:

- a scalar runs from its first character (a quoted one: its quote) to just after its last;
- an empty value is an empty scalar just after its `:` (or its bare `-`);
- a block mapping starts at its first key, a block list at its first `-`, indented or not;
- every block collection ends where the next token after its last line starts: the first `-` or key of
  the next entry line (comments and blank lines between are skipped), or the end of the text;
- `{}` and `[]` are flow collections from their opening to just after their closing bracket.

(PyYAML's scanner and parser: yaml/scanner.py `unwind_indent`, `fetch_block_entry`, `fetch_value`, and
yaml/parser.py `process_empty_scalar`, `parse_indentless_sequence_entry`; github.com/yaml/pyyaml, tag
6.0.2.) tests/test_yaml_marks.py holds every tree built here to the one yaml_nodes builds from PyYAML's
events, over generated documents; anything yaml_lines declines is left to the parser (None).
"""

from __future__ import annotations

from lineage_setup.edits import yaml_lines
from lineage_setup.edits.yaml_nodes import Node

_Entry = tuple[int, int, int, str, str, str]  # line offset, column, dash column (-1: none), key, value, line


def nodes(text: str) -> Node | None:
    """The root node, as yaml_nodes' parser-built tree has it; None when yaml_lines does not read `text`."""
    if yaml_lines.read(text) is None:
        return None
    entries: list[_Entry] = []
    offset = 0
    for line in text.split("\n"):
        parts = yaml_lines.reading(line)
        if parts:
            entries.append((offset, *parts, line))
        offset += len(line) + 1
    return _Builder(text, entries).root()


class _Builder:
    def __init__(self, text: str, entries: list[_Entry]) -> None:
        self.size = len(text)
        self.entries = entries

    def root(self) -> Node:
        _, column, dash, _, _, _ = self.entries[0]
        return self._block(0, dash if dash >= 0 else column)[0]

    def _next_token(self, at: int) -> int:
        """Where the token after the lines before `at` starts: a block collection's end mark."""
        if at >= len(self.entries):
            return self.size
        offset, column, dash, _, _, _ = self.entries[at]
        return offset + (dash if dash >= 0 else column)

    def _block(self, at: int, col: int) -> tuple[Node, int]:
        if self.entries[at][2] == col:
            return self._list(at, col)
        return self._mapping(at, col, False)

    def _list(self, at: int, col: int) -> tuple[Node, int]:
        entries = self.entries
        node = Node("seq", self._next_token(at), 0, col)
        while at < len(entries) and entries[at][2] == col:
            offset, column, dash, key, value, _ = entries[at]
            if key:  # `- key: value`: a mapping from the key on
                item, at = self._mapping(at, column, True)
            elif value:
                item, at = self._value(offset + column, value, column), at + 1
            else:  # a bare `-`: what the lines below hold, or an empty scalar just after the dash
                item, at = self._nested(at + 1, col, False, offset + dash + 1, dash + 1)
            node.children.append(item)
        node.end = self._next_token(at)
        return node, at

    def _mapping(self, at: int, col: int, first: bool) -> tuple[Node, int]:
        entries = self.entries
        offset, column = entries[at][0], entries[at][1]
        node = Node("map", offset + column, 0, column)
        while at < len(entries):
            offset, column, dash, key, value, line = entries[at]
            if not (first or (dash < 0 and column == col)) or not key:
                break
            first = False
            start = offset + column
            colon = column + len(key) + 1
            node.children.append(Node("scalar", start, start + len(key), column, key))
            if value:
                gap = len(line) - colon - len(line[colon:].lstrip(" "))
                node.children.append(self._value(offset + colon + gap, value, colon + gap))
                at += 1
                continue
            value_node, at = self._nested(at + 1, col, True, offset + colon, colon)
            node.children.append(value_node)
        node.end = self._next_token(at)
        return node, at

    def _nested(self, at: int, col: int, key: bool, empty: int, empty_col: int) -> tuple[Node, int]:
        """What an entry with nothing after its `:` (or a bare `-`) holds: a deeper block, a list at the
        key's own column, or an empty scalar at `empty`."""
        if at < len(self.entries):
            _, column, dash, _, _, _ = self.entries[at]
            start = dash if dash >= 0 else column
            if start > col or (key and dash == col):
                return self._block(at, start)
        return Node("scalar", empty, empty, empty_col), at

    @staticmethod
    def _value(start: int, value: str, col: int) -> Node:
        if value in ("{}", "[]"):
            return Node("map" if value == "{}" else "seq", start, start + 2, col, flow=True)
        inner = value[1:-1] if value[0] in "\"'" else value
        return Node("scalar", start, start + len(value), col, inner)
