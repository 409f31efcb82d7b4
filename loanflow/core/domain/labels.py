"""Labels (中文名称) of every code the service shows: register fields, purposes, states, roles, actions.

Responses carry each code with its label beside it (``"status": "not_out",
"status_label": "未脱贫"``). Codes that come from the policy (industries,
scorecard items) carry their own names in the policy and are not listed here.
"""

from __future__ import annotations

# kind → code → (Chinese, English)
_TABLE: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "not_out": ("未脱贫", "Not yet out of poverty"),
        "out": ("已脱贫", "Out of poverty"),
        "relapsed": ("返贫", "Relapsed into poverty"),
    },
    "monitoring": {
        "none": ("无", "Not monitored"),
        "unstable": ("脱贫不稳定户", "Unstable after leaving poverty"),
        "marginal": ("边缘易致贫户", "Marginal, at risk of poverty"),
        "hardship": ("突发严重困难户", "Sudden severe hardship"),
    },
    "attribute": {
        "general": ("一般户", "General household"),
        "dibao": ("低保户", "Minimum living allowance (dibao)"),
        "tekun": ("特困供养户", "Extreme-hardship support (tekun)"),
    },
    "cause": {
        "illness": ("因病", "Illness"),
        "disability": ("因残", "Disability"),
        "schooling": ("因学", "Schooling costs"),
        "disaster": ("因灾", "Disaster"),
        "no_land": ("缺土地", "Lack of land"),
        "no_water": ("缺水", "Lack of water"),
        "no_skills": ("缺技术", "Lack of skills"),
        "no_labour": ("缺劳动力", "Lack of labour"),
        "no_funds": ("缺资金", "Lack of funds"),
        "transport": ("交通条件落后", "Poor transport"),
        "motivation": ("自身发展动力不足", "Lack of motivation"),
        "other": ("其他", "Other"),
    },
    "account_type": {
        "card": ("一卡通", "Benefit card"),
        "passbook": ("存折", "Passbook"),
    },
    "relation": {
        "head": ("户主", "Head of household"),
        "spouse": ("配偶", "Spouse"),
        "child": ("子女", "Child"),
        "parent": ("父母", "Parent"),
        "grandchild": ("孙子女", "Grandchild"),
        "sibling": ("兄弟姐妹", "Sibling"),
        "other": ("其他", "Other"),
    },
    "labour": {
        "skilled": ("技能劳动力", "Skilled labour"),
        "normal": ("普通劳动力", "Ordinary labour"),
        "weak": ("弱劳动力", "Weak labour"),
        "none": ("无劳动力", "No labour"),
    },
    "sex": {
        "male": ("男", "Male"),
        "female": ("女", "Female"),
    },
    "purpose": {
        "planting": ("种植", "Planting"),
        "livestock": ("养殖", "Livestock"),
        "processing": ("加工", "Processing"),
        "trade": ("商贸流通", "Trade and distribution"),
        "tourism": ("乡村旅游", "Rural tourism"),
    },
    "method": {
        "balloon": ("按期付息、到期还本", "Interest each quarter, principal at maturity"),
        "equal_principal": ("等额本金", "Equal principal"),
    },
    "loan_state": {
        "applied": ("已申请", "Applied"),
        "rated": ("已评级", "Rated"),
        "credited": ("已授信", "Credited"),
        "disbursed": ("已放款", "Disbursed"),
        "overdue": ("逾期", "Overdue"),
        "recalled": ("已收回", "Recalled"),
        "repaid": ("已结清", "Repaid"),
        "compensation_claimed": ("代偿待审批", "Compensation claimed"),
        "compensated": ("已代偿", "Compensated"),
        "rejected": ("已拒绝", "Rejected"),
        "withdrawn": ("已撤回", "Withdrawn"),
    },
    "plan_cause": {
        "disbursement": ("放款", "Disbursement"),
        "prepayment": ("提前还款", "Prepayment"),
        "reversal": ("冲正", "Reversal"),
        "extension": ("展期", "Extension"),
        "recall": ("提前收回", "Recall"),
    },
    "subsidy_state": {
        "applied": ("已申报", "Applied"),
        "verified": ("已核验", "Verified"),
        "publicized": ("公示中", "In publicity"),
        "approved": ("已审批", "Approved"),
        "disbursed": ("已发放", "Paid out"),
        "rejected": ("已拒绝", "Rejected"),
        "withdrawn": ("已撤回", "Withdrawn"),
    },
    "role": {
        "clerk": ("经办员", "Clerk"),
        "bank_officer": ("信贷员", "Bank loan officer"),
        "approver": ("扶贫办审核员", "Poverty-office approver"),
        "supervisor": ("督查员", "Supervisor"),
        "admin": ("系统管理员", "Administrator"),
    },
    "loan_action": {
        "apply": ("申请贷款", "Apply"),
        "rate": ("评级", "Rate"),
        "credit": ("授信", "Credit"),
        "disburse": ("放款", "Disburse"),
        "repay": ("还款", "Record a repayment"),
        "reverse-repayment": ("冲正", "Reverse a repayment"),
        "request-extension": ("申请展期", "Request an extension"),
        "extend": ("展期", "Extend"),
        "recall": ("提前收回", "Recall for misuse"),
        "decline-extension": ("不同意展期", "Decline the extension"),
        "claim-compensation": ("申请风险代偿", "Claim risk compensation"),
        "approve-compensation": ("批准代偿", "Approve the compensation"),
        "refuse-compensation": ("不予代偿", "Refuse the compensation"),
        "recover": ("代偿后追偿", "Record a recovery"),
        "reject": ("拒绝", "Reject"),
        "withdraw": ("撤回", "Withdraw"),
        "sweep": ("逾期检查", "Daily overdue sweep"),
    },
    "subsidy_action": {
        "apply": ("申报", "Apply"),
        "verify": ("核验", "Verify"),
        "publicize": ("公示", "Publicize"),
        "object": ("公示异议", "Record an objection"),
        "approve": ("审批", "Approve"),
        "disburse": ("发放", "Pay out"),
        "reject": ("拒绝", "Reject"),
        "withdraw": ("撤回", "Withdraw"),
    },
    "supervision_action": {
        "press": ("督办", "Press"),
        "spot_check": ("暗访抽查", "Spot check"),
        "finding": ("督查意见", "Record a finding"),
        "press_answered": ("督办已响应", "Press answered"),
        "problem_closed": ("问题已整改", "Problem closed"),
    },
    "flag_kind": {
        "shared_account": ("一个银行账户登记在多户", "One bank account on several households"),
        "busy_clerk": ("经办员单日受理过多", "Too many applications by one clerk in a day"),
        "early_approval": ("公示期未满或暂定时审批", "Approved before its 公示 ended or while provisional"),
        "late_disbursement": ("超期放款", "Disbursed after its deadline"),
        "undocumented_change": ("状态变更无依据文号", "Status change without a document reference"),
        "dead_end": ("无人可办", "Dead end: nobody may move it"),
    },
    "document_kind": {
        "loan_agreement": ("借款合同", "Loan agreement"),
        "loan_receipt": ("借据及还款计划", "Loan receipt and repayment plan"),
        "extension_agreement": ("展期协议", "Extension agreement"),
        "subsidy_notice": ("奖补审批通知", "Subsidy approval notice"),
        "publicity_list": ("公示名单", "Publicity list"),
        "household_receipt": ("回执", "Receipt for the household"),
    },
}

LABELS: dict[str, dict[str, str]] = {
    kind: {c: zh for c, (zh, _) in codes.items()} for kind, codes in _TABLE.items()
}
LABELS_EN: dict[str, dict[str, str]] = {
    kind: {c: en for c, (_, en) in codes.items()} for kind, codes in _TABLE.items()
}


def codes(kind: str) -> list[str]:
    """The codes of one kind, in the order the product spec lists them."""
    return list(_TABLE[kind])


def label(kind: str, code: str, lang: str = "zh") -> str:
    """The label of ``code`` in ``lang`` (``"zh"`` or ``"en"``).

    An unknown ``kind`` is a programming error (``KeyError``); an unknown code —
    one an admin added to the policy, say — is shown as the code itself.
    """
    table = LABELS_EN if lang == "en" else LABELS
    return table[kind].get(code, code)
