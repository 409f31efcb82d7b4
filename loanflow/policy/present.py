"""The policy document as readable tables: each parameter with its Chinese (or English) name.

Blocks are built from the document itself, so a parameter added to the policy shows
up (under its own key) without a change here; ``NAMES`` only gives it a readable name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from loanflow.core.domain.labels import label
from loanflow.policy.document import join

NAMES: dict[str, tuple[str, str]] = {
    "four_eyes": ("四眼原则（授信与放款、核验与审批须不同人）", "Four eyes"),
    "general": ("总则", "General"),
    "loan": ("小额信贷", "Small loans"),
    "subsidy": ("产业奖补", "Industry subsidy"),
    "deadlines": ("办理时限（工作日）", "Deadlines (working days)"),
    "admitted_statuses": ("准入的脱贫状态", "Admitted statuses"),
    "admitted_monitoring": ("准入的监测对象类别", "Admitted monitoring kinds"),
    "min_age": ("借款人最低年龄", "Borrower's minimum age"),
    "max_age": ("借款人最高年龄", "Borrower's maximum age"),
    "purposes": ("贷款用途", "Purposes"),
    "max_amount": ("单户贷款上限（元）", "Largest loan (yuan)"),
    "min_term_months": ("最短期限（月）", "Shortest term (months)"),
    "max_term_months": ("最长期限（月）", "Longest term (months)"),
    "scorecard": ("评级评分表", "Scorecard"),
    "code": ("代码", "Code"),
    "name_zh": ("名称", "Name (Chinese)"),
    "name_en": ("英文名称", "Name (English)"),
    "max": ("满分", "Maximum points"),
    "grades": ("信用等级与授信额度", "Grades and credit limits"),
    "min_score": ("最低分", "Minimum score"),
    "grade": ("等级", "Grade"),
    "label": ("显示", "Shown as"),
    "limit": ("授信额度（元）", "Credit limit (yuan)"),
    "rates": ("贷款利率（按期限与生效日期）", "Rates by term and date"),
    "effective_from": ("生效日期", "Effective from"),
    "rate": ("年利率", "Annual rate"),
    "industries.rate": ("单价（元/单位）", "Unit rate (yuan)"),
    "method": ("还款方式", "Repayment method"),
    "subsidy_ratio": ("贴息比例", "Interest subsidy ratio"),
    "penalty_markup": ("罚息上浮比例", "Penalty markup"),
    "compound_markup": ("复利上浮比例", "Compound markup"),
    "extension": ("展期", "Extension"),
    "max_count": ("最多展期次数", "Most extensions"),
    "max_months": ("最长展期（月）", "Longest extension (months)"),
    "short_term_months": ("短期贷款界限（月）", "Short-term limit (months)"),
    "short_term_factor": ("短期贷款展期系数", "Short-term factor"),
    "long_term_factor": ("中长期贷款展期系数", "Long-term factor"),
    "subsidy_continues": ("展期内继续贴息", "Subsidy continues during extension"),
    "compensation": ("风险补偿", "Risk compensation"),
    "overdue_days": ("逾期天数（可申请代偿）", "Days overdue before a claim"),
    "fund_share": ("风险补偿金分担比例", "Fund's share"),
    "fund_leverage": ("风险补偿金放大倍数", "Fund leverage"),
    "industries": ("奖补产业与单价", "Industries and unit rates"),
    "unit_zh": ("单位", "Unit (Chinese)"),
    "unit_en": ("英文单位", "Unit (English)"),
    "household_cap": ("每户奖补上限（元）", "Household cap (yuan)"),
    "cap_period": ("上限计算期间", "Cap period"),
    "campaign": ("攻坚期", "Campaign"),
    "publicity_working_days": ("公示期（工作日）", "Publicity period (working days)"),
    "applied": ("已申请 → 下一步", "Applied → next step"),
    "rated": ("已评级 → 授信", "Rated → credited"),
    "credited": ("已授信 → 放款", "Credited → disbursed"),
    "extension_requested": ("展期申请 → 决定", "Extension request → decision"),
    "compensation_claimed": ("申请代偿 → 审批", "Compensation claimed → decision"),
    "verified": ("已核验 → 公示", "Verified → publicized"),
    "publicized": ("公示结束 → 审批", "End of publicity → approved"),
    "approved": ("已审批 → 拨付", "Approved → disbursed"),
}


# Codes inside the policy shown by their labels (``core.domain.labels`` kinds, or the pairs here).
CODE_KINDS = {
    "admitted_statuses": "status",
    "admitted_monitoring": "monitoring",
    "purposes": "purpose",
    "method": "method",
}
OTHER_CODES = {
    "cap_period": {"calendar_year": ("自然年", "Calendar year"), "campaign": ("攻坚期", "Campaign")}
}


def name(key: str, lang: str = "zh", within: str = "") -> str:
    """A parameter's readable name; ``within``: the list it is a column of (``industries``)."""
    zh, en = NAMES.get(f"{within}.{key}", NAMES.get(key, (key, key)))
    return en if lang == "en" else zh


def param_name(path: str, lang: str = "zh") -> str:
    """A parameter's readable name from its path (``loan.rates[2].rate`` → 小额信贷 · 贷款利率… 第 3 行 · 年利率)."""
    parts, within = [], ""
    for piece in path.split("."):
        key, _, index = piece.partition("[")
        text = name(key, lang, within)
        if index:
            row = int(index.split("]")[0]) + 1
            text += f" 第 {row} 行" if lang == "zh" else f" row {row}"
        parts.append(text)
        within = key
    return " · ".join(parts)


def _code(key: str, code: Any, lang: str) -> str:
    if key in CODE_KINDS:
        return label(CODE_KINDS[key], str(code), lang)
    pair = OTHER_CODES.get(key, {}).get(code)
    return (pair[1] if lang == "en" else pair[0]) if pair else str(code)


def shown(path: str, value: Any, lang: str = "zh") -> str:
    """A parameter's value as the tables show it: labels for codes, yes/no, a rate with its percentage."""
    key = path.rsplit(".", 1)[-1].split("[")[0]
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")
    if value is None:
        return "—"
    if isinstance(value, list):
        return "、".join(_code(key, v, lang) for v in value)
    if key == "rate" and ".rates[" in path:
        try:
            return f"{value}（{Decimal(str(value)) * 100:.2f}%）"
        except InvalidOperation:
            return str(value)
    return _code(key, value, lang)


@dataclass
class Block:
    """A facts table (``columns`` empty: rows of one (path, key, value)) or a table of like rows."""

    title: str
    path: str
    facts: list[tuple[str, str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    column_names: list[str] = field(default_factory=list)
    rows: list[list[tuple[str, Any]]] = field(default_factory=list)


def blocks(document: dict, lang: str = "zh") -> list[Block]:
    """The document as blocks: one facts table per section or subsection, one table per list of rows."""
    general = Block(name("general", lang), "")
    out = [general]
    for key, value in document.items():
        if isinstance(value, dict):
            out += _section(value, key, name(key, lang), lang)
        else:
            general.facts.append((key, name(key, lang), value))
    return [b for b in out if b.facts or b.rows]


def _section(section: dict, path: str, title: str, lang: str) -> list[Block]:
    head = Block(title, path)
    out = [head]
    for key, value in section.items():
        where = join(path, key)
        if isinstance(value, dict):
            out += _section(value, where, f"{title} · {name(key, lang)}", lang)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns = list(dict.fromkeys(k for row in value for k in row))
            rows = [[(join(join(where, i), c), row.get(c)) for c in columns] for i, row in enumerate(value)]
            names = [name(c, lang, key) for c in columns]
            out.append(
                Block(f"{title} · {name(key, lang)}", where, columns=columns, column_names=names, rows=rows)
            )
        else:
            head.facts.append((where, name(key, lang), value))
    return out
