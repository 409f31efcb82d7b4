"""Calendar years entered by an admin, for years the calendar library does not know yet."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from loanflow.core.types import JSONType, UtcDateTime
from loanflow.extensions import db


class CalendarYear(db.Model):
    """The public holidays and make-up working days (调休) of one year, as published by the State Council."""

    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    holidays: Mapped[list] = mapped_column(JSONType, default=list)
    workdays: Mapped[list] = mapped_column(JSONType, default=list)
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
