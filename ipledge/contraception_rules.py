"""When a patient who can get pregnant was covered by contraception, as a list of date ranges.

Covered on a day = a commitment to abstinence in force, or two acceptable methods in use at
once with at least one primary. The ranges come from one sweep over the methods' start and
end dates (O(n log n) in the number of records, never a loop over days).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .rule_dates import DateRange, days
from .rule_facts import AbstinenceCommitment, ContraceptionMethod, MethodKind


def _in_use(start: date, end: date | None, on: date) -> bool:
    return start <= on and (end is None or on <= end)


def methods_in_use(methods: Iterable[ContraceptionMethod], on: date) -> list[ContraceptionMethod]:
    """Acceptable methods in use on ``on``, in iPLEDGE order: primary first, then by start date."""
    active = [m for m in methods if m.kind is not MethodKind.UNACCEPTABLE and _in_use(m.started_on, m.ended_on, on)]
    return sorted(active, key=lambda m: (m.kind is not MethodKind.PRIMARY, m.started_on, m.method))


def abstinence_in_force(commitments: Iterable[AbstinenceCommitment], on: date) -> AbstinenceCommitment | None:
    active = [c for c in commitments if _in_use(c.committed_on, c.ended_on, on)]
    return max(active, key=lambda c: c.committed_on, default=None)


@dataclass(frozen=True, slots=True)
class Coverage:
    """The ranges (sorted, disjoint, not adjacent) during which the patient was covered."""

    ranges: tuple[DateRange, ...]

    def _range_at(self, day: date) -> DateRange | None:
        i = bisect_right([r.start for r in self.ranges], day) - 1
        if i >= 0 and day in self.ranges[i]:
            return self.ranges[i]
        return None

    def covered_on(self, day: date) -> bool:
        return self._range_at(day) is not None

    def covered_since(self, day: date) -> date | None:
        """The first day of the unbroken coverage that includes ``day``."""
        current = self._range_at(day)
        return current.start if current else None

    def covered_throughout(self, start: date, end: date) -> bool:
        current = self._range_at(start)
        return current is not None and end in current

    def first_gap(self, start: date, end: date) -> date | None:
        """The first day in ``start..end`` without coverage, or None."""
        current = self._range_at(start)
        if current is None:
            return start
        if current.end is None or current.end >= end:
            return None
        return current.end + days(1)


def coverage(
    methods: Iterable[ContraceptionMethod], commitments: Iterable[AbstinenceCommitment], until: date
) -> Coverage:
    """Coverage from the records known on ``until`` (anything starting later is ignored; an
    end date after ``until`` just means "still in use on ``until``")."""
    # Each record adds +1 to its counters on its first day and -1 the day after its last day.
    events: dict[date, list[int]] = {}  # day -> [primary, acceptable, abstinence] deltas

    def add(start: date, end: date | None, delta: tuple[int, int, int]) -> None:
        if start > until:
            return
        for day, sign in ((start, 1), (None if end is None or end >= until else end + days(1), -1)):
            if day is not None:
                slot = events.setdefault(day, [0, 0, 0])
                for k in range(3):
                    slot[k] += sign * delta[k]

    for m in methods:
        if m.kind is not MethodKind.UNACCEPTABLE:
            add(m.started_on, m.ended_on, (int(m.kind is MethodKind.PRIMARY), 1, 0))
    for c in commitments:
        add(c.committed_on, c.ended_on, (0, 0, 1))

    ranges: list[DateRange] = []
    primary = acceptable = abstinent = 0
    open_since: date | None = None
    for day in sorted(events):
        dp, da, dab = events[day]
        primary, acceptable, abstinent = primary + dp, acceptable + da, abstinent + dab
        covered = abstinent > 0 or (primary >= 1 and acceptable >= 2)
        if covered and open_since is None:
            open_since = day
        elif not covered and open_since is not None:
            ranges.append(DateRange(open_since, day - days(1)))
            open_since = None
    if open_since is not None:
        ranges.append(DateRange(open_since, None))
    return Coverage(tuple(ranges))
