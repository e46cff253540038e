"""Instruments the security tests share: what changed in the database, the forms on a page,
plausible values for them, and the headers every response must carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.db import connection

from tests.urls import BOOKKEEPING_TABLES

BASE_DIR = Path(__file__).resolve().parents[2]

# --- What changed in the database ------------------------------------------------------------


def _watched_tables() -> list[str]:
    return sorted(set(connection.introspection.table_names()) - BOOKKEEPING_TABLES)


def database_fingerprint() -> dict[str, str]:
    """For every table but the bookkeeping ones: an md5 over all its rows and the number of
    rows this transaction inserted, updated or deleted (PostgreSQL's pg_stat_xact_user_tables,
    which also sees a write that left the same values). Two equal fingerprints taken in one
    test transaction mean nothing was written in between."""
    tables = _watched_tables()
    quote = connection.ops.quote_name
    # Table names come from the catalog, not from input.
    sql = " UNION ALL ".join(
        f"SELECT '{t}', md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {quote(t)} x"  # noqa: S608
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        digests = dict(cursor.fetchall())
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        writes = dict(cursor.fetchall())
    return {table: f"{digest}:{writes.get(table, 0)}" for table, digest in digests.items()}


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in after if before.get(t) != after[t])


def project_models() -> list:
    """The project's own models holding data (not audit events, logs or third-party models)."""
    from pghistory.models import Event

    return [
        m
        for m in apps.get_models()
        if Path(m._meta.app_config.path).is_relative_to(BASE_DIR)
        and not issubclass(m, Event)
        and m._meta.db_table not in BOOKKEEPING_TABLES
    ]


def project_models_of_tables(tables: list[str]) -> list:
    by_table = {m._meta.db_table: m for m in project_models()}
    return [by_table[t] for t in tables if t in by_table]


# --- Forms on a page -------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # the input type, "select" or "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False
    maxlength: int | None = None


@dataclass
class Form:
    method: str
    action: str  # an absolute path
    fields: dict[str, Field] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urlsplit(urljoin(self.page_path, a.get("action") or self.page_path)).path
            self._form = Form(method=(a.get("method") or "get").lower(), action=action)
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif self._form is not None and a.get("name"):
            self._field(tag, a["name"], a)

    def _field(self, tag: str, name: str, a: dict) -> None:
        maxlength = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
        if tag == "select":
            self._select = self._form.fields[name] = Field(name, "select")
        elif tag == "textarea":
            self._textarea = Field(name, "textarea", maxlength=maxlength)
            self._form.fields[name] = self._textarea
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind == "radio":
                radio = self._form.fields.setdefault(name, Field(name, "radio"))
                radio.options.append(a.get("value", "on"))
                if "checked" in a:
                    radio.value = a.get("value", "on")
                return
            self._form.fields[name] = Field(
                name,
                kind,
                value=a.get("value") or ("on" if kind == "checkbox" else ""),
                checked="checked" in a,
                maxlength=maxlength,
            )

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The HTML parser keeps the newline Django puts after <textarea>; a browser drops it.
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def parse_forms(html: str, page_path: str) -> list[Form]:
    parser = _FormParser(page_path)
    parser.feed(html)
    return parser.forms


def is_logout_form(form: Form) -> bool:
    return form.action == "/accounts/logout/"


def app_forms(html: str, page_path: str) -> list[Form]:
    """The forms of a page that submit to the app's own pages (the log-out button in the top
    bar is every page's and allauth's, not the page's)."""
    return [form for form in parse_forms(html, page_path) if not is_logout_form(form)]


def is_html_page(response) -> bool:
    """A 200 HTML page (not a file download, whose stream is read to its end here, which lets
    the test client close the file)."""
    if response.streaming:
        b"".join(response.streaming_content)
        return False
    return response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")


# Values a clinic would plausibly type, by input type, for fields the page leaves empty.
PLAUSIBLE = {
    "date": "2000-01-15",
    "datetime-local": "2026-01-15T09:30",
    "number": "70",
    "email": "sample@example.com",
    "tel": "(617) 555-0100",
    "url": "https://example.com/",
}


def plausible_value(f: Field) -> str | None:
    """The value a careful user would submit: the page's own value when it has one, else a
    typical value for the input type (None: leave the field out, as an unticked checkbox)."""
    if f.kind == "checkbox":
        return f.value if f.checked else None
    if f.kind in ("select", "radio"):
        return f.value or next((o for o in f.options if o), None)
    if f.value or f.kind == "hidden":
        return f.value
    if f.kind == "time":
        return None  # time ranges come in pairs; empty is the safe choice
    kind = f.kind
    # Text inputs that hold a phone number or an email are not always typed as such.
    if "email" in f.name:
        kind = "email"
    elif "phone" in f.name:
        kind = "tel"
    value = PLAUSIBLE.get(kind, "Sample text")
    return value[: f.maxlength] if f.maxlength else value


def plausible_data(form: Form) -> dict[str, str]:
    data = {}
    for f in form.fields.values():
        value = plausible_value(f)
        if value is not None:
            data[f.name] = value
    return data


# --- Headers every response carries ----------------------------------------------------------


def _csp_directives(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


def header_problems(response) -> list[str]:
    """What is wrong with the security headers of ``response`` (empty list: nothing)."""
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    directives = _csp_directives(csp)
    scripts = directives.get("script-src", directives.get("default-src"))
    if scripts is None:
        problems.append("CSP has no script-src (nor default-src)")
    elif "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts:
        problems.append(f"CSP allows unsafe scripts: {scripts}")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(f"CSP frame-ancestors is {directives.get('frame-ancestors')}, not 'none'")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
    for header, value in expected.items():
        if response.headers.get(header) != value:
            problems.append(f"{header} is {response.headers.get(header)!r}, not {value!r}")
    return problems
