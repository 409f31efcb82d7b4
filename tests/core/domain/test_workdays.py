from datetime import date

import pytest

from loanflow.core.domain.workdays import Period, WorkCalendar, WorkCount, WorkResult, YearTable

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


def test_a_deadline_running_into_an_unknown_year_is_provisional_and_counts_monday_to_friday():
    result = CAL.add_working_days(date(2026, 12, 28), 5)
    # 29, 30, 31 December 2026, then Friday 1 and Monday 4 January 2027 counted as working days.
    assert result == WorkResult(date(2027, 1, 4), True)


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
    assert CAL.working_days_between(date(2026, 12, 30), date(2027, 1, 4)) == WorkCount(3, True)


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
    assert period.approval_opens == date(2027, 1, 4)


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
