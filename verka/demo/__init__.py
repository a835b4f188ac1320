"""The demo municipality, Exempelkommun: its people and, as features land, its e-services."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    kind: str
    display_name: str
    groups: tuple[str, ...] = ()
    superuser: bool = False


# Passwords are public on purpose: the demo is for trying Verka, never for real data.
DEMO_LOGINS = (
    DemoLogin("guardian (vårdnadshavare)", "anna", "demo-anna", "citizen", "Anna Andersson"),
    DemoLogin("builder (byggherre)", "bertil", "demo-bertil", "citizen", "Bertil Bengtsson"),
    DemoLogin(
        "placement officer (placeringshandläggare)",
        "petra",
        "demo-petra",
        "staff",
        "Petra Persson",
        ("förskola-placering",),
    ),
    DemoLogin(
        "building officer (bygglovshandläggare)",
        "olle",
        "demo-olle",
        "staff",
        "Olle Olsson",
        ("bygglov",),
    ),
    DemoLogin(
        "digitalisation team (admin)",
        "admin",
        "demo-admin",
        "staff",
        "Diana Digital",
        ("digitalisering",),
        True,
    ),
)


@transaction.atomic
def load_demo() -> tuple[DemoLogin, ...]:
    """Create whatever of the demo is missing; running it again changes nothing (deploying the
    same models again keeps their versions)."""
    from verka.accounts.mfa import ensure_demo_totp, required_for
    from verka.accounts.services import ensure_user

    from .eservices import load_eservices

    for login in DEMO_LOGINS:
        user = ensure_user(
            login.username,
            login.password,
            kind=login.kind,
            display_name=login.display_name,
            groups=login.groups,
            superuser=login.superuser,
        )
        if required_for(user):
            # Staff who must use a second factor get an authenticator app with the demo's
            # published key (verka.accounts.mfa.DEMO_TOTP_SECRET), printed with the logins.
            ensure_demo_totp(user)
    load_eservices()
    from verka.studio.demo import load_demo_projects

    load_demo_projects()
    return DEMO_LOGINS
