from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loanflow.core.domain.idcard import (
    FEMALE,
    MALE,
    IdNumberError,
    age_on,
    check_character,
    luhn_ok,
    mask_account,
    mask_id_number,
    parse_id_number,
    valid_mobile,
)

TODAY = date(2026, 3, 10)


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


def refusal(raw) -> str:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(raw, TODAY)
    reason = caught.value.reason
    assert reason.zh and reason.en
    return reason.code


def test_the_domain_example_passes_and_yields_birth_date_and_sex():
    parsed = parse_id_number("11010519491231002X", TODAY)
    assert parsed.value == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == FEMALE


def test_a_lower_case_x_is_accepted_and_returned_upper_case():
    assert parse_id_number("11010519491231002x", TODAY).value == "11010519491231002X"


def test_an_odd_17th_digit_means_male():
    assert parse_id_number(with_check("11010519800101001"), TODAY).sex == MALE


def test_a_number_of_the_wrong_length_is_refused():
    assert refusal("11010519491231002") == "id_number.length"
    assert refusal("11010519491231002X1") == "id_number.length"
    assert refusal("") == "id_number.length"


def test_a_number_that_is_not_text_is_refused():
    assert refusal(110105194912310020) == "id_number.not_text"


@pytest.mark.parametrize(
    "raw",
    [
        "1101051949123100XX",
        "x1010519491231002X",
        "11010519491231002Y",
        "１1010519491231002X",
        " 1010519491231002X",
    ],
)
def test_a_number_with_bad_characters_is_refused(raw):
    assert refusal(raw) == "id_number.characters"


def test_a_wrong_check_character_is_refused():
    assert refusal("110105194912310021") == "id_number.check_character"


def test_an_impossible_birth_date_is_refused_even_with_a_right_check_character():
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(with_check("11010519490230002"), TODAY)
    assert caught.value.reason.code == "id_number.birth_date_invalid"
    assert "19490230" in caught.value.reason.zh


def test_a_birth_date_after_the_business_date_is_refused():
    assert refusal(with_check("11010520260311002")) == "id_number.birth_date_future"


def test_a_birth_on_the_business_date_is_allowed():
    assert parse_id_number(with_check("11010520260310002"), TODAY).birth_date == TODAY


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_any_single_digit_change_breaks_the_check_character(first17):
    number = with_check(first17)
    changed = str((int(number[0]) + 1) % 10) + number[1:]
    assert check_character(changed[:17]) != number[17]


@pytest.mark.parametrize(
    "born, on, age",
    [
        (date(1959, 3, 10), date(2026, 3, 10), 67),
        (date(1959, 3, 11), date(2026, 3, 10), 66),
        (date(2008, 3, 10), date(2026, 3, 10), 18),
        (date(2008, 3, 11), date(2026, 3, 10), 17),
        (date(2004, 2, 29), date(2022, 2, 28), 17),
        (date(2004, 2, 29), date(2022, 3, 1), 18),
    ],
)
def test_age_counts_full_years(born, on, age):
    assert age_on(born, on) == age


def test_an_id_number_is_masked_keeping_the_first_six_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_a_bank_account_is_masked_keeping_the_last_four():
    assert mask_account("6222021234561234") == "************1234"
    assert mask_account("123") == "***"


@pytest.mark.parametrize(
    "number, ok",
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("79927398713", True),
        ("", False),
        ("4111 1111", False),
    ],
)
def test_card_numbers_are_luhn_checked(number, ok):
    assert luhn_ok(number) is ok


@pytest.mark.parametrize(
    "number, ok",
    [
        ("13800138000", True),
        ("23800138000", False),
        ("1380013800", False),
        ("138001380000", False),
        ("1380013800a", False),
        ("１3800138000", False),
    ],
)
def test_mobile_numbers_are_eleven_digits_starting_with_one(number, ok):
    assert valid_mobile(number) is ok


def test_the_issue_s_implausible_number_is_refused_for_its_province_code():
    # right check character (6), but 00 is no province and 1800 no birth year of a living person
    assert check_character("00000018000101002") == "6"
    assert refusal("000000180001010026") == "id_number.province"


@pytest.mark.parametrize(
    "prefix",
    [
        "00",
        "10",
        "16",
        "20",
        "24",
        "30",
        "38",
        "40",
        "47",
        "49",
        "55",
        "60",
        "66",
        "70",
        "72",
        "80",
        "83",
        "99",
    ],
)
def test_two_digits_that_open_no_province_are_refused(prefix):
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(with_check(prefix + "010519800101002"), TODAY)
    assert caught.value.reason.code == "id_number.province"
    assert prefix in caught.value.reason.zh


@pytest.mark.parametrize(
    "prefix", ["11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71", "81", "82"]
)
def test_every_province_code_of_the_standard_passes(prefix):
    assert parse_id_number(with_check(prefix + "010519800101002"), TODAY).birth_date == date(1980, 1, 1)


def test_a_birth_year_before_1900_is_refused_even_in_a_real_province():
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(with_check("11010518991231002"), TODAY)
    assert caught.value.reason.code == "id_number.birth_date_too_early"
    assert "1899" in caught.value.reason.zh and "1900" in caught.value.reason.zh


def test_someone_born_on_the_first_day_of_1900_passes():
    assert parse_id_number(with_check("11010519000101002"), TODAY).birth_date == date(1900, 1, 1)
