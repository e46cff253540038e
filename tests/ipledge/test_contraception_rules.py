"""When two methods (one primary) or abstinence covered the patient."""

import pytest

from ipledge.contraception_rules import coverage, methods_in_use
from ipledge.rule_facts import MethodKind

from .builders import abstinence, condom, d, iud, method, pill

DIAPHRAGM = method("diaphragm", MethodKind.SECONDARY, "2026-01-05")
MINI_PILL = method("progestin_only_pill", MethodKind.UNACCEPTABLE, "2026-01-05", hormonal=True)
ON = d("2026-02-10")


@pytest.mark.parametrize(
    ("methods", "commitments", "covered"),
    [
        ([iud(), condom()], [], True),
        ([iud(), pill()], [], True),  # two primaries
        ([iud()], [], False),  # one method
        ([condom(), DIAPHRAGM], [], False),  # no primary
        ([MINI_PILL, condom()], [], False),  # the mini-pill is not a method
        ([], [abstinence()], True),
        ([iud(), condom(until="2026-02-09")], [], False),  # ended the day before
        ([iud(), condom(until="2026-02-10")], [], True),  # the end date is its last day of use
        ([iud(), condom(since="2026-02-11")], [], False),  # starts after the day
    ],
)
def test_covered_means_two_methods_with_a_primary_or_abstinence(methods, commitments, covered):
    assert coverage(methods, commitments, ON).covered_on(ON) is covered


def test_back_to_back_methods_keep_one_unbroken_coverage():
    methods = [iud(), condom(until="2026-01-31"), method("diaphragm", MethodKind.SECONDARY, "2026-02-01")]
    cover = coverage(methods, [], ON)
    assert cover.covered_since(ON) == d("2026-01-05")
    assert cover.first_gap(d("2026-01-05"), ON) is None


def test_a_gap_is_found_at_its_first_day():
    methods = [iud(), condom(until="2026-01-20"), method("diaphragm", MethodKind.SECONDARY, "2026-01-25")]
    cover = coverage(methods, [], ON)
    assert cover.first_gap(d("2026-01-05"), ON) == d("2026-01-21")
    assert cover.covered_since(ON) == d("2026-01-25")
    assert not cover.covered_throughout(d("2026-01-10"), ON)


def test_records_starting_after_the_day_are_not_known_yet():
    cover = coverage([iud(), condom(since="2026-03-01")], [], ON)
    assert cover.ranges == ()


def test_methods_are_listed_primary_first():
    listed = methods_in_use([condom(since="2026-01-01"), iud(since="2026-01-20"), MINI_PILL], ON)
    assert [m.method for m in listed] == ["iud", "male_condom"]
