"""Form data for the pages under test."""

from labs.models import Analyte

# code -> (value, unit, lab's low, lab's high): a lipid panel and liver tests from one specimen.
HIGH_TG_PANEL = {
    "tg": ("620", "mg/dL", "", "149"),
    "chol": ("210", "mg/dL", "", "199"),
    "ldl": ("118", "mg/dL", "", "99"),
    "hdl": ("48", "mg/dL", "39", ""),
    "alt": ("31", "U/L", "0", "44"),
    "ast": ("27", "U/L", "0", "40"),
}


def panel_data(results: dict, collected_on: str = "2026-03-02", **specimen) -> dict:
    data = {"collected_on": collected_on, "fasting": "yes", "performing_lab": "Quest Diagnostics", "note": ""}
    data.update(specimen)
    for analyte in Analyte.objects.filter(active=True):
        value, unit, low, high = results.get(analyte.code, ("", analyte.canonical_unit, "", ""))
        data.update(
            {
                f"{analyte.code}_value": value,
                f"{analyte.code}_unit": unit,
                f"{analyte.code}_reference_low": low,
                f"{analyte.code}_reference_high": high,
            }
        )
    return data


def pregnancy_test_data(**fields) -> dict:
    data = {
        "collected_on": "2026-03-02",
        "test_type": "urine",
        "setting": "office",
        "lab_name": "",
        "clia_number": "",
        "result": "negative",
        "sensitivity_miu_ml": "25",
        "purpose": "monthly",
        "note": "",
    }
    data.update(fields)
    return data
