"""The calendar pages: each year's days off and make-up days; a year entered from the pasted notice."""

from __future__ import annotations

from datetime import date

import pytest

from loanflow.calendar.forms import DatesError, dates_in, notice_dates
from loanflow.calendar.models import CalendarYear
from loanflow.extensions import db
from loanflow.web.testing.fixtures import field_errors

pytestmark = pytest.mark.bare_demo

NOTICE_2027 = """一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月6日（农历腊月三十、周六）至12日（周五）放假调休，共7天。2月13日（周六）、2月14日（周日）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假，共1天。
六、中秋节、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。"""


def test_the_notice_gives_days_off_from_its_holiday_clauses_and_working_days_from_its_work_clauses():
    off, on = notice_dates(NOTICE_2027, 2027)
    assert off[0] == date(2027, 1, 1) and date(2027, 2, 12) in off and date(2027, 10, 7) in off
    assert len(off) == 3 + 7 + 3 + 5 + 1 + 7
    assert on == [
        date(2027, 2, 13),
        date(2027, 2, 14),
        date(2027, 4, 25),
        date(2027, 5, 8),
        date(2027, 9, 26),
        date(2027, 10, 9),
    ]


def test_iso_dates_and_ranges_are_read_and_an_impossible_date_is_refused():
    assert dates_in("2027-01-01\n2027-02-06~2027-02-08", 2027) == [
        date(2027, 1, 1),
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 2, 8),
    ]
    with pytest.raises(DatesError):
        dates_in("2月30日放假", 2027)


def test_the_admin_enters_2027_from_the_notice_and_the_year_shows_as_entered(page_as):
    admin = page_as("admin")
    assert (
        "暂定"
        in admin.get("/calendar").get_data(as_text=True).split('id="year-2027"')[1].split("</section>")[0]
    )
    r = admin.post("/calendar/2027", data={"holidays": "", "workdays": "", "notice": NOTICE_2027})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "2027 年已录入：放假 26 天，调休上班 6 天。" in html
    row = db.session.get(CalendarYear, 2027)
    assert "2027-02-13" in row.workdays and "2027-10-01" in row.holidays
    year = admin.get("/calendar").get_data(as_text=True).split('id="year-2027"')[1].split("</section>")[0]
    assert "已按通知录入" in year and "2027-10-09" in year


def test_a_notice_with_an_impossible_date_is_refused_beside_it_and_nothing_is_entered(page_as):
    r = page_as("admin").post("/calendar/2027", data={"notice": "元旦：2月30日放假。"})
    assert r.status_code == 422 and field_errors(r.get_data(as_text=True), "notice")
    assert db.session.get(CalendarYear, 2027) is None


def test_the_page_shows_each_moved_date_when_the_service_lists_them(app):
    """The calendar service may answer with the dates that moved; the page's presenter reads both shapes."""
    from types import SimpleNamespace

    from loanflow.calendar.views import entered
    from loanflow.core.domain.workdays import YearTable

    table = YearTable(2027, frozenset({date(2027, 1, 1)}), frozenset())
    moved = SimpleNamespace(
        case_number="DK-2026-000006",
        what="stage_due_on",
        before=date(2027, 1, 4),
        after=date(2027, 1, 5),
        still_provisional=False,
    )
    with app.test_request_context():
        shown = entered(
            SimpleNamespace(
                table=table, refirmed={"loan_deadlines": 1}, moved=[moved], approved_inside_period=[]
            )
        )
        assert shown.moved == [
            {
                "case_number": "DK-2026-000006",
                "what": "办理期限",
                "before": "2027-01-04",
                "after": "2027-01-05",
                "still_provisional": False,
            }
        ]
        assert shown.counts == {"贷款办理时限": 1} and shown.holidays == ["2027-01-01"]


def test_a_year_outside_the_calendar_is_not_found(page_as):
    admin = page_as("admin")
    assert admin.get("/calendar/99999").status_code == 404
    assert admin.post("/calendar/1999", data={"holidays": "1999-01-01"}).status_code == 404
