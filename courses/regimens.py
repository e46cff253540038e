"""Daily regimens as capsule compositions: parsing what a prescriber types, checking it against
a formulation's capsule strengths, and describing it. Pure Python (no Django), like dosing.py.

A regimen is a cycle of days, day 1 being the first day of its dose period; each day is a list
of ``[strength_mg, count]`` pairs. It is stored as JSON in exactly that shape:

- 60 mg every day as two 30 mg capsules: ``[[[30, 2]]]``
- 60 mg every day as 40 + 20 mg: ``[[[40, 1], [20, 1]]]``
- 40 mg and 60 mg on alternate days: ``[[[40, 1]], [[30, 2]]]``

Every day of a cycle has a positive dose (a day without a dose is a missed day or a hold,
recorded as such, so that prescribed and taken amounts stay apart).
"""

import re
from functools import cache
from itertools import combinations_with_replacement

Day = tuple[tuple[int, int], ...]
Regimen = tuple[Day, ...]

MAX_CYCLE_DAYS = 7
# Search bound when composing a total from capsules (and for the what-if rounding): more than
# six capsules a day is not a regimen anyone prescribes.
MAX_CAPSULES_PER_DAY = 6

TIMES = "\u00d7"  # the multiplication sign shown in "2 x 30 mg"; staff may type x, X or * too
_TERM = re.compile(r"^(?:(\d+)\s*[x*\u00d7]\s*)?(\d+)\s*(?:mg)?$", re.IGNORECASE)


class RegimenError(ValueError):
    """A regimen that cannot be given with the formulation's capsules; the message is for staff."""


def _strength_list(strengths) -> str:
    return ", ".join(str(s) for s in sorted(strengths)) + " mg"


def day_mg(day: Day) -> int:
    return sum(strength * count for strength, count in day)


def cycle_mg(regimen: Regimen) -> list[int]:
    """The dose of each day of the cycle, in mg."""
    return [day_mg(day) for day in regimen]


@cache
def _compositions(strengths: tuple[int, ...]) -> dict[int, Day]:
    """Every daily total the capsules can make (up to MAX_CAPSULES_PER_DAY), with the preferred
    composition: fewest capsules, then fewest different strengths (2 x 30 mg rather than
    40 + 20 mg: one kind of capsule, easy to split into two divided doses), then larger capsules."""
    best: dict[int, tuple[tuple, Day]] = {}
    for n in range(1, MAX_CAPSULES_PER_DAY + 1):
        for combo in combinations_with_replacement(sorted(strengths, reverse=True), n):
            day = tuple((s, combo.count(s)) for s in sorted(set(combo), reverse=True))
            rank = (n, len(day), tuple(-s for s in combo))
            total = sum(combo)
            if total not in best or rank < best[total][0]:
                best[total] = (rank, day)
    return {total: day for total, (_, day) in best.items()}


def compose(total_mg: int, strengths) -> Day | None:
    """The preferred capsule composition of ``total_mg`` a day, or None when impossible."""
    return _compositions(tuple(sorted(set(strengths)))).get(total_mg)


def makeable_doses(strengths) -> list[int]:
    """Every daily dose (mg) the capsules can make, ascending."""
    return sorted(_compositions(tuple(sorted(set(strengths)))))


def parse_day(text: str, strengths) -> Day:
    """One day's dose as typed: a total (``60``: the capsules are chosen), or capsules joined by
    ``+`` (``40 + 20``, ``2 x 30 mg``, ``2*30 + 10``)."""
    cleaned = text.strip()
    if not cleaned:
        raise RegimenError("Enter a dose, e.g. 60, 2 x 30 or 40 + 20.")
    terms = [t.strip() for t in cleaned.split("+")]
    parsed = []
    for term in terms:
        match = _TERM.match(term)
        if not match:
            raise RegimenError(f"“{term}” is not a dose; write e.g. 60, 2 x 30 or 40 + 20 (mg).")
        count, strength = int(match.group(1) or 1), int(match.group(2))
        parsed.append((strength, count, match.group(1) is not None))
    if len(parsed) == 1 and not parsed[0][2]:
        total = parsed[0][0]
        if total <= 0:
            raise RegimenError("A daily dose must be more than 0 mg.")
        day = compose(total, strengths)
        if day is None:
            raise RegimenError(f"{total} mg cannot be made from {_strength_list(strengths)} capsules.")
        return day
    merged: dict[int, int] = {}
    for strength, count, _ in parsed:
        merged[strength] = merged.get(strength, 0) + count
    day = tuple(sorted(merged.items(), reverse=True))
    validate_day(day, strengths)
    return day


def validate_day(day, strengths) -> None:
    if not day:
        raise RegimenError("A day of the regimen has no capsules.")
    for strength, count in day:
        if strength not in strengths:
            raise RegimenError(f"There is no {strength} mg capsule of this formulation ({_strength_list(strengths)}).")
        if count < 1:
            raise RegimenError("Capsule counts must be at least 1.")
    if sum(count for _, count in day) > MAX_CAPSULES_PER_DAY:
        raise RegimenError(f"More than {MAX_CAPSULES_PER_DAY} capsules a day: check the dose.")


def validate_regimen(regimen, strengths) -> Regimen:
    """Check a regimen (e.g. loaded from JSON) and return it as tuples; RegimenError otherwise."""
    if not isinstance(regimen, list | tuple) or not 1 <= len(regimen) <= MAX_CYCLE_DAYS:
        raise RegimenError(f"A regimen is a cycle of 1 to {MAX_CYCLE_DAYS} days.")
    days = []
    for day in regimen:
        if not isinstance(day, list | tuple) or not all(
            isinstance(pair, list | tuple)
            and len(pair) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
            for pair in day
        ):
            raise RegimenError("Each day of a regimen is a list of [strength_mg, count] pairs.")
        normalized = tuple((int(s), int(c)) for s, c in day)
        validate_day(normalized, strengths)
        days.append(normalized)
    return tuple(days)


def from_json(regimen) -> Regimen:
    """A stored regimen as tuples (it was validated when saved)."""
    return tuple(tuple((int(strength), int(count)) for strength, count in day) for day in regimen)


def to_json(regimen: Regimen) -> list:
    return [[[strength, count] for strength, count in day] for day in regimen]


def describe_day(day: Day, total: bool = True) -> str:
    """'2 x 30 mg (60 mg)', '40 mg + 20 mg (60 mg)', '40 mg' (with the total only when it adds
    something, and only if ``total``)."""
    parts = [f"{count} {TIMES} {strength} mg" if count > 1 else f"{strength} mg" for strength, count in day]
    text = " + ".join(parts)
    if total and (len(day) > 1 or day[0][1] > 1):
        text += f" ({day_mg(day)} mg)"
    return text


def describe(regimen: Regimen) -> str:
    """'2 x 30 mg (60 mg) daily'; '40 mg and 2 x 30 mg (60 mg) on alternate days' (with a real
    multiplication sign)."""
    if len(regimen) == 1:
        return f"{describe_day(regimen[0])} daily"
    if len(regimen) == 2:
        return f"{describe_day(regimen[0])} and {describe_day(regimen[1])} on alternate days"
    return ", then ".join(describe_day(day) for day in regimen) + f" (a {len(regimen)}-day cycle)"


def short(regimen: Regimen) -> str:
    """'60 mg' or '40 / 60 mg' (alternating), for tables and panels."""
    totals = cycle_mg(regimen)
    if len(set(totals)) == 1:
        return f"{totals[0]} mg"
    return " / ".join(str(t) for t in totals) + " mg"
