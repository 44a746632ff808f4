"""The registry: every integration, listed once; the CLI builds its commands from it."""

from __future__ import annotations

from lineage_setup.integrations import airflow, databricks, dbt, great_expectations, spark
from lineage_setup.integrations.base import Integration

REGISTRY: dict[str, Integration] = {
    module.NAME: module for module in (dbt, airflow, spark, databricks, great_expectations)
}
