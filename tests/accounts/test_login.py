"""Logging in: email and password, Argon2, rate limits with a cool-off, two-factor, sessions."""

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client

from accounts.models import Role
from tests.factories import PASSWORD, UserFactory
from tests.totp import current_code


def login(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_staff_log_in_with_email_and_password(clinical_staff):
    client = Client()
    response = login(client, clinical_staff.email)
    assert response.status_code == 302
    assert client.get("/patients/").status_code == 200


def test_email_is_matched_without_regard_to_case(clinical_staff):
    client = Client()
    login(client, clinical_staff.email.upper())
    assert client.get("/patients/").status_code == 200


def test_a_wrong_password_is_refused_with_a_message(clinical_staff):
    response = login(Client(), clinical_staff.email, "not-the-password-at-all")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_passwords_are_stored_with_argon2(db):
    user = UserFactory()
    assert user.password.startswith("argon2")


def test_the_session_key_changes_at_login(clinical_staff):
    client = Client()
    client.get("/accounts/login/")
    before = client.cookies.get("sessionid")
    login(client, clinical_staff.email)
    assert client.cookies["sessionid"].value != (before.value if before else None)


def test_the_sixth_failed_login_within_five_minutes_is_refused_then_recovers_without_an_admin(clinical_staff):
    client = Client()
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False):
        for _ in range(5):
            assert login(client, clinical_staff.email, "wrong-password-123").status_code == 200
        refused = login(client, clinical_staff.email, PASSWORD)  # even the right password
        assert "Too many failed login attempts" in refused.content.decode()
        assert client.get("/patients/").status_code == 302
    with time_machine.travel("2026-03-02 09:05:30+00:00", tick=False):
        assert login(client, clinical_staff.email, PASSWORD).status_code == 302


def test_signup_is_closed(db):
    response = Client().get("/accounts/signup/")
    assert "closed" in response.content.decode().lower()


def test_a_deactivated_user_cannot_log_in(deactivated_user):
    client = Client()
    login(client, deactivated_user.email)
    assert client.get("/patients/").status_code == 302


def test_deactivating_a_user_ends_their_open_sessions(clinical_staff, client_for):
    client = client_for(clinical_staff)
    assert client.get("/patients/").status_code == 200
    clinical_staff.is_active = False
    clinical_staff.save()
    assert client.get("/patients/").status_code == 302


class TestTwoFactor:
    def test_a_role_that_requires_two_factor_is_sent_to_set_it_up_first(self, db, client_for, settings):
        settings.MFA_REQUIRED_ROLES = ["prescriber"]
        user = UserFactory(role=Role.PRESCRIBER)
        response = client_for(user).get("/patients/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"

    def test_a_role_that_does_not_require_it_is_let_through(self, clinical_staff, client_for, settings):
        settings.MFA_REQUIRED_ROLES = ["prescriber", "admin"]
        assert client_for(clinical_staff).get("/patients/").status_code == 200

    def test_the_django_admin_always_requires_two_factor(self, db, client_for, settings):
        settings.MFA_REQUIRED_ROLES = []
        admin = UserFactory(role=Role.ADMIN)
        response = client_for(admin).get("/admin/")
        assert response["Location"] == "/accounts/2fa/totp/activate/"

    def test_login_with_totp_asks_for_the_code_and_a_code_works_once(self, prescriber):
        client = Client()
        response = login(client, prescriber.email)
        assert response["Location"] == "/accounts/2fa/authenticate/"
        code = current_code()
        assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
        assert client.get("/patients/").status_code == 200

        other = Client()
        login(other, prescriber.email)
        reused = other.post("/accounts/2fa/authenticate/", {"code": code})
        assert reused.status_code == 200  # refused: the form is shown again with an error
        assert other.get("/patients/").status_code == 302

    def test_an_admin_with_totp_reaches_the_django_admin(self, admin_user, client_for):
        assert Authenticator.objects.filter(user=admin_user).exists()
        assert client_for(admin_user).get("/admin/").status_code == 200


class TestSessionLifetime:
    def test_a_session_idle_for_longer_than_the_limit_ends(self, clinical_staff, client_for, settings):
        settings.SESSION_IDLE_TIMEOUT = 15 * 60
        with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False) as clock:
            client = client_for(clinical_staff)
            assert client.get("/patients/").status_code == 200
            clock.shift(14 * 60)
            assert client.get("/patients/").status_code == 200  # activity resets the idle clock
            clock.shift(14 * 60)
            assert client.get("/patients/").status_code == 200
            clock.shift(15 * 60 + 1)
            response = client.get("/patients/")
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
            assert client.get("/patients/").status_code == 302  # the session is gone, not just refused

    def test_an_active_session_still_ends_twelve_hours_after_it_began(self, clinical_staff, client_for):
        with time_machine.travel("2026-03-02 07:00:00+00:00", tick=False) as clock:
            client = client_for(clinical_staff)
            client.get("/patients/")
            for _ in range(12 * 6):  # a request every 10 minutes for 12 hours
                clock.shift(10 * 60)
                assert client.get("/patients/").status_code == 200
            clock.shift(60)
            response = client.get("/patients/")
            assert response.status_code == 302


def test_logout_is_a_post_and_ends_the_session(clinical_staff, client_for):
    client = client_for(clinical_staff)
    client.post("/accounts/logout/")
    assert client.get("/patients/").status_code == 302


@pytest.mark.parametrize("length", [11, 129])
def test_passwords_shorter_than_12_or_longer_than_128_are_refused(db, length):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("Xk7#" + "q" * (length - 4))


def test_a_long_uncommon_password_of_128_characters_is_accepted(db):
    from django.contrib.auth.password_validation import validate_password

    validate_password("Xk7#Lm2!" * 16)
