"""The Studio's HTML forms: they clean what people type; services.py decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import starters
from .models import SETTINGS_FIELDS, Project

TEMPLATE_CHOICES = [
    ("empty", _("Tom: en starthändelse, en sluthändelse och ett startformulär")),
    ("application", _("Ansökan: startformulär och en handläggaruppgift med beslutsformulär")),
]
assert [value for value, _label in TEMPLATE_CHOICES] == list(starters.TEMPLATES)


class NoColon:
    """Verka's labels have no trailing colon (Django adds one by default)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CreateProjectForm(NoColon, forms.Form):
    slug = forms.SlugField(
        label=_("Kortnamn"),
        max_length=50,
        help_text=_(
            "Blir e-tjänstens adress, t.ex. parkeringstillstand. Små bokstäver, siffror och bindestreck."
        ),
    )
    title_sv = forms.CharField(label=_("Rubrik (svenska)"), max_length=200)
    title_en = forms.CharField(label=_("Rubrik (engelska)"), max_length=200, required=False)
    template = forms.ChoiceField(
        label=_("Börja från"), choices=TEMPLATE_CHOICES, initial="empty", widget=forms.RadioSelect
    )


class ImportProjectForm(NoColon, forms.Form):
    archive = forms.FileField(label=_("Projektarkiv (.zip)"))
    slug = forms.SlugField(
        label=_("Kortnamn"),
        max_length=50,
        required=False,
        help_text=_("Lämna tomt för att använda kortnamnet i arkivet."),
    )


class ArchiveForm(NoColon, forms.Form):
    archive = forms.FileField(label=_("Projektarkiv (.zip)"))


class SettingsForm(NoColon, forms.ModelForm):
    class Meta:
        model = Project
        fields = ["category", *SETTINGS_FIELDS]
        widgets = {
            "description_sv": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "privacy_sv": forms.Textarea(attrs={"rows": 3}),
            "privacy_en": forms.Textarea(attrs={"rows": 3}),
        }


class NewFileForm(NoColon, forms.Form):
    name = forms.CharField(
        label=_("Filnamn"),
        max_length=100,
        help_text=_("Slutar på .bpmn, .dmn, .form, .test.json eller .en.json"),
    )


class UploadForm(NoColon, forms.Form):
    file = forms.FileField(
        label=_("Fil"),
        help_text=_("En fil med samma namn ersätts; innehållet sparas byte för byte."),
    )


class RenameForm(NoColon, forms.Form):
    new_name = forms.CharField(label=_("Nytt namn"), max_length=100)


class VersionForm(NoColon, forms.Form):
    message = forms.CharField(label=_("Vad har ändrats?"), max_length=500, required=False)


class PublishForm(NoColon, forms.Form):
    catalogue_visible = forms.BooleanField(
        label=_("Visa e-tjänsten i e-tjänstekatalogen"), required=False, initial=True
    )
    message = forms.CharField(label=_("Beskrivning av versionen"), max_length=500, required=False)


class TestInstanceForm(NoColon, forms.Form):
    variables = forms.CharField(
        label=_("Variabler (JSON-objekt)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        initial="{}",
    )


class TextFileForm(NoColon, forms.Form):
    content = forms.CharField(
        label=_("Innehåll"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
    )
    sha = forms.CharField(widget=forms.HiddenInput)
