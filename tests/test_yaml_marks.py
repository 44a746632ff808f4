"""edits/yaml_marks.py builds, from a file's lines, the very node tree yaml_nodes builds from PyYAML's events.

Generated block documents (nested mappings and lists, lists indented or not, `- key:` items, bare `-`
items, empty values, `{}`/`[]`, quoted scalars, comments and blank lines anywhere, with or without a
final newline) are built both ways; every tree built from lines must equal the parser's, marks included.
Where yaml_lines declines a file, yaml_marks must decline it too (None), and the parser builds it.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lineage_setup.edits import yaml_lines, yaml_marks, yaml_nodes

from .test_yaml_lines import DOCUMENT

KEYS = st.sampled_from(["name", "a", "b2", "class_name", "action_list", "x_1", "on", "k"])
SCALARS = st.sampled_from(["x", "1", "1.0", "${V}", "'s q'", '"d q"', "''", "{}", "[]", "a-b", "yes", "012"])
TREES = st.recursive(
    SCALARS | st.just(""),
    lambda inner: st.lists(inner, min_size=1, max_size=3) | st.dictionaries(KEYS, inner, min_size=1, max_size=3),
    max_leaves=12,
)
LAYOUT = st.fixed_dictionaries(
    {"step": st.integers(1, 4), "dash": st.integers(0, 3), "gap": st.integers(1, 2), "noise": st.integers(0, 2**32)}
)


def render(tree: Any, layout: dict[str, Any], col: int = 0) -> list[str]:
    """Block YAML lines for `tree` (a dict, a list or a scalar string) at column `col`."""
    step, dash, gap = layout["step"], layout["dash"], layout["gap"]
    lines: list[str] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            lines.extend(_entry(" " * col + f"{key}:", value, layout, col, col + step, col + dash))
    else:
        for item in tree:
            prefix = " " * col + "-" + " " * gap
            if isinstance(item, dict) and item:
                inner = render(item, layout, col + 1 + gap)
                lines.append(prefix + inner[0].lstrip(" "))
                lines.extend(inner[1:])
            else:
                lines.extend(_entry(" " * col + "-", item, layout, col, col + 1 + gap, col + 1 + gap))
    return lines


def _entry(head: str, value: Any, layout: dict[str, Any], col: int, deeper: int, dashes: int) -> list[str]:
    if isinstance(value, str):
        return [f"{head} {value}".rstrip(" ")]
    if not value:
        return [f"{head} {'{}' if isinstance(value, dict) else '[]'}"]
    return [head, *render(value, layout, dashes if isinstance(value, list) else deeper)]


def noisy(lines: list[str], layout: dict[str, Any]) -> str:
    """Comments and blank lines between the entries and after values; a final newline or not."""
    rng = random.Random(layout["noise"])
    out = []
    for line in lines:
        if rng.random() < 0.2:
            out.append(rng.choice(["", "# c", "    # deep", "  "]))
        out.append(line + (" # after" if rng.random() < 0.15 and not line.endswith(":") else ""))
    return "\n".join(out) + rng.choice(["\n", "", "\n\n# end\n", "\n# end"])


def same_tree(text: str) -> bool:
    """Both builders agree; True when the lines were read (the tree came from them)."""
    mine = yaml_marks.nodes(text)
    if yaml_lines.read(text) is None:
        assert mine is None, text
        return False
    assert mine == yaml_nodes._build(text)[0], text
    return True


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, TREES, min_size=1, max_size=4) | st.lists(TREES, min_size=1, max_size=4), LAYOUT)
def test_the_tree_from_lines_is_the_parsers_tree(tree: Any, layout: dict[str, Any]) -> None:
    same_tree(noisy(render(tree, layout), layout))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
@example("a:\n- x\n-\nb: 1\n")
def test_random_lines_too(text: str) -> None:
    same_tree(text)


def test_the_generated_shapes_are_read_by_lines() -> None:
    """The property above checks something: these shapes (each a case it covers) are built from lines."""
    cases = [
        "name: c\naction_list:\n  - name: store\n    action:\n      class_name: X\n",  # GE's own
        "a:\n- x\n-\nb: {}\nc: []\nd:\n",  # indentless list, bare dash, flow and empty values
        "- - \n",  # not read by lines: the parser's tree
        "-   a: 1\n    b:\n    # c\n\n      - 'q'\n-\n  - \"d\"\n# end",  # gaps, comments, no final newline
        "k:   x   # after\nl:\n        deep: 1\n",
    ]
    assert [same_tree(text) for text in cases] == [True, True, False, True, True]


def test_a_doc_built_from_lines_edits_as_one_built_by_the_parser() -> None:
    text = "name: c\naction_list:\n  - name: store\n# end\n"
    doc = yaml_nodes.Doc(text)
    assert doc.root == yaml_nodes._build(text)[0]
    assert (doc.style.step, doc.style.dash, doc.aliased) == (2, 2, set())
