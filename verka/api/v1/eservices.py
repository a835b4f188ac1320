"""GET /eservices, /submissions and /indicators: the catalogue, the cases citizens submitted, and
the goals' indicators with their stored measurements and live monthly values."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router

from verka.access import cases as access
from verka.access import log
from verka.eservices.models import EService, Submission
from verka.goals.models import Indicator, Measurement
from verka.workspace.services import READ_CASE

from ..auth import needs, owner_of, via
from ..models import Scope
from ..problems import forbidden, not_found
from .common import Name, Output, PageQuery, key_text, paginate, timestamp

router = Router(tags=["e-services and indicators"])

Slug = Path(..., max_length=50, pattern=r"^[-a-zA-Z0-9_]+$", description="the e-service's slug")
CaseNumber = Path(..., max_length=32, pattern=r"^[A-Z0-9-]+$", description="e.g. BYG-2026-000042")


class EServiceOut(Output):
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    handlingTime: dict[str, str]
    category: str | None
    bpmnProcessId: str
    startFormId: str
    allowAnonymous: bool


class EServicePage(Output):
    items: list[EServiceOut]
    next: str | None


def _both(item: Any, field: str) -> dict[str, str]:
    return {"sv": getattr(item, f"{field}_sv"), "en": getattr(item, f"{field}_en") or ""}


def render_eservice(item: EService) -> EServiceOut:
    return EServiceOut(
        slug=item.slug,
        title=_both(item, "title"),
        summary=_both(item, "summary"),
        handlingTime=_both(item, "handling_time"),
        category=item.category.slug if item.category else None,
        bpmnProcessId=item.bpmn_process_id,
        startFormId=item.start_form_id,
        allowAnonymous=item.allow_anonymous,
    )


@router.get(
    "/eservices",
    auth=needs(Scope.ESERVICES_READ),
    response=EServicePage,
    summary="List published e-services",
    description="The public catalogue. Scope: eservices:read.",
)
def list_eservices(request: HttpRequest, page: Query[PageQuery]) -> Any:
    query = access.eservices_for(owner_of(request)).select_related("category")
    return paginate(query, page, render_eservice, key_field="id")


@router.get(
    "/eservices/{slug}",
    auth=needs(Scope.ESERVICES_READ),
    response=EServiceOut,
    summary="Get a published e-service",
    description="Scope: eservices:read.",
)
def get_eservice(request: HttpRequest, slug: str = Slug) -> Any:
    item = (
        access.eservices_for(owner_of(request)).filter(slug=slug).select_related("category").first()
    )
    if item is None:
        raise not_found(f"no published e-service '{slug}'")
    return render_eservice(item)


class SubmissionOut(Output):
    caseNumber: str
    eservice: str
    submittedAt: str
    processInstanceKey: str | None
    status: str
    answers: dict[str, Any]


class SubmissionPage(Output):
    items: list[SubmissionOut]
    next: str | None


class SubmissionFilter(PageQuery):
    eservice: Name | None = Field(None, description="an e-service slug")


def render_submission(item: Submission) -> SubmissionOut:
    from verka.cases.services import status_of

    return SubmissionOut(
        caseNumber=item.case_number,
        eservice=item.eservice.slug,
        submittedAt=timestamp(item.submitted_at) or "",
        processInstanceKey=key_text(item.process_instance_key),
        status=status_of(item).value,
        answers=item.data,
    )


@router.get(
    "/submissions",
    auth=needs(Scope.ESERVICES_READ),
    response=SubmissionPage,
    summary="List submitted applications (cases)",
    description="Oldest first. Only the cases the token's owner may read: an officer's "
    "processes, a service account's granted e-services, every case for the digitalisation "
    "team. Holds personal data: each case listed is written to the access log. "
    "Scope: eservices:read.",
)
def list_submissions(request: HttpRequest, filters: Query[SubmissionFilter]) -> Any:
    owner = owner_of(request)
    query = access.submissions_for(owner).select_related("eservice")
    if filters.eservice:
        query = query.filter(eservice__slug=filters.eservice)

    def logged(rows: Any) -> None:
        log.record_submissions(owner, log.READ, log.entry(READ_CASE, via(request)), rows)

    return paginate(query, filters, render_submission, key_field="id", seen=logged)


@router.get(
    "/submissions/{case_number}",
    auth=needs(Scope.ESERVICES_READ),
    response=SubmissionOut,
    summary="Get a submitted application by case number",
    description="404 for a case the token's owner may not read. Written to the access log. "
    "Scope: eservices:read.",
)
def get_submission(request: HttpRequest, case_number: str = CaseNumber) -> Any:
    owner = owner_of(request)
    item = access.submission_for(owner, case_number)
    if item is None:
        raise not_found(f"no case '{case_number}'")
    rendered = render_submission(item)
    log.record(owner, log.READ, log.entry(READ_CASE, via(request)), submission=item)
    return rendered


class IndicatorOut(Output):
    id: str
    name: dict[str, str]
    unit: str
    direction: str
    definitionVersion: int
    baseline: float | None
    targets: list[dict[str, Any]]


class IndicatorPage(Output):
    items: list[IndicatorOut]
    next: str | None


class MeasurementOut(Output):
    periodStart: str
    periodEnd: str
    value: float | None
    cases: int
    kind: str
    computedAt: str | None


class MeasurementPage(Output):
    items: list[MeasurementOut]
    next: str | None


def render_indicator(item: Indicator) -> IndicatorOut:
    return IndicatorOut(
        id=str(item.pk),
        name=_both(item, "name"),
        unit=item.unit,
        direction=item.direction,
        definitionVersion=item.version,
        baseline=item.baseline.value if item.baseline else None,
        targets=[{"from": t.date.isoformat(), "value": t.value} for t in item.targets.all()],
    )


def _indicators_allowed(request: HttpRequest) -> None:
    if not access.may_read_indicators(owner_of(request)):
        raise forbidden("indicators are for staff and service accounts granted 'indicators'")


def _indicator(indicator_id: int) -> Indicator:
    item = Indicator.objects.filter(pk=indicator_id).select_related("baseline").first()
    if item is None:
        raise not_found(f"no indicator {indicator_id}")
    return item


@router.get(
    "/indicators",
    auth=needs(Scope.ESERVICES_READ),
    response=IndicatorPage,
    summary="List the goals' indicators",
    description="With unit, direction, baseline and targets. For staff and service accounts "
    "granted `indicators`. Scope: eservices:read.",
)
def list_indicators(request: HttpRequest, page: Query[PageQuery]) -> Any:
    _indicators_allowed(request)
    query = Indicator.objects.select_related("baseline").prefetch_related("targets")
    return paginate(query, page, render_indicator, key_field="id")


@router.get(
    "/indicators/{indicator_id}/measurements",
    auth=needs(Scope.ESERVICES_READ),
    response=MeasurementPage,
    summary="An indicator's stored measurements (immutable snapshots and baselines)",
    description="Scope: eservices:read.",
)
def list_measurements(
    request: HttpRequest, page: Query[PageQuery], indicator_id: int = Path(..., ge=1, le=2**62)
) -> Any:
    _indicators_allowed(request)
    indicator = _indicator(indicator_id)
    query = Measurement.objects.filter(indicator=indicator)
    return paginate(
        query,
        page,
        lambda m: MeasurementOut(
            periodStart=timestamp(m.period_start) or "",
            periodEnd=timestamp(m.period_end) or "",
            value=m.value,
            cases=m.n,
            kind=m.kind,
            computedAt=timestamp(m.computed_at),
        ),
        key_field="id",
    )


@router.get(
    "/indicators/{indicator_id}/values",
    auth=needs(Scope.ESERVICES_READ),
    response=list[MeasurementOut],
    summary="An indicator per period, for the last months",
    description="One value per period (the indicator's month, quarter or year) of the last "
    "`months` months (1–36). A closed period comes from its scheduled snapshot "
    '(`kind` "snapshot", with `computedAt`) where the worker has taken one; the open period, '
    'and closed ones without a snapshot, are computed now (`kind` "live"). '
    "Scope: eservices:read.",
)
def indicator_values(
    request: HttpRequest,
    indicator_id: int = Path(..., ge=1, le=2**62),
    months: int = Query(12, ge=1, le=36),
) -> Any:
    from verka.goals.services import trend

    _indicators_allowed(request)
    indicator = _indicator(indicator_id)
    return [
        MeasurementOut(
            periodStart=timestamp(result.start) or "",
            periodEnd=timestamp(result.end) or "",
            value=result.value,
            cases=result.n,
            kind="live" if result.snapshot is None else "snapshot",
            computedAt=None if result.snapshot is None else timestamp(result.snapshot.computed_at),
        )
        for result in trend(indicator, months)
    ]
