"""Demo staff accounts for ``make run`` (never created by production deployments)."""

from allauth.mfa.totp.internal.auth import TOTP

from .models import Role, User

DEMO_PASSWORD = "isotrack-demo-2026"  # noqa: S105 - public demo login, documented in the README
# A fixed, public TOTP secret for the demo Admin (the Django admin always requires two-factor
# authentication). Add it to an authenticator app, or run `make totp` for the current code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - public demo secret

DEMO_USERS = [
    ("prescriber@demo.isotrack.test", "Dr. Maya Okafor", Role.PRESCRIBER, "P1000001"),
    ("prescriber2@demo.isotrack.test", "Dr. Daniel Reyes", Role.PRESCRIBER, "P1000002"),
    ("nurse@demo.isotrack.test", "Sam Lindqvist, RN", Role.CLINICAL_STAFF, ""),
    ("frontdesk@demo.isotrack.test", "Priya Natarajan", Role.FRONT_DESK, ""),
    ("admin@demo.isotrack.test", "Alex Morgan", Role.ADMIN, ""),
]


def ensure_demo_users() -> list[tuple[User, bool]]:
    """Create the demo users that do not exist yet; return (user, created) for each."""
    result = []
    for email, name, role, prescriber_id in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        created = user is None
        if created:
            user = User.objects.create_user(
                email, DEMO_PASSWORD, full_name=name, role=role, ipledge_prescriber_id=prescriber_id
            )
            if role == Role.ADMIN:
                TOTP.activate(user, DEMO_TOTP_SECRET)
        result.append((user, created))
    return result


# A realistic load per prescriber at scale: a dermatologist follows on the order of a hundred
# isotretinoin courses, i.e. about a thousand patients of the group (10 % have a course open).
PATIENTS_PER_PRESCRIBER = 1000


def ensure_scale_prescribers(patients: int) -> list[User]:
    """Synthetic prescribers beyond the two demo logins, one per ``PATIENTS_PER_PRESCRIBER``
    patients, so 20,000 demo patients are not all followed by two doctors (whose calendars
    would then be full for months). They cannot log in (no usable password)."""
    wanted = patients // PATIENTS_PER_PRESCRIBER
    first_demo = sum(1 for _, _, role, _ in DEMO_USERS if role == Role.PRESCRIBER)
    users = []
    for number in range(first_demo + 1, wanted + 1):
        email = f"prescriber{number}@scale.demo.isotrack.test"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email,
            None,
            full_name=f"Dr. Demo Prescriber {number}",
            role=Role.PRESCRIBER,
            ipledge_prescriber_id=f"P1{number:06d}",
        )
        users.append(user)
    return users
