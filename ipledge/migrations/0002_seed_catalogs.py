"""The clinic's starting iPLEDGE settings and catalogs (DOMAIN.md sections 4 and 6), all
editable in the Django admin: the settings row with its defaults, the contraception methods
(primary, secondary, and the progestin-only pill as not acceptable) and the medications that
interact with isotretinoin. The inserts are audited like any later change."""

from django.db import migrations

# code, label, kind, hormonal, order
METHODS = [
    ("tubal_sterilization", "Tubal sterilization", "primary", False, 10),
    ("partner_vasectomy", "Partner's vasectomy", "primary", False, 20),
    ("iud_copper", "Copper IUD", "primary", False, 30),
    ("iud_hormonal", "Hormonal (levonorgestrel) IUD", "primary", True, 40),
    ("combined_pill", "Combined hormonal pill", "primary", True, 50),
    ("patch", "Hormonal patch", "primary", True, 60),
    ("injection", "Hormonal injection", "primary", True, 70),
    ("implant", "Hormonal implant", "primary", True, 80),
    ("vaginal_ring", "Vaginal ring", "primary", True, 90),
    ("male_condom", "Male condom", "secondary", False, 110),
    ("diaphragm_spermicide", "Diaphragm with spermicide", "secondary", False, 120),
    ("cervical_cap_spermicide", "Cervical cap with spermicide", "secondary", False, 130),
    ("vaginal_sponge", "Vaginal sponge", "secondary", False, 140),
    ("progestin_only_pill", "Progestin-only pill (mini-pill)", "unacceptable", True, 200),
]
# name, interaction
MEDICATIONS = [
    ("Doxycycline", "tetracycline"),
    ("Minocycline", "tetracycline"),
    ("Tetracycline", "tetracycline"),
    ("Sarecycline", "tetracycline"),
    ("Demeclocycline", "tetracycline"),
    ("Vitamin A supplement", "vitamin_a_retinoid"),
    ("Acitretin", "vitamin_a_retinoid"),
    ("Bexarotene", "vitamin_a_retinoid"),
    ("Alitretinoin", "vitamin_a_retinoid"),
    ("St John's wort", "st_johns_wort"),
]


def forwards(apps, schema_editor):
    Method = apps.get_model("ipledge", "ContraceptionMethod")
    Medication = apps.get_model("ipledge", "InteractingMedication")
    for code, label, kind, hormonal, order in METHODS:
        Method.objects.get_or_create(
            code=code, defaults={"label": label, "kind": kind, "is_hormonal": hormonal, "display_order": order}
        )
    for name, interaction in MEDICATIONS:
        Medication.objects.get_or_create(name=name, defaults={"interaction": interaction})
    apps.get_model("ipledge", "IpledgeSettings").objects.get_or_create(pk=1)


def backwards(apps, schema_editor):
    apps.get_model("ipledge", "ContraceptionMethod").objects.filter(code__in=[m[0] for m in METHODS]).delete()
    apps.get_model("ipledge", "InteractingMedication").objects.filter(name__in=[m[0] for m in MEDICATIONS]).delete()
    apps.get_model("ipledge", "IpledgeSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("ipledge", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
