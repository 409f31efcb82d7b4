"""What ``GET /audit/verify`` shows (and ``flask loanflow verify-audit`` prints), and a case's timeline as
every case's API shows it."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, missing

from loanflow.api.errors import language
from loanflow.api.schema import Schema
from loanflow.audit import services as audit
from loanflow.core.domain.labels import codes, label


class BrokenLinkOut(Schema):
    chain = fields.String()
    seq = fields.Integer()
    event_id = fields.Integer(allow_none=True)
    problem = fields.String()


class VerificationOut(Schema):
    """Whether every hash chain is whole and agrees with every signed checkpoint; else the first broken link."""

    ok = fields.Boolean()
    chains = fields.Integer()
    events = fields.Integer()
    checkpoints = fields.Integer(
        metadata={"description": "Signed checkpoints the chains were checked against"}
    )
    first_broken_link = fields.Nested(BrokenLinkOut, attribute="broken", allow_none=True)


CASE_ACTION_KINDS = {"loan": "loan_action", "subsidy": "subsidy_action"}


def _action_label(entity_type: str, action: str, after: dict, lang: str) -> str:
    """``verify`` → 核验; ``document.issue`` → 出具文书：奖补审批通知; an unknown action shows as itself."""
    if action == "document.issue":
        kind = after.get("kind")
        name = label("document_kind", kind, lang) if kind else ""
        return f"Document issued: {name}" if lang == "en" else f"出具文书：{name}"
    area, _, name = action.partition(".")
    if area == "supervision" and name in codes("supervision_action"):  # a press on the case, its answer
        return label("supervision_action", name, lang)
    kind = CASE_ACTION_KINDS.get(entity_type)
    for code in (action, action.replace("_", "-")):
        if kind and code in codes(kind):
            return label(kind, code, lang)
    return action


class TimelineEventOut(Schema):
    """One audit event of a case, in the one shape every case's API shows.

    ``action`` drops the case's own prefix (``subsidy.verify`` → ``verify``, other
    areas keep theirs: ``document.issue``); ``state_before``/``state_after`` are
    the states the event moved the case between (equal or null when it did not).
    """

    at = fields.DateTime(attribute="occurred_at")
    actor = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True, metadata={"description": "the person's name"})
    role = fields.String(allow_none=True)
    role_label = fields.Method("_role_label", allow_none=True)
    action = fields.Method("_action")
    action_label = fields.Method("_action_label")
    reason = fields.String(allow_none=True)
    state_before = fields.Method("_state_before", allow_none=True)
    state_after = fields.Method("_state_after", allow_none=True)

    def __init__(self, entity_type: str = "", lang: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.entity_type, self.lang = entity_type, lang

    def _language(self) -> str:
        return self.lang or language()

    def _action(self, e) -> str:
        return e.action.removeprefix(f"{self.entity_type}.")

    def _action_label(self, e) -> str:
        return _action_label(self.entity_type, self._action(e), e.after or {}, self._language())

    def _role_label(self, e) -> str | None:
        return label("role", e.role, self._language()) if e.role in codes("role") else e.role

    def _state_before(self, e) -> str | None:
        return (e.before or {}).get("state")

    def _state_after(self, e) -> str | None:
        return (e.after or {}).get("state")


class Timeline(fields.Nested):
    """The case's audit events, oldest first, read by the case's id (``timeline`` of a loan or case)."""

    def __init__(self, entity_type: str, **kwargs):
        self.entity_type = entity_type
        super().__init__(TimelineEventOut(entity_type), many=True, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=missing):
        return super().get_value(obj, "id", accessor, default)

    def _serialize(self, value, attr, obj, **kwargs):
        return self.schema.dump(audit.timeline(self.entity_type, value), many=True)  # no new schema per dump


def timeline_json(entity_type: str, entity_id: Any, lang: str | None = None) -> list[dict[str, Any]]:
    """A case's timeline as the API shows it, outside a case's own response (tests, exports)."""
    return TimelineEventOut(entity_type, lang).dump(audit.timeline(entity_type, entity_id), many=True)
