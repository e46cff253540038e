"""What each role may do with iPLEDGE compliance (the matrix is also in the README).

Prescribers record everything, including prescriptions and the override of a course that is
not ready. Clinical staff (nurses, medical assistants acting as iPLEDGE designees) record the
facts, pharmacy authorizations and the "entered on iPLEDGE" ticks, but do not prescribe. Front
desk gets nothing here: compliance details are clinical, and scheduling reads dates elsewhere.
"""

from django.db import migrations

from accounts.migration_helpers import all_model_permissions, grant, revoke

READ = [
    "ipledge.view_coursestatus",
    "ipledge.view_enrollment",
    "ipledge.view_contraceptionuse",
    "ipledge.view_abstinencecommitment",
    "ipledge.view_concomitantmedication",
    "ipledge.view_monthlyconfirmation",
    "ipledge.view_prescription",
    "ipledge.view_authorization",
    "ipledge.view_entrytick",
    "ipledge.view_contraceptionmethod",
    "ipledge.view_interactingmedication",
]
RECORD = [
    "ipledge.add_enrollment",
    "ipledge.change_enrollment",
    "ipledge.add_contraceptionuse",
    "ipledge.change_contraceptionuse",
    "ipledge.add_abstinencecommitment",
    "ipledge.change_abstinencecommitment",
    "ipledge.add_concomitantmedication",
    "ipledge.change_concomitantmedication",
    "ipledge.add_monthlyconfirmation",
    "ipledge.add_authorization",
    "ipledge.change_authorization",
    "ipledge.add_entrytick",
    "ipledge.delete_entrytick",
]
PRESCRIBE = ["ipledge.add_prescription", "ipledge.override_prescription"]
SETTINGS = [
    "ipledge.change_ipledgesettings",
    "ipledge.add_contraceptionmethod",
    "ipledge.change_contraceptionmethod",
    "ipledge.delete_contraceptionmethod",
    "ipledge.add_interactingmedication",
    "ipledge.change_interactingmedication",
    "ipledge.delete_interactingmedication",
]


def permissions(apps):
    return {
        "prescriber": [*READ, *RECORD, *PRESCRIBE],
        "clinical_staff": [*READ, *RECORD],
        # Admins read everything and manage the settings and catalogs; they record nothing.
        "admin": [*all_model_permissions(apps, "ipledge", prefix="view_"), *SETTINGS],
    }


def forwards(apps, schema_editor):
    grant(apps, permissions(apps))


def backwards(apps, schema_editor):
    revoke(apps, permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("ipledge", "0002_seed_catalogs"), ("accounts", "0002_role_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
