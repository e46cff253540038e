"""Every page but login (and its password-reset and two-factor steps), static files and
/healthz sends an anonymous visitor to the login page. The URL list is computed, so a page
added later is covered without touching this test."""

import pytest

from tests.urls import all_url_patterns, sample_path

# Pages an anonymous visitor must reach: logging in and recovering access.
ANONYMOUS_ALLOWED = {
    "healthz",
    "account_login",
    "account_signup",  # answers "sign-up is closed"
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_password_reset_code",
    "account_complete_password_reset",
    "account_password_reset_completed",
    "account_confirm_login_code",
    "account_request_login_code",
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
    "mfa_authenticate",  # the second step of logging in
    "mfa_trust",
    "account_logout",  # logging out when not logged in just shows the login page
}


def _cases():
    for route, name, pattern in all_url_patterns():
        path = sample_path(route, pattern)
        if path is None:
            continue  # regex routes (the admin's app indexes); the admin has its own test below
        yield pytest.param(path, name, id=name or path)


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), list(_cases()))
def test_anonymous_visitor_is_sent_to_login(client, path, name):
    response = client.get(path)
    if name in ANONYMOUS_ALLOWED:
        assert response.status_code in (200, 302, 404, 405), path
        return
    assert response.status_code == 302, f"{path} answered {response.status_code}"
    # The admin first sends to its own login URL, which redirects to the app's (tested below).
    assert response["Location"].startswith(("/accounts/login/", "/admin/login/")), response["Location"]


@pytest.mark.django_db
def test_the_django_admin_sends_anonymous_visitors_to_the_app_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


@pytest.mark.django_db
def test_at_least_the_core_pages_are_enumerated():
    names = {name for _, name, _ in all_url_patterns()}
    assert {"patients:list", "patients:chart", "patients:create", "home", "system"} <= names
