"""The registry: every integration, listed once; the CLI builds its commands from it."""

from __future__ import annotations

from lineage_setup.integrations import airflow, databricks, dbt, great_expectations, spark
from lineage_setup.integrations.base import Integration

# annotated one by one, so mypy checks every module against the Integration protocol
INTEGRATIONS: tuple[Integration, ...] = (dbt, airflow, spark, databricks, great_expectations)
REGISTRY: dict[str, Integration] = {module.NAME: module for module in INTEGRATIONS}
