"""The documents (借款合同, 借据, 展期协议, 奖补通知, 公示名单, 回执) rendered to PDF."""

from loanflow.documents.kinds import (
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
    build_view,
)
from loanflow.documents.render import RenderedDocument, render_document, render_pdf, template_version

__all__ = [
    "Account",
    "Borrower",
    "ExtensionAgreementView",
    "HouseholdReceiptView",
    "Lender",
    "LoanAgreementView",
    "LoanReceiptView",
    "PublicityEntry",
    "PublicityListView",
    "RenderedDocument",
    "ScheduleLine",
    "SubsidyNoticeView",
    "build_view",
    "render_document",
    "render_pdf",
    "template_version",
]
