"""Texts of field errors, keyed by error code, in Swedish and English."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

# code -> (Swedish, English); placeholders are filled from FieldError.params.
MESSAGES: Mapping[str, tuple[str, str]] = {
    "required": ("Fältet är obligatoriskt.", "This field is required."),
    "min": ("Värdet måste vara minst {min}.", "The value must be at least {min}."),
    "max": ("Värdet får vara högst {max}.", "The value must be at most {max}."),
    "too_short": (
        "Skriv minst {min_length} tecken.",
        "Enter at least {min_length} characters.",
    ),
    "too_long": (
        "Skriv högst {max_length} tecken.",
        "Enter at most {max_length} characters.",
    ),
    "pattern": ("Värdet har inte rätt format.", "The value does not have the expected format."),
    "email": ("Ange en giltig e-postadress.", "Enter a valid e-mail address."),
    "phone": (
        "Ange ett internationellt telefonnummer, till exempel +46701234567.",
        "Enter an international phone number, for example +46701234567.",
    ),
    "not_a_number": ("Ange ett tal.", "Enter a number."),
    "not_an_integer": ("Ange ett heltal.", "Enter a whole number."),
    "decimal_digits": (
        "Ange högst {decimal_digits} decimaler.",
        "Enter at most {decimal_digits} decimal places.",
    ),
    "increment": (
        "Välj ett giltigt värde. De närmaste giltiga värdena är {previous} och {next}.",
        "Choose a valid value. The nearest valid values are {previous} and {next}.",
    ),
    "invalid_constraint": (
        "Formulärets regel för fältet kunde inte beräknas.",
        "The form's rule for this field could not be worked out.",
    ),
    "invalid_type": ("Värdet har fel typ.", "The value has the wrong type."),
    "pattern_timeout": (
        "Värdet kunde inte kontrolleras mot fältets format i tid. Korta eller ändra värdet.",
        "The value could not be checked against the field's format in time. Shorten or"
        " change the value.",
    ),
    "evaluation_stopped": (
        "Formuläret kunde inte kontrolleras eftersom en av dess regler tog för lång tid."
        " Kontakta den som ansvarar för e-tjänsten.",
        "The form could not be checked because one of its rules took too long. Contact"
        " whoever runs the e-service.",
    ),
    "invalid_option": (
        "Välj ett av de alternativ som finns.",
        "Choose one of the options offered.",
    ),
    "duplicate_option": (
        "Samma alternativ är valt mer än en gång.",
        "The same option is chosen more than once.",
    ),
    "invalid_date": ("Ange ett giltigt datum (ÅÅÅÅ-MM-DD).", "Enter a valid date (YYYY-MM-DD)."),
    "invalid_time": ("Ange en giltig tid (TT:MM).", "Enter a valid time (HH:MM)."),
    "invalid_datetime": (
        "Ange ett giltigt datum och en giltig tid.",
        "Enter a valid date and time.",
    ),
    "date_in_past": (
        "Datumet får inte ha passerat.",
        "The date must not be in the past.",
    ),
    "unknown_field": (
        "Formuläret har inget fält som heter ”{key}”.",
        "The form has no field called “{key}”.",
    ),
    "hidden_field": (
        "Fältet visas inte och kan därför inte fyllas i.",
        "This field is not shown and so cannot be filled in.",
    ),
    "disabled_field": (
        "Fältet är inaktiverat och kan inte fyllas i.",
        "This field is disabled and cannot be filled in.",
    ),
    "readonly_field": (
        "Fältet är skrivskyddat och kan inte ändras.",
        "This field is read-only and cannot be changed.",
    ),
    "invalid_item_count": (
        "Antalet rader kan inte ändras (ska vara {expected}).",
        "The number of rows cannot be changed (it must be {expected}).",
    ),
    "file_type": (
        "Filtypen är inte tillåten. Tillåtna typer: {accept}.",
        "This type of file is not allowed. Allowed types: {accept}.",
    ),
    "file_too_large": (
        "Filen är för stor. Största tillåtna storlek är {max_size} byte.",
        "The file is too large. The largest size allowed is {max_size} bytes.",
    ),
    "too_many_files": ("Välj bara en fil.", "Choose only one file."),
    "invalid_file": ("Filen kunde inte tas emot.", "The file could not be accepted."),
}


def render(code: str, params: Mapping[str, object]) -> tuple[str, str]:
    """The Swedish and English text for an error code, with its parameters filled in."""
    swedish, english = MESSAGES[code]
    sv_params = {name: _format_sv(value) for name, value in params.items()}
    en_params = {name: _format_en(value) for name, value in params.items()}
    return swedish.format_map(_Lenient(sv_params)), english.format_map(_Lenient(en_params))


def _format_en(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _format_sv(value: object) -> str:
    # Swedish writes a decimal comma: 2,5 rather than 2.5.
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
    return str(value)


class _Lenient(dict[str, str]):
    """Leaves an unknown placeholder visible instead of failing on it."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
