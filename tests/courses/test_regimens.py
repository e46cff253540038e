"""Regimens: what prescribers type, checked against a formulation's capsules, and described."""

import pytest

from courses import regimens

CONVENTIONAL = [10, 20, 25, 30, 35, 40]
ABSORICA_LD = [8, 16, 20, 24, 28, 32]


@pytest.mark.parametrize(
    ("text", "strengths", "day"),
    [
        ("60", CONVENTIONAL, ((30, 2),)),  # one kind of capsule, easy to split in two doses
        ("40", CONVENTIONAL, ((40, 1),)),
        ("65", CONVENTIONAL, ((40, 1), (25, 1))),
        ("2 x 30", CONVENTIONAL, ((30, 2),)),
        ("2x30 mg", CONVENTIONAL, ((30, 2),)),
        ("2 \u00d7 30 mg", CONVENTIONAL, ((30, 2),)),
        ("40 + 20", CONVENTIONAL, ((40, 1), (20, 1))),
        ("40 mg + 20 mg", CONVENTIONAL, ((40, 1), (20, 1))),
        ("30 + 30", CONVENTIONAL, ((30, 2),)),
        ("2*20 + 10", CONVENTIONAL, ((20, 2), (10, 1))),
        ("48", ABSORICA_LD, ((24, 2),)),
        ("60", ABSORICA_LD, ((32, 1), (28, 1))),
    ],
)
def test_a_typed_dose_becomes_capsules(text, strengths, day):
    assert regimens.parse_day(text, strengths) == day


@pytest.mark.parametrize(
    ("text", "strengths", "message"),
    [
        ("", CONVENTIONAL, "Enter a dose"),
        ("0", CONVENTIONAL, "more than 0 mg"),
        ("15", CONVENTIONAL, "15 mg cannot be made from 10, 20, 25, 30, 35, 40 mg capsules"),
        ("30", ABSORICA_LD, "cannot be made from 8, 16, 20, 24, 28, 32 mg"),
        ("2 x 30", ABSORICA_LD, "no 30 mg capsule"),
        ("40 + 15", CONVENTIONAL, "no 15 mg capsule"),
        ("sixty", CONVENTIONAL, "is not a dose"),
        ("-20", CONVENTIONAL, "is not a dose"),
        ("7 x 10", CONVENTIONAL, "More than 6 capsules"),
        ("1000", CONVENTIONAL, "cannot be made"),
    ],
)
def test_a_dose_the_capsules_cannot_make_is_explained(text, strengths, message):
    with pytest.raises(regimens.RegimenError, match=message):
        regimens.parse_day(text, strengths)


def test_stored_regimens_are_validated_and_round_trip_through_json():
    regimen = (((40, 1),), ((30, 2),))
    assert regimens.validate_regimen(regimens.to_json(regimen), CONVENTIONAL) == regimen
    assert regimens.from_json([[[40, 1]], [[30, 2]]]) == regimen
    for bad in ([], [[]], [[[40]]], [[["40", 1]]], [[[True, 1]]], "60", [[[40, 1]]] * 8, [[[30, 0]]]):
        with pytest.raises(regimens.RegimenError):
            regimens.validate_regimen(bad, CONVENTIONAL)


@pytest.mark.parametrize(
    ("regimen", "long", "short"),
    [
        ((((30, 2),),), "2 \u00d7 30 mg (60 mg) daily", "60 mg"),
        ((((40, 1),),), "40 mg daily", "40 mg"),
        ((((40, 1), (20, 1)),), "40 mg + 20 mg (60 mg) daily", "60 mg"),
        ((((40, 1),), ((30, 2),)), "40 mg and 2 \u00d7 30 mg (60 mg) on alternate days", "40 / 60 mg"),
    ],
)
def test_regimens_are_described_for_staff(regimen, long, short):
    assert regimens.describe(regimen) == long
    assert regimens.short(regimen) == short


def test_the_makeable_doses_are_sums_of_up_to_six_capsules():
    doses = regimens.makeable_doses(CONVENTIONAL)
    assert doses[:5] == [10, 20, 25, 30, 35]
    assert 15 not in doses
    assert max(doses) == 240
