"""Sessions end everywhere when they should, passwords follow the policy through the real
forms, and changing who may do what asks for the password again. (Idle and 12-hour limits,
the login rate limit and TOTP are proven in tests/accounts/test_login.py.)"""

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import Role, User
from tests.factories import PASSWORD, UserFactory

from .conftest import LOGIN_PATH, REAUTHENTICATE_PATH
from .probes import app_forms, plausible_data

COMMON_BUT_LONG = "qwerty123456"  # 12 characters, in Django's list of common passwords


def logged_in_through_the_form(user, password: str = PASSWORD) -> Client:
    """A browser that logged in through the login form (as every real session does)."""
    client = Client()
    response = client.post(LOGIN_PATH, {"login": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:300]
    assert client.get("/patients/").status_code == 200
    return client


def is_logged_out(client: Client) -> bool:
    response = client.get("/patients/")
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATH)


@pytest.fixture
def admin_client(admin_user, reauthenticate):
    client = Client()
    client.force_login(admin_user)
    reauthenticate(client)
    return client


def admin_change_form_data(client: Client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200
    forms = [f for f in app_forms(response.content.decode(), path) if f.method == "post" and f.action == path]
    return plausible_data(forms[0])


def test_logging_out_ends_the_users_sessions_on_every_device(clinical_staff):
    office, laptop = logged_in_through_the_form(clinical_staff), logged_in_through_the_form(clinical_staff)
    assert UserSession.objects.filter(user=clinical_staff).count() == 2

    office.post("/accounts/logout/")

    assert is_logged_out(office)
    assert is_logged_out(laptop)
    assert not UserSession.objects.filter(user=clinical_staff).exists()


def test_logging_out_leaves_other_users_sessions_alone(clinical_staff, front_desk):
    mine, theirs = logged_in_through_the_form(clinical_staff), logged_in_through_the_form(front_desk)
    mine.post("/accounts/logout/")
    assert theirs.get("/patients/").status_code == 200


def test_deactivation_in_the_admin_ends_every_session_for_good(clinical_staff, admin_client):
    office, laptop = logged_in_through_the_form(clinical_staff), logged_in_through_the_form(clinical_staff)
    path = f"/admin/accounts/user/{clinical_staff.pk}/change/"
    data = admin_change_form_data(admin_client, path)
    data.pop("is_active")  # an unticked checkbox is absent from the POST

    assert admin_client.post(path, data).status_code == 302

    clinical_staff.refresh_from_db()
    assert not clinical_staff.is_active
    assert is_logged_out(office)
    assert is_logged_out(laptop)
    assert not UserSession.objects.filter(user=clinical_staff).exists()
    # Reactivating the account does not bring the old sessions back: their cookies are dead.
    User.objects.filter(pk=clinical_staff.pk).update(is_active=True)
    assert is_logged_out(laptop)


def test_changing_ones_password_ends_the_other_sessions_but_not_this_one(clinical_staff):
    here, elsewhere = logged_in_through_the_form(clinical_staff), logged_in_through_the_form(clinical_staff)
    new_password = "a-new-long-passphrase-2026"
    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302, response.content.decode()[:500]

    assert here.get("/patients/").status_code == 200
    assert is_logged_out(elsewhere)
    logged_in_through_the_form(clinical_staff, new_password)


def test_an_admin_setting_a_password_ends_every_session_of_that_user(clinical_staff, admin_client):
    session = logged_in_through_the_form(clinical_staff)
    new_password = "reset-by-the-admin-2026"
    response = admin_client.post(
        f"/admin/accounts/user/{clinical_staff.pk}/password/",
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert is_logged_out(session)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Xk7#qqqqqqq", "too short"),  # 11 characters
        (COMMON_BUT_LONG, "too common"),
        ("Xk7#" + "q" * 125, "too long"),  # 129 characters
    ],
)
def test_the_password_change_form_refuses_short_common_and_overlong_passwords(clinical_staff, password, message):
    client = logged_in_through_the_form(clinical_staff)
    response = client.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": password, "password2": password}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    clinical_staff.refresh_from_db()
    assert clinical_staff.check_password(PASSWORD)


def test_a_128_character_password_is_accepted_stored_with_argon2_and_logs_in(clinical_staff):
    client = logged_in_through_the_form(clinical_staff)
    long_password = "Xk7#Lm2!" * 16
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": long_password, "password2": long_password},
    )
    assert response.status_code == 302
    clinical_staff.refresh_from_db()
    assert clinical_staff.password.startswith("argon2$argon2id$")
    logged_in_through_the_form(clinical_staff, long_password)


class TestReauthenticationForChangingWhoMayDoWhat:
    @pytest.fixture
    def admin(self, admin_user):
        client = Client()
        client.force_login(admin_user)
        return client

    @pytest.mark.parametrize(
        "path",
        [
            "/admin/accounts/user/{staff}/change/",
            "/admin/accounts/user/add/",
            "/admin/accounts/user/{staff}/password/",
            "/admin/auth/group/{group}/change/",
        ],
    )
    def test_user_and_role_forms_ask_for_the_password_again(self, admin, clinical_staff, path):
        group = Group.objects.get(name=Role.FRONT_DESK)
        path = path.format(staff=clinical_staff.pk, group=group.pk)
        response = admin.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(REAUTHENTICATE_PATH)
        assert admin.get("/admin/accounts/user/").status_code == 200  # lists need no password

    def test_a_role_change_needs_a_password_confirmed_in_the_last_15_minutes(
        self, admin, clinical_staff, reauthenticate
    ):
        path = f"/admin/accounts/user/{clinical_staff.pk}/change/"
        with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False) as clock:
            reauthenticate(admin)
            data = admin_change_form_data(admin, path)
            data.update(role=Role.FRONT_DESK)
            assert admin.post(path, data).status_code == 302
            clinical_staff.refresh_from_db()
            assert clinical_staff.role == Role.FRONT_DESK

            clock.shift(14 * 60)  # still active (the idle limit is 15 minutes)...
            assert admin.get("/admin/").status_code == 200
            clock.shift(2 * 60)  # ...but the password was confirmed 16 minutes ago
            data.update(role=Role.CLINICAL_STAFF)
            response = admin.post(path, data)
            assert response.status_code == 302
            assert response["Location"].startswith(REAUTHENTICATE_PATH)
            clinical_staff.refresh_from_db()
            assert clinical_staff.role == Role.FRONT_DESK

    def test_after_confirming_the_password_the_suspended_change_is_applied(self, admin, clinical_staff):
        path = f"/admin/accounts/user/{clinical_staff.pk}/change/"
        response = admin.post(
            path,
            {"email": clinical_staff.email, "full_name": "Renamed", "role": Role.FRONT_DESK, "is_active": "on"},
        )
        assert response["Location"].startswith(REAUTHENTICATE_PATH)
        resumed = admin.post(response["Location"], {"password": PASSWORD})
        assert resumed.status_code == 302
        clinical_staff.refresh_from_db()
        assert (clinical_staff.full_name, clinical_staff.role) == ("Renamed", Role.FRONT_DESK)


def test_sessions_of_deactivated_users_hold_no_login_in_the_session_store(clinical_staff, admin_client):
    logged_in_through_the_form(clinical_staff)
    keys_before = set(UserSession.objects.filter(user=clinical_staff).values_list("session_key", flat=True))
    path = f"/admin/accounts/user/{clinical_staff.pk}/change/"
    data = admin_change_form_data(admin_client, path)
    data.pop("is_active")
    admin_client.post(path, data)
    assert not Session.objects.filter(session_key__in=keys_before).exists()


def test_prescribers_and_admins_must_use_two_factor_by_default(db, settings):
    # The test settings inherit the production default (config/settings/base.py).
    assert sorted(settings.MFA_REQUIRED_ROLES) == ["admin", "prescriber"]
    for role in (Role.PRESCRIBER, Role.ADMIN):
        client = Client()
        client.force_login(UserFactory(role=role))
        response = client.get("/patients/")
        assert response["Location"] == "/accounts/2fa/totp/activate/", role
