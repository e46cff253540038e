"""Create one group per role. Each app's own data migration grants its permissions."""

from django.db import migrations

from accounts.migration_helpers import all_model_permissions, grant, revoke

ROLES = ["prescriber", "clinical_staff", "front_desk", "admin"]


def admin_permissions(apps):
    return {
        "admin": [
            *all_model_permissions(apps, "accounts"),
            "auth.view_group",
            "auth.change_group",
            "auth.view_permission",
            "mfa.view_authenticator",
            "mfa.delete_authenticator",
        ]
    }


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    grant(apps, admin_permissions(apps))


def backwards(apps, schema_editor):
    revoke(apps, admin_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
