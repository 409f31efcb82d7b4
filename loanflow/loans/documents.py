"""What the loan documents show (借款合同, 借据, 展期协议, 回执), read from the loan as decided.

Every number comes from the loan as decided (amount, term, rate, method,
subsidy ratio, the stored schedule) or from the policy version the decision
was made under (penalty markup, extension limits); nothing is a literal here.
Builders only read; documents renders and stores. ``CASE_TYPE`` is what
``loans.init_app`` registers with ``documents.registry``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from loanflow.core import clock
from loanflow.core.domain.labels import label
from loanflow.core.regions import Branch
from loanflow.documents import (
    Account,
    Borrower,
    ExtensionAgreementView,
    HouseholdReceiptView,
    Lender,
    LoanAgreementView,
    LoanReceiptView,
    ScheduleLine,
)
from loanflow.documents.builders import contact, head_name, not_yet, office_of, region_names
from loanflow.documents.registry import CaseType
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.domain.ledger import max_extension_months
from loanflow.loans.models import Loan
from loanflow.loans.services.position import plan_in_force, position_of, revision_made
from loanflow.loans.services.queries import get_loan
from loanflow.policy.services import policy_version


def _lender(loan: Loan) -> Lender:
    branch = db.session.get(Branch, loan.branch_id)
    return Lender(branch_name=branch.name, bank_name=branch.bank, address=branch.address)


def _borrower(loan: Loan, h: Household) -> Borrower:
    county, township, village = region_names(loan.village_code)
    return Borrower(
        name=loan.borrower_name,
        id_number=loan.borrower_id_number,
        address=f"{county}{township}{village}{h.address}",
    )


def _purpose(loan: Loan) -> str:
    text = label("purpose", loan.purpose)
    return f"{text}（{loan.purpose_detail}）" if loan.purpose_detail else text


def loan_agreement_view(loan: Loan) -> LoanAgreementView:
    """借款合同: the credited terms, with the clauses' numbers from the policy version of the credit."""
    if loan.credited_on is None:
        raise not_yet(loan, "loan_agreement", loan.state)
    policy = policy_version(loan.credit_policy_version)
    extension = policy.loan["extension"]
    h = db.session.get(Household, loan.household_id)
    return LoanAgreementView(
        contract_no=loan.case_number,
        issued_on=clock.today(),
        lender=_lender(loan),
        borrower=_borrower(loan, h),
        amount=loan.credited_amount,
        purpose=_purpose(loan),
        term_months=loan.credited_term_months,
        annual_rate=loan.rate,
        method=loan.method,
        subsidy_ratio=loan.subsidy_ratio,
        penalty_markup=Decimal(policy.loan["penalty_markup"]),
        extension_max_count=int(extension["max_count"]),
        # this loan's own longest extension, as the rules give it for its term (not the policy's cap)
        extension_max_months=max_extension_months(loan.credited_term_months, extension),
    )


def loan_receipt_view(loan: Loan) -> LoanReceiptView:
    """借据 with the plan in force (revision 0 at disbursement, then each new revision), each line's
    subsidy split: the same stored lines the page and ``GET /loans/{id}/schedule`` show."""
    if loan.disbursed_on is None:
        raise not_yet(loan, "loan_receipt", loan.state)
    h = db.session.get(Household, loan.household_id)
    stored = plan_in_force(loan)
    lines = tuple(
        ScheduleLine(
            seq=x.seq, due_on=x.due_date, principal=x.principal, interest=x.interest, subsidy=x.subsidy
        )
        for x in stored
    )
    number = loan.plan_revision
    made = revision_made(loan, number)
    return LoanReceiptView(
        receipt_no=f"{loan.case_number}-J{number}" if number else f"{loan.case_number}-J",
        contract_no=loan.case_number,
        issued_on=clock.today(),
        lender=_lender(loan),
        borrower=_borrower(loan, h),
        account=Account(bank_name=loan.bank_name, account_no=loan.bank_account, holder=head_name(h)),
        amount=loan.credited_amount,
        purpose=_purpose(loan),
        disbursed_on=loan.disbursed_on,
        maturity_on=stored[-1].due_date,
        term_months=loan.credited_term_months + loan.extended_months,
        annual_rate=stored[-1].rate,
        method=loan.method,
        lines=lines,
        revision=number,
        revision_cause=label("plan_cause", made.cause) if made else "",
        revised_on=made.effective_on if made and number else None,
        prepaid_principal=loan.credited_amount - sum((x.principal for x in stored), Decimal("0.00")),
    )


def extension_agreement_view(loan: Loan) -> ExtensionAgreementView:
    """展期协议 of the latest extension, as the extension stored it (date, months, rate, subsidy).

    The outstanding principal is the ledger's on the extension date (repayments before it counted).
    """
    events = loan.extension_events or []
    if not events:
        raise not_yet(loan, "extension_agreement", loan.state)

    event, revision = events[-1], len(events)
    extended_on = date.fromisoformat(event["date"])
    h = db.session.get(Household, loan.household_id)
    return ExtensionAgreementView(
        agreement_no=f"{loan.case_number}-Z{revision}",
        contract_no=loan.case_number,
        issued_on=clock.today(),
        lender=_lender(loan),
        borrower=_borrower(loan, h),
        original_amount=loan.credited_amount,
        outstanding_principal=position_of(loan, extended_on).outstanding_principal,
        disbursed_on=loan.disbursed_on,
        original_maturity_on=loan.maturity_on,
        original_term_months=loan.credited_term_months,
        original_rate=loan.rate,
        extended_on=extended_on,
        extension_months=int(event["months"]),
        new_maturity_on=date.fromisoformat(event["new_maturity"]),
        new_rate=Decimal(event["new_rate"]),
        subsidy_continues=bool(event["subsidy_continues"]),
        subsidy_ratio=loan.subsidy_ratio,
    )


LOAN_NEXT = {
    "applied": "由{branch}进行信用评级",
    "rated": "由{branch}审批授信",
    "credited": "由{branch}将贷款发放至您登记的账户",
    "disbursed": "按借据所附还款计划按期还款，最后一期为到期日",
    "overdue": "贷款已逾期，请尽快归还逾期款项",
    "recalled": "贷款已提前收回，请立即归还全部欠款",
    "compensation_claimed": "{branch}已申请风险代偿，待县扶贫办审批；请尽快与{branch}联系归还欠款",
    "compensated": "贷款已由风险补偿金代偿，请与{branch}联系归还欠款",
    "repaid": "贷款已结清，本案办结",
    "rejected": "申请未获批准，本案办结",
    "withdrawn": "申请已撤回，本案办结",
}


def _loan_next(loan: Loan, branch: str) -> tuple[str, date, bool]:
    if loan.state == "disbursed" and loan.extension_requested_on is not None:
        text = f"由{branch}审核展期申请"
    else:
        text = LOAN_NEXT[loan.state].format(branch=branch)
    if loan.stage_due_on is not None:
        return text, loan.stage_due_on, loan.stage_due_provisional
    fallback = {
        "disbursed": loan.current_maturity,
        "recalled": loan.recalled_on,
        "compensated": loan.compensated_on,
    }.get(loan.state) or loan.closed_on
    return text, fallback or clock.today(), False


def loan_household_receipt_view(loan: Loan) -> HouseholdReceiptView:
    """回执 of a loan: what we received, what happens next and by when, whom to ask."""
    h = db.session.get(Household, loan.household_id)
    branch = db.session.get(Branch, loan.branch_id).name
    text, due, provisional = _loan_next(loan, branch)
    received = [
        f"扶贫小额信贷申请（借款人{loan.borrower_name}，金额{loan.requested_amount}元，"
        f"期限{loan.requested_term_months}个月，用途{_purpose(loan)}）",
        "农户同意书（已确认）",
    ]
    if loan.extension_requested_on is not None:
        received.append(f"展期申请（{loan.extension_requested_months}个月）")
    office, phone = contact(loan.applied_by_id, loan.village_code)
    _county, township, _village = region_names(loan.village_code)
    return HouseholdReceiptView(
        case_no=loan.case_number,
        issued_on=clock.today(),
        product="扶贫小额信贷",
        household_head=head_name(h),
        received=tuple(received),
        next_step=text,
        due_by=due,
        due_provisional=provisional,
        contact_office=office,
        contact_phone=phone,
        issuing_office=office_of(township),
    )


CASE_TYPE = CaseType(
    name="loan",
    model=Loan,
    load=get_loan,
    issuers=("clerk", "bank_officer"),
    kinds={
        "loan_agreement": loan_agreement_view,
        "loan_receipt": loan_receipt_view,
        "extension_agreement": extension_agreement_view,
        "household_receipt": loan_household_receipt_view,
    },
    number=lambda loan: loan.case_number,
    # they carry the borrower's whole ID number and account: only for roles whose work needs them
    whole_identity=frozenset({"loan_agreement", "loan_receipt", "extension_agreement"}),
)
