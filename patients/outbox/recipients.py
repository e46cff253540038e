"""Who receives a message, at which address.

Patients receive reminders on their preferred channel. For a minor the message goes to the
parent or guardian (who consented to the treatment and usually books and brings the patient),
falling back to the patient's own address when the guardian has none on that channel; from
their 18th birthday on, to the patient. Texts are written to read right for either ("a
reminder that Emma has a visit ..."). Staff receive their digest at their login email.
"""

from patients.models import Channel


def patient_address(patient, channel: str) -> str:
    field = "email" if channel == Channel.EMAIL else "phone"
    candidates = [getattr(patient, f"guardian_{field}")] if patient.is_minor else []
    candidates.append(getattr(patient, field))
    return next((address for address in candidates if address), "")


def staff_address(user) -> str:
    return user.email
