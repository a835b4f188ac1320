"""My pages: the citizen's cases."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from verka.eservices.models import Draft, Submission


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/my_cases.html",
        {
            "submissions": Submission.objects.filter(applicant=request.user).select_related(
                "eservice"
            ),
            "drafts": Draft.objects.filter(owner=request.user).select_related("eservice"),
        },
    )
