"""``flask loanflow firm-subsidy-dates``: recompute provisional 公示 periods and subsidy deadlines."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup


def register(group: AppGroup) -> None:
    @group.command("firm-subsidy-dates")
    def firm_subsidy_dates() -> None:
        """After ``enter-calendar-year``: provisional publicity periods and deadlines become firm."""
        from loanflow.services.publicity import refirm_provisional_dates

        click.echo(json.dumps(refirm_provisional_dates()))
