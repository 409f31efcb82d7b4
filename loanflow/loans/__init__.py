"""The 5321 poverty-relief small loan (扶贫小额信贷): apply, rate, credit, disburse, repay, the fund."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Tables, the loan and fund APIs, the pages, the commands, the documents; what loans add elsewhere."""
    from loanflow.api import register_api
    from loanflow.core import signals
    from loanflow.core.cli import add_commands
    from loanflow.documents.registry import register_case_type
    from loanflow.loans import api, api_money, cli, deadlines, documents, models, queue, views  # noqa: F401
    from loanflow.loans.fund import api as fund_api
    from loanflow.loans.fund import views as fund_views  # noqa: F401  (the fund's page)

    the_api = register_api(app, api.blp)
    api.document_actions(the_api)  # POST /loans/{id}/{action}: the action names and bodies in the OpenAPI
    register_api(app, api_money.blp)
    register_api(app, fund_api.blp)
    add_commands(app, cli.cli)
    register_case_type(app, documents.CASE_TYPE)
    signals.calendar_year_entered.connect(deadlines.refirm_loan_deadlines)
    signals.work_queue_sections.connect(queue.queue_section)
    signals.work_queue_sections.connect(queue.clerk_waiting_section)
    signals.work_queue_sections.connect(queue.clerk_household_section)
    signals.cases_by_number.connect(queue.cases_by_number)
    signals.menu_entries.connect(views.menu_entries)
    signals.household_actions.connect(views.household_actions)
    signals.household_cases.connect(views.household_cases)
