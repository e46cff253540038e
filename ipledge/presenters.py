"""Badge classes of the course states and method labels, shared by the compliance pages and
panels (checklist rows: ``ipledge.display``)."""

from .models import ContraceptionMethod, StatusState
from .rule_facts import ABSTINENCE

STATE_BADGES = {
    StatusState.NOT_STARTED: "badge-neutral",
    StatusState.ACTION_NEEDED: "badge-warn",
    StatusState.READY: "badge-ok",
    StatusState.BLOCKED: "badge-bad",
    StatusState.COMPLETED: "badge-info",
}


def method_labels() -> dict[str, str]:
    """Method code -> label, abstinence included (one query)."""
    labels = dict(ContraceptionMethod.objects.values_list("code", "label"))
    labels[ABSTINENCE] = "Abstinence"
    return labels
