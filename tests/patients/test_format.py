import pytest

from patients.templatetags.patient_format import phone


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("+16175550100", "(617) 555-0100"), ("+442079460958", "+442079460958"), ("", "")],
)
def test_us_numbers_are_shown_in_the_familiar_format_and_others_as_stored(stored, shown):
    assert phone(stored) == shown
