"""Server-side form-js forms: parse a schema, validate a submission with the browser's verdicts.

Steps: form-js has no pages, so a multi-step e-service treats each top-level `group` as one
step (`Form.steps`); top-level components outside any group form a step of their own where they
stand. A form without top-level groups is a single step. A group whose custom property
`verka:step` is `false` is not a step: it stays with the components around it.
"""

from verka.engine.forms.errors import FormError, FormSchemaError
from verka.engine.forms.model import (
    Component,
    FilePickerField,
    Form,
    FormField,
    Option,
    OptionsSource,
    Step,
    Validation,
)
from verka.engine.forms.result import FieldError, ValidationResult
from verka.engine.forms.schema import parse_form
from verka.engine.forms.submission import validate_submission
from verka.engine.forms.uploads import Upload, accepts_file, check_uploads

__all__ = [
    "Component",
    "FieldError",
    "FilePickerField",
    "Form",
    "FormError",
    "FormField",
    "FormSchemaError",
    "Option",
    "OptionsSource",
    "Step",
    "Upload",
    "ValidationResult",
    "Validation",
    "accepts_file",
    "check_uploads",
    "parse_form",
    "validate_submission",
]
