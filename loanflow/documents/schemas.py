"""What the documents API shows of an issued document: kind, version, SHA-256 and where to download it."""

from __future__ import annotations

from marshmallow import fields

from loanflow.api.fields import Label
from loanflow.api.schema import Schema

PLURAL = {"loan": "loans", "subsidy": "subsidies", "publicity": "publicity"}
PDF = {"type": "string", "format": "binary"}


class DocumentOut(Schema):
    """One issued version of a document; ``download`` is the API path of its stored PDF."""

    id = fields.Integer()
    kind = fields.String()
    kind_label = Label("document_kind", "kind")
    version = fields.Integer()
    sha256 = fields.String()
    template_version = fields.String()
    issued_at = fields.DateTime()
    size = fields.Integer()
    download = fields.Function(
        lambda doc: f"/api/v1/{PLURAL[doc.case_type]}/{doc.case_id}/documents/{doc.id}",
        metadata={"type": "string"},
    )


class DocumentListOut(Schema):
    items = fields.List(fields.Nested(DocumentOut))
    total = fields.Integer()
