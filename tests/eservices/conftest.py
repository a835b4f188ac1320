"""A small e-service for the tests: a two-step form with a file upload, and its process."""

from __future__ import annotations

import json

import pytest

from verka.eservices.models import Category, EService
from verka.processes import services as processes

from ..processes import models as m

FORM = {
    "id": "permit-form",
    "type": "default",
    "schemaVersion": 16,
    "components": [
        {
            "id": "stepProperty",
            "type": "group",
            "label": "Fastighet",
            "components": [
                {
                    "id": "propertyField",
                    "key": "property",
                    "type": "textfield",
                    "label": "Fastighetsbeteckning",
                    "validate": {"required": True, "maxLength": 40},
                },
                {
                    "id": "areaField",
                    "key": "area",
                    "type": "number",
                    "label": "Yta (m²)",
                    "validate": {"min": 1},
                },
            ],
        },
        {
            "id": "stepDrawings",
            "type": "group",
            "label": "Ritningar",
            "components": [
                {
                    "id": "drawingsField",
                    "key": "drawings",
                    "type": "filepicker",
                    "label": "Ritningar",
                    "accept": ".pdf,.png",
                    "multiple": True,
                },
                {
                    "id": "descriptionField",
                    "key": "description",
                    "type": "textarea",
                    "label": "Beskrivning",
                },
            ],
        },
    ],
    "verka:translations": {
        "en": {
            "stepProperty": {"label": "Property"},
            "propertyField": {"label": "Property designation"},
            "areaField": {"label": "Area (m²)"},
        }
    },
}

PROCESS = m.bpmn(
    '<bpmn:startEvent id="start"><bpmn:extensionElements>'
    '<zeebe:formDefinition formId="permit-form"/></bpmn:extensionElements></bpmn:startEvent>'
    '<bpmn:userTask id="check" name="Kontrollera"><bpmn:extensionElements><zeebe:userTask/>'
    '<zeebe:assignmentDefinition candidateGroups="bygglov"/></bpmn:extensionElements>'
    "</bpmn:userTask>"
    '<bpmn:endEvent id="end"/>' + m.flow("f1", "start", "check") + m.flow("f2", "check", "end"),
    process_id="permit",
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def permit_eservice(db):  # type: ignore[no-untyped-def]
    processes.deploy([("permit.bpmn", PROCESS), ("permit.form", json.dumps(FORM).encode())])
    category = Category.objects.create(slug="bygga", name_sv="Bygga och bo", name_en="Building")
    return EService.objects.create(
        slug="bygglov",
        category=category,
        title_sv="Ansök om bygglov",
        title_en="Apply for a building permit",
        summary_sv="Bygga nytt, bygga till eller ändra.",
        summary_en="Build, extend or alter.",
        handling_time_sv="10 veckor",
        handling_time_en="10 weeks",
        bpmn_process_id="permit",
        start_form_id="permit-form",
        case_prefix="BYG",
        published=True,
        keywords="bygga tillbyggnad",
    )
