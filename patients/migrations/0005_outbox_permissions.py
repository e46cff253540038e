"""Who sees the reminders on the chart, and who edits the message texts.

Every staff role sees a patient's reminders (their kind, channel, status and time: no clinical
content). Admins also read the outbox in the Django admin and edit the message texts."""

from django.db import migrations

from accounts.migration_helpers import grant, revoke

SEE_REMINDERS = ["patients.view_outboxmessage"]


def permissions(apps):
    return {
        "prescriber": SEE_REMINDERS,
        "clinical_staff": SEE_REMINDERS,
        "front_desk": SEE_REMINDERS,
        "admin": [*SEE_REMINDERS, "patients.view_messagetemplate", "patients.change_messagetemplate"],
    }


def forwards(apps, schema_editor):
    grant(apps, permissions(apps))


def backwards(apps, schema_editor):
    revoke(apps, permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("patients", "0004_seed_message_templates")]

    operations = [migrations.RunPython(forwards, backwards)]
