"""Every URL pattern of the project, with sample arguments, so tests cover new pages
automatically."""

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLE_BY_CONVERTER = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "sample",
}


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
    import re

    def fill(match):
        converter = match.group(1) or "str"
        return SAMPLE_BY_CONVERTER.get(converter, "sample")

    path = re.sub(r"<(?:(\w+):)?\w+>", fill, route)
    if any(ch in path for ch in "^$()[]?*+\\"):
        return None
    return "/" + path
