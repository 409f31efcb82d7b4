"""Render documents to PDF: Jinja templates in ``templates/pdf/`` → WeasyPrint.

The same view and template give the same bytes: the PDF dates come from the
document's ``issued_on`` (midnight, China Standard Time), the PDF /ID is the MD5
of the file's objects rather than random, and nothing is fetched but the
files of ``templates/pdf/`` (the fetcher refuses every other URL and a refused
URL stops the rendering).
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from loanflow.core.domain.numerals import capital_yuan
from loanflow.documents.kinds import VIEW_CLASSES

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "pdf"
# Every kind's template extends these; a change to them is a new version of every kind.
SHARED_TEMPLATE_FILES = ("base.html", "_parts.html", "documents.css")
CHINA_MIDNIGHT = "T00:00:00+08:00"
_FEN = Decimal("0.01")


@dataclass(frozen=True)
class RenderedDocument:
    kind: str
    template_version: str
    content: bytes
    sha256: str


class RefusedURL(ValueError):
    """A template asked for something other than a file of ``templates/pdf/``."""


class TemplateFilesOnly(URLFetcher):
    """A WeasyPrint URL fetcher that serves the files of ``templates/pdf/`` and refuses the rest."""

    def __init__(self, root: Path = TEMPLATE_DIR) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=True)
        self._root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"documents fetch no URL: {url}")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self._root) or not path.is_file():
            raise RefusedURL(f"not a file of the PDF templates: {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


def _money(value: Decimal) -> str:
    """1,234.50: amounts arrive rounded to the fen; a document never rounds them again."""
    if value != value.quantize(_FEN):
        raise ValueError(f"amount not rounded to the fen: {value}")
    return f"{value.quantize(_FEN):,}"


def _percent(rate: Decimal) -> str:
    """0.035 → 3.50%; a rate with more places keeps them (3.125%), it is never rounded for display."""
    percent = rate * 100
    return f"{percent.quantize(_FEN)}%" if percent == percent.quantize(_FEN) else f"{_quantity(percent)}%"


def _share(ratio: Decimal) -> str:
    return f"{_quantity(ratio * 100)}%"


def _cn_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _quantity(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(
    money=_money, capital=capital_yuan, percent=_percent, share=_share, cn_date=_cn_date, qty=_quantity
)
_fetcher = TemplateFilesOnly()


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``templates/pdf/<template_name>`` with ``context`` to PDF bytes.

    ``context["issued_on"]`` (a date), when given, fixes the PDF's creation and
    modification dates; without it the PDF carries no dates.
    """
    issued_on = context.get("issued_on")
    pdf_date = issued_on.isoformat() + CHINA_MIDNIGHT if issued_on else None
    html = _env.get_template(template_name).render({**context, "pdf_date": pdf_date})
    document = HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=_fetcher)
    return document.write_pdf(pdf_identifier=True)


@cache
def template_version(kind: str) -> str:
    """SHA-256 of the files that make up the kind's template (its own, then the shared ones)."""
    digest = hashlib.sha256()
    for name in (f"{kind}.html", *SHARED_TEMPLATE_FILES):
        text = (TEMPLATE_DIR / name).read_bytes()
        digest.update(f"{name}\0{len(text)}\0".encode())
        digest.update(text)
    return digest.hexdigest()


def render_document(kind: str, view: Any) -> RenderedDocument:
    """Render the document ``kind`` (e.g. ``"loan_agreement"``) from its view model."""
    expected = VIEW_CLASSES.get(kind)
    if expected is None:
        raise ValueError(f"unknown document kind: {kind!r}")
    if not isinstance(view, expected):
        raise TypeError(f"{kind} renders a {expected.__name__}, got {type(view).__name__}")
    content = render_pdf(f"{kind}.html", {"doc": view, "issued_on": view.issued_on})
    return RenderedDocument(
        kind=kind,
        template_version=template_version(kind),
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )
