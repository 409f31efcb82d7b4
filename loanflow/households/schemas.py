"""How the API shows a household: codes with labels, money as strings, personal data masked by role."""

from __future__ import annotations

from marshmallow import fields, pre_dump

from loanflow.api.common import Shown, current_user, page_of
from loanflow.api.errors import language
from loanflow.api.fields import Label, MoneyOut
from loanflow.api.schema import Schema
from loanflow.core.domain.idcard import mask_account, mask_id_number, mask_phone
from loanflow.core.domain.labels import label
from loanflow.core.scope import can_see_full_identity
from loanflow.households.models import Household

Text = fields.String
_STRINGS = {"type": "array", "items": {"type": "string"}}
_TEXT = {"type": "string"}


class MemberOut(Schema):
    """A member; the ID number whole only where the household is shown whole. Where it is masked, the
    birth date is left out (the ID number holds it: ``341503********0011`` beside 1981-08-15 gives the
    number back) and the phone is masked."""

    id = fields.Integer()
    name = Text()
    id_number = fields.Method("_id_number", allow_none=True, metadata={"type": "string"})
    no_id_reason = Text(allow_none=True)
    sex = Text(allow_none=True)
    sex_label = Label("sex", "sex")
    birth_date = fields.Method("_birth_date", allow_none=True, metadata={"type": "string", "format": "date"})
    relation = Text()
    relation_label = Label("relation", "relation")
    labour = Text()
    labour_label = Label("labour", "labour")
    phone = fields.Method("_phone", allow_none=True, metadata={"type": "string"})

    def _id_number(self, m) -> str | None:
        return m.id_number if m.whole or not m.id_number else mask_id_number(m.id_number)

    def _birth_date(self, m) -> str | None:
        return m.birth_date.isoformat() if m.whole and m.birth_date else None

    def _phone(self, m) -> str | None:
        return m.phone if m.whole or not m.phone else mask_phone(m.phone)


class HouseholdOut(Schema):
    """A household on its own page: ID numbers and the account whole for the roles whose work needs
    them (``can_see_full_identity``), masked for the others."""

    whole = True  # a list shows every household masked (HouseholdSummaryOut)

    id = fields.Integer()
    version = fields.Integer()
    village_code = Text()
    village_name = fields.Function(lambda h: h.village.name if h.village else None, allow_none=True)
    address = Text(allow_none=True)
    status = Text()
    status_label = Label("status", "status")
    monitoring = Text(allow_none=True)
    monitoring_label = Label("monitoring", "monitoring")
    monitoring_set_on = fields.Date(allow_none=True)
    attribute = Text()
    attribute_label = Label("attribute", "attribute")
    main_cause = Text()
    main_cause_label = Label("cause", "main_cause")
    secondary_causes = fields.Function(lambda h: list(h.secondary_causes or []), metadata=_STRINGS)
    secondary_causes_labels = fields.Function(
        lambda h: [label("cause", c, language()) if c else None for c in h.secondary_causes or []],
        metadata=_STRINGS,
    )
    income_per_head = MoneyOut(allow_none=False)
    account_type = Text()
    account_type_label = Label("account_type", "account_type")
    bank_account = fields.Method("_bank_account", metadata={"type": "string"})
    bank_name = Text()
    status_reason = Text(allow_none=True)
    status_document = Text(allow_none=True)
    members = fields.List(fields.Nested(MemberOut))
    head_name = fields.Function(lambda h: h.head.name if h.head else None, allow_none=True)

    @pre_dump
    def _read_once(self, h: Household, **kwargs) -> Shown:
        show = self.whole and can_see_full_identity(current_user())
        return Shown(h, show=show, members=[Shown(m, whole=show) for m in h.members])

    def _bank_account(self, h) -> str:
        return h.bank_account if h.show else mask_account(h.bank_account)


class HouseholdSummaryOut(HouseholdOut):
    """A household in a list: every ID number and the account masked, whatever the role."""

    whole = False


class AccountChangeOut(Schema):
    """A requested change of the registered bank account and where it stands."""

    id = fields.Integer()
    state = Text()


HouseholdPage = page_of(HouseholdSummaryOut, "HouseholdPage")


class RowErrorOut(Schema):
    """One bad cell of an import: the spreadsheet row, the column header, why, in both languages."""

    row = fields.Integer()
    column = Text()
    code = Text(attribute="reason.code", allow_none=True)
    zh = Text(attribute="reason.zh")
    en = Text(attribute="reason.en")
    message = fields.Function(lambda e: e.reason.en if language() == "en" else e.reason.zh, metadata=_TEXT)


class ImportReportOut(Schema):
    """What an import found (a dry run) or did: every bad row, or how many households it wrote."""

    file_name = Text()
    sha256 = Text()
    format = Text()
    village_scope = Text()
    dry_run = fields.Boolean()
    ok = fields.Boolean()
    written = fields.Boolean()
    households = fields.Integer()
    members = fields.Integer()
    bad_rows = fields.Function(lambda r: len({e.row for e in r.errors}), metadata={"type": "integer"})
    errors = fields.List(fields.Nested(RowErrorOut))
    ignored_columns = fields.List(Text())
    household_ids = fields.List(
        fields.List(fields.Integer()), metadata={"description": "The ids written, as [first, last] ranges"}
    )
