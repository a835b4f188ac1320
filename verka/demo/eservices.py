"""Exempelkommun's e-services: its deployed models and the catalogue entries citizens see."""

from __future__ import annotations

from verka.eservices.models import Category, EService
from verka.processes import services as processes

from .models import MODELS_DIR

CATEGORIES = [
    ("forskola-skola", "Förskola och skola", "Preschool and school"),
    ("bygga-bo", "Bygga och bo", "Building and housing"),
    ("gator-trafik", "Gator och trafik", "Streets and traffic"),
]

ESERVICES = [
    {
        "slug": "forskoleplats",
        "category": "forskola-skola",
        "title_sv": "Ansök om förskoleplats",
        "title_en": "Apply for a preschool place",
        "summary_sv": "Ansök om plats i förskola för ett eller flera barn, med önskat startdatum.",
        "summary_en": "Apply for a preschool place for one or more children, from a date you choose.",
        "description_sv": (
            "Barn från ett års ålder har rätt till förskola. Ansök senast fyra månader innan "
            "du behöver platsen: kommunen erbjuder en plats inom fyra månader från ansökan.\n\n"
            "Du rangordnar upp till tre förskolor. När vi erbjuder en plats svarar du på "
            "Mina sidor inom 14 dagar."
        ),
        "description_en": (
            "Children from the age of one have the right to a preschool place. Apply at least "
            "four months before you need it: the municipality offers a place within four "
            "months of the application.\n\nYou rank up to three preschools. When we offer a "
            "place, you answer on My pages within 14 days."
        ),
        "privacy_sv": (
            "Vi behandlar uppgifterna om dig och dina barn för att handlägga ansökan "
            "(rättslig grund: myndighetsutövning enligt skollagen). Uppgifterna sparas enligt "
            "kommunens dokumenthanteringsplan."
        ),
        "privacy_en": (
            "We process the information about you and your children to handle the application "
            "(legal basis: exercise of official authority under the Education Act). It is kept "
            "according to the municipality's records management plan."
        ),
        "handling_time_sv": "Erbjudande inom 4 månader",
        "handling_time_en": "An offer within 4 months",
        "bpmn_process_id": "preschoolPlacement",
        "start_form_id": "preschool-application",
        "case_prefix": "FSK",
        "allow_anonymous": False,
        "keywords": "förskola barn barnomsorg dagis plats preschool childcare",
        "order": 1,
    },
    {
        "slug": "bygglov",
        "category": "bygga-bo",
        "title_sv": "Ansök om bygglov",
        "title_en": "Apply for a building permit",
        "summary_sv": "Bygga nytt, bygga till eller ändra användningen av en byggnad.",
        "summary_en": "Build, extend, or change the use of a building.",
        "description_sv": (
            "Bifoga ritningar (PDF, PNG eller JPEG). Vi kontrollerar att ansökan är komplett "
            "och begär kompletteringar på Mina sidor. Beslut fattas inom 10 veckor från "
            "komplett ansökan; drar det ut på tiden sänks avgiften."
        ),
        "description_en": (
            "Attach drawings (PDF, PNG or JPEG). We check that the application is complete and "
            "ask for anything missing on My pages. A decision is made within 10 weeks of a "
            "complete application; if it takes longer, the fee is reduced."
        ),
        "privacy_sv": (
            "Vi behandlar dina uppgifter för att pröva ansökan enligt plan- och bygglagen. "
            "Grannar kan få ta del av ansökan vid grannhörande."
        ),
        "privacy_en": (
            "We process your information to assess the application under the Planning and "
            "Building Act. Neighbours may see the application when they are consulted."
        ),
        "handling_time_sv": "10 veckor från komplett ansökan",
        "handling_time_en": "10 weeks from a complete application",
        "bpmn_process_id": "buildingPermit",
        "start_form_id": "building-permit-application",
        "case_prefix": "BYG",
        "allow_anonymous": False,
        "keywords": "bygglov bygga tillbyggnad garage altan building permit",
        "order": 2,
    },
    {
        "slug": "felanmalan",
        "category": "gator-trafik",
        "title_sv": "Felanmälan gata och belysning",
        "title_en": "Report a fault in streets or lighting",
        "summary_sv": "Anmäl trasig gatubelysning, potthål och andra fel – utan att logga in.",
        "summary_en": "Report broken street lights, potholes and other faults – no login needed.",
        "description_sv": "Anmälan skickas direkt till kommunens driftentreprenör.",
        "description_en": "The report goes straight to the municipality's maintenance contractor.",
        "privacy_sv": "Lämnar du din e-post använder vi den bara för att ge återkoppling.",
        "privacy_en": "If you give your e-mail, we only use it to tell you how it went.",
        "handling_time_sv": "Åtgärd inom 2 veckor",
        "handling_time_en": "Fixed within 2 weeks",
        "bpmn_process_id": "faultReport",
        "start_form_id": "fault-report",
        "case_prefix": "FEL",
        "allow_anonymous": True,
        "keywords": "felanmälan gatubelysning lampa potthål väg fault pothole",
        "order": 3,
    },
]


def deployable() -> list[tuple[str, bytes]]:
    """The demo's models as the Studio deploys a project's files: each form with the texts of
    its `<form>.en.json` sidecar inside (see eservices.localized_schema)."""
    from verka.studio.services import with_translations

    return with_translations(
        {path.name: path.read_bytes().decode("utf-8") for path in sorted(MODELS_DIR.iterdir())
         if path.is_file() and path.suffix in (".bpmn", ".dmn", ".form", ".json")}
    )  # fmt: skip


def load_eservices() -> None:
    processes.deploy(
        deployable(),
        name="Exempelkommun",
    )
    categories = {}
    for slug, name_sv, name_en in CATEGORIES:
        categories[slug], _ = Category.objects.update_or_create(
            slug=slug, defaults={"name_sv": name_sv, "name_en": name_en}
        )
    for entry in ESERVICES:
        fields = {k: v for k, v in entry.items() if k not in ("slug", "category")}
        EService.objects.update_or_create(
            slug=entry["slug"],
            defaults={**fields, "category": categories[entry["category"]], "published": True},
        )


__all__ = ["MODELS_DIR", "load_eservices"]
