"""Message texts carry the minimum necessary and nothing clinical (patients/outbox/texts.py)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from patients.outbox import texts
from patients.outbox.models import MessageKind, MessageTemplate
from tests.factories import PatientFactory

DRUG_NAMES = ["isotretinoin", "accutane", "absorica", "amnesteem", "claravis", "myorisan", "zenatane", "sotret"]
CLINICAL_WORDS = ["pregnan", "positive", "negative", "result", "acne", "ipledge", "mg", "triglycerid", "alt "]


@pytest.mark.parametrize(
    ("text", "kind", "problem"),
    [
        ("Hello $first_name, see you on $date at $time at $clinic.", "visit_1_day", None),
        ("Hello ${first_name}: $$10 parking", "labs_due", None),
        ("Hello $first_name at $time", "labs_due", "Unknown placeholder $time"),
        ("Your $mrn", "visit_1_day", "Unknown placeholder $mrn"),
        ("$first_name.__class__", "visit_1_day", None),  # plain text after a placeholder, not attribute access
        ("Cost: $", "labs_due", "Write placeholders as $name"),
        ("$summary", "staff_digest", None),
        ("$summary", "labs_due", "Unknown placeholder $summary"),
        ("Time for your Accutane refill", "labs_due", 'found "accutane"'),
        ("Your pregnancy test is due", "pregnancy_test_due", 'found "pregnan"'),
        ("Your result was NEGATIVE", "labs_due", 'found "negative"'),
    ],
)
def test_a_template_may_use_only_its_kinds_placeholders_and_no_clinical_words(text, kind, problem):
    found = texts.template_problem(text, kind)
    if problem is None:
        assert found is None
    else:
        assert problem in found


@pytest.mark.parametrize(
    ("kind", "context", "error"),
    [
        ("visit_1_day", {"time": "09:05"}, None),
        ("visit_2_days", {"time": "23:59"}, None),
        ("labs_due", {}, None),
        ("labs_due", None, None),
        ("visit_1_day", {}, "needs time"),
        ("visit_1_day", {"time": "9:05"}, "HH:MM"),
        ("visit_1_day", {"time": "24:00"}, "HH:MM"),
        ("visit_1_day", {"time": 905}, "HH:MM"),
        ("labs_due", {"time": "09:00"}, "takes no time"),
        ("visit_1_day", {"time": "09:00", "result": "high"}, "takes no result"),
    ],
)
def test_scheduling_context_is_limited_to_the_few_values_a_kind_needs(kind, context, error):
    if error is None:
        assert texts.clean_context(kind, context) == dict(context or {})
    else:
        with pytest.raises(ValueError, match=error):
            texts.clean_context(kind, context)


@pytest.mark.parametrize(
    ("value", "shown"), [("00:00", "12:00 AM"), ("09:05", "9:05 AM"), ("12:00", "12:00 PM"), ("14:30", "2:30 PM")]
)
def test_visit_times_are_shown_on_the_12_hour_clock(value, shown):
    assert texts.format_time(value) == shown


def test_dates_are_shown_with_the_weekday():
    assert texts.format_date(date(2026, 3, 10)) == "Tuesday, March 10"


@given(first_name=st.text(min_size=1, max_size=30))
def test_rendering_substitutes_values_verbatim_and_never_evaluates_them(first_name):
    values = texts.placeholder_values(first_name=first_name, due_date=date(2026, 3, 10), clinic="C", context={})
    assert texts.render("Hi $first_name on $date", values) == f"Hi {first_name} on Tuesday, March 10"


def all_templates():
    return [(kind, channel) for kind in MessageKind.values for channel in ("email", "sms")]


def test_every_kind_has_an_email_text_and_every_patient_kind_an_sms_text(db):
    seeded = set(MessageTemplate.objects.values_list("kind", "channel"))
    expected = {(k, c) for k, c in all_templates() if not (k == MessageKind.STAFF_DIGEST and c == "sms")}
    assert seeded == expected


def test_the_seeded_texts_pass_the_checks_an_admin_edit_must_pass(db):
    for template in MessageTemplate.objects.all():
        template.full_clean()


def test_rendered_seeded_messages_carry_only_first_name_date_time_and_clinic(db):
    patient = PatientFactory(first_name="Robin", last_name="Quimby", mrn="MRN424242", ipledge_patient_id="7123456789")
    for template in MessageTemplate.objects.exclude(kind=MessageKind.STAFF_DIGEST):
        context = {"time": "14:30"} if template.kind.startswith("visit") else {}
        values = texts.placeholder_values(
            first_name=patient.first_name, due_date=date(2026, 3, 10), clinic="Elm Street Skin Clinic", context=context
        )
        rendered = (texts.render(template.subject, values) + "\n" + texts.render(template.body, values)).lower()
        assert "robin" in rendered and "tuesday, march 10" in rendered and "elm street skin clinic" in rendered
        for secret in ["quimby", "mrn424242", "7123456789", *DRUG_NAMES, *CLINICAL_WORDS]:
            assert secret not in rendered, (template.kind, template.channel, secret)
        if template.channel == "sms":
            assert len(rendered) <= 160 * 2, "at most two SMS segments"


def test_an_admin_edit_that_names_the_medicine_is_refused_next_to_the_field(db):
    template = MessageTemplate.objects.get(kind=MessageKind.LABS_DUE, channel="sms")
    template.body = "Time for your Absorica labs, $first_name"
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "absorica" in error.value.message_dict["body"][0]


def test_an_email_text_needs_a_subject(db):
    template = MessageTemplate.objects.get(kind=MessageKind.LABS_DUE, channel="email")
    template.subject = " "
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "subject" in error.value.message_dict
