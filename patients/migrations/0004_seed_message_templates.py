"""The first texts of every kind of message, on each channel (Admins edit them in the Django
admin). They carry the minimum necessary: a first name, a date (and a visit's time), the clinic.
They are worded to read right whether the patient or a minor's guardian receives them, and
never name the treatment, a test's purpose or a result."""

from django.db import migrations

SIGN_OFF = "\n\nTo change or ask about it, please call the clinic.\n\n$clinic"

TEXTS = {
    "visit_2_days": {
        "email": (
            "Appointment reminder from $clinic",
            "Hello,\n\nThis is a reminder that $first_name has an appointment at $clinic on $date at $time." + SIGN_OFF,
        ),
        "sms": "$clinic: reminder, $first_name has an appointment on $date at $time. Call us to change it.",
    },
    "visit_1_day": {
        "email": (
            "Appointment reminder from $clinic",
            "Hello,\n\nThis is a reminder that $first_name's appointment at $clinic is on $date at $time." + SIGN_OFF,
        ),
        "sms": "$clinic: reminder, $first_name's appointment is on $date at $time. Call us to change it.",
    },
    "labs_due": {
        "email": (
            "Lab work due: a reminder from $clinic",
            "Hello,\n\nThis is a reminder that $first_name has lab work due by $date." + SIGN_OFF,
        ),
        "sms": "$clinic: reminder, $first_name has lab work due by $date.",
    },
    "pregnancy_test_due": {
        "email": (
            "Monthly test due: a reminder from $clinic",
            "Hello,\n\nThis is a reminder that $first_name has a monthly test due by $date. Please do not miss "
            "it: the next prescription depends on it." + SIGN_OFF,
        ),
        "sms": "$clinic: reminder, $first_name has a monthly test due by $date. The next prescription depends on it.",
    },
    "pickup_window_closing": {
        "email": (
            "Pharmacy pickup: a reminder from $clinic",
            "Hello,\n\nThis is a reminder that $first_name's prescription must be picked up from the pharmacy "
            "by $date. After that day the pharmacy can no longer hand it out." + SIGN_OFF,
        ),
        "sms": "$clinic: reminder, $first_name's prescription must be picked up from the pharmacy by $date.",
    },
    "post_treatment_test": {
        "email": (
            "Follow-up test due: a reminder from $clinic",
            "Hello,\n\nThis is a reminder that $first_name has a follow-up test due by $date." + SIGN_OFF,
        ),
        "sms": "$clinic: reminder, $first_name has a follow-up test due by $date.",
    },
    "staff_digest": {
        "email": (
            "$clinic: your summary for $date",
            "Good morning $first_name,\n\nHere is the summary for $date:\n\n$summary\n\nOpen Isotrack for the details.",
        ),
    },
}


def forwards(apps, schema_editor):
    MessageTemplate = apps.get_model("patients", "MessageTemplate")
    for kind, by_channel in TEXTS.items():
        for channel, text in by_channel.items():
            subject, body = text if channel == "email" else ("", text)
            MessageTemplate.objects.get_or_create(
                kind=kind, channel=channel, defaults={"subject": subject, "body": body}
            )


def backwards(apps, schema_editor):
    apps.get_model("patients", "MessageTemplate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("patients", "0003_outbox")]

    operations = [migrations.RunPython(forwards, backwards)]
