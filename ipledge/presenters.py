"""Words and badge classes shared by the compliance pages and panels."""

from datetime import date

from .models import ContraceptionMethod, StatusState
from .rule_facts import ABSTINENCE
from .rule_items import Status

STATE_BADGES = {
    StatusState.NOT_STARTED: "badge-neutral",
    StatusState.ACTION_NEEDED: "badge-warn",
    StatusState.READY: "badge-ok",
    StatusState.BLOCKED: "badge-bad",
    StatusState.COMPLETED: "badge-info",
}
STATUS_BADGES = {
    Status.DONE: "badge-ok",
    Status.DUE: "badge-warn",
    Status.OVERDUE: "badge-bad",
    Status.BLOCKED: "badge-bad",
    Status.NOT_APPLICABLE: "badge-neutral",
}
STATUS_WORDS = {
    Status.DONE: "Done",
    Status.DUE: "Due",
    Status.OVERDUE: "Overdue",
    Status.BLOCKED: "Blocked",
    Status.NOT_APPLICABLE: "Not applicable",
}


def method_labels() -> dict[str, str]:
    """Method code -> label, abstinence included (one query)."""
    labels = dict(ContraceptionMethod.objects.values_list("code", "label"))
    labels[ABSTINENCE] = "Abstinence"
    return labels


def checklist_rows(items) -> list[dict]:
    """Checklist items (``rule_items.Item`` or the stored JSON) with their badge and words."""
    rows = []
    for item in items:
        if isinstance(item, dict):
            status = Status(item["status"])
            due = date.fromisoformat(item["due"]) if item.get("due") else None
            rows.append({**item, "due": due, "badge": STATUS_BADGES[status], "words": STATUS_WORDS[status]})
        else:
            rows.append(
                {
                    "code": str(item.code),
                    "title": item.title,
                    "status": str(item.status),
                    "due": item.due_on,
                    "window": item.window,
                    "reason": item.reason,
                    "rule_set": item.rule_set.label,
                    "blocks": item.blocks_prescribing,
                    "blocking": item.blocking,
                    "badge": STATUS_BADGES[item.status],
                    "words": STATUS_WORDS[item.status],
                }
            )
    return rows
