"""The clinic's dosing settings row, with the defaults of DOMAIN.md section 3."""

from django.db import migrations

DEFAULTS = {
    "weight_method": "baseline",
    "method_difference_percent": 2,
    "usual_low_mg_per_kg_day": "0.25",
    "usual_high_mg_per_kg_day": "1.00",
    "max_mg_per_kg_day": "2.00",
    "default_target_low": 120,
    "default_target_high": 150,
    "min_days_between_courses": 56,
    "conventional_strengths": [10, 20, 25, 30, 35, 40],
    "absorica_strengths": [10, 20, 25, 30, 35, 40],
    "absorica_ld_strengths": [8, 16, 20, 24, 28, 32],
}


def forwards(apps, schema_editor):
    apps.get_model("courses", "DosingSettings").objects.update_or_create(pk=1, defaults=DEFAULTS)


def backwards(apps, schema_editor):
    apps.get_model("courses", "DosingSettings").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
