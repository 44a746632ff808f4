"""Great Expectations 0.13.26-0.15.34: OpenLineage's validation action in the project and its checkpoints.

great_expectations.yml gets the action in a validation operator (for LegacyCheckpoints, which name
one), Checkpoint/SimpleCheckpoint YAML files get it in their own action_list (V3 checkpoints do not
use operators), and the key goes to uncommitted/config_variables.yml: the YAML files only say
`${OPENLINEAGE_API_KEY}`, which GE fills in when it loads them. Every edit is a text splice
(edits/ge_yaml.py) that keeps the rest of each file byte for byte.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lineage_setup import quoting, redact
from lineage_setup.answers import ENV_KEY, Connection
from lineage_setup.edits import EditError, gitignore, requirements
from lineage_setup.errors import UnsafeTargetError, UsageError
from lineage_setup.integrations import base
from lineage_setup.integrations.base import Option, Rendered, Request
from lineage_setup.plan import Workspace
from lineage_setup.validate import DEFAULT_ENDPOINT

NAME = "great-expectations"
TITLE = "Great Expectations"
ALIASES: tuple[str, ...] = ("gx",)
HELP = (
    "Add OpenLineage's validation action to a Great Expectations (0.13.26-0.15.34) project "
    "and point its checkpoints at it."
)
PRINT_FORMATS = ("yaml", "checkpoint", "variables")
OPTIONS = (
    Option(
        "checkpoints",
        "--checkpoint",
        "Patch only this checkpoint (its name as GE lists it: checkpoints/team/daily.yml is team.daily); "
        "repeat for more. Default: all.",
        multiple=True,
    ),
    Option("job_name", "--job-name", "Job name for the validations' events (default: GE's suite name + batch id)."),
)

CONFIG = "great_expectations.yml"
ROOTS = ("", "great_expectations", "gx")  # --dir itself, GE <= 0.15's folder, newer GE's folder
OPERATOR = "action_list_operator"
OPERATOR_CLASSES = ("ActionListValidationOperator", "WarningAndFailureExpectationSuitesValidationOperator")
V3_CLASSES = ("Checkpoint", "SimpleCheckpoint")
VARIABLES = "uncommitted/config_variables.yml"  # GE's default config_variables_file_path
KEY_VARIABLE = ENV_KEY
REQUIREMENTS = "requirements.txt"
# the extra as its metadata spells it: pip before 23.3 does not match [great_expectations] to it (PEP 685)
PIN = "openlineage-integration-common[great-expectations]<=1.39.0"
SUPPORTED = "great_expectations 0.13.26 to 0.15.34"
PIN_WHY = f"OpenLineage's GE action; works with {SUPPORTED}"
_WHOLE_VARIABLE = re.compile(r"\$\{([_a-zA-Z][_a-zA-Z0-9]*)\}|\$([_a-zA-Z][_a-zA-Z0-9]*)")


# --- the project ---------------------------------------------------------------------------------


def _root(ws: Workspace) -> str:
    for rel in ROOTS:
        if ws.exists(posixpath.join(rel, CONFIG)):
            return rel
    looked = ", ".join(str(ws.path(posixpath.join(rel, CONFIG))) for rel in ROOTS)
    raise UsageError(f"no Great Expectations project: looked for {looked}; run this in the project, or pass --dir")


def _rel(root: str, *parts: str) -> str:
    return posixpath.join(root, *parts)


def _read(ws: Workspace, rel: str) -> str | None:
    """A file's text; a symlink is followed for reading (the writer refuses to replace it)."""
    text = ws.read(rel)
    return text if text is not None else ws.read_input(ws.path(rel))


def check_project(ws: Workspace) -> None:
    from lineage_setup.edits import ge_yaml

    root = _root(ws)
    try:
        data = ge_yaml.load(_read(ws, _rel(root, CONFIG)) or "")
    except EditError:
        return  # plan() refuses it with the snippet to paste
    _refuse_gx1(ws, root, data)


def _gx1_version(version: Any) -> bool:
    """config_version 4 or later, written as a number or as a quoted one ("4.0")."""
    try:
        return float(version) >= 4
    except (TypeError, ValueError):
        return False


def _refuse_gx1(ws: Workspace, root: str, data: Any) -> None:
    version = data.get("config_version") if isinstance(data, dict) else None
    folder = ws.path(_rel(root, "checkpoints"))
    json_checkpoints = folder.is_dir() and any(folder.rglob("*.json"))
    if not _gx1_version(version) and not json_checkpoints:
        return
    raise UnsafeTargetError(
        f"{ws.path(_rel(root, CONFIG))} is a GX 1.x project (config_version {version}"
        f"{', JSON checkpoints' if json_checkpoints else ''}); nothing was written. OpenLineage's Great "
        f"Expectations action runs only on {SUPPORTED} (openlineage-integration-common 1.39.0 or older); "
        "its 1.40+ version does not run on GX 1.x either (GX calls the action's run(), which it does not "
        "implement). Options: keep a GE 0.15.34 environment for the validations you want lineage for; "
        "write a small GX 1.x action (a ValidationAction with run()) that sends events with "
        "openlineage-python; or, when Airflow runs GX, rely on Airflow's OpenLineage provider."
    )


namespace_default = base.no_namespace_default
check_options = base.no_option_check
preflight = base.no_preflight


# --- the answers, as GE will read them -----------------------------------------------------------


def openlineage_host(conn: Connection) -> str:
    """The action posts to `<openlineage_host>/api/v1/lineage` (urljoin): only endpoints ending so fit."""
    if conn.endpoint == DEFAULT_ENDPOINT:
        return conn.url
    if conn.endpoint.endswith("/" + DEFAULT_ENDPOINT):
        return f"{conn.url}/{conn.endpoint[: -len(DEFAULT_ENDPOINT)]}"  # a prefix, kept by urljoin's trailing /
    raise UsageError(
        f"the endpoint {conn.endpoint} cannot be used with Great Expectations: OpenLineage's GE action "
        f"(openlineage-integration-common <= 1.39.0) always posts to <openlineage_host>/{DEFAULT_ENDPOINT}. "
        f"Use an endpoint ending in {DEFAULT_ENDPOINT}, or leave openlineage_host out of the action and set "
        "OPENLINEAGE_URL and OPENLINEAGE_ENDPOINT where GE runs (the client then reads them)"
    )


def job_name(options: Mapping[str, Any]) -> str | None:
    raw = options.get("job_name")
    if raw is None:
        return None
    if not raw or raw != raw.strip() or len(raw) > 1024 or not raw.isprintable():
        raise UsageError("--job-name: give 1-1024 printable characters without surrounding spaces")
    if "$" in raw:
        raise UsageError("--job-name: GE would read '$' as a variable ($NAME or ${NAME}); leave it out")
    return str(raw)


def params(req: Request) -> dict[str, Any]:
    """The action's parameters we own; the key only as a ${VAR} GE substitutes."""
    from lineage_setup.edits import ge_yaml

    values = {
        "openlineage_host": ge_yaml.quoted(openlineage_host(req.conn)),
        "openlineage_namespace": ge_yaml.quoted(req.conn.namespace),
        "openlineage_apiKey": ge_yaml.placeholder(KEY_VARIABLE),
    }
    name = job_name(req.options)
    if name is not None:
        values["job_name"] = ge_yaml.quoted(name)
    return values


# --- the plan ------------------------------------------------------------------------------------


@dataclass
class _Run:
    """What one run gathers while it walks the project."""

    req: Request
    ws: Workspace
    root: str
    config: dict[str, Any]
    params: dict[str, Any]
    operators: set[str] = field(default_factory=set)  # validation operators that must run the action
    variables: set[str] = field(default_factory=set)  # config variables that must hold the key
    refused: list[str] = field(default_factory=list)
    simple: list[str] = field(default_factory=list)
    patched: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # every checkpoint looked at

    def refuse(self, rel: str, reason: str, snippet: str) -> None:
        self.refused.append(f"{self.ws.path(rel)}: cannot edit it safely: {reason}.\n{snippet}")


def plan(req: Request, ws: Workspace) -> None:
    from lineage_setup.edits import ge_yaml

    root = _root(ws)
    config_rel = _rel(root, CONFIG)
    text = _read(ws, config_rel) or ""
    try:
        config = ge_yaml.load(text)
    except EditError as exc:
        raise base.unsafe_edit(ws.path(config_rel), exc, operator_snippet(req)) from None
    _refuse_gx1(ws, root, config)
    run = _Run(req, ws, root, config if isinstance(config, dict) else {}, params(req))
    _checkpoints(run)
    _project_config(run, config_rel, text)
    if run.refused:
        _raise_refused(run.refused)
    _variables(run, config_rel)
    _requirement(ws)
    _notes(run)
    _steps(run)


def _raise_refused(refused: list[str]) -> None:
    shown = refused[:5]
    more = f"\n(and {len(refused) - 5} more)" if len(refused) > 5 else ""
    raise UnsafeTargetError(
        "nothing was written; these files cannot be edited safely (fix them, or make the change shown "
        "yourself, then run this again):\n\n" + "\n\n".join(shown) + more
    )


# --- great_expectations.yml ----------------------------------------------------------------------


def _wants_default_operator(run: _Run) -> bool:
    """Operators are GE's legacy API: add ours where they are used, not to a pure V3 project.

    A config_version 3 file with validation_operators makes GE log a deprecation warning on
    every run, so a V3 project whose checkpoints all have their own action_list gets none.
    """
    version = run.config.get("config_version")
    legacy_config = isinstance(version, (int, float)) and version < 3
    return OPERATOR in run.operators or bool(run.config.get("validation_operators")) or legacy_config


def _project_config(run: _Run, rel: str, text: str) -> None:
    from lineage_setup.edits import ge_yaml

    if _wants_default_operator(run):
        run.operators.add(OPERATOR)
    elif run.patched or run.simple:
        run.ws.info("validation_operators: not added (this project's checkpoints run their own action_list)")
    ops: list[ge_yaml.Op] = []
    try:
        if not run.config.get("config_variables_file_path"):
            ops += ge_yaml.put_ops(run.config, "config_variables_file_path", ge_yaml.plain(VARIABLES))
        for name in sorted(run.operators, key=lambda name: name != OPERATOR):
            ops += ge_yaml.operator_ops(run.config, name, run.params)
            _existing_entry(run, rel, run.config, ("validation_operators", name, "action_list"))
        updated = ge_yaml.apply(text, ops)
    except EditError as exc:
        run.refuse(rel, str(exc), "Make validation_operators in it hold this yourself:\n" + operator_snippet(run.req))
        return
    if updated != text:
        run.ws.write(rel, updated, reason="OpenLineage validation action")


def _existing_entry(run: _Run, rel: str, data: Any, path: tuple[str, ...]) -> None:
    """What an entry we update already says: the user's own `$VAR`s stay, a plain-text key goes."""
    from lineage_setup.edits import ge_yaml

    action = ge_yaml.find_action(data, path) or {}
    key = action.get("openlineage_apiKey")
    whole = _WHOLE_VARIABLE.fullmatch(key) if isinstance(key, str) else None
    run.variables.add((whole.group(1) or whole.group(2)) if whole else KEY_VARIABLE)
    if isinstance(key, str) and key and not ge_yaml.has_placeholder(key):
        run.ws.note(
            f"{rel} holds an API key in plain text; lineage-setup replaces it with ${{{KEY_VARIABLE}}}. "
            "If the file was ever committed or shared, revoke that key"
        )
    if "job_name" not in run.params and action.get("job_name"):
        run.ws.info(f"{rel}: kept job_name: {action['job_name']} (pass --job-name to change it)")
    for name, value in action.items():
        ours = name in run.params and value == run.params[name].value
        if isinstance(value, str) and ge_yaml.has_placeholder(value) and name in run.params and not ours:
            run.ws.info(f"{rel}: kept {name}: {value} (GE fills it in when it runs)")


# --- checkpoints ---------------------------------------------------------------------------------


def _checkpoint_folder(run: _Run) -> str | None:
    """Where the checkpoint store keeps its YAML files, when it is the local filesystem."""
    stores = run.config.get("stores")
    store = stores.get(run.config.get("checkpoint_store_name", "")) if isinstance(stores, dict) else None
    backend = store.get("store_backend", {}) if isinstance(store, dict) else {}
    if not isinstance(backend, dict) or backend.get("class_name", "TupleFilesystemStoreBackend") not in (
        "TupleFilesystemStoreBackend",
    ):
        run.ws.note("the checkpoint store is not a local folder: add the action to your checkpoints yourself")
        return None
    folder = backend.get("base_directory", "checkpoints/")
    if not isinstance(folder, str) or "$" in folder or PurePosixPath(folder).is_absolute() or ".." in folder.split("/"):
        run.ws.note(f"checkpoint folder {folder!r} is not inside the project: add the action to your checkpoints")
        return None
    return _rel(run.root, folder.strip("/") or ".")


def _checkpoint_files(run: _Run) -> dict[str, str]:
    """Checkpoint name -> file, limited to --checkpoint names (an unknown name is bad input)."""
    folder = _checkpoint_folder(run)
    found: dict[str, str] = {}
    if folder is not None and run.ws.path(folder).is_dir():
        base = run.ws.path(folder)
        for path in sorted(base.rglob("*.yml")):
            name = ".".join(path.relative_to(base).with_suffix("").parts)  # GE's name for sub/x.yml is sub.x
            found[name] = posixpath.normpath(_rel(folder, path.relative_to(base).as_posix()))
    wanted = run.req.options.get("checkpoints") or []
    unknown = [name for name in wanted if name not in found]
    if unknown:
        known = ", ".join(found) or "none"
        raise UsageError(f"--checkpoint: no checkpoint named {', '.join(unknown)} (found: {known})")
    return {name: rel for name, rel in found.items() if not wanted or name in wanted}


def _checkpoints(run: _Run) -> None:
    files = _checkpoint_files(run)
    if not files:
        run.ws.info("no checkpoint YAML files found; new ones need the action too (see --print --format checkpoint)")
    for name, rel in files.items():
        text = _read(run.ws, rel)
        if text is None:
            continue
        _checkpoint(run, name, rel, text)


def _checkpoint(run: _Run, name: str, rel: str, text: str) -> None:
    from lineage_setup.edits import ge_yaml

    run.names.append(name)
    try:
        data = ge_yaml.load(text)
        if not isinstance(data, dict):
            run.ws.note(f"{rel}: empty, or not a mapping; not a checkpoint GE can load, so not changed")
            return
        kind = data.get("class_name") or _default_class(data)
        if kind == "LegacyCheckpoint":
            ops = _legacy_ops(run, rel, data)
        elif kind in V3_CLASSES:
            ops = ge_yaml.checkpoint_action_ops(data, run.params)
            _existing_entry(run, rel, data, ("action_list",))
            (run.simple if kind == "SimpleCheckpoint" else run.patched).append(name)
        else:
            run.ws.note(f"{rel}: class_name {kind!r} is not a GE checkpoint class we know; not changed")
            return
        updated = ge_yaml.apply(text, ops, data)
    except EditError as exc:
        run.refuse(rel, str(exc), _checkpoint_snippet(run.req, text))
        return
    if updated != text:
        run.ws.write(rel, updated, reason=f"checkpoint {name}: OpenLineage action")


def _default_class(data: dict[str, Any]) -> str:
    """GE's own rule (CheckpointConfig): no class_name and no config_version is a LegacyCheckpoint,
    as GE 0.13's `checkpoint new` wrote them."""
    return "LegacyCheckpoint" if data.get("config_version") is None else "Checkpoint"


def _legacy_ops(run: _Run, rel: str, data: dict[str, Any]) -> list[Any]:
    """A LegacyCheckpoint runs the operator it names: ours, or its own if that can hold the action."""
    from lineage_setup.edits import ge_yaml

    current = data.get("validation_operator_name")
    if isinstance(current, str) and ge_yaml.has_placeholder(current):
        run.ws.note(f"{rel}: validation_operator_name is {current}; make it name an operator with the action")
        return []
    operators = run.config.get("validation_operators") or {}
    own = operators.get(current) if isinstance(operators, dict) and isinstance(current, str) else None
    if isinstance(own, dict) and current != OPERATOR:
        if own.get("class_name") in OPERATOR_CLASSES:
            run.operators.add(str(current))
            run.ws.info(f"{rel} runs validation operator {current}: the action goes there")
        else:
            run.ws.note(f"{rel}: its operator {current} is a {own.get('class_name')}; add the action to it yourself")
        return []
    run.operators.add(OPERATOR)
    return ge_yaml.put_ops(data, "validation_operator_name", ge_yaml.plain(OPERATOR), after="class_name")


# --- the key: uncommitted/config_variables.yml ---------------------------------------------------


def _variables_rel(run: _Run) -> str:
    path = run.config.get("config_variables_file_path") or VARIABLES
    bad = not isinstance(path, str) or "$" in path or PurePosixPath(path).is_absolute() or ".." in path.split("/")
    if bad:
        raise UnsafeTargetError(
            f"config_variables_file_path in {run.ws.path(_rel(run.root, CONFIG))} is {path!r}: lineage-setup "
            f"writes the key only to a file inside the project; nothing was written. Put this in your "
            f"variables file yourself (your key where it shows ****):\n{variables_snippet(run.req.conn)}"
        )
    return posixpath.normpath(_rel(run.root, path))


def _variables(run: _Run, config_rel: str) -> None:
    from lineage_setup.edits import ge_yaml

    rel = _variables_rel(run)
    run.variables = run.variables or {KEY_VARIABLE}
    for name in run.variables:  # their old values are keys too: masked in the diff
        redact.register_field(name)
    _keep_out_of_git(run, rel)
    current = _read(run.ws, rel) or ""
    try:
        data = ge_yaml.load(current)
        ops = [op for name in sorted(run.variables) for op in ge_yaml.put_ops(data, name, _key(run.req.conn))]
        updated = ge_yaml.apply(current, ops)
    except EditError as exc:
        lines = "\n".join(f"{name}: {quoting.yaml_str(run.req.conn.api_key)}" for name in sorted(run.variables))
        raise base.unsafe_edit(
            run.ws.path(rel), exc, f"add this line yourself (your key where it shows ****):\n{lines}"
        ) from None
    run.ws.write(rel, updated, reason=f"the API key, for ${{{KEY_VARIABLE}}} in {CONFIG}", secret=True)


def _key(conn: Connection) -> Any:
    from lineage_setup.edits import ge_yaml

    return ge_yaml.quoted(conn.api_key)


def _keep_out_of_git(run: _Run, rel: str) -> None:
    status = run.ws.git_status(rel)
    if status in ("ignored", "tracked"):  # a tracked secret file is refused by the Workspace
        return
    ignore_rel = _rel(run.root, ".gitignore")
    entry = posixpath.relpath(rel, run.root or ".")
    current = _read(run.ws, ignore_rel) or ""
    covered = gitignore.names(current, entry) or (entry.startswith("uncommitted/") and _ignores_uncommitted(current))
    if status == "not-ignored" or not covered:
        updated = gitignore.ensure(current, entry, "holds the OpenLineage API key", force=status == "not-ignored")
        run.ws.write(ignore_rel, updated, reason=f"keep {entry} out of git")


def _ignores_uncommitted(text: str) -> bool:
    """GE's own .gitignore line (outside a repository we cannot ask git)."""
    return any(
        line.strip() in ("uncommitted/", "/uncommitted/", "uncommitted", "/uncommitted") for line in text.splitlines()
    )


# --- requirements, notes, next steps ------------------------------------------------------------


def _requirement(ws: Workspace) -> None:
    current = ws.read(REQUIREMENTS)
    if current is None:
        ws.step(f"pip install '{PIN}'")
        return
    listed = requirements.find(current, "openlineage-integration-common")
    try:
        updated = requirements.ensure(current, PIN, PIN_WHY)
    except EditError as exc:
        raise base.unsafe_edit(
            ws.path(REQUIREMENTS), exc, f"add this line yourself (or to its source file):\n{PIN}"
        ) from None
    if listed is not None and updated != current:
        ws.note(f"{REQUIREMENTS}: replacing `{listed}` with `{PIN}` (the GE action is gone from 1.40 on)")
    ws.write(REQUIREMENTS, updated, reason="OpenLineage's GE action, pinned to the versions that run it")
    _requirement_notes(ws, current)
    ws.step(f"pip install -r {REQUIREMENTS}")


# every GE release the action supports, so an exact pin anywhere in the window is recognised
_SUPPORTED_RELEASES = (
    *(f"0.13.{n}" for n in range(26, 50)),
    *(f"0.14.{n}" for n in range(14)),
    *(f"0.15.{n}" for n in range(35)),
)


def _requirement_notes(ws: Workspace, text: str) -> None:
    from packaging.requirements import InvalidRequirement, Requirement

    listed = requirements.find(text, "great_expectations")
    try:
        spec = Requirement(listed).specifier if listed else None
    except InvalidRequirement:
        spec = None
    if spec is not None and not any(spec.contains(version) for version in _SUPPORTED_RELEASES):
        ws.note(f"{REQUIREMENTS} asks for `{listed}`; OpenLineage's action runs only on {SUPPORTED}")
    for other in ("openlineage-dbt", "openlineage-airflow", "apache-airflow-providers-openlineage"):
        if requirements.find(text, other):
            ws.note(
                f"{REQUIREMENTS} also lists {other}, which needs a matching openlineage-integration-common; "
                "with the GE action's <=1.39.0 pip may not resolve both: use separate environments"
            )


def _notes(run: _Run) -> None:
    env, ws = run.req.env, run.ws
    if ws.root.name == "gx" or run.root == "gx":
        ws.note(f"a gx/ folder comes from GE newer than 0.15.34; OpenLineage's action runs only on {SUPPORTED}")
    if run.simple:
        names = ", ".join(run.simple[:5]) + (" ..." if len(run.simple) > 5 else "")
        ws.note(
            f"SimpleCheckpoint ({names}): GE 0.14 and 0.15 replace a SimpleCheckpoint's action_list with "
            "their defaults, so the action runs there only on GE 0.13; change class_name to Checkpoint "
            "and list store_validation_result, store_evaluation_params and update_data_docs too"
        )
    if env.get("OPENLINEAGE_CONFIG") or any(name.startswith("OPENLINEAGE__TRANSPORT") for name in env):
        ws.note(
            "OPENLINEAGE_CONFIG or OPENLINEAGE__TRANSPORT* is set: where GE runs with it, the OpenLineage "
            "client uses that and ignores the action's host and key"
        )
    for path in _client_configs(run):
        ws.note(f"{path} exists: when GE runs where the client finds it, it wins over the action's host and key")
    if env.get("OPENLINEAGE_DISABLED", "").strip().lower() == "true":
        ws.note("OPENLINEAGE_DISABLED=true is set: the action will send nothing until it is unset")
    if env.get(ENV_KEY) and env[ENV_KEY].strip() != run.req.conn.api_key:
        ws.note(f"{ENV_KEY} is set in this environment to another key: GE prefers it over config_variables.yml")


def _client_configs(run: _Run) -> list[Path]:
    """openlineage.yml files the OpenLineage client (<= 1.39) reads before the action's own settings."""
    candidates = [run.ws.path("openlineage.yml"), run.ws.path(_rel(run.root, "openlineage.yml"))]
    if run.req.env.get("HOME"):
        candidates.append(Path(run.req.env["HOME"]) / ".openlineage" / "openlineage.yml")
    return sorted({path for path in candidates if path.is_file()})


def _steps(run: _Run) -> None:
    ws = run.ws
    ws.step(f"check great_expectations --version: OpenLineage's action runs on {SUPPORTED} only")
    example = (run.names or ["NAME"])[0]
    ws.step(f"cd {ws.root} && great_expectations checkpoint run {example}   (each validation sends one event)")


# --- --print -------------------------------------------------------------------------------------


def operator_snippet(req: Request) -> str:
    from lineage_setup.edits import ge_yaml

    operator: dict[str, ge_yaml.Tree] = {
        "class_name": ge_yaml.plain(ge_yaml.OPERATOR_CLASS),
        "action_list": [*ge_yaml.DEFAULT_ACTIONS, ge_yaml.action_entry(params(req))],
    }
    return "\n".join(ge_yaml.emit({"validation_operators": {OPERATOR: operator}})) + "\n"


def checkpoint_snippet(req: Request) -> str:
    from lineage_setup.edits import ge_yaml

    return "\n".join(ge_yaml.emit({"action_list": [ge_yaml.action_entry(params(req))]})) + "\n"


def _checkpoint_snippet(req: Request, text: str) -> str:
    if re.search(r"^class_name:\s*LegacyCheckpoint\b", text, re.MULTILINE):
        return "Give it this line yourself:\nvalidation_operator_name: " + OPERATOR + "\n"
    return "Give its action_list this item yourself:\n" + checkpoint_snippet(req)


def variables_snippet(conn: Connection) -> str:
    return f"{KEY_VARIABLE}: {quoting.yaml_str(conn.api_key)}\n"


def render(req: Request, fmt: str) -> Rendered:
    versions = f"works with {SUPPORTED}; pip install '{PIN}'"
    if fmt == "checkpoint":
        return Rendered(
            checkpoint_snippet(req),
            ("append this item to the action_list of each Checkpoint YAML file in checkpoints/", versions),
        )
    if fmt == "variables":
        return Rendered(
            variables_snippet(req.conn),
            (f"add to {VARIABLES} (chmod 600; GE's .gitignore keeps uncommitted/ out of git)",),
        )
    return Rendered(
        operator_snippet(req),
        (
            f"merge into {CONFIG}; point LegacyCheckpoints at it with validation_operator_name: {OPERATOR}",
            f"the key goes into {VARIABLES} (--format variables)",
            versions,
        ),
    )
