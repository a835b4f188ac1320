"""The HTTP side of the client: one method per REST endpoint, exact JSON numbers, problem
JSON raised as VerkaApiError."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx


class VerkaApiError(Exception):
    """The API answered with an error (a problem JSON); its fields are kept."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        self.status = status
        self.problem = dict(problem)
        self.type = str(problem.get("type", ""))
        self.title = str(problem.get("title", ""))
        self.detail = str(problem.get("detail", ""))
        self.errors: list[dict[str, Any]] = list(problem.get("errors", []))
        super().__init__(f"{status} {self.title}: {self.detail}".strip(": "))


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} is not a JSON number")
    return format(value, "f") if value == value.to_integral_value() else str(value)


def _write(value: Any, out: list[str]) -> None:
    # Decimal numbers are written with all their digits; the json module would round them.
    if isinstance(value, Decimal):
        out.append(_number(value))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            out.append(("," if index else "") + json.dumps(str(key)) + ":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif hasattr(value, "isoformat"):
        out.append(json.dumps(value.isoformat()))
    else:
        out.append(json.dumps(value, allow_nan=False))


def _dumps(value: Any) -> bytes:
    out: list[str] = []
    _write(value, out)
    return "".join(out).encode()


def _loads(content: bytes) -> Any:
    return json.loads(content, parse_float=Decimal)


class VerkaClient:
    """Calls the REST API with a bearer token. Every method returns the decoded JSON (or None
    for 204) and raises VerkaApiError for an error answer."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url + "/api/v1",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> VerkaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing ----------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        files: Any = None,
        data: Any = None,
        timeout: float | None = None,
    ) -> Any:
        send_headers = dict(headers or {})
        content = None
        if body is not None:
            content = _dumps(body)
            send_headers["Content-Type"] = "application/json"
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        extra: dict[str, Any] = {}
        if timeout is not None:
            extra["timeout"] = timeout
        response = self._http.request(
            method,
            path,
            content=content,
            params=query,
            headers=send_headers,
            files=files,
            data=data,
            **extra,
        )
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"title": response.reason_phrase, "detail": response.text[:500]}
            raise VerkaApiError(response.status_code, problem)
        if response.status_code == 204 or not response.content:
            return None
        if response.headers.get("Content-Type", "").startswith("application/json"):
            return _loads(response.content)
        return response.text

    def _pages(self, path: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        cursor = None
        while True:
            page = self.request("GET", path, params={**params, "cursor": cursor})
            yield from page["items"]
            cursor = page["next"]
            if not cursor:
                return

    # --- deployments and definitions ---------------------------------------------------

    def deploy(
        self, files: Mapping[str, bytes], *, name: str = "", idempotency_key: str | None = None
    ) -> Any:
        """Deploy {filename: content} (.bpmn, .dmn, .form) together."""
        upload = [("resources", (filename, content)) for filename, content in files.items()]
        return self.request(
            "POST",
            "deployments",
            files=upload,
            data={"name": name} if name else None,
            headers=_idempotency(idempotency_key),
        )

    def process_definitions(self, bpmn_process_id: str | None = None) -> Iterator[dict[str, Any]]:
        return self._pages("process-definitions", {"bpmnProcessId": bpmn_process_id})

    def process_definition(self, bpmn_process_id: str, version: int | None = None) -> Any:
        return self.request(
            "GET", f"process-definitions/{bpmn_process_id}", params={"version": version}
        )

    def process_definition_xml(self, bpmn_process_id: str, version: int | None = None) -> str:
        return str(
            self.request(
                "GET", f"process-definitions/{bpmn_process_id}/xml", params={"version": version}
            )
        )

    # --- process instances ---------------------------------------------------------------

    def start_instance(
        self,
        bpmn_process_id: str,
        variables: Mapping[str, Any] | None = None,
        *,
        version: int | None = None,
        business_key: str = "",
        idempotency_key: str | None = None,
    ) -> Any:
        body: dict[str, Any] = {"bpmnProcessId": bpmn_process_id}
        if variables is not None:
            body["variables"] = dict(variables)
        if version is not None:
            body["version"] = version
        if business_key:
            body["businessKey"] = business_key
        return self.request(
            "POST", "process-instances", body, headers=_idempotency(idempotency_key)
        )

    def start_instances(
        self,
        bpmn_process_id: str,
        instances: Sequence[Mapping[str, Any]],
        *,
        version: int | None = None,
        start_at: str = "",
        idempotency_key: str | None = None,
    ) -> list[Any]:
        """Start up to 1000 instances in one transaction, all or none; each item is
        {"variables": {...}, "businessKey": "..."} (both optional). The started instances
        come back in the order of `instances`."""
        body: dict[str, Any] = {
            "bpmnProcessId": bpmn_process_id,
            "instances": [dict(instance) for instance in instances],
        }
        if version is not None:
            body["version"] = version
        if start_at:
            body["startAt"] = start_at
        answer = self.request(
            "POST", "process-instances/batch", body, headers=_idempotency(idempotency_key)
        )
        return list(answer["items"])

    def process_instances(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Filters: bpmnProcessId, status, businessKey, hasIncident; follows the cursor."""
        return self._pages("process-instances", filters)

    def process_instance(self, key: str | int) -> Any:
        return self.request("GET", f"process-instances/{key}")

    def cancel_instance(self, key: str | int) -> None:
        self.request("POST", f"process-instances/{key}/cancellation", {})

    def set_variables(self, key: str | int, variables: Mapping[str, Any]) -> None:
        self.request("PUT", f"process-instances/{key}/variables", {"variables": dict(variables)})

    # --- user tasks and incidents ----------------------------------------------------------

    def user_tasks(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Filters: state, assignee, candidateGroup, candidateUser, processInstanceKey."""
        return self._pages("user-tasks", filters)

    def complete_user_task(
        self, key: str | int, variables: Mapping[str, Any] | None = None
    ) -> None:
        self.request("POST", f"user-tasks/{key}/completion", {"variables": dict(variables or {})})

    def incidents(self, **filters: Any) -> Iterator[dict[str, Any]]:
        return self._pages("incidents", filters)

    def resolve_incident(self, key: str | int, retries: int | None = None) -> None:
        body = {"retries": retries} if retries is not None else {}
        self.request("POST", f"incidents/{key}/resolution", body)

    # --- messages and signals ----------------------------------------------------------------

    def publish_message(
        self,
        name: str,
        correlation_key: str = "",
        variables: Mapping[str, Any] | None = None,
        *,
        time_to_live: str = "PT0S",
        message_id: str = "",
    ) -> Any:
        body = {
            "name": name,
            "correlationKey": correlation_key,
            "variables": dict(variables or {}),
            "timeToLive": time_to_live,
            "messageId": message_id,
        }
        return self.request("POST", "messages/publication", body)

    def correlate_message(
        self, name: str, correlation_key: str = "", variables: Mapping[str, Any] | None = None
    ) -> Any:
        body = {"name": name, "correlationKey": correlation_key, "variables": dict(variables or {})}
        return self.request("POST", "messages/correlation", body)

    def broadcast_signal(self, name: str, variables: Mapping[str, Any] | None = None) -> Any:
        body = {"signalName": name, "variables": dict(variables or {})}
        return self.request("POST", "signals/broadcast", body)

    # --- jobs ----------------------------------------------------------------------------

    def activate_jobs(
        self,
        job_type: str,
        worker: str,
        *,
        max_jobs: int = 10,
        timeout_ms: int = 300_000,
        request_timeout_ms: int = 0,
        fetch_variables: list[str] | None = None,
    ) -> list[ActivatedJob]:
        body: dict[str, Any] = {
            "type": job_type,
            "worker": worker,
            "maxJobsToActivate": max_jobs,
            "timeout": timeout_ms,
            "requestTimeout": request_timeout_ms,
        }
        if fetch_variables is not None:
            body["fetchVariable"] = fetch_variables
        # The HTTP timeout must outlast the server's long poll.
        answer = self.request(
            "POST",
            "jobs/activation",
            body,
            timeout=request_timeout_ms / 1000 + self._http.timeout.read + 5
            if self._http.timeout.read
            else None,
        )
        return [ActivatedJob.from_json(job) for job in answer["jobs"]]

    def complete_job(self, key: str | int, variables: Mapping[str, Any] | None = None) -> None:
        self.request("POST", f"jobs/{key}/completion", {"variables": dict(variables or {})})

    def fail_job(
        self,
        key: str | int,
        retries: int,
        error_message: str = "",
        *,
        retry_backoff_ms: int = 0,
        variables: Mapping[str, Any] | None = None,
    ) -> None:
        body = {
            "retries": retries,
            "errorMessage": error_message,
            "retryBackOff": retry_backoff_ms,
            "variables": dict(variables or {}),
        }
        self.request("POST", f"jobs/{key}/failure", body)

    def throw_error(
        self,
        key: str | int,
        error_code: str,
        error_message: str = "",
        variables: Mapping[str, Any] | None = None,
    ) -> None:
        body = {
            "errorCode": error_code,
            "errorMessage": error_message,
            "variables": dict(variables or {}),
        }
        self.request("POST", f"jobs/{key}/error", body)

    def update_job(
        self, key: str | int, *, timeout_ms: int | None = None, retries: int | None = None
    ) -> None:
        changeset: dict[str, int] = {}
        if timeout_ms is not None:
            changeset["timeout"] = timeout_ms
        if retries is not None:
            changeset["retries"] = retries
        self.request("PATCH", f"jobs/{key}", {"changeset": changeset})


def _param(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value


def _idempotency(key: str | None) -> dict[str, str]:
    return {"Idempotency-Key": key} if key else {}


@dataclass(frozen=True)
class ActivatedJob:
    key: str
    type: str
    process_instance_key: str
    bpmn_process_id: str
    element_id: str
    element_instance_key: str
    retries: int
    deadline: str
    custom_headers: dict[str, str] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ActivatedJob:
        return cls(
            key=str(data["jobKey"]),
            type=str(data["type"]),
            process_instance_key=str(data["processInstanceKey"]),
            bpmn_process_id=str(data["bpmnProcessId"]),
            element_id=str(data["elementId"]),
            element_instance_key=str(data["elementInstanceKey"]),
            retries=int(data["retries"]),
            deadline=str(data["deadline"]),
            custom_headers=dict(data.get("customHeaders", {})),
            variables=dict(data.get("variables", {})),
        )
