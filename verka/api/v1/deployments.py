"""POST /deployments: upload BPMN, DMN and form files together; all or nothing."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from lxml import etree
from ninja import Router

from verka.access import processes as access
from verka.engine.checks import patterns
from verka.processes import services

from .. import idempotency
from ..auth import needs, owner_of, token_of
from ..models import Scope
from ..problems import ApiProblem, FieldError, forbidden, invalid
from .common import Output, key_text
from .respond import json_response

router = Router(tags=["deployments"])

FIELD = "resources"
SUFFIXES = (".bpmn", ".bpmn20.xml", ".dmn", ".form")
_FILENAME = re.compile(r"^[^\x00-\x1f/\\]{1,255}$")


def max_file_bytes() -> int:
    return int(getattr(settings, "VERKA_API_MAX_RESOURCE_BYTES", 5 * 1024 * 1024))


def max_files() -> int:
    return int(getattr(settings, "VERKA_API_MAX_RESOURCES", 50))


class DeployedDefinition(Output):
    id: str
    version: int


class DeployedResource(Output):
    name: str
    kind: str
    definitions: list[DeployedDefinition]


class DeploymentWarning(Output):
    file: str
    rule: str
    message: str
    elementId: str
    line: int | None


class DeploymentOut(Output):
    deploymentKey: str
    resources: list[DeployedResource]
    # What the Studio shows as warnings before publishing, for models deployed without it.
    warnings: list[DeploymentWarning]


_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FIELD],
                    "properties": {
                        FIELD: {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "files ending .bpmn, .dmn or .form",
                        },
                        "name": {"type": "string", "maxLength": 200},
                    },
                }
            }
        },
    }
}


@router.post(
    "/deployments",
    auth=needs(Scope.DEPLOY),
    response={201: DeploymentOut},
    openapi_extra=_BODY,
    summary="Deploy BPMN, DMN and form files",
    description="Multipart upload; every file is validated first and nothing is deployed if "
    "any is invalid (400 with `problems` naming file, line and element id). Unchanged "
    "definitions keep their version. For the digitalisation team and service accounts granted "
    "`deploy` (403 otherwise). Scope: deploy. Accepts `Idempotency-Key`. `warnings` lists "
    "what deploys but may misbehave, e.g. a regular expression that can backtrack "
    "catastrophically (rule `verka/regex-backtracking`), with file, element id and line.",
)
def deploy(request: HttpRequest) -> HttpResponse:
    if not access.may_deploy(owner_of(request)):
        raise forbidden(
            "deploying is for the digitalisation team and service accounts granted 'deploy'"
        )
    files, name = _read_upload(request)
    material = (
        b"".join(
            hashlib.sha256(filename.encode()).digest() + hashlib.sha256(content).digest()
            for filename, content in files
        )
        + name.encode()
    )

    def work() -> HttpResponse:
        result = services.deploy(files, user=token_of(request).owner, name=name)
        # Checked once the files are known to be valid models.
        warnings = [
            DeploymentWarning(
                file=found.file,
                rule=found.rule,
                message=found.message,
                elementId=found.element_id,
                line=found.line,
            )
            for filename, content in files
            for found in patterns.file_findings(filename, content)
        ]
        body = DeploymentOut(
            deploymentKey=str(key_text(result.deployment_id)),
            resources=[
                DeployedResource(
                    name=resource.name,
                    kind=str(resource.kind),
                    definitions=[
                        DeployedDefinition(id=ident, version=version)
                        for ident, version in resource.ids
                    ],
                )
                for resource in result.resources
            ],
            warnings=warnings,
        )
        return json_response(201, body)

    return idempotency.run(request, material, work)


def _has_doctype(content: bytes) -> bool:
    """Models from BPMN and DMN modelers never carry a DTD; entity tricks (billion laughs,
    external entities) need one, so a document with a DOCTYPE is refused outright."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        return False  # the deployment reports the syntax error with its line
    return bool(root.getroottree().docinfo.doctype)


def _read_upload(request: HttpRequest) -> tuple[list[tuple[str, bytes]], str]:
    content_type = request.content_type or ""
    if content_type != "multipart/form-data":
        raise ApiProblem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "send the files as multipart/form-data in the field 'resources'",
        )
    # Checked before Django reads the body, so an oversized upload costs nothing.
    limit = max_file_bytes() * max_files() + 1024 * 1024
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise ApiProblem(413, "too-large", "Request too large", f"at most {limit} bytes")
    uploads: list[UploadedFile] = request.FILES.getlist(FIELD)
    name = request.POST.get("name", "")
    errors: list[FieldError] = []
    unknown = set(request.FILES) - {FIELD} | set(request.POST) - {"name"}
    errors.extend(FieldError(field, "unknown_field", "unknown field") for field in sorted(unknown))
    if len(name) > 200 or "\x00" in name:
        errors.append(FieldError("name", "too_long", "at most 200 characters"))
    if not uploads:
        errors.append(FieldError(FIELD, "required", "upload at least one file"))
    if len(uploads) > max_files():
        errors.append(FieldError(FIELD, "too_many", f"at most {max_files()} files"))
    files: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for index, upload in enumerate(uploads[: max_files()]):
        path = f"{FIELD}[{index}]"
        filename = upload.name or ""
        if not _FILENAME.match(filename):
            errors.append(FieldError(path, "invalid_name", "a plain file name is needed"))
            continue
        if not filename.lower().endswith(SUFFIXES):
            errors.append(
                FieldError(path, "unknown_type", f"{filename}: expected .bpmn, .dmn or .form")
            )
            continue
        if filename in seen:
            errors.append(FieldError(path, "duplicate", f"{filename} is uploaded twice"))
            continue
        seen.add(filename)
        if upload.size is not None and upload.size > max_file_bytes():
            errors.append(
                FieldError(path, "too_large", f"{filename}: at most {max_file_bytes()} bytes")
            )
            continue
        content = upload.read(max_file_bytes() + 1)
        if len(content) > max_file_bytes():
            errors.append(
                FieldError(path, "too_large", f"{filename}: at most {max_file_bytes()} bytes")
            )
            continue
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as error:
            errors.append(
                FieldError(path, "not_utf8", f"{filename}: not UTF-8 at byte {error.start}")
            )
            continue
        if filename.lower().endswith((".bpmn", ".bpmn20.xml", ".dmn")) and _has_doctype(content):
            errors.append(
                FieldError(path, "doctype", f"{filename}: a DOCTYPE (DTD) is not allowed")
            )
            continue
        files.append((filename, content))
    if errors:
        raise invalid(errors)
    return files, name
