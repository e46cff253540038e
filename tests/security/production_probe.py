"""Run in a subprocess with the production settings (tests/security/test_headers.py): prints,
as JSON, the headers and cookies a real HTTPS login produces and the security settings."""

import json
import sys

import django

if __name__ == "__main__":
    django.setup()
    from django.conf import settings
    from django.test import Client

    email, password = sys.argv[1], sys.argv[2]
    client = Client()
    login_page = client.get("/accounts/login/", secure=True)
    logged_in = client.post("/accounts/login/", {"login": email, "password": password}, secure=True)
    insecure = Client().get("/accounts/login/")

    def cookie(name):
        morsel = client.cookies.get(name)
        return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"])} if morsel else None

    print(
        json.dumps(
            {
                "login_status": login_page.status_code,
                "logged_in_status": logged_in.status_code,
                "hsts": login_page.headers.get("Strict-Transport-Security", ""),
                "http_redirect": insecure.headers.get("Location", ""),
                "cookies": {name: cookie(name) for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)},
                "session_idle_timeout": settings.SESSION_IDLE_TIMEOUT,
                "session_absolute_timeout": settings.SESSION_ABSOLUTE_TIMEOUT,
                "reauthentication_timeout": settings.ACCOUNT_REAUTHENTICATION_TIMEOUT,
                "mfa_required_roles": settings.MFA_REQUIRED_ROLES,
                "password_hasher": settings.PASSWORD_HASHERS[0],
                "debug": settings.DEBUG,
            }
        )
    )
