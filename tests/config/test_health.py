import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_reports_database_and_redis_reachable_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["redis"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_naming_redis_when_redis_is_unreachable(client):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "redis": "unreachable",
        "worker_heartbeat": None,
    }


@pytest.mark.django_db
def test_healthz_shows_no_patient_data_and_is_not_cached(client, patient):
    response = client.get("/healthz")
    assert patient.last_name not in response.content.decode()
    assert response["Cache-Control"] == "no-store" or "no-cache" in response["Cache-Control"]
