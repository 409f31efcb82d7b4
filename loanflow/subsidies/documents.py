"""What the subsidy documents show (奖补通知, 回执, 村级公示名单), read from the case or the list.

The quantities, rates and amounts are the case's as verified, the industry names
and units from the policy version it was decided under. Builders only read;
documents renders and stores. ``CASE_TYPES`` is what ``subsidies.init_app``
registers with ``documents.registry``.
"""

from __future__ import annotations

from loanflow.accounts.models import User
from loanflow.core import clock
from loanflow.documents import (
    HouseholdReceiptView,
    PublicityEntry,
    PublicityListView,
    SubsidyNoticeView,
)
from loanflow.documents.builders import contact, head_name, not_yet, office_of, region_names
from loanflow.documents.registry import CaseType
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.policy.services import current_policy, policy_version
from loanflow.subsidies.domain.amounts import amount_working
from loanflow.subsidies.models import Publicity, SubsidyCase
from loanflow.subsidies.publicity import get_publicity, publicity_entries
from loanflow.subsidies.services import get_case


def subsidy_case_no(case: SubsidyCase) -> str:
    """奖补 case number, shaped like the loans' (DK-2026-000001): JB-2026-000001."""
    return case.case_number


def publicity_no(p: Publicity) -> str:
    return p.number


def _industry(case: SubsidyCase):
    version = case.amount_policy_version or case.policy_version
    policy = policy_version(version) if version else current_policy()
    return policy.industries()[case.industry]


def subsidy_notice_view(case: SubsidyCase) -> SubsidyNoticeView:
    """奖补审批通知: the verified quantity, the unit rate and amount as computed at verification."""
    if case.approved_on is None:
        raise not_yet(case, "subsidy_notice", case.state)
    county, township, village = region_names(case.village_code)
    industry = _industry(case)
    return SubsidyNoticeView(
        case_no=subsidy_case_no(case),
        issued_on=clock.today(),
        household_head=head_name(db.session.get(Household, case.household_id)),
        township=township,
        village=village,
        industry=industry.name_zh,
        unit=industry.unit_zh,
        declared_quantity=case.declared_quantity,
        verified_quantity=case.verified_quantity,
        unit_rate=case.unit_rate,
        amount=case.amount,
        approved_on=case.approved_on,
        approving_office=office_of(county),
        amount_working=amount_working(case.computation, industry.unit_zh),
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
    office, phone = contact(case.applied_by_id, case.village_code)
    _county, township, _village = region_names(case.village_code)
    quantity = f"{case.declared_quantity.normalize():f}"
    return HouseholdReceiptView(
        case_no=subsidy_case_no(case),
        issued_on=clock.today(),
        product="产业奖补",
        household_head=head_name(h),
        received=(
            f"产业奖补申报（{industry.name_zh}，申报数量{quantity}{industry.unit_zh}）",
            "农户同意书（已确认）",
        ),
        next_step=SUBSIDY_NEXT[case.state],
        due_by=due,
        due_provisional=bool(case.stage_due_on and case.stage_due_provisional),
        contact_office=office,
        contact_phone=phone,
        issuing_office=office_of(township),
    )


def publicity_list_view(p: Publicity) -> PublicityListView:
    """村级公示名单: the lines still on the list — name, industry, quantity, amount, nothing personal."""
    _county, township, village = region_names(p.village_code)
    industries = policy_version(p.policy_version).industries()
    worked = {e["case_id"]: e["computation"] for e in publicity_entries(p)}
    entries = tuple(
        PublicityEntry(
            household_head=e.head_name,
            industry=industries[e.industry].name_zh,
            verified_quantity=e.verified_quantity,
            unit=industries[e.industry].unit_zh,
            amount=e.amount,
            amount_working=amount_working(worked.get(e.case_id), industries[e.industry].unit_zh),
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
        publishing_office=office_of(township),
        objection_office=office_of(township),
        objection_phone=poster.phone or "—",
    )


CASE_TYPES = (
    CaseType(
        name="subsidy",
        model=SubsidyCase,
        load=get_case,
        issuers=("clerk", "approver"),
        kinds={"subsidy_notice": subsidy_notice_view, "household_receipt": subsidy_household_receipt_view},
        number=subsidy_case_no,
    ),
    CaseType(
        name="publicity",
        model=Publicity,
        load=get_publicity,
        issuers=("approver",),
        kinds={"publicity_list": publicity_list_view},
        number=publicity_no,
    ),
)
