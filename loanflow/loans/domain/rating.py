"""Rating (评级) of a household on the policy's scorecard, and the credit limit (授信额度) it earns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from loanflow.core.domain.policy import Policy
from loanflow.core.domain.reasons import FieldErrors, Reason

NO_LIMIT = Decimal("0.00")


class ScoreError(FieldErrors):
    """Scores that do not fit the scorecard; ``errors`` maps ``scores.<item>`` → reasons."""


@dataclass(frozen=True)
class Rating:
    """The outcome of a rating: total score, grade (``None`` below the floor) and its limit."""

    score: int
    grade: str | None
    label: str | None
    limit: Decimal
    creditworthy: bool


def _item_errors(code: str, name_zh: str, value: Any, maximum: int) -> list[Reason]:
    if not isinstance(value, int) or isinstance(value, bool):
        return [
            Reason(
                "score.not_integer",
                f"“{name_zh}”得分必须是整数",
                f"The score for '{code}' must be a whole number",
            )
        ]
    if value < 0:
        return [
            Reason(
                "score.negative",
                f"“{name_zh}”得分不能为负数",
                f"The score for '{code}' must not be negative",
            )
        ]
    if value > maximum:
        return [
            Reason(
                "score.above_max",
                f"“{name_zh}”得分 {value} 超过该项满分 {maximum} 分",
                f"The score {value} for '{code}' is above its maximum of {maximum}",
            )
        ]
    return []


def _check_scores(scores: Any, policy: Policy) -> int:
    if not isinstance(scores, Mapping):
        raise ScoreError(
            {
                "scores": [
                    Reason("score.not_object", "评分必须按项目填写", "The scores must be given per item")
                ]
            }
        )
    card = {item["code"]: item for item in policy.loan["scorecard"]}
    errors: dict[str, list[Reason]] = {}
    for key in scores:
        if key not in card:
            errors[f"scores.{key}"] = [
                Reason(
                    "score.unknown_item",
                    f"评分表中没有“{key}”这一项",
                    f"'{key}' is not an item of the scorecard",
                )
            ]
    for code, item in card.items():
        if code not in scores:
            errors[f"scores.{code}"] = [
                Reason(
                    "score.missing_item",
                    f"未填写“{item['name_zh']}”得分",
                    f"The score for '{code}' is missing",
                )
            ]
            continue
        found = _item_errors(code, item["name_zh"], scores[code], int(item["max"]))
        if found:
            errors[f"scores.{code}"] = found
    if errors:
        raise ScoreError(errors)
    return sum(scores[code] for code in card)


def rate_household(scores: Mapping[str, int], policy: Policy) -> Rating:
    """Rate a household: every scorecard item given, each a whole number from 0 to its maximum.

    Raises ``ScoreError`` naming every bad item. Below the lowest grade the
    household is not creditworthy (grade and label ``None``, limit 0).
    """
    score = _check_scores(scores, policy)
    for grade in policy.grades():
        if score >= grade.min_score:
            return Rating(score, grade.grade, grade.label, grade.limit, True)
    return Rating(score, None, None, NO_LIMIT, False)


def below_floor_reason(rating: Rating, policy: Policy) -> Reason:
    """The reason recorded when a loan is rejected for a score below the lowest grade."""
    floor = min(g.min_score for g in policy.grades())
    return Reason(
        "rating.below_floor",
        f"评级得分 {rating.score} 分，低于授信最低分 {floor} 分",
        f"The rating score of {rating.score} is below the minimum of {floor} for credit",
    )


def credit_limit(requested: Decimal, rating: Rating, policy: Policy) -> Decimal:
    """The most that may be credited (授信额度): min(requested, grade limit, product maximum)."""
    if not rating.creditworthy:
        return NO_LIMIT
    return min(requested, rating.limit, policy.max_amount)
