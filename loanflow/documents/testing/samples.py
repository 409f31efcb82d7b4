"""Realistic views of every document kind, for the PDF tests (and for a second process that
renders one again under another hash seed)."""

from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

MAX_BYTES = 40 * 1024
CENT = Decimal("0.01")

LENDER = {
    "branch_name": "中国农业银行丹寨县龙泉支行",
    "bank_name": "中国农业银行股份有限公司",
    "address": "贵州省黔东南州丹寨县龙泉镇环城北路18号",
}
BORROWER = {
    "name": "杨秀英",
    "id_number": "522622198503150029",
    "address": "贵州省黔东南州丹寨县排调镇羊先村三组12号",
}


def monthly_schedule(amount, rate, first_due, count, ratio):
    """A 36-line equal-principal plan: long enough to cross pages (not the product's quarterly plan)."""
    part = (amount / count).quantize(CENT, ROUND_DOWN)
    outstanding, previous, lines = amount, first_due - timedelta(days=30), []
    for seq in range(1, count + 1):
        due = date(
            first_due.year + (first_due.month + seq - 2) // 12, (first_due.month + seq - 2) % 12 + 1, 20
        )
        principal = part if seq < count else outstanding
        interest = (outstanding * rate * (due - previous).days / 360).quantize(CENT, ROUND_HALF_UP)
        subsidy = (interest * ratio).quantize(CENT, ROUND_HALF_UP)
        lines.append(
            {
                "seq": seq,
                "due_on": due.isoformat(),
                "principal": str(principal),
                "interest": str(interest),
                "subsidy": str(subsidy),
            }
        )
        outstanding, previous = outstanding - principal, due
    return lines


SCHEDULE = monthly_schedule(Decimal("50000.00"), Decimal("0.0350"), date(2026, 4, 20), 36, Decimal("0.80"))

SAMPLES = {
    "loan_agreement": {
        "contract_no": "DZ-XD-2026-000123",
        "issued_on": "2026-03-02",
        "lender": LENDER,
        "borrower": BORROWER,
        "amount": "50000.00",
        "purpose": "养殖（生猪）",
        "term_months": 36,
        "annual_rate": "0.0350",
        "method": "equal_principal",
        "subsidy_ratio": "1.00",
        "penalty_markup": "0.50",
        "extension_max_count": 1,
        "extension_max_months": 12,
    },
    "loan_receipt": {
        "receipt_no": "DZ-XD-2026-000123-J1",
        "contract_no": "DZ-XD-2026-000123",
        "issued_on": "2026-03-20",
        "lender": LENDER,
        "borrower": BORROWER,
        "account": {
            "bank_name": "中国农业银行丹寨县龙泉支行",
            "account_no": "6228480718812345678",
            "holder": "杨秀英",
        },
        "amount": "50000.00",
        "purpose": "养殖（生猪）",
        "disbursed_on": "2026-03-20",
        "maturity_on": "2029-03-20",
        "term_months": 36,
        "annual_rate": "0.0350",
        "method": "equal_principal",
        "lines": SCHEDULE,
    },
    "extension_agreement": {
        "agreement_no": "DZ-XD-2026-000123-Z1",
        "contract_no": "DZ-XD-2026-000123",
        "issued_on": "2027-02-26",
        "lender": LENDER,
        "borrower": BORROWER,
        "original_amount": "30500.00",
        "outstanding_principal": "1680.32",
        "disbursed_on": "2026-03-10",
        "original_maturity_on": "2027-03-10",
        "original_term_months": 12,
        "original_rate": "0.0300",
        "extended_on": "2027-03-01",
        "extension_months": 6,
        "new_maturity_on": "2027-09-10",
        "new_rate": "0.0350",
        "subsidy_continues": True,
        "subsidy_ratio": "1.00",
    },
    "subsidy_notice": {
        "case_no": "DZ-JB-2026-000045",
        "issued_on": "2026-06-18",
        "household_head": "王德明",
        "township": "排调镇",
        "village": "羊先村",
        "industry": "生猪",
        "unit": "头",
        "declared_quantity": "12",
        "verified_quantity": "10",
        "unit_rate": "200.00",
        "amount": "2000.00",
        "approved_on": "2026-06-18",
        "approving_office": "丹寨县农业农村局",
    },
    "publicity_list": {
        "list_no": "DZ-GS-2026-0007",
        "issued_on": "2026-06-01",
        "township": "排调镇",
        "village": "羊先村",
        "period_start": "2026-06-01",
        "period_end": "2026-06-05",
        "entries": [
            {
                "household_head": "王德明",
                "industry": "生猪",
                "verified_quantity": "10",
                "unit": "头",
                "amount": "2000.00",
            },
            {
                "household_head": "杨秀英",
                "industry": "茶叶",
                "verified_quantity": "3.5",
                "unit": "亩",
                "amount": "1750.00",
            },
            {
                "household_head": "龙光荣",
                "industry": "家禽",
                "verified_quantity": "6",
                "unit": "百羽",
                "amount": "1800.00",
            },
            {
                "household_head": "潘阿妹",
                "industry": "蚕桑",
                "verified_quantity": "4",
                "unit": "亩",
                "amount": "1600.00",
            },
        ],
        "publishing_office": "排调镇羊先村村民委员会",
        "objection_office": "排调镇人民政府产业办",
        "objection_phone": "0855-3612345",
    },
    "household_receipt": {
        "case_no": "DZ-XD-2026-000123",
        "issued_on": "2026-02-16",
        "product": "扶贫小额信贷",
        "household_head": "杨秀英",
        "received": ["借款申请书", "户口簿及身份证复印件", "贷款用途说明（生猪养殖）", "农户同意查询授权书"],
        "next_step": "村信贷员入户评级，评级后报银行授信",
        "due_by": "2026-02-27",
        "due_provisional": True,
        "contact_office": "排调镇金融服务站",
        "contact_phone": "0855-3612000",
        "issuing_office": "排调镇金融服务站",
    },
}
