"""`status` for an Airflow project: its effective lineage configuration (effective.py), each value with where it
came from, and its problems (problems.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from lineage_setup.integrations.airflow import effective, envfiles, problems, state, versions
from lineage_setup.integrations.base import Description, Setting

if TYPE_CHECKING:
    from lineage_setup.client_config import Destination
    from lineage_setup.integrations.airflow.project import Target
    from lineage_setup.workspace import Workspace


def describe(ws: Workspace, env: Mapping[str, str]) -> Description:
    """From .env, the Dockerfile's ENV, airflow.cfg and (plain Airflow) the environment, in Airflow's order."""
    found = state.find(ws)
    if found is None:
        return Description((Setting("runs", "no Airflow project here", "-"),), ("not an Airflow project",))
    variables = envfiles.project_variables(ws, env, astro=found.astro)
    resolved = effective.resolve(ws, found.target, variables, None if found.astro else env.get("HOME"))
    settings = [_runs(found), Setting("config", resolved.mechanism, _order(found))]
    if resolved.astro_own and not resolved.overrides and not resolved.disabled:
        settings.append(Setting("sends to", effective.ASTRO_OWN, _astro_own_source(found.target)))
    for destination, where in resolved.destinations:
        settings += _destination(destination, where, variables, found.astro)
    if resolved.namespace[0]:  # on Astro, the Deployment's own unless the project sets one: not known here
        settings.append(Setting("namespace", *resolved.namespace))
    found_problems = problems.find(ws, found, variables, resolved)
    endpoints = tuple((d.url, d.endpoint, d.key) for d, _ in resolved.destinations)
    return Description(tuple(settings), tuple(found_problems), endpoints)


def _astro_own_source(target: Target | None) -> str:
    """Who configures Astro's own lineage: an Airflow 3 Runtime is not one of the 'Runtime 4.2.0+' (those are
    Airflow 2 Runtimes, numbered 4.2.0 to 13.x)."""
    if target is not None and target.airflow.major >= 3:
        return f"{target.label}: Astro configures it on its Airflow 3 Runtimes"
    return f"Astro Runtime {versions.AUTOMATIC_FROM}+ configures it"


def _runs(found: state.Found) -> Setting:
    target = found.target
    if target is None:
        return Setting("runs", f"Airflow {found.airflow_version or '(version unknown)'}", found.unknown)
    what = f"{target.label} (Airflow {target.airflow})" if target.astro else f"Airflow {target.airflow}"
    return Setting(
        "runs", f"{what}, lineage through {versions.ERA_WORDS[target.era]}", found.version_source or target.origin
    )


def _order(found: state.Found) -> str:
    if found.target is not None and found.target.era != "provider":
        return "openlineage-airflow's order: MARQUEZ_URL, then openlineage-python's"
    return "the provider's order: [openlineage] config_conn_id, config_path, transport, then openlineage-python's"


def _destination(destination: Destination, where: str, variables: envfiles.Variables, astro: bool) -> list[Setting]:
    if astro and ".env line" in where:
        where += "; `astro dev` only, unless the Deployment has the same variables"
    found = [Setting("sends to", destination.lineage_url, where)]
    if destination.namespace:
        found.append(Setting("namespace", destination.namespace, f"{where} (transform transport)"))
    key = destination.key
    found.append(
        Setting("api key", f"...{key[-4:]}" if key else "none", effective.key_source(key or "", variables, "-"))
    )
    return found
