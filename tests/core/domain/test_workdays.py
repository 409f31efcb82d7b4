from datetime import date, timedelta

import pytest

from loanflow.core.domain.workdays import (
    Period,
    WorkCalendar,
    WorkCount,
    WorkResult,
    YearTable,
    statutory_holidays,
)

CAL = WorkCalendar()

# 2027 as an admin might enter it: New Year's Day on Friday 1 January.
YEAR_2027 = YearTable(2027, holidays=frozenset({date(2027, 1, 1)}), workdays=frozenset())


def test_the_library_knows_2026_but_not_2027():
    assert CAL.knows_year(2026)
    assert not CAL.knows_year(2027)
    assert WorkCalendar({2027: YEAR_2027}).knows_year(2027)


def test_holidays_and_make_up_saturdays_follow_the_2026_calendar():
    assert not CAL.is_working_day(date(2026, 10, 1))  # National Day
    assert CAL.is_working_day(date(2026, 10, 10))  # make-up Saturday (调休)
    assert not CAL.is_working_day(date(2026, 10, 11))
    assert CAL.is_working_day(date(2026, 3, 10))


def test_a_stage_starting_on_a_friday_with_five_days_is_due_the_next_friday():
    assert CAL.add_working_days(date(2026, 3, 6), 5) == WorkResult(date(2026, 3, 13), False)


def test_zero_working_days_is_the_start_day_itself():
    assert CAL.add_working_days(date(2026, 3, 7), 0) == WorkResult(date(2026, 3, 7), False)


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 3, 6), -1)


def test_a_deadline_skips_the_national_day_holiday_and_counts_the_make_up_saturday():
    assert CAL.add_working_days(date(2026, 9, 30), 3) == WorkResult(date(2026, 10, 10), False)


def test_a_deadline_running_into_an_unknown_year_is_provisional_and_skips_its_statutory_holidays():
    result = CAL.add_working_days(date(2026, 12, 28), 5)
    # 29, 30, 31 December 2026, then 元旦 (Friday 1 January 2027) off on its legal date: 4 and 5 January.
    assert result == WorkResult(date(2027, 1, 5), True)


def test_entering_the_2027_table_makes_the_deadline_firm_and_honours_its_holidays():
    result = WorkCalendar({2027: YEAR_2027}).add_working_days(date(2026, 12, 28), 5)
    assert result == WorkResult(date(2027, 1, 5), False)


def test_the_admin_table_wins_over_the_library_for_a_year_both_know():
    table = YearTable(2026, holidays=frozenset({date(2026, 3, 10)}), workdays=frozenset({date(2026, 3, 7)}))
    cal = WorkCalendar({2026: table})
    assert not cal.is_working_day(date(2026, 3, 10))
    assert cal.is_working_day(date(2026, 3, 7))
    # The admin's table replaces the whole year: the library's National Day is not consulted.
    assert cal.is_working_day(date(2026, 10, 1))


def test_working_days_over_a_deadline_count_the_days_after_it_up_to_today():
    assert CAL.working_days_between(date(2026, 3, 13), date(2026, 3, 16)) == WorkCount(1, False)
    assert CAL.working_days_between(date(2026, 3, 13), date(2026, 3, 13)) == WorkCount(0, False)
    assert CAL.working_days_between(date(2026, 3, 16), date(2026, 3, 13)) == WorkCount(0, False)
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == WorkCount(4, False)


def test_working_days_over_that_reach_into_an_unknown_year_are_provisional():
    # 31 December, (1 January is 元旦), 4 January
    assert CAL.working_days_between(date(2026, 12, 30), date(2027, 1, 4)) == WorkCount(2, True)


def test_the_next_working_day_is_strictly_after():
    assert CAL.next_working_day(date(2026, 9, 30)) == WorkResult(date(2026, 10, 8), False)
    assert CAL.next_working_day(date(2026, 3, 9)) == WorkResult(date(2026, 3, 10), False)


def test_a_due_date_on_a_holiday_moves_to_the_next_working_day():
    assert CAL.working_day_on_or_after(date(2026, 10, 3)) == WorkResult(date(2026, 10, 8), False)
    assert CAL.working_day_on_or_after(date(2026, 10, 10)) == WorkResult(date(2026, 10, 10), False)


def test_a_list_posted_before_national_day_runs_over_the_make_up_saturday():
    period = CAL.publicity_period(date(2026, 9, 30), 5)
    assert period == Period(date(2026, 9, 30), date(2026, 10, 12), date(2026, 10, 13), False)


def test_a_list_posted_on_an_ordinary_monday_ends_on_friday_and_approval_opens_monday():
    period = CAL.publicity_period(date(2026, 3, 9), 5)
    assert period == Period(date(2026, 3, 9), date(2026, 3, 13), date(2026, 3, 16), False)


def test_a_list_posted_on_a_holiday_starts_on_the_first_working_day_after_it():
    period = CAL.publicity_period(date(2026, 10, 2), 5)
    assert period == Period(date(2026, 10, 8), date(2026, 10, 13), date(2026, 10, 14), False)


def test_a_publicity_period_ending_in_an_unknown_year_is_provisional():
    period = CAL.publicity_period(date(2026, 12, 28), 5)
    assert period.provisional
    # 28–31 December, 元旦 off, 4 January the fifth day: approval opens on the 5th
    assert (period.end, period.approval_opens) == (date(2027, 1, 4), date(2027, 1, 5))


def test_a_publicity_period_of_no_days_is_refused():
    with pytest.raises(ValueError):
        CAL.publicity_period(date(2026, 3, 9), 0)


def test_a_year_table_refuses_dates_of_another_year_or_a_day_both_off_and_on():
    with pytest.raises(ValueError):
        YearTable(2027, holidays=frozenset({date(2026, 12, 31)}))
    with pytest.raises(ValueError):
        YearTable(2027, holidays=frozenset({date(2027, 2, 6)}), workdays=frozenset({date(2027, 2, 6)}))
    with pytest.raises(ValueError):
        WorkCalendar({2028: YEAR_2027})


def test_a_year_table_round_trips_through_its_stored_form():
    table = YearTable(2027, frozenset({date(2027, 1, 1)}), frozenset({date(2027, 2, 7)}))
    assert YearTable.from_dict(table.as_dict()) == table


def test_a_three_year_span_is_computed_quickly():
    import time

    started = time.perf_counter()
    for _ in range(50):
        WorkCalendar().working_days_between(date(2024, 1, 1), date(2026, 12, 31))
    assert time.perf_counter() - started < 1.0


# --- a year not published yet: its statutory holidays on their legal dates, no make-up days ----------


def test_the_statutory_holidays_of_2027_fall_on_their_legal_dates():
    assert sorted(statutory_holidays(2027)) == [
        date(2027, 1, 1),  # 元旦
        date(2027, 2, 5),  # 除夕
        date(2027, 2, 6),  # 正月初一
        date(2027, 2, 7),
        date(2027, 2, 8),  # 正月初三
        date(2027, 4, 5),  # 清明 (the solar term)
        date(2027, 5, 1),  # 劳动节
        date(2027, 5, 2),
        date(2027, 6, 9),  # 端午 五月初五
        date(2027, 9, 15),  # 中秋 八月十五
        date(2027, 10, 1),  # 国庆
        date(2027, 10, 2),
        date(2027, 10, 3),
    ]


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_computed_statutory_holiday_is_a_day_off_in_the_published_calendar(year):
    # 2025 and 2026 are published (and follow the law as amended for 2025): the computation agrees
    assert [d for d in sorted(statutory_holidays(year)) if CAL.is_working_day(d)] == []
    assert len(statutory_holidays(year)) == 13


def test_an_unknown_year_skips_the_spring_festival_and_knows_no_make_up_saturday():
    # 除夕 Friday 5 February 2027 and 初三 Monday 8 February are off; Saturdays stay off
    assert not CAL.is_working_day(date(2027, 2, 5)) and not CAL.is_working_day(date(2027, 2, 8))
    saturdays = [date(2027, 1, 2) + timedelta(weeks=n) for n in range(52)]
    assert not any(CAL.is_working_day(d) for d in saturdays)
    assert CAL.add_working_days(date(2027, 2, 4), 1) == WorkResult(date(2027, 2, 9), True)


def test_a_year_table_says_where_it_comes_from():
    assert CAL.year_table(2027) == (YearTable(2027, statutory_holidays(2027), frozenset()), "provisional")
    table, source = CAL.year_table(2026)
    assert (
        source == "library" and date(2026, 10, 10) in table.workdays and date(2026, 10, 1) in table.holidays
    )
    assert WorkCalendar({2027: YEAR_2027}).year_table(2027) == (YEAR_2027, "entered")


def test_the_unknown_years_of_a_span_are_named():
    assert CAL.unknown_years(date(2026, 12, 28), date(2027, 1, 4)) == [2027]
    assert CAL.unknown_years(date(2026, 3, 2), date(2026, 3, 9)) == []
    assert WorkCalendar({2027: YEAR_2027}).unknown_years(date(2026, 12, 28), date(2028, 1, 4)) == [2028]
