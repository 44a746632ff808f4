"""Every form Airflow and Astro read, rendered from templates/airflow/ with values quoted for each form first.

Forms: `env` (.env lines: python-dotenv, docker compose, `astro dev`), `shell` (export lines), `astro`
(`astro deployment variable create KEY=VALUE ... --deployment-id ID [--secret]`, astronomer/astro-cli
`cmd/cloud/deployment.go`; the variables holding the key go in their own --secret call). Variable sets:
`legacy` (openlineage-airflow: OPENLINEAGE_URL ...), `provider` (`[openlineage] transport` as JSON,
apache/airflow `providers/openlineage/.../conf.py`), `subtransport` (one more destination in Astro's composite
transport, astronomer.io/docs/astro/observe-openlineage).
"""

from __future__ import annotations

import json
from typing import Literal

from lineage_setup import quoting, templates
from lineage_setup.answers import ENV_ENDPOINT, ENV_KEY, ENV_NAMESPACE, ENV_URL, Connection
from lineage_setup.errors import UsageError
from lineage_setup.integrations.airflow.versions import BACKEND, BACKEND_CLASS
from lineage_setup.validate import DEFAULT_ENDPOINT

Form = Literal["env", "shell", "astro"]
FORMS: tuple[Form, ...] = ("env", "shell", "astro")
_SUFFIX: dict[Form, str] = {"env": "env", "shell": "sh", "astro": "astro"}
DEPLOYMENT_PLACEHOLDER = '"${ASTRO_DEPLOYMENT_ID:?}"'  # bash stops with "parameter null or not set"
SUBTRANSPORT = "OPENLINEAGE__TRANSPORT__TRANSPORTS__"


def quote(form: Form, value: str, name: str) -> str:
    """A value as its form's reader takes it back: dotenv (plain or single-quoted), else a shell word."""
    return quoting.dotenv(value, name) if form == "env" else quoting.shell(value)


def _deployment(deployment: str | None) -> str:
    return quoting.shell(deployment) if deployment else DEPLOYMENT_PLACEHOLDER


def _optional(form: Form, name: str, value: str) -> str:
    """A variable only some setups need, in the place its template gives it (a line, or a command's argument)."""
    assignment = f"{name}={quote(form, value, name)}"
    return {"env": f"{assignment}\n", "shell": f"export {assignment}\n", "astro": f"{assignment} "}[form]


def json_value(value: str) -> bool:
    """openlineage-python passes every OPENLINEAGE__ value through json.loads first (client.py,
    `_load_config_from_env_variables`): does this one come back as something else than the string itself
    (a number, true/false/null, NaN, a list)?"""
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def auth_json(api_key: str) -> str:
    return templates.render("airflow/auth.json.tmpl", api_key=json.dumps(api_key)).rstrip("\n")


def _member(name: str, value: str) -> str:
    """`,"name":value` (value already JSON), for a key the transport has only when it is wanted."""
    return templates.render("airflow/member.json.tmpl", key=json.dumps(name), value=value).rstrip("\n")


def transport_json(conn: Connection) -> str:
    """`[openlineage] transport`: the transport dict as compact JSON (the provider reads it with getjson); no
    `auth` for a backend without a key, `compression` for one that takes gzip (openlineage-python 1.13.1+)."""
    members = _member("compression", json.dumps("gzip")) if conn.preset.gzip else ""
    members += "" if conn.keyless else _member("auth", auth_json(conn.api_key))
    return templates.render(
        "airflow/transport.json.tmpl", url=json.dumps(conn.url), endpoint=json.dumps(conn.endpoint), members=members
    ).rstrip("\n")


def destination_json(conn: Connection) -> str:
    """Ours as one transport of a composite: the http transport, or, for a backend that needs its own job
    namespace (Atlan), a `transform` transport around it that gives its events that namespace alone."""
    if not renames(conn):
        return transport_json(conn)
    return templates.render(
        "airflow/transform.json.tmpl",
        transformer=json.dumps(TRANSFORMER),
        namespace=json.dumps(conn.namespace),
        transport=transport_json(conn),
    ).rstrip("\n")


def _secret(form: Form, name: str, value: str, deployment: str | None) -> str:
    """The variable that holds the key: a line of its own, or (astro) its own `--secret` command."""
    if form != "astro":
        return _optional(form, name, value)
    assignment = f"{name}={quote(form, value, name)}"
    return templates.render("airflow/secret.astro.tmpl", assignment=assignment, deployment=_deployment(deployment))


def legacy(conn: Connection, form: Form, *, backend: bool, deployment: str | None = None) -> str:
    """openlineage-airflow's variables (with its lineage backend on Airflow 2.1/2.2). They have no compression
    setting: gzip needs openlineage-python's own variables (notes.py says so)."""
    endpoint = _optional(form, ENV_ENDPOINT, conn.endpoint) if conn.endpoint != DEFAULT_ENDPOINT else ""
    secret = "" if conn.keyless else _secret(form, ENV_KEY, conn.api_key, deployment)
    return templates.render(
        f"airflow/legacy.{_SUFFIX[form]}.tmpl",
        backend=_optional(form, BACKEND, BACKEND_CLASS) if backend else "",
        url=quote(form, conn.url, ENV_URL),
        endpoint=endpoint,
        api_key=secret,
        secret=secret,
        namespace=quote(form, conn.namespace, ENV_NAMESPACE),
        deployment=_deployment(deployment),
    )


def provider(conn: Connection, form: Form) -> str:
    """The provider's `[openlineage]` variables (plain Airflow: nothing else configures lineage there)."""
    if form == "astro":
        raise ValueError("an Astro Deployment that runs the provider gets a sub-transport, never this")
    return templates.render(
        f"airflow/provider.{_SUFFIX[form]}.tmpl",
        transport=quote(form, transport_json(conn), "AIRFLOW__OPENLINEAGE__TRANSPORT"),
        namespace=quote(form, conn.namespace, "AIRFLOW__OPENLINEAGE__NAMESPACE"),
    )


def subtransport(
    conn: Connection, name: str, form: Form, deployment: str | None = None, *, rename: bool = False
) -> str:
    """One more destination in a composite transport, named `name` ([A-Z0-9_], checked before).

    A key json.loads would turn into a number or a boolean goes in as the whole auth object instead
    (`...__AUTH={"type":"api_key","apiKey":"..."}`), which it reads back as a string; a backend without a key
    gets no auth variable, one that takes gzip `...__COMPRESSION=gzip`. `rename`: the destination is a
    `transform` transport around the http one, giving its events the job namespace `conn.namespace` alone
    (`JobNamespaceReplaceTransformer`, openlineage-python 1.33.0+: `transport/transform/`, CHANGELOG 1.33.0).
    """
    if json_value(conn.endpoint):
        raise UsageError(
            f"the endpoint {conn.endpoint!r} would not reach openlineage-python as a path: it reads every "
            f"OPENLINEAGE__ value as JSON first; use a path such as api/v1/lineage"
        )
    head = _renaming(form, f"{SUBTRANSPORT}{name}__", conn.namespace) if rename else ""
    inner = "TRANSPORT__" if rename else ""
    prefix = f"{SUBTRANSPORT}{name}__{inner}"
    options = _optional(form, f"{prefix}COMPRESSION", "gzip") if conn.preset.gzip else ""
    secret = ""
    if conn.keyless:
        pass
    elif json_value(conn.api_key):
        secret = _secret(form, f"{prefix}AUTH", auth_json(conn.api_key), deployment)
    else:
        options += _optional(form, f"{prefix}AUTH__TYPE", "api_key")
        secret = _secret(form, f"{prefix}AUTH__API_KEY", conn.api_key, deployment)
    return templates.render(
        f"airflow/subtransport.{_SUFFIX[form]}.tmpl",
        head=head,
        inner=inner,
        transport_name=name,
        url=quote(form, conn.url, f"{prefix}URL"),
        endpoint=quote(form, conn.endpoint, f"{prefix}ENDPOINT"),
        options=options if form == "astro" else options + secret,
        secret=secret,
        deployment=_deployment(deployment),
    )


TRANSFORMER = "openlineage.client.transport.transform.JobNamespaceReplaceTransformer"


def _renaming(form: Form, prefix: str, namespace: str) -> str:
    """The transform transport's own variables; a namespace json.loads would change goes in as JSON."""
    if json_value(namespace):
        properties = _optional(form, f"{prefix}TRANSFORMER_PROPERTIES", json.dumps({"new_job_namespace": namespace}))
    else:
        properties = _optional(form, f"{prefix}TRANSFORMER_PROPERTIES__NEW_JOB_NAMESPACE", namespace)
    return (
        _optional(form, f"{prefix}TYPE", "transform")
        + _optional(form, f"{prefix}TRANSFORMER_CLASS", TRANSFORMER)
        + properties
    )


def pairs(env_text: str) -> list[tuple[str, str]]:
    """The variables an `env` form sets, in order, as python-dotenv reads them (for the .env edit)."""
    from lineage_setup.edits import env

    return [(binding.key, binding.value) for binding in env.parse(env_text)]


def group_keys(name: str) -> tuple[str, ...]:
    """Every variable of a sub-transport this tool writes, in either auth form (to take out the other one)."""
    prefix = f"{SUBTRANSPORT}{name}__"
    keys = ("TYPE", "URL", "ENDPOINT", "COMPRESSION", "AUTH", "AUTH__TYPE", "AUTH__API_KEY")
    renaming = ("TRANSFORMER_CLASS", "TRANSFORMER_PROPERTIES", "TRANSFORMER_PROPERTIES__NEW_JOB_NAMESPACE")
    return (*(f"{prefix}{key}" for key in (*keys, *renaming)), *(f"{prefix}TRANSPORT__{key}" for key in keys))


def renames(conn: Connection) -> bool:
    """The backend needs a job namespace of its own (Atlan: the connection's name), and one was given."""
    return bool(conn.preset.namespace_hint and conn.namespace)
