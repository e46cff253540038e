"""What each role may do with labs and pregnancy tests (also in the README)."""

from django.db import migrations

from accounts.migration_helpers import all_model_permissions, grant, revoke

READ = ["labs.view_labspecimen", "labs.view_labresult", "labs.view_pregnancytest", "labs.view_lab_status"]
RECORD = [
    "labs.add_labspecimen",
    "labs.add_labresult",
    "labs.add_pregnancytest",
    "labs.verify_pregnancytest",
    "labs.view_pregnancytest_evidence",
]
EVIDENCE = "labs.view_pregnancytest_evidence"
SETTINGS_MODELS = ["analyte", "actionthreshold", "labsettings"]


def permissions(apps):
    settings = [f"labs.{action}_{model}" for model in SETTINGS_MODELS for action in ("view", "add", "change")]
    settings += ["labs.delete_analyte", "labs.delete_actionthreshold"]
    return {
        "prescriber": [*READ, *RECORD, "labs.review_labresult"],
        "clinical_staff": [*READ, *RECORD],
        # Front desk schedules draws and tests: dates and statuses, never values or results.
        "front_desk": ["labs.view_lab_status"],
        # Admins read clinical data and manage the clinic's lab settings; they record nothing,
        # review nothing, and do not open pregnancy-test photos (clinical roles only).
        "admin": [p for p in all_model_permissions(apps, "labs", prefix="view_") if p != EVIDENCE] + settings,
    }


def forwards(apps, schema_editor):
    grant(apps, permissions(apps))


def backwards(apps, schema_editor):
    revoke(apps, permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("labs", "0002_seed_catalog"), ("accounts", "0002_role_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
