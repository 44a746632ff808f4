"""OpenLineage events for GX 1.x checkpoints (written by lineage-setup; run it again to update it).

Each validation a checkpoint runs becomes an OpenLineage run: START, then COMPLETE (or FAIL when the
validation fails), with the validated data as the input dataset and its results as the
dataQualityAssertions and dataQualityMetrics facets. Sent with openlineage-python
(pip install openlineage-python).

How GX finds it: checkpoints list the action as {"type": "openlineage_gx", ...}, and GX builds each action
from the class registered under that type, which a class is when its module is imported
(great_expectations/checkpoint/actions.py: ValidationActionRegistry, MetaValidationAction).
great_expectations.yml names this module as the checkpoint store's module_name, so GX imports it
(from plugins_directory, which it puts on sys.path first) whenever it loads the project; the store
itself stays GX's own CheckpointStore. Without that line: `import openlineage_gx` before loading a checkpoint.

The key is read when the action runs: "${OPENLINEAGE_API_KEY}" in a checkpoint is filled in by GX from
the environment or from config_variables_file_path, so no checkpoint file holds it. Without a url, the
OpenLineage client's own config decides where events go (an openlineage.yml, OPENLINEAGE__TRANSPORT__*
variables, OPENLINEAGE_URL): a composite transport there sends them to several backends.
"""

import datetime
import logging
import os
import uuid
from typing import Any, Dict, List, Literal, Optional, Tuple, Union
from urllib.parse import urlparse

from great_expectations.checkpoint.actions import ValidationAction
# great_expectations.yml builds the checkpoint store from this module: it is GX's own class
from great_expectations.data_context.store import CheckpointStore  # noqa: F401
from great_expectations.datasource.fluent.config_str import ConfigStr

ACTION_TYPE = "openlineage_gx"
PRODUCER = "https://github.com/lineage-setup/lineage-setup/tree/v0.1.0"
log = logging.getLogger(__name__)

Value = Union[ConfigStr, str]


class OpenLineageAction(ValidationAction):
    """Sends each validation of the checkpoint to an OpenLineage endpoint; never fails the checkpoint."""

    type: Literal["openlineage_gx"] = "openlineage_gx"
    url: Optional[Value] = None
    endpoint: Value = "api/v1/lineage"
    namespace: Value
    api_key: Optional[Value] = None
    job_name: Optional[str] = None
    compression: Optional[str] = None

    def dict(self, **kwargs: Any) -> Dict[str, Any]:
        """What GX saves in the checkpoint: the optional settings only when set, as lineage-setup writes them."""
        data = super().dict(**kwargs)
        for name in ("url", "api_key", "compression"):
            if data.get(name) is None:
                data.pop(name, None)
        return data

    def run(self, checkpoint_result: Any, action_context: Any = None) -> Dict[str, Any]:
        try:
            url, endpoint, api_key = (self._text(value) for value in (self.url, self.endpoint, self.api_key))
            client = _client(url, endpoint, api_key, self.compression)
            results = checkpoint_result.run_results.items()
            runs = [self._send(client, checkpoint_result, *item) for item in results]
        except Exception as exc:  # lineage must never make a validation fail
            log.warning("OpenLineage: events not sent: %s", exc)
            return {"openlineage": "not sent: " + str(exc)}
        return {"openlineage": runs}

    def _text(self, value: Optional[Value]) -> str:
        if value is None:
            return ""
        return str(self._substitute_config_str_if_needed(value) or "")

    def _send(self, client: Any, checkpoint_result: Any, identifier: Any, result: Any) -> str:
        from openlineage.client.event_v2 import Job, Run, RunEvent, RunState

        meta = dict(result.meta or {})
        run_id = _new_run_id()
        name = self._job(checkpoint_result, identifier, meta)
        job = Job(namespace=self._text(self.namespace), name=name, facets=_job_facets())
        run = Run(runId=run_id, facets=_run_facets(meta))
        dataset = _dataset(meta)
        for state, when, facets in (
            (RunState.START, _started(meta), {}),
            (RunState.COMPLETE if result.success else RunState.FAIL, _now(), _quality_facets(result.results)),
        ):
            inputs = [_input(dataset, facets)]
            event = RunEvent(eventType=state, eventTime=when, run=run, job=job, inputs=inputs, producer=PRODUCER)
            client.emit(event)
        return run_id

    def _job(self, checkpoint_result: Any, identifier: Any, meta: Dict[str, Any]) -> str:
        """--job-name when given, else <checkpoint>.<validation definition>."""
        if self.job_name:
            return self.job_name
        checkpoint = checkpoint_result.checkpoint_config
        names = {str(each.id): each.name for each in checkpoint.validation_definitions if each.id}
        definition = names.get(str(meta.get("validation_id")))
        if definition is None:  # as OpenLineage's GE 0.x action names it: suite name + batch id
            definition = "{}.{}".format(meta.get("expectation_suite_name"), identifier.batch_identifier)
        return "{}.{}".format(checkpoint.name, definition)


def _client(url: str, endpoint: str, api_key: str, compression: Optional[str]) -> Any:
    from openlineage.client import OpenLineageClient
    from openlineage.client.transport.http import HttpConfig, HttpTransport

    if not url:  # the client's own config: openlineage.yml, OPENLINEAGE__TRANSPORT__*, OPENLINEAGE_URL
        return OpenLineageClient()
    config: Dict[str, Any] = {"type": "http", "url": url, "endpoint": endpoint}
    if api_key:
        config["auth"] = {"type": "api_key", "apiKey": api_key}
    if compression:  # HttpConfig reads it since openlineage-python 1.13.0
        config["compression"] = compression
    return OpenLineageClient(transport=HttpTransport(HttpConfig.from_dict(config)))


def _new_run_id() -> str:
    try:
        from openlineage.client.uuid import generate_new_uuid
    except ImportError:  # older clients: any UUID is a valid run id
        return str(uuid.uuid4())
    return str(generate_new_uuid())


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def _started(meta: Dict[str, Any]) -> str:
    """When GX started the validation (its validation_time), else now."""
    try:
        when = datetime.datetime.fromisoformat(str(meta.get("validation_time")))
    except ValueError:
        return _now()
    return (when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)).isoformat()


def _run_facets(meta: Dict[str, Any]) -> Dict[str, Any]:
    from openlineage.client.facet_v2 import processing_engine_run

    try:
        from openlineage.client import __version__ as client_version
    except ImportError:
        client_version = ""
    engine = processing_engine_run.ProcessingEngineRunFacet(
        version=str(meta.get("great_expectations_version") or ""),
        name="great_expectations",
        openlineageAdapterVersion=str(client_version),
    )
    return {"processing_engine": engine}


def _job_facets() -> Dict[str, Any]:
    from openlineage.client.facet_v2 import job_type_job

    facet = job_type_job.JobTypeJobFacet(
        processingType="BATCH", integration="GREAT_EXPECTATIONS", jobType="VALIDATION"
    )
    return {"jobType": facet}


# --- the validated data ----------------------------------------------------------------------------


def _dataset(meta: Dict[str, Any]) -> Tuple[str, str]:
    """(namespace, name) per OpenLineage's naming: a file by its path, a table by its database, else the
    data source and asset as GX names them."""
    spec = _mapping(meta.get("batch_spec"))
    batch = _mapping(meta.get("active_batch_definition"))
    path, table = spec.get("path"), spec.get("table_name")
    if isinstance(path, str) and path:
        return _file_dataset(path)
    source = str(batch.get("datasource_name") or "great_expectations")
    if isinstance(table, str) and table:
        schema = spec.get("schema_name")
        return _table_namespace(source), "{}.{}".format(schema, table) if schema else table
    return "great_expectations://" + source, str(batch.get("data_asset_name") or "unknown")


def _mapping(value: Any) -> Dict[str, Any]:
    """GX's batch spec and batch definition are dicts or dict-like objects."""
    try:
        return dict(value or {})
    except (TypeError, ValueError):
        return {}


def _file_dataset(path: str) -> Tuple[str, str]:
    parsed = urlparse(path)
    if parsed.scheme in ("", "file") or len(parsed.scheme) == 1:  # a local path (C:\\ on Windows too)
        local = parsed.path if parsed.scheme == "file" else path
        return "file", os.path.abspath(local)
    return "{}://{}".format(parsed.scheme, parsed.netloc), parsed.path.lstrip("/")


def _table_namespace(source: str) -> str:
    """The database a SQL data source connects to (scheme://host:port), credentials left out."""
    try:
        from great_expectations.data_context.data_context.context_factory import project_manager

        datasource = project_manager.get_datasources()[source]
        url = urlparse(str(getattr(datasource, "connection_string", "") or ""))
    except Exception:
        return "great_expectations://" + source
    if not url.scheme or "$" in url.geturl():
        return "great_expectations://" + source
    host = url.hostname or ""
    port = ":{}".format(url.port) if url.port else ""
    return "{}://{}{}".format(url.scheme.split("+")[0], host, port)


def _input(dataset: Tuple[str, str], facets: Dict[str, Any]) -> Any:
    from openlineage.client.event_v2 import InputDataset

    return InputDataset(namespace=dataset[0], name=dataset[1], inputFacets=facets)


# --- the results, as OpenLineage's data quality facets --------------------------------------------


def _quality_facets(results: List[Any]) -> Dict[str, Any]:
    from openlineage.client.facet_v2 import data_quality_assertions_dataset as assertions

    facets: Dict[str, Any] = {
        "dataQualityAssertions": assertions.DataQualityAssertionsDatasetFacet(
            assertions=[
                assertions.Assertion(assertion=_kind(each), success=bool(each.success), column=_column(each))
                for each in results
            ]
        )
    }
    metrics = _metrics(results)
    if metrics is not None:
        facets["dataQualityMetrics"] = metrics
    return facets


def _config(result: Any) -> Any:
    return getattr(result, "expectation_config", None)


def _kind(result: Any) -> str:
    config = _config(result)
    return str(getattr(config, "type", None) or getattr(config, "expectation_type", None) or "unknown")


def _column(result: Any) -> Optional[str]:
    kwargs = getattr(_config(result), "kwargs", None) or {}
    column = kwargs.get("column")
    return column if isinstance(column, str) else None


_ROW_COUNT = ("expect_table_row_count_to_be_between", "expect_table_row_count_to_equal")
# column expectation -> (metric, where GX puts the value in the result)
_COLUMN_METRICS = {
    "expect_column_values_to_not_be_null": ("nullCount", "unexpected_count"),
    "expect_column_unique_value_count_to_be_between": ("distinctCount", "observed_value"),
    "expect_column_min_to_be_between": ("min", "observed_value"),
    "expect_column_max_to_be_between": ("max", "observed_value"),
    "expect_column_sum_to_be_between": ("sum", "observed_value"),
}


def _metrics(results: List[Any]) -> Any:
    """dataQualityMetrics from what the expectations measured; None when they measured nothing."""
    from openlineage.client.facet_v2 import data_quality_metrics_input_dataset as dq

    row_count: Optional[int] = None
    columns: Dict[str, Dict[str, Any]] = {}
    for each in results:
        kind, column, result = _kind(each), _column(each), dict(getattr(each, "result", None) or {})
        if kind in _ROW_COUNT and _integer(result.get("observed_value")) is not None:
            row_count = _integer(result.get("observed_value"))
        if row_count is None and _integer(result.get("element_count")) is not None:
            row_count = _integer(result.get("element_count"))
        if column is not None and kind in _COLUMN_METRICS:
            metric, key = _COLUMN_METRICS[kind]
            counted = metric in ("nullCount", "distinctCount")
            value = _integer(result.get(key)) if counted else _number(result.get(key))
            if value is not None:
                columns.setdefault(column, {})[metric] = value
    if row_count is None and not columns:
        return None
    column_metrics = {name: dq.ColumnMetrics(**values) for name, values in columns.items()}
    return dq.DataQualityMetricsInputDatasetFacet(columnMetrics=column_metrics, rowCount=row_count)


def _integer(value: Any) -> Optional[int]:
    number = _number(value)
    return int(number) if number is not None and float(number).is_integer() else None


def _number(value: Any) -> Optional[float]:
    """A JSON number from GX's result (numpy scalars included); None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None
