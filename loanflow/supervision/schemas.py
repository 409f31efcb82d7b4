"""What the supervision API reads and answers: the stalled queue, presses, spot checks, flags, events."""

from __future__ import annotations

from marshmallow import fields, validate

from loanflow.api.common import PageArgs, page_of
from loanflow.api.errors import language
from loanflow.api.fields import Code, Id
from loanflow.api.schema import Schema
from loanflow.core.domain.labels import codes, label
from loanflow.core.errors import text
from loanflow.supervision.models import RESULTS
from loanflow.supervision.services.flags import KINDS
from loanflow.supervision.services.spot_checks import MAX_SIZE, PRODUCT_CHOICES

CASE_TYPES = ("loan", "subsidy")
STAGES = sorted(set(codes("loan_state")) | set(codes("subsidy_state")))
REGION = validate.Regexp(r"^\d{6}(\d{3}){0,2}$")


class StalledArgs(PageArgs):
    product = Code(CASE_TYPES, load_default=None)
    township = fields.String(load_default=None, validate=validate.Regexp(r"^\d{9}$"))
    village = fields.String(load_default=None, validate=validate.Regexp(r"^\d{12}$"))
    stage = Code(STAGES, load_default=None, metadata={"description": "the state the case waits in"})
    pressed = fields.Boolean(load_default=None)
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "xlsx"]))


class ActorOut(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()


class MessageOut(Schema):
    """A reason in both languages, and in the client's."""

    code = fields.String()
    zh = fields.String()
    en = fields.String()
    text = fields.Method("_text")

    def _text(self, m) -> str:
        return text(m, language())


class StalledOut(Schema):
    """One stalled case: where it is, how late, who must act, how often it was pressed."""

    case_type = fields.String()
    case_id = fields.Integer()
    case_number = fields.String()
    household = fields.String(metadata={"description": "the household head, masked"})
    village_code = fields.String()
    village = fields.String()
    township_code = fields.String()
    township = fields.String()
    stage = fields.String(attribute="state")
    stage_label = fields.Method("_stage_label")
    due_on = fields.Date()
    due_provisional = fields.Boolean(attribute="provisional")
    working_days_over = fields.Integer()
    must_act_roles = fields.Method("_roles")
    must_act = fields.Method("_actors")
    dead_end = fields.Boolean()
    dead_end_reason = fields.Method("_reason", allow_none=True)
    presses = fields.Integer()
    open_presses = fields.Integer()

    def _stage_label(self, r) -> str:
        return label(r.state_kind, r.state, language())

    def _roles(self, r) -> list[dict]:
        return [{"role": role, "role_label": label("role", role, language())} for role in r.who.roles]

    def _actors(self, r) -> list[dict]:
        return ActorOut(many=True).dump(r.who.actors)

    def _reason(self, r) -> dict | None:
        return MessageOut().dump(r.who.reason) if r.who.reason else None


StalledPage = page_of(StalledOut, "StalledPage")


class PressIn(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class PressArgs(PageArgs):
    answered = fields.Boolean(load_default=None)


class PressOut(Schema):
    id = fields.Integer()
    case_type = fields.String()
    case_id = fields.Integer()
    case_number = fields.String(dump_default=None)
    state = fields.String(metadata={"description": "the case's state when pressed"})
    note = fields.String()
    pressed_by = fields.String(attribute="pressed_by.full_name", dump_default=None)
    pressed_at = fields.DateTime()
    answered = fields.Boolean()
    answered_at = fields.DateTime(allow_none=True)
    answered_by = fields.String(attribute="answered_by.full_name", allow_none=True, dump_default=None)
    answer_action = fields.String(allow_none=True)


PressPage = page_of(PressOut, "PressPage")


class SpotCheckIn(Schema):
    region = fields.String(load_default=None, validate=REGION)
    product = Code(PRODUCT_CHOICES, required=True)
    opened_from = fields.Date(required=True)
    opened_to = fields.Date(required=True)
    size = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_SIZE))
    seed = fields.String(load_default=None, validate=validate.Length(max=40))


class FindingIn(Schema):
    case_type = Code(CASE_TYPES, required=True)
    case_id = Id(required=True)
    result = Code(RESULTS, required=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class ClosingIn(Schema):
    case_type = Code(CASE_TYPES, required=True)
    case_id = Id(required=True)
    note = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class SpotCheckItemOut(Schema):
    position = fields.Integer()
    case_type = fields.String()
    case_id = fields.Integer()
    result = fields.String(allow_none=True)
    note = fields.String()
    checked_at = fields.DateTime(allow_none=True)
    problem_open = fields.Boolean(attribute="open_problem")
    closed_at = fields.DateTime(allow_none=True)
    close_note = fields.String()


class ProgressOut(Schema):
    checked = fields.Integer()
    total = fields.Integer()
    problems = fields.Integer()
    problems_open = fields.Integer()


class SpotCheckOut(Schema):
    id = fields.Integer()
    region = fields.String(attribute="region_code")
    product = fields.String()
    opened_from = fields.Date()
    opened_to = fields.Date()
    size = fields.Integer()
    seed = fields.String()
    population = fields.Integer()
    drawn_at = fields.DateTime()
    progress = fields.Method("_progress")
    items = fields.List(fields.Nested(SpotCheckItemOut))

    def _progress(self, sample) -> dict:
        from loanflow.supervision.services.spot_checks import progress_of

        return ProgressOut().dump(progress_of(sample))


SpotCheckPage = page_of(SpotCheckOut, "SpotCheckPage")


class FlagArgs(Schema):
    kind = Code(KINDS, load_default=None)


class CaseLinkOut(Schema):
    case_type = fields.String()
    case_id = fields.Integer()
    case_number = fields.String()


class FlagOut(Schema):
    kind = fields.String()
    kind_label = fields.Method("_kind_label")
    detail = fields.Nested(MessageOut)
    cases = fields.List(fields.Nested(CaseLinkOut))
    households = fields.List(fields.Integer())

    def _kind_label(self, f) -> str:
        return label("flag_kind", f.kind, language())


class FlagsOut(Schema):
    items = fields.List(fields.Nested(FlagOut))


class EventArgs(PageArgs):
    entity = fields.String(load_default=None, validate=validate.Length(max=30))
    entity_id = fields.String(load_default=None, validate=validate.Length(max=40))
    actor = fields.String(load_default=None, validate=validate.Length(max=60))
    action = fields.String(load_default=None, validate=validate.Length(max=60))
    date_from = fields.Date(load_default=None, data_key="from")
    date_to = fields.Date(load_default=None, data_key="to")


class EventOut(Schema):
    """An audit event as a supervisor reads it: personal data in before and after masked."""

    id = fields.Integer()
    chain = fields.String()
    seq = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    actor_name = fields.String()
    role = fields.String()
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    reason = fields.String()


EventPage = page_of(EventOut, "EventPage")


class SummaryOut(Schema):
    """The home's numbers; a count that stopped says so (``*_capped``: there are more than it says)."""

    stalled = fields.Integer()
    stalled_capped = fields.Function(lambda s: s.stalled.capped, metadata={"type": "boolean"})
    most_overdue = fields.List(fields.Nested(StalledOut))
    dead_ends = fields.List(fields.Nested(StalledOut), metadata={"description": "the 50 most overdue"})
    dead_end_count = fields.Integer()
    dead_ends_capped = fields.Function(lambda s: s.dead_end_count.capped, metadata={"type": "boolean"})
    open_problems = fields.Integer()
    unanswered_presses = fields.Integer()
