"""A cheap first look at a GE 0.x checkpoint file: is it one a run would leave exactly as it is?

A re-run over thousands of checkpoints spent most of its time having PyYAML construct each file. Most of
them are plain block YAML (GE writes them so), which edits/yaml_lines.py reads without a YAML library,
exactly as PyYAML and ruamel.yaml do, or gives up (None). `settled` then says whether the full plan would
change nothing and say nothing; when it cannot be sure it says no, and the file goes the full way
(tests/test_great_expectations_settled.py holds it to that).
"""

from __future__ import annotations

from collections.abc import Mapping

from lineage_setup.edits.yaml_emit import Scalar
from lineage_setup.edits.yaml_lines import Tree, null, read, string
from lineage_setup.integrations.great_expectations import edits

__all__ = ["Tree", "null", "read", "settled", "string"]


def settled(text: str, params: Mapping[str, Scalar], kinds: tuple[str, ...]) -> str | None:
    """The checkpoint's kind when planning it would change nothing and say nothing; else None."""
    if edits.ACTION_CLASS not in text and edits.OPERATOR not in text:
        return None  # a first run: nothing of ours in it yet
    data = read(text)
    if not isinstance(data, dict):
        return None
    given = data.get("class_name")
    if given is None or null(given):
        version = data.get("config_version")
        kind = "LegacyCheckpoint" if version is None or null(version) else "Checkpoint"
    else:
        kind = string(given) or ""
    if kind == "LegacyCheckpoint":
        return kind if string(data.get("validation_operator_name")) == edits.OPERATOR else None
    if kind not in kinds or not _v3_settled(data, params):
        return None
    return kind


def _v3_settled(data: dict[str, Tree], params: Mapping[str, Scalar]) -> bool:
    validations = data.get("validations", [])
    if not isinstance(validations, list) or any(_ours(item) for v in validations for item in _items(v)):
        return False
    ours = [item for item in _items(data) if _ours(item)]
    if len(ours) != 1 or not isinstance(ours[0], dict) or not isinstance(ours[0].get("action"), dict):
        return False
    action = ours[0]["action"]
    assert isinstance(action, dict)
    if string(action.get("class_name")) != edits.ACTION_CLASS:
        return False
    if string(action.get("module_name")) not in (edits.ACTION_MODULE, f"{edits.ACTION_MODULE}.action"):
        return False
    if "job_name" in action and "job_name" not in params:
        return False  # the full plan says it keeps the job name
    if "openlineage_apiKey" in action and "openlineage_apiKey" not in params:
        return False  # a backend without a key: the line goes
    return all(string(action.get(name)) == value.value for name, value in params.items())


def _items(holder: Tree) -> list[Tree]:
    listed = holder.get("action_list") if isinstance(holder, dict) else None
    return listed if isinstance(listed, list) else []


def _ours(item: Tree) -> bool:
    """As edits.is_openlineage decides; an item whose name or class it cannot read counts as ours (so the
    file is not settled)."""
    if not isinstance(item, dict):
        return False
    action = item.get("action")
    cls = action.get("class_name") if isinstance(action, dict) else None
    for value, ours in ((item.get("name"), edits.ACTION_NAME), (cls, edits.ACTION_CLASS)):
        unreadable = not isinstance(value, str) if value is not None else False
        if unreadable or (isinstance(value, str) and value and string(value) is None):
            return True
        text = string(value)
        if text is not None and (text == ours or text.rstrip(", ") == ours):
            return True
    return False
