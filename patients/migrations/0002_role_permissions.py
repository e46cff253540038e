"""What each role may do with patients (the permission matrix is also in the README)."""

from django.db import migrations

from accounts.migration_helpers import all_model_permissions, grant, revoke

EVERY_STAFF_ROLE = ["patients.view_patient", "patients.add_patient", "patients.change_patient"]
CLINICAL = ["patients.view_weightmeasurement", "patients.add_weightmeasurement", "patients.view_riskcategorychange"]


def permissions(apps):
    return {
        "prescriber": [*EVERY_STAFF_ROLE, *CLINICAL, "patients.change_risk_category"],
        "clinical_staff": [*EVERY_STAFF_ROLE, *CLINICAL],
        # Front desk edits demographics and contact details, never the risk category or weights.
        "front_desk": EVERY_STAFF_ROLE,
        # Admins read everything (and the audit history) but record no clinical facts: patient
        # data changes only through the app's forms and services, never the Django admin.
        "admin": [*all_model_permissions(apps, "patients", prefix="view_"), "patients.view_patient_history"],
    }


def forwards(apps, schema_editor):
    grant(apps, permissions(apps))


def backwards(apps, schema_editor):
    revoke(apps, permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial"), ("accounts", "0002_role_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
