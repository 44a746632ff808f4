"""The few Databricks REST calls `lineage-setup databricks --apply` makes (httpx, imported when used).

Endpoints and bodies follow databricks/databricks-sdk-py v0.162.0: `databricks/sdk/service/compute.py`
(clusters/get, /update, /edit) and `databricks/sdk/service/workspace.py` (workspace/export, /mkdirs, /import).
Every failure becomes an ApiError carrying the HTTP status and Databricks' error_code, so the caller can
say which step failed; the token never appears in a message (it is registered with redact by the caller too).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

if TYPE_CHECKING:
    import httpx

Cluster: TypeAlias = dict[str, Any]  # a clusters/get answer: the cluster's spec and state, as JSON
InitScript: TypeAlias = dict[str, Any]  # one init_scripts entry, e.g. {"workspace": {"destination": "/Shared/x.sh"}}

# Fields clusters/edit accepts (databricks-sdk EditCluster); everything else in clusters/get is read-only.
EDITABLE = (
    "apply_policy_default_values",
    "autoscale",
    "autotermination_minutes",
    "aws_attributes",
    "azure_attributes",
    "cluster_id",
    "cluster_log_conf",
    "cluster_name",
    "custom_tags",
    "data_security_mode",
    "docker_image",
    "driver_instance_pool_id",
    "driver_node_type_id",
    "enable_elastic_disk",
    "enable_local_disk_encryption",
    "gcp_attributes",
    "init_scripts",
    "instance_pool_id",
    "is_single_node",
    "kind",
    "node_type_id",
    "num_workers",
    "policy_id",
    "runtime_engine",
    "single_user_name",
    "spark_conf",
    "spark_env_vars",
    "spark_version",
    "ssh_public_keys",
    "use_ml_runtime",
    "workload_type",
)
_NO_SUCH_ENDPOINT = {"ENDPOINT_NOT_FOUND", "NOT_IMPLEMENTED", "FEATURE_DISABLED"}


class ApiError(Exception):
    def __init__(self, status: int | None, code: str, message: str) -> None:
        super().__init__(f"{status or code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    @property
    def no_such_endpoint(self) -> bool:
        """The workspace does not offer this API (so an older call can be tried)."""
        return self.status in (404, 405, 501) and (self.code in _NO_SUCH_ENDPOINT or self.code == "HTTP")

    def describe(self, host: str) -> str:
        detail = f"{self.code}: {self.message}" if self.code not in ("HTTP", "") else self.message
        if self.status == 401:
            return f"the token was rejected (401); check that DATABRICKS_TOKEN is a valid token for {host}"
        if self.status == 403:
            return f"permission denied (403, {detail}); the token's user lacks the permission this step needs"
        if self.code == "INVALID_STATE":
            return (
                f"the cluster cannot be changed in its current state ({detail}); Databricks accepts edits "
                "to a running or terminated cluster: wait until it is, then run this again"
            )
        if self.status == 404:
            return f"not found (404, {detail})"
        if self.status is None:
            return self.message
        return f"HTTP {self.status} ({detail})"


class Api(Protocol):
    """The calls --apply makes: Client, or a fake in tests. Each raises ApiError when the call fails."""

    @property
    def host(self) -> str: ...

    def get_cluster(self, cluster_id: str) -> Cluster: ...

    def export_file(self, path: str) -> bytes | None: ...

    def mkdirs(self, path: str) -> None: ...

    def import_file(self, path: str, content: bytes) -> None: ...

    def update_cluster(self, cluster_id: str, fields: Cluster) -> None: ...

    def edit_cluster(self, spec: Cluster) -> None: ...


class Client:
    def __init__(self, host: str, token: str, timeout: float = 30.0) -> None:
        self.host = host
        self._token = token
        self.timeout = timeout

    def _call(self, method: str, path: str, *, params: dict[str, str] | None = None, body: Any = None) -> Any:
        import httpx

        headers = {"Authorization": f"Bearer {self._token}", "User-Agent": "lineage-setup"}
        try:
            with httpx.Client(base_url=self.host, timeout=self.timeout, follow_redirects=False) as http:
                response = http.request(method, path, params=params, json=body, headers=headers)
        except httpx.TimeoutException:
            raise ApiError(None, "TIMEOUT", f"{self.host} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise ApiError(None, "NETWORK", f"cannot reach {self.host} ({type(exc).__name__}: {exc})") from None
        return _result(response)

    def get_cluster(self, cluster_id: str) -> Cluster:
        found = self._call("GET", "/api/2.1/clusters/get", params={"cluster_id": cluster_id})
        if not isinstance(found, dict):
            raise ApiError(200, "UNEXPECTED", "clusters/get did not return a cluster")
        return found

    def export_file(self, path: str) -> bytes | None:
        """The workspace file's bytes, or None when there is none at `path`."""
        try:
            found = self._call("GET", "/api/2.0/workspace/export", params={"path": path, "format": "AUTO"})
        except ApiError as exc:
            if exc.status == 404 or exc.code == "RESOURCE_DOES_NOT_EXIST":
                return None
            raise
        try:
            return base64.b64decode(found["content"], validate=True)
        except (KeyError, TypeError, ValueError):
            return None

    def mkdirs(self, path: str) -> None:
        self._call("POST", "/api/2.0/workspace/mkdirs", body={"path": path})

    def import_file(self, path: str, content: bytes) -> None:
        body = {
            "path": path,
            "format": "AUTO",  # a #!/bin/bash .sh lands as a workspace file
            "content": base64.b64encode(content).decode("ascii"),
            "overwrite": True,
        }
        self._call("POST", "/api/2.0/workspace/import", body=body)

    def update_cluster(self, cluster_id: str, fields: Cluster) -> None:
        """Replace only these fields (each map or list whole)."""
        body = {"cluster_id": cluster_id, "update_mask": ",".join(fields), "cluster": fields}
        self._call("POST", "/api/2.1/clusters/update", body=body)

    def edit_cluster(self, spec: Cluster) -> None:
        """Replace the whole spec (the older call): send every editable field we read."""
        self._call("POST", "/api/2.1/clusters/edit", body={k: v for k, v in spec.items() if k in EDITABLE})


def _result(response: httpx.Response) -> Any:
    status = response.status_code
    if 300 <= status < 400:
        where = response.headers.get("location", "elsewhere")
        raise ApiError(status, "REDIRECT", f"redirected to {where}; pass the workspace URL itself as --host")
    try:
        data = response.json() if response.content else {}
    except ValueError:
        data = None
    if status >= 400:
        code = data.get("error_code", "HTTP") if isinstance(data, dict) else "HTTP"
        message = data.get("message", "") if isinstance(data, dict) else ""
        raise ApiError(status, str(code), str(message) or response.reason_phrase or "no details")
    if data is None:
        raise ApiError(status, "UNEXPECTED", "the answer was not JSON (is --host the workspace URL?)")
    return data
