"""What each document shows, read from the case, the household, the branch and the policy version used.

Every number comes from the case as decided (amount, term, rate, method,
subsidy ratio, the stored schedule) or from the policy version the decision
was made under (penalty markup, extension limits, industry names and units);
nothing is a literal here. Builders only read; the caller renders and stores.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from loanflow.accounts.models import User
from loanflow.core import clock
from loanflow.core.domain.labels import label
from loanflow.core.errors import Conflict, msg
from loanflow.core.regions import Branch, Region
from loanflow.documents import (
    Account,
    Borrower,
    ExtensionAgreementView,
    HouseholdReceiptView,
    Lender,
    LoanAgreementView,
    LoanReceiptView,
    PublicityEntry,
    PublicityListView,
    ScheduleLine,
    SubsidyNoticeView,
)
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.models import Loan
from loanflow.loans.services.position import plan_in_force
from loanflow.policy.services import current_policy, policy_version
from loanflow.subsidies.models import Publicity, SubsidyCase


def subsidy_case_no(case: SubsidyCase) -> str:
    """奖补 case number, shaped like the loans' (DK-2026-000001): JB-2026-000001."""
    return f"JB-{case.applied_on.year}-{case.id:06d}"


def publicity_no(p: Publicity) -> str:
    return f"GS-{p.posted_on.year}-{p.id:06d}"


def _names(village_code: str) -> tuple[str, str, str]:
    """(county, township, village) names of a village."""
    codes = (village_code[:6], village_code[:9], village_code)
    rows = dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())
    return rows.get(codes[0], ""), rows.get(codes[1], ""), rows.get(codes[2], "")


def _office(name: str) -> str:
    """The poverty-alleviation office (扶贫办) of a county or township."""
    return f"{name}扶贫办"


def _head_name(h: Household) -> str:
    head = h.head
    return head.name if head else ""


def _not_yet(case, kind: str, state: str) -> Conflict:
    name = label("document_kind", kind)
    return Conflict(
        msg(
            f"案件尚未到出具“{name}”的环节",
            f"The case has not reached the step that issues the {label('document_kind', kind, 'en')}",
            "document.not_yet",
        ),
        state=state,
    )


# --- loans --------------------------------------------------------------------------------------


def _lender(loan: Loan) -> Lender:
    branch = db.session.get(Branch, loan.branch_id)
    return Lender(branch_name=branch.name, bank_name=branch.bank, address=branch.address)


def _borrower(loan: Loan, h: Household) -> Borrower:
    county, township, village = _names(loan.village_code)
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
        raise _not_yet(loan, "loan_agreement", loan.state)
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
        extension_max_months=int(extension["max_months"]),
    )


def loan_receipt_view(loan: Loan) -> LoanReceiptView:
    """借据 with the repayment plan fixed at disbursement (revision 0), each line's subsidy split."""
    if loan.disbursed_on is None:
        raise _not_yet(loan, "loan_receipt", loan.state)
    h = db.session.get(Household, loan.household_id)
    lines = tuple(
        ScheduleLine(
            seq=x.seq, due_on=x.due_date, principal=x.principal, interest=x.interest, subsidy=x.subsidy
        )
        for x in plan_in_force(loan, revision=0)
    )
    return LoanReceiptView(
        receipt_no=f"{loan.case_number}-J",
        contract_no=loan.case_number,
        issued_on=clock.today(),
        lender=_lender(loan),
        borrower=_borrower(loan, h),
        account=Account(bank_name=loan.bank_name, account_no=loan.bank_account, holder=_head_name(h)),
        amount=loan.credited_amount,
        purpose=_purpose(loan),
        disbursed_on=loan.disbursed_on,
        maturity_on=loan.maturity_on,
        term_months=loan.credited_term_months,
        annual_rate=loan.rate,
        method=loan.method,
        lines=lines,
    )


def extension_agreement_view(loan: Loan) -> ExtensionAgreementView:
    """展期协议 of the latest extension, as the extension stored it (date, months, rate, subsidy).

    The outstanding principal is the ledger's on the extension date (repayments before it counted).
    """
    events = loan.extension_events or []
    if not events:
        raise _not_yet(loan, "extension_agreement", loan.state)
    from loanflow.loans.services.money import position_of  # the money services import the loans'

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


def _contact(user_id: int, village_code: str) -> tuple[str, str]:
    """The clerk who opened the case: the household's first person to ask, and their phone."""
    clerk = db.session.get(User, user_id)
    _county, township, village = _names(village_code)
    return f"{township}{village}经办员{clerk.full_name}", clerk.phone or "—"


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
    office, phone = _contact(loan.applied_by_id, loan.village_code)
    _county, township, _village = _names(loan.village_code)
    return HouseholdReceiptView(
        case_no=loan.case_number,
        issued_on=clock.today(),
        product="扶贫小额信贷",
        household_head=_head_name(h),
        received=tuple(received),
        next_step=text,
        due_by=due,
        due_provisional=provisional,
        contact_office=office,
        contact_phone=phone,
        issuing_office=_office(township),
    )


# --- subsidies ----------------------------------------------------------------------------------


def _industry(case: SubsidyCase):
    version = case.amount_policy_version or case.policy_version
    policy = policy_version(version) if version else current_policy()
    return policy.industries()[case.industry]


def subsidy_notice_view(case: SubsidyCase) -> SubsidyNoticeView:
    """奖补审批通知: the verified quantity, the unit rate and amount as computed at verification."""
    if case.approved_on is None:
        raise _not_yet(case, "subsidy_notice", case.state)
    county, township, village = _names(case.village_code)
    industry = _industry(case)
    return SubsidyNoticeView(
        case_no=subsidy_case_no(case),
        issued_on=clock.today(),
        household_head=_head_name(db.session.get(Household, case.household_id)),
        township=township,
        village=village,
        industry=industry.name_zh,
        unit=industry.unit_zh,
        declared_quantity=case.declared_quantity,
        verified_quantity=case.verified_quantity,
        unit_rate=case.unit_rate,
        amount=case.amount,
        approved_on=case.approved_on,
        approving_office=_office(county),
    )


SUBSIDY_NEXT = {
    "applied": "由乡镇扶贫办上门实地核验",
    "verified": "在本村张贴公示",
    "publicized": "公示期满后由县扶贫办审批",
    "approved": "由县扶贫办将奖补资金发放至您登记的账户",
    "disbursed": "奖补资金已发放，本案办结",
    "rejected": "申请未获批准，本案办结",
    "withdrawn": "申请已撤回，本案办结",
}


def subsidy_household_receipt_view(case: SubsidyCase) -> HouseholdReceiptView:
    h = db.session.get(Household, case.household_id)
    industry = _industry(case)
    due = case.stage_due_on or case.disbursed_on or case.closed_on or clock.today()
    office, phone = _contact(case.applied_by_id, case.village_code)
    _county, township, _village = _names(case.village_code)
    quantity = f"{case.declared_quantity.normalize():f}"
    return HouseholdReceiptView(
        case_no=subsidy_case_no(case),
        issued_on=clock.today(),
        product="产业奖补",
        household_head=_head_name(h),
        received=(
            f"产业奖补申报（{industry.name_zh}，申报数量{quantity}{industry.unit_zh}）",
            "农户同意书（已确认）",
        ),
        next_step=SUBSIDY_NEXT[case.state],
        due_by=due,
        due_provisional=bool(case.stage_due_on and case.stage_due_provisional),
        contact_office=office,
        contact_phone=phone,
        issuing_office=_office(township),
    )


def publicity_list_view(p: Publicity) -> PublicityListView:
    """村级公示名单: the lines still on the list — name, industry, quantity, amount, nothing personal."""
    _county, township, village = _names(p.village_code)
    industries = policy_version(p.policy_version).industries()
    entries = tuple(
        PublicityEntry(
            household_head=e.head_name,
            industry=industries[e.industry].name_zh,
            verified_quantity=e.verified_quantity,
            unit=industries[e.industry].unit_zh,
            amount=e.amount,
        )
        for e in p.entries
        if e.removed_on is None
    )
    poster = db.session.get(User, p.posted_by_id)
    return PublicityListView(
        list_no=publicity_no(p),
        issued_on=clock.today(),
        township=township,
        village=village,
        period_start=p.start_on,
        period_end=p.end_on,
        entries=entries,
        publishing_office=_office(township),
        objection_office=_office(township),
        objection_phone=poster.phone or "—",
    )
