"""What each role may do with courses (the matrix is also in the README).

Seeing a dose period (``view_doseperiod``) is what lets a role see doses and mg/kg anywhere:
front desk sees course states and dates only.
"""

from django.db import migrations

from accounts.migration_helpers import all_model_permissions, grant, revoke

SEE_DOSES = [
    "courses.view_course",
    "courses.view_doseperiod",
    "courses.view_misseddose",
    "courses.view_dosehold",
]


def permissions(apps):
    return {
        # Prescribers decide: courses, doses, holds (a hold is a prescribing decision).
        "prescriber": [
            *SEE_DOSES,
            "courses.add_course",
            "courses.change_course",
            "courses.add_doseperiod",
            "courses.add_dosehold",
            "courses.add_misseddose",
        ],
        # Nurses and medical assistants hear about missed doses at visits and calls.
        "clinical_staff": [*SEE_DOSES, "courses.add_misseddose"],
        "front_desk": ["courses.view_course"],
        # Admins read everything and manage the clinic's dosing settings.
        "admin": [*all_model_permissions(apps, "courses", prefix="view_"), "courses.change_dosingsettings"],
    }


def forwards(apps, schema_editor):
    grant(apps, permissions(apps))


def backwards(apps, schema_editor):
    revoke(apps, permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("courses", "0002_dosing_settings"), ("accounts", "0002_role_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
