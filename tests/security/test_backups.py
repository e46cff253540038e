"""`manage.py backup` and `manage.py restore` round-trip the whole database (row counts and a
checksum of every patient-data and audit table), with client tools of the server's version."""

import contextlib
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.seal import seal_all
from config.backups import BackupError, Server, connect, find_tool, server_major_version, tool_major_version
from tests.factories import PatientFactory, RiskCategoryChangeFactory, WeightFactory
from tests.workers import worker_environment

BASE_DIR = Path(__file__).resolve().parents[2]
# Patient data and its audit: compared row by row through an md5 of the ordered rows.
CHECKSUMMED_TABLES = [
    "patients_patient",
    "patients_weightmeasurement",
    "patients_riskcategorychange",
    "patients_accessevent",
    "patients_patientevent",
    "patients_weightmeasurementevent",
    "accounts_user",
    "accounts_auditseal",
]


def inventory(conn) -> dict[str, object]:
    """Row count of every table, and an md5 of the rows of the patient-data tables."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        result = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalog
            result[table] = cursor.fetchone()[0]
        for table in CHECKSUMMED_TABLES:
            cursor.execute(f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM \"{table}\" t")  # noqa: S608
            result[f"{table} checksum"] = cursor.fetchone()[0]
    return result


@pytest.fixture
def seeded(transactional_db, clinical_staff, client_for):
    """Committed data of every kind: patients, weights, risk categories, views, audit, seals."""
    patients = PatientFactory.create_batch(12)
    for patient in patients[:8]:
        WeightFactory(patient=patient, recorded_by=clinical_staff)
        RiskCategoryChangeFactory(patient=patient)
    client_for(clinical_staff).get(f"/patients/{patients[0].pk}/")
    seal_all()
    return patients


@pytest.fixture
def scratch_database(transactional_db):
    """An empty database on the same server, dropped afterwards."""
    name = f"isotrack_restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield Server.from_django(name=name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_an_empty_database_has_the_same_rows_and_checksums(seeded, scratch_database, tmp_path):
    archive = tmp_path / "isotrack.dump"
    call_command("backup", output=archive)
    assert archive.stat().st_mode & 0o777 == 0o600  # the dump holds every patient's data

    call_command("restore", str(archive), database_name=scratch_database.name)

    with (
        contextlib.closing(connect(Server.from_django())) as source,
        contextlib.closing(connect(scratch_database)) as copy,
    ):
        original, restored = inventory(source), inventory(copy)
    assert original["patients_patient"] == 12
    assert original["accounts_auditseal"] > 0
    assert restored == original


def test_the_audit_seals_still_verify_on_the_restored_copy(seeded, scratch_database, tmp_path):
    archive = tmp_path / "isotrack.dump"
    call_command("backup", output=archive)
    call_command("restore", str(archive), database_name=scratch_database.name)
    env = worker_environment()
    env["DATABASE_URL"] = env["DATABASE_URL"].replace(
        f"/{connection.settings_dict['NAME']}?", f"/{scratch_database.name}?"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "audit_verify"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Audit verification passed" in result.stdout


def test_restore_refuses_a_database_that_has_data_unless_told_to_replace_it(seeded, scratch_database, tmp_path):
    archive = tmp_path / "isotrack.dump"
    call_command("backup", output=archive)
    call_command("restore", str(archive), database_name=scratch_database.name)
    with pytest.raises(CommandError, match="already has tables"):
        call_command("restore", str(archive), database_name=scratch_database.name)

    with contextlib.closing(connect(scratch_database)) as copy, copy.cursor() as cursor:
        cursor.execute("ALTER TABLE patients_weightmeasurement DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM patients_weightmeasurement")
        copy.commit()
    call_command("restore", str(archive), database_name=scratch_database.name, clean=True)
    with contextlib.closing(connect(scratch_database)) as copy, copy.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM patients_weightmeasurement")
        assert cursor.fetchone()[0] == 8


def test_the_client_tools_used_match_the_servers_major_version(db):
    major = server_major_version()
    for tool in ("pg_dump", "pg_restore"):
        assert tool_major_version(find_tool(tool, major)) == major


def test_without_tools_of_the_servers_version_backup_refuses_saying_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # only the other candidates remain
    with pytest.raises(BackupError) as refusal:
        find_tool("pg_dump", 99)
    message = str(refusal.value)
    assert "PostgreSQL 99" in message
    assert "postgresql-client-99" in message
    assert "PG_BIN_DIR" in message


def test_pg_bin_dir_is_looked_at_first(monkeypatch, db, tmp_path):
    major = server_major_version()
    chosen = tmp_path / "bin"
    chosen.mkdir()
    (chosen / "pg_dump").symlink_to(find_tool("pg_dump", major))
    monkeypatch.setenv("PG_BIN_DIR", str(chosen))
    assert find_tool("pg_dump", major) == chosen / "pg_dump"


def test_a_missing_archive_is_refused_clearly(db, tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "nothing.dump"), database_name="whatever")


def test_the_connection_comes_from_the_settings_not_from_stray_pg_variables(monkeypatch):
    monkeypatch.setenv("PGHOST", "somewhere-else")
    monkeypatch.setenv("PGDATABASE", "other")
    server = Server(host="db", port="5432", user="isotrack", password="s3cret", name="isotrack")
    env = server.environment()
    assert (env["PGHOST"], env["PGDATABASE"], env["PGPASSWORD"]) == ("db", "isotrack", "s3cret")
