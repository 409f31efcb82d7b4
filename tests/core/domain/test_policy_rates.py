"""The policy's rate table: bands by term, the longest one open-ended, a published table reaching the longest term."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from loanflow.core.domain.policy import Policy, PolicyError, default_policy_document, validate_policy


def test_a_term_beyond_every_band_takes_the_longest_bands_rate():
    policy = Policy(default_policy_document())
    on = date(2026, 3, 10)
    assert policy.rate_for(12, on) == Decimal("0.0300")
    assert policy.rate_for(13, on) == Decimal("0.0350")
    assert policy.rate_for(48, on) == Decimal("0.0350")  # a 36-month loan extended by 12


def test_a_date_before_every_row_has_no_rate():
    with pytest.raises(PolicyError, match="no rate in force"):
        Policy(default_policy_document()).rate_for(12, date(2020, 1, 1))


def test_a_rate_table_whose_bands_stop_short_of_the_longest_term_is_refused_naming_the_date():
    document = default_policy_document()
    document["loan"]["rates"] = [{"effective_from": "2025-05-20", "max_term_months": 12, "rate": "0.0300"}]
    with pytest.raises(PolicyError) as refused:
        validate_policy(document)
    assert refused.value.errors["loan.rates"] == [
        "the bands from 2025-05-20 reach 12 months, not loan.max_term_months (36)"
    ]


def test_a_rate_row_that_is_not_an_object_is_named_by_its_index():
    document = default_policy_document()
    document["loan"]["rates"] = ["x", *document["loan"]["rates"]]
    with pytest.raises(PolicyError) as refused:
        validate_policy(document)
    assert list(refused.value.errors) == ["loan.rates[0]"]
