"""Every URL pattern of the project, with sample arguments, so tests cover new pages
automatically; and the *world*: one real record for each URL keyword, so the security tests
(tests/security/) can open every page of every app as every persona.

When you add a URL
------------------
1. Decorate its view with ``accounts.access.permission_required("<app>.<perm>")`` (or
   ``accounts.access.sensitive(...)`` for exports and audit pages) as the outermost decorator.
2. If the route has a keyword the registry below does not know yet (``course_id``, ...), add
   it to ``URL_KWARGS`` with a builder that makes one real record. The builder receives the
   world, so the record can belong to the world's patient::

       "course_id": UrlKwarg(lambda world: CourseFactory(patient=world.object("patient_id"))),

   Until you do, the permission-matrix test fails naming the keyword and the URL.
3. If a GET of the page legitimately writes to a table (a log of who viewed what), add the
   table to ``BOOKKEEPING_TABLES``; any other write during a GET or a refused request fails.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLE_BY_CONVERTER = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "sample",
}
_KEYWORD = re.compile(r"<(?:(\w+):)?(\w+)>")


def _patterns(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            full_ns = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else ns
            yield from _patterns(entry, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, entry


def all_url_patterns() -> list[tuple[str, str | None, object]]:
    """(route, name, pattern) for every route; regex routes included."""
    return list(_patterns())


def sample_path(route: str, pattern) -> str | None:
    """A concrete path for a route, with sample values for its converters; None when the
    route is a regex we cannot fill (those are listed explicitly by the tests)."""

    def fill(match):
        converter = match.group(1) or "str"
        return SAMPLE_BY_CONVERTER.get(converter, "sample")

    path = _KEYWORD.sub(fill, route)
    if any(ch in path for ch in "^$()[]?*+\\"):
        return None
    return "/" + path


def route_keywords(route: str) -> list[str]:
    return [match.group(2) for match in _KEYWORD.finditer(route)]


# --- Views that do not declare a permission, and why -----------------------------------------
# Everything else must carry ``required_permission`` (accounts.access.permission_required).
# allauth's views (login, logout, password, two-factor, sessions) protect themselves; the Django
# admin (everything under admin/) requires the Admin role and two-factor, tested separately.
FRAMEWORK_VIEW_MODULES = ("allauth.",)
ADMIN_PREFIX = "admin/"
NOT_PERMISSION_CHECKED = {
    "healthz": "public: load balancers probe it; shows no data",
    "home": "any logged-in role: it only redirects to the role's start page",
}


def is_exempt(route: str, name: str | None, view) -> bool:
    """True for the views the permission matrix does not walk (see above)."""
    module = getattr(view, "__module__", "") or ""
    return module.startswith(FRAMEWORK_VIEW_MODULES) or route.startswith(ADMIN_PREFIX) or name in NOT_PERMISSION_CHECKED


# --- The world: one real record per URL keyword ----------------------------------------------

# A value no record has. Large but within a 32-bit integer column.
MISSING_ID = "2147483000"


@dataclass(frozen=True)
class UrlKwarg:
    """How to fill a URL keyword: ``build(world)`` returns a model instance (its pk is used) or
    a plain value. ``missing`` is a value that names no record (the page must answer 404), or
    None when the keyword is not a record id."""

    build: Callable[["World"], Any]
    missing: str | None = MISSING_ID


def _patient(world):
    from tests.factories import PatientFactory

    return PatientFactory()


def _lab_specimen(world):
    """A specimen of the world's patient, with a result awaiting review."""
    from tests.labs.factories import LabResultFactory, SpecimenFactory

    specimen = SpecimenFactory(patient=world.object("patient_id"))
    LabResultFactory(specimen=specimen, patient=specimen.patient)
    return specimen


# The smallest JPEG the evidence upload accepts (it reads the signature).
_JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _pregnancy_test(world):
    """A home pregnancy test of the world's patient, not yet verified, with its dated photo."""
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from labs import services
    from tests.factories import UserFactory

    return services.pregnancy_test_record(
        actor=UserFactory(),
        patient_id=world.object("patient_id").pk,
        collected_on=date(2026, 3, 2),
        test_type="urine",
        setting="home",
        result="negative",
        sensitivity_miu_ml=20,
        purpose="monthly",
        photo=SimpleUploadedFile("home.jpg", _JPEG, content_type="image/jpeg"),
    )


def _course(world):
    """An active course of the world's patient (weighed), started through the service."""
    from accounts.models import Role
    from tests.courses.factories import start_course, with_weight
    from tests.factories import UserFactory

    return start_course(UserFactory(role=Role.PRESCRIBER), with_weight(world.object("patient_id")))


def _contraception_use(world):
    """A method in use by the world's patient (its course's compliance page ends it)."""
    from ipledge.models import ContraceptionMethod, ContraceptionUse
    from tests.factories import UserFactory

    course = world.object("course_id")
    return ContraceptionUse.objects.create(
        patient=course.patient,
        method=ContraceptionMethod.objects.get(code="implant"),
        started_on=course.start_date,
        recorded_by=UserFactory(),
    )


def _abstinence(world):
    from ipledge.models import AbstinenceCommitment
    from tests.factories import UserFactory

    course = world.object("course_id")
    return AbstinenceCommitment.objects.create(
        patient=course.patient, committed_on=course.start_date, recorded_by=UserFactory()
    )


def _medication_use(world):
    from ipledge.models import ConcomitantMedication, InteractingMedication
    from tests.factories import UserFactory

    course = world.object("course_id")
    return ConcomitantMedication.objects.create(
        patient=course.patient,
        medication=InteractingMedication.objects.get(name="Vitamin A supplement"),
        started_on=course.start_date,
        recorded_by=UserFactory(),
    )


def _authorization(world):
    """A pharmacy authorization of the world's course, not yet dispensed."""
    from datetime import timedelta

    from ipledge.models import Authorization
    from tests.factories import UserFactory

    course = world.object("course_id")
    return Authorization.objects.create(
        course=course,
        patient=course.patient,
        rma_number="RMA-WORLD-1",
        obtained_on=course.start_date,
        do_not_dispense_after=course.start_date + timedelta(days=6),
        days_supply=30,
        quantity=60,
        pharmacy="World Pharmacy",
        recorded_by=UserFactory(),
    )


URL_KWARGS: dict[str, UrlKwarg] = {
    "patient_id": UrlKwarg(_patient),
    "course_id": UrlKwarg(_course),
    "specimen_id": UrlKwarg(_lab_specimen),
    "test_id": UrlKwarg(_pregnancy_test),
    "use_id": UrlKwarg(_contraception_use),
    "commitment_id": UrlKwarg(_abstinence),
    "medication_use_id": UrlKwarg(_medication_use),
    "authorization_id": UrlKwarg(_authorization),
}

# Tables that a GET, or a refused request, may write: logs and session state. A write to any
# other table during such a request fails the security tests.
BOOKKEEPING_TABLES = {
    "django_session",
    "usersessions_usersession",
    "patients_accessevent",  # who viewed (or was refused) which patient's data
    "pghistory_context",  # the request context pghistory attaches to audit rows
}


class UnregisteredKeyword(LookupError):
    pass


class World:
    """Real records for URL keywords, built on first use and kept for the test."""

    def __init__(self):
        self._objects: dict[str, Any] = {}

    def object(self, keyword: str):
        if keyword not in self._objects:
            if keyword not in URL_KWARGS:
                raise UnregisteredKeyword(keyword)
            self._objects[keyword] = URL_KWARGS[keyword].build(self)
        return self._objects[keyword]

    def value(self, keyword: str) -> str:
        obj = self.object(keyword)
        return str(getattr(obj, "pk", obj))

    def path(self, route: str, **overrides: str) -> str:
        def fill(match):
            keyword = match.group(2)
            return overrides[keyword] if keyword in overrides else self.value(keyword)

        return "/" + _KEYWORD.sub(fill, route)

    def missing_paths(self, route: str) -> list[tuple[str, str]]:
        """(keyword, path) with one record keyword replaced by an id no record has."""
        return [
            (keyword, self.path(route, **{keyword: URL_KWARGS[keyword].missing}))
            for keyword in route_keywords(route)
            if URL_KWARGS[keyword].missing is not None
        ]


def unregistered_message(keyword: str, route: str, name: str | None) -> str:
    return (
        f"The URL {name or route!r} (/{route}) has the keyword {keyword!r}, which tests/urls.py does not know. "
        f"Add URL_KWARGS[{keyword!r}] = UrlKwarg(lambda world: <a factory call that makes one real record>) "
        "so the security tests can open the page as every persona."
    )
