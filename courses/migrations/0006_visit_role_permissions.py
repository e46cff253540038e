"""What each role may do with visits (the matrix is also in the README).

Front desk books, moves, cancels and checks patients in, but never sees or records clinical
findings (``record_visit_findings``): the visit page hides them and its findings form refuses
them (403) for that role.
"""

from django.db import migrations

from accounts.migration_helpers import grant, revoke

SCHEDULING = ["courses.view_visit", "courses.add_visit", "courses.change_visit"]


def permissions(apps):
    return {
        "prescriber": [*SCHEDULING, "courses.record_visit_findings"],
        "clinical_staff": [*SCHEDULING, "courses.record_visit_findings"],
        "front_desk": SCHEDULING,
        "admin": ["courses.view_visit"],
    }


def forwards(apps, schema_editor):
    grant(apps, permissions(apps))


def backwards(apps, schema_editor):
    revoke(apps, permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("courses", "0005_visits"), ("accounts", "0002_role_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
