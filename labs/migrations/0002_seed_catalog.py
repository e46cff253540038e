"""The clinic's starting lab settings (DOMAIN.md section 5), all editable in the Django admin:
the analytes with their canonical units and mmol/L factors, the action thresholds, and the
monitoring plan.
The inserts are audited like any later change, so the history shows each starting value."""

from decimal import Decimal

from django.db import migrations

CHOLESTEROL_FACTOR = Decimal("38.67")  # mg/dL per mmol/L; LDL and HDL use it too
# code, name, group, canonical unit, mg/dL per mmol/L, highest possible value, required, order
ANALYTES = [
    ("tg", "Triglycerides", "lipid", "mg/dL", Decimal("88.57"), Decimal("10000"), True, 10),
    ("chol", "Total cholesterol", "lipid", "mg/dL", CHOLESTEROL_FACTOR, Decimal("2000"), True, 20),
    ("ldl", "LDL cholesterol", "lipid", "mg/dL", CHOLESTEROL_FACTOR, Decimal("1500"), False, 30),
    ("hdl", "HDL cholesterol", "lipid", "mg/dL", CHOLESTEROL_FACTOR, Decimal("300"), False, 40),
    ("alt", "ALT", "liver", "U/L", None, Decimal("10000"), True, 50),
    ("ast", "AST", "liver", "U/L", None, Decimal("10000"), True, 60),
]
# analyte, basis, comparison, limit, action, severity
THRESHOLDS = [
    ("tg", "absolute", "gte", Decimal("500"), "Reduce dose and recheck", "warn"),
    ("tg", "absolute", "gte", Decimal("800"), "Hold treatment", "hold"),
    ("alt", "uln_multiple", "gt", Decimal("3"), "Hold and recheck", "hold"),
    ("ast", "uln_multiple", "gt", Decimal("3"), "Hold and recheck", "hold"),
]


def forwards(apps, schema_editor):
    Analyte = apps.get_model("labs", "Analyte")
    ActionThreshold = apps.get_model("labs", "ActionThreshold")
    LabSettings = apps.get_model("labs", "LabSettings")
    by_code = {}
    for code, name, group, unit, factor, plausible_max, required, order in ANALYTES:
        by_code[code], _ = Analyte.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "group": group,
                "canonical_unit": unit,
                "mmol_factor": factor,
                "plausible_max": plausible_max,
                "required_for_monitoring": required,
                "display_order": order,
            },
        )
    for code, basis, comparison, limit, action, severity in THRESHOLDS:
        ActionThreshold.objects.get_or_create(
            analyte=by_code[code],
            basis=basis,
            comparison=comparison,
            limit=limit,
            defaults={"action": action, "severity": severity},
        )
    LabSettings.objects.get_or_create(pk=1)


def backwards(apps, schema_editor):
    apps.get_model("labs", "ActionThreshold").objects.all().delete()
    apps.get_model("labs", "Analyte").objects.filter(code__in=[a[0] for a in ANALYTES]).delete()
    apps.get_model("labs", "LabSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("labs", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
