import copy
from decimal import Decimal

import pytest

from loanflow.core.domain.policy import DEFAULT_POLICY, Policy
from loanflow.loans.domain.rating import Rating, ScoreError, below_floor_reason, credit_limit, rate_household

POLICY = Policy(DEFAULT_POLICY)
ITEMS = {item["code"]: item["max"] for item in DEFAULT_POLICY["loan"]["scorecard"]}


def scores_totalling(total: int) -> dict[str, int]:
    """Fill the items in order up to their maximum until ``total`` is reached."""
    scores, left = {}, total
    for code, maximum in ITEMS.items():
        scores[code] = min(maximum, left)
        left -= scores[code]
    assert left == 0
    return scores


@pytest.mark.parametrize(
    "score, grade, label, limit, creditworthy",
    [
        (0, None, None, "0.00", False),
        (59, None, None, "0.00", False),
        (60, "2star", "★★", "20000.00", True),
        (69, "2star", "★★", "20000.00", True),
        (70, "3star", "★★★", "30000.00", True),
        (79, "3star", "★★★", "30000.00", True),
        (80, "4star", "★★★★", "40000.00", True),
        (89, "4star", "★★★★", "40000.00", True),
        (90, "5star", "★★★★★", "50000.00", True),
        (100, "5star", "★★★★★", "50000.00", True),
    ],
)
def test_the_grade_and_limit_follow_the_score_at_every_band_edge(score, grade, label, limit, creditworthy):
    assert rate_household(scores_totalling(score), POLICY) == Rating(
        score, grade, label, Decimal(limit), creditworthy
    )


def errors_of(scores) -> dict[str, list[str]]:
    with pytest.raises(ScoreError) as caught:
        rate_household(scores, POLICY)
    return {field: [r.code for r in reasons] for field, reasons in caught.value.errors.items()}


def test_a_missing_item_is_named():
    scores = scores_totalling(80)
    del scores["integrity"]
    assert errors_of(scores) == {"scores.integrity": ["score.missing_item"]}


def test_an_unknown_item_is_named():
    assert errors_of({**scores_totalling(80), "looks": 5}) == {"scores.looks": ["score.unknown_item"]}


def test_a_score_above_the_item_maximum_is_named_with_the_maximum():
    with pytest.raises(ScoreError) as caught:
        rate_household({**scores_totalling(80), "integrity": 26}, POLICY)
    assert caught.value.messages() == {"scores.integrity": ["“诚信度”得分 26 超过该项满分 25 分"]}
    assert caught.value.messages("en") == {
        "scores.integrity": ["The score 26 for 'integrity' is above its maximum of 25"]
    }


def test_a_negative_score_is_named():
    assert errors_of({**scores_totalling(80), "assets": -1}) == {"scores.assets": ["score.negative"]}


@pytest.mark.parametrize("value", [5.0, "5", True, None])
def test_a_score_that_is_not_an_integer_is_named(value):
    assert errors_of({**scores_totalling(80), "workers": value}) == {"scores.workers": ["score.not_integer"]}


def test_every_bad_item_is_named_at_once():
    scores = {**scores_totalling(80), "looks": 1, "assets": 99, "workers": "x"}
    del scores["integrity"]
    assert errors_of(scores) == {
        "scores.looks": ["score.unknown_item"],
        "scores.integrity": ["score.missing_item"],
        "scores.workers": ["score.not_integer"],
        "scores.assets": ["score.above_max"],
    }


def test_scores_that_are_not_a_mapping_are_refused():
    assert errors_of([1, 2, 3]) == {"scores": ["score.not_object"]}


def test_a_score_below_the_floor_gives_a_reason_with_the_score():
    rating = rate_household(scores_totalling(55), POLICY)
    reason = below_floor_reason(rating, POLICY)
    assert reason.zh == "评级得分 55 分，低于授信最低分 60 分"


@pytest.mark.parametrize(
    "requested, score, limit",
    [
        ("15000.00", 75, "15000.00"),
        ("45000.00", 75, "30000.00"),
        ("50000.00", 95, "50000.00"),
        ("30000", 50, "0.00"),
    ],
)
def test_the_credit_limit_is_the_least_of_request_grade_limit_and_product_maximum(requested, score, limit):
    rating = rate_household(scores_totalling(score), POLICY)
    assert credit_limit(Decimal(requested), rating, POLICY) == Decimal(limit)


def test_the_product_maximum_caps_a_generous_grade_limit():
    document = copy.deepcopy(DEFAULT_POLICY)
    document["loan"]["max_amount"] = "45000.00"
    policy = Policy(document)
    rating = rate_household(scores_totalling(95), policy)
    assert credit_limit(Decimal("50000.00"), rating, policy) == Decimal("45000.00")
