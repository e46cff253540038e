"""A task sent from the web process runs in a real Celery worker over Redis."""

import pytest
from django.core.cache import cache

from config.tasks import ping_key
from tests.workers import wait_until

pytestmark = pytest.mark.integration


def test_a_task_sent_from_the_system_page_is_executed_by_a_real_worker(celery_worker, admin_user, client_for):
    client = client_for(admin_user)
    response = client.post("/system/ping/")
    ping_id = response["Location"].split("ping=")[1]
    answered_at = wait_until(lambda: cache.get(ping_key(ping_id)))
    assert answered_at
    page = client.get(f"/system/?ping={ping_id}").content.decode()
    assert "The worker ran the test task" in page
    assert "config.tasks.ping" in celery_worker.output()


def test_the_system_page_refuses_a_get_to_the_ping_action(admin_user, client_for):
    assert client_for(admin_user).get("/system/ping/").status_code == 405
