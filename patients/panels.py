"""The patient chart's panels contributed by other apps (settings.CHART_PANELS)."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def _panel_functions():
    return [import_string(path) for path in settings.CHART_PANELS]


def render_panels(request, patient) -> list[str]:
    """HTML of each panel the user may see, in the configured order."""
    rendered = (panel(request, patient) for panel in _panel_functions())
    return [html for html in rendered if html]
