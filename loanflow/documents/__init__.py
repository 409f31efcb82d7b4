"""The documents (借款合同, 借据, 展期协议, 奖补通知, 公示名单, 回执) rendered to PDF.

Which case types issue which kinds is filed by their features (``registry``).
"""

from flask import Flask

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


def init_app(app: Flask) -> None:
    """Tables, the documents API and the download pages (the kinds come from the case features)."""
    from loanflow.api import register_api
    from loanflow.documents import api, models, views  # noqa: F401  (models: tables; views: pages)

    register_api(app, api.blp)
