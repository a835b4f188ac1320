"""Staff log in with more than a password: the digitalisation team (and, if configured, all staff)
must verify a second factor before any staff page opens; citizens are not asked."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from verka.accounts import mfa
from verka.accounts.models import User

from .conftest import demo_users, log_in, logged_in_user_id
from .helpers import current_code, log_in_with_second_factor, second_factor_device

pytestmark = pytest.mark.django_db

STAFF_LOGIN = "/konto/logga-in/personal/"
VERIFY = "/konto/tvastegsverifiering/"
SECURITY = "/konto/sakerhet/"
ADD_APP = "/konto/sakerhet/app/"
STAFF_PAGES = ["/studio/", "/handlaggning/", "/handlaggning/drift/", "/admin/", "/mal/"]


@pytest.fixture
def people(demo_on):
    demo_users()
    return demo_on


def password_login(client: Client, username: str, password: str, next_url: str = "") -> object:
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(STAFF_LOGIN, data)


def test_the_digitalisation_team_cannot_reach_staff_pages_with_a_password_alone(people):
    client = Client()
    response = password_login(client, "admin", "demo-admin", next_url="/studio/")
    # Logged in by the password, but sent to enrol a second factor first.
    assert response.status_code == 302
    assert response["Location"] == SECURITY + "?next=%2Fstudio%2F"
    for page in STAFF_PAGES:
        blocked = client.get(page)
        assert blocked.status_code == 302, page
        assert blocked["Location"].startswith(SECURITY + "?next="), page
    # A POST is held too (e.g. publishing from the Studio).
    assert client.post("/studio/", {}).status_code == 302


def test_a_member_of_the_team_who_is_no_superuser_is_held_too(people):
    dora = User.objects.create_user("dora", password="pw-dora-1", kind="staff", is_staff=True)
    from django.contrib.auth.models import Group

    dora.groups.add(Group.objects.get_or_create(name="digitalisering")[0])
    client = Client()
    assert password_login(client, "dora", "pw-dora-1")["Location"].startswith(SECURITY)
    assert client.get("/handlaggning/drift/")["Location"].startswith(SECURITY)


def test_enrolling_an_authenticator_app_with_a_computed_code(people):
    client = Client()
    password_login(client, "admin", "demo-admin")
    page = client.get(ADD_APP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    secret = re.search(r'data-secret="([A-Z2-7]+)"', html).group(1)
    device = TOTPDevice.objects.get(user__username="admin", confirmed=False)
    assert secret == mfa.secret_base32(device)

    wrong = client.post(ADD_APP, {"code": "000000" if current_code(device) != "000000" else "1"})
    assert wrong.status_code == 400
    assert "Koden stämmer inte" in wrong.content.decode()
    assert client.get("/studio/").status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    enrolled = client.post(ADD_APP, {"code": current_code(device)})
    assert enrolled.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", enrolled.content.decode())
    assert len(codes) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", code) for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    for page in STAFF_PAGES:
        assert client.get(page).status_code == 200, page


def test_the_next_login_asks_for_the_code_and_a_right_one_opens_the_staff_pages(people):
    admin = User.objects.get(username="admin")
    device = second_factor_device(admin)
    client = Client()
    response = password_login(client, "admin", "demo-admin", next_url="/studio/")
    assert response["Location"] == VERIFY + "?next=%2Fstudio%2F"
    assert client.get("/studio/")["Location"].startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200

    wrong = client.post(VERIFY, {"code": "12345x", "next": "/studio/"})
    assert wrong.status_code == 400
    assert client.get("/studio/").status_code == 302

    right = client.post(VERIFY, {"code": current_code(device), "next": "/studio/"})
    assert right.status_code == 302 and right["Location"] == "/studio/"
    assert client.get("/studio/").status_code == 200


def test_wrong_codes_are_throttled(people):
    admin = User.objects.get(username="admin")
    device = second_factor_device(admin)
    client = Client()
    password_login(client, "admin", "demo-admin")
    for _ in range(3):
        client.post(VERIFY, {"code": "000001" if current_code(device) != "000001" else "000002"})
    # After three wrong codes even the right one waits (1, 2, 4 … seconds).
    refused = client.post(VERIFY, {"code": current_code(device)})
    assert refused.status_code == 400
    assert "Vänta" in refused.content.decode()
    assert client.get("/studio/").status_code == 302


def test_a_recovery_code_works_once(people):
    admin = User.objects.get(username="admin")
    second_factor_device(admin)
    codes = mfa.new_recovery_codes(admin)
    first = Client()
    password_login(first, "admin", "demo-admin")
    typed = codes[0].upper().replace("-", " ")  # as someone might type it
    assert first.post(VERIFY, {"code": typed}).status_code == 302
    assert first.get("/studio/").status_code == 200
    again = Client()
    password_login(again, "admin", "demo-admin")
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert mfa.recovery_codes_left(admin) == 9


def test_other_staff_log_in_with_a_password_unless_all_staff_are_required(people):
    client = Client()
    response = password_login(client, "olle", "demo-olle")
    assert response["Location"] == "/handlaggning/"
    assert client.get("/handlaggning/").status_code == 200
    # The Django admin always wants a second factor.
    assert client.get("/admin/")["Location"].startswith(SECURITY)

    people.VERKA_MFA_REQUIRED_FOR = "staff"
    strict = Client()
    assert password_login(strict, "olle", "demo-olle")["Location"].startswith(SECURITY)
    assert strict.get("/handlaggning/")["Location"].startswith(SECURITY)


def test_other_groups_can_be_required(people):
    people.VERKA_MFA_GROUPS = ["bygglov"]
    client = Client()
    assert password_login(client, "olle", "demo-olle")["Location"].startswith(SECURITY)


def test_staff_who_enrolled_a_device_are_always_asked_for_it(people):
    second_factor_device(User.objects.get(username="olle"))
    client = Client()
    assert password_login(client, "olle", "demo-olle")["Location"].startswith(VERIFY)


def test_citizens_are_not_asked(people):
    client = Client()
    log_in(client, "anna")
    assert logged_in_user_id(client) is not None
    assert client.get("/mina-sidor/").status_code == 200
    assert client.get(SECURITY).status_code == 404


def test_staff_oidc_without_a_vouched_second_factor_gets_verkas_step(people):
    client = Client()
    response = log_in(client, "admin", provider="demo-personal", next_url="/studio/")
    assert response.status_code == 302
    assert response["Location"] == SECURITY + "?next=%2Fstudio%2F"
    assert client.get("/studio/")["Location"].startswith(SECURITY)


def test_a_staff_provider_vouches_only_for_the_claim_values_it_is_configured_with():
    from verka.accounts.oidc_config import parse_provider

    staff = parse_provider(
        {
            "name": "ad",
            "issuer": "https://idp.example",
            "client_id": "x",
            "kind": "staff",
            "mfa_amr": "mfa, hwk",
            "mfa_acr": "http://id.elegnamnden.se/loa/1.0/loa3",
        },
        where="test",
    )
    vouches = mfa.provider_vouches_for_factors
    assert vouches(staff, {"amr": ["pwd", "mfa"]})
    assert vouches(staff, {"amr": ["hwk"]})
    assert vouches(staff, {"acr": "http://id.elegnamnden.se/loa/1.0/loa3"})
    assert not vouches(staff, {"amr": ["pwd"]})
    assert not vouches(staff, {"amr": "mfa"})  # amr is a list (RFC 8176), not a string
    assert not vouches(staff, {"acr": "http://id.elegnamnden.se/loa/1.0/loa2"})
    default = parse_provider(
        {"name": "ad2", "issuer": "https://idp.example", "client_id": "x", "kind": "staff"},
        where="test",
    )
    assert not vouches(default, {"amr": ["mfa"]})  # nothing is trusted unless configured


def test_a_citizen_provider_cannot_be_given_mfa_claims():
    from verka.accounts.oidc_config import ProviderConfigError, parse_provider

    with pytest.raises(ProviderConfigError, match="MFA_AMR applies only to KIND=staff"):
        parse_provider(
            {"name": "eid", "issuer": "https://idp.example", "client_id": "x", "mfa_amr": "mfa"},
            where="test",
        )


def test_an_oidc_login_the_provider_vouched_for_opens_the_staff_pages(people):
    client = Client()
    log_in(client, "admin", provider="demo-personal")
    session = client.session
    request = type("R", (), {"session": session})()
    mfa.note_oidc_login(request, "demo-personal", True)
    session.save()
    assert client.get("/studio/").status_code == 200


def test_the_helper_logs_staff_in_with_a_verified_second_factor(people):
    client = Client()
    log_in_with_second_factor(client, User.objects.get(username="admin"))
    for page in STAFF_PAGES:
        assert client.get(page).status_code == 200, page


def test_the_demo_shows_its_published_code_and_never_another(people):
    admin = User.objects.get(username="admin")
    demo_device = mfa.ensure_demo_totp(admin)
    client = Client()
    password_login(client, "admin", "demo-admin")
    before = current_code(demo_device)
    page = client.get(VERIFY).content.decode()
    shown = re.search(r'class="demo-code">(\d{6})<', page)
    assert shown and shown.group(1) in {before, current_code(demo_device)}
    assert "I en riktig installation visas aldrig koden här" in page

    people.VERKA_DEMO_IDP = False
    assert "demo-code" not in client.get(VERIFY).content.decode()

    people.VERKA_DEMO_IDP = True
    olle = User.objects.get(username="olle")
    second_factor_device(olle)  # a device with its own random key
    other = Client()
    password_login(other, "olle", "demo-olle")
    assert "demo-code" not in other.get(VERIFY).content.decode()


def test_second_factor_failures_are_logged(people, caplog):
    caplog.set_level(logging.INFO, logger="verka.accounts")
    second_factor_device(User.objects.get(username="admin"))
    client = Client()
    password_login(client, "admin", "demo-admin")
    client.post(VERIFY, {"code": "999999-wrong"})
    failed = [r for r in caplog.records if r.getMessage() == "second factor failed"]
    assert failed and failed[0].user_id == User.objects.get(username="admin").pk
    assert "999999" not in str([vars(r) for r in failed])


def test_adding_a_device_needs_the_existing_one_first(people):
    admin = User.objects.get(username="admin")
    second_factor_device(admin)
    client = Client()
    password_login(client, "admin", "demo-admin")
    # Someone with only the password cannot add their own app or passkey.
    assert client.get(ADD_APP)["Location"].startswith(VERIFY)
    assert client.get(SECURITY)["Location"].startswith(VERIFY)
    begin = client.post("/konto/passkey/registration/begin/", "{}", content_type="application/json")
    assert begin.status_code in {401, 403}


def test_a_code_is_accepted_once(people):
    admin = User.objects.get(username="admin")
    device = second_factor_device(admin)
    code = current_code(device)
    first = Client()
    password_login(first, "admin", "demo-admin")
    assert first.post(VERIFY, {"code": code}).status_code == 302
    replay = Client()
    password_login(replay, "admin", "demo-admin")
    device.refresh_from_db()
    if current_code(device) == code:  # still the same 30-second step: the replay is refused
        assert replay.post(VERIFY, {"code": code}).status_code == 400


def test_a_lost_device_is_removed_from_a_verified_session(people):
    admin = User.objects.get(username="admin")
    client = Client()
    log_in_with_second_factor(client, admin)
    lost = TOTPDevice.objects.create(user=admin, name="Gamla telefonen", confirmed=True)
    page = client.get(SECURITY).content.decode()
    assert "Gamla telefonen" in page
    removed = client.post(f"/konto/sakerhet/ta-bort/app/{lost.pk}/")
    assert removed.status_code == 302
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    # Not someone else's device, and not without a verified session.
    other = second_factor_device(User.objects.get(username="olle"))
    assert client.post(f"/konto/sakerhet/ta-bort/app/{other.pk}/").status_code == 404
    half = Client()
    password_login(half, "admin", "demo-admin")
    mine = second_factor_device(admin)
    assert half.post(f"/konto/sakerhet/ta-bort/app/{mine.pk}/").status_code == 302
    assert TOTPDevice.objects.filter(pk=mine.pk).exists()
