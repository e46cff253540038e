"""Helpers for the data migrations that give each role its permissions.

Each app lists, in its own data migration, which of its permissions each role receives; a role
is a Group named after the role value. Migrations pass their historical ``apps`` registry, so
these helpers never import current models.
"""

from django.contrib.auth.management import create_permissions


def _ensure_permissions_exist(apps) -> None:
    # Permissions are normally created after all migrations ran (post_migrate); a data migration
    # that assigns them must create them first.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _permission(apps, dotted: str):
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, role_permissions: dict[str, list[str]]) -> None:
    """Give each role (group) the listed ``app_label.codename`` permissions."""
    _ensure_permissions_exist(apps)
    Group = apps.get_model("auth", "Group")
    for role, permissions in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*[_permission(apps, p) for p in permissions])


def revoke(apps, role_permissions: dict[str, list[str]]) -> None:
    Group = apps.get_model("auth", "Group")
    for role, permissions in role_permissions.items():
        group = Group.objects.filter(name=role).first()
        if group:
            group.permissions.remove(*[_permission(apps, p) for p in permissions])


def all_model_permissions(apps, app_label: str, prefix: str = "") -> list[str]:
    """Every permission of an app's models whose codename starts with ``prefix`` (e.g. "view_"
    for read-only access to clinical data, "" for settings an Admin manages)."""
    _ensure_permissions_exist(apps)
    Permission = apps.get_model("auth", "Permission")
    codenames = Permission.objects.filter(content_type__app_label=app_label, codename__startswith=prefix).values_list(
        "codename", flat=True
    )
    return [f"{app_label}.{c}" for c in codenames]
