"""The registry: every integration, listed once. The CLI builds one command per entry and imports an
integration's package only when its command runs (or its help is shown)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lineage_setup.integrations.base import Integration


@dataclass(frozen=True)
class Entry:
    name: str  # the command, and the package's NAME
    package: str  # lineage_setup.integrations.<package>
    aliases: tuple[str, ...] = ()  # the package's ALIASES
    # files that mark a project of this kind, as paths under its folder: the wizard's scan looks for these
    # names only, then asks the package's detect() whether the folder really is one
    markers: tuple[str, ...] = ()
    # the files that make a folder this kind's project root: run from a folder inside one (an Astro
    # project's dags/), the command looks upward for the root, as git does
    root_markers: tuple[str, ...] = ()

    def load(self) -> Integration:
        module: Integration = import_module(f"{__name__}.{self.package}")
        return module


REGISTRY: dict[str, Entry] = {
    entry.name: entry
    for entry in (
        Entry("dbt", "dbt", markers=("dbt_project.yml",), root_markers=("dbt_project.yml",)),
        Entry(
            "airflow",
            "airflow",
            ("astronomer",),
            markers=(".astro/config.yaml", "Dockerfile", "airflow.cfg", "requirements.txt"),
            root_markers=(".astro/config.yaml",),
        ),
        Entry("spark", "spark", markers=("spark-defaults.conf",)),
        Entry("databricks", "databricks", markers=("databricks.yml", "openlineage-init.sh")),
        Entry(
            "great-expectations",
            "great_expectations",
            ("gx",),
            markers=(
                "great_expectations/great_expectations.yml",
                "gx/great_expectations.yml",
                "great_expectations.yml",
            ),
        ),
    )
}
ALIASES: dict[str, str] = {alias: entry.name for entry in REGISTRY.values() for alias in entry.aliases}


def find(name: str) -> Entry | None:
    """The entry for a command name or one of its aliases."""
    return REGISTRY.get(ALIASES.get(name, name))


def load_all() -> tuple[Integration, ...]:
    return tuple(entry.load() for entry in REGISTRY.values())


if TYPE_CHECKING:  # mypy checks every package against the Integration protocol; nothing is imported at run time
    from lineage_setup.integrations import airflow, databricks, dbt, great_expectations, spark

    _CHECKED: tuple[Integration, ...] = (dbt, airflow, spark, databricks, great_expectations)
