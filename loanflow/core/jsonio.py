"""The app's JSON answers, written by orjson.

Flask's provider writes a response with the standard library, keys sorted, every non-ASCII
character escaped: ``"钱春花"`` travels as ``"\\u94b1\\u6625\\u82b1"``, 18 bytes for 9, on a village
office's slow line; and a page of fifty loans took 0.15 ms to encode (orjson: 0.02 ms; issue 14).
Answers here are UTF-8, keys still sorted, compact (indented when the app debugs, as Flask's);
what orjson does not write itself (dates, ``Decimal``, dataclasses, ``__html__``) goes through
Flask's own ``default``. What orjson refuses (a key that is not a string, whose order would differ; an
integer past 64 bits; a tuple subclass) is written by the standard library, as before. The one value
written differently is a float that is not a number (NaN, infinity): ``null`` here, where the standard
library wrote ``NaN``, which is not JSON; money is never a float. A call of ``dumps`` with arguments (the
templates' ``tojson``, a caller's ``ensure_ascii``) keeps the standard library's meaning of them.

``Content-Type`` stays ``application/json`` without a charset: JSON is UTF-8 (RFC 8259 defines no
charset parameter for it).
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME  # Flask writes a date as an HTTP date: its ``default`` does
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


class JSONProvider(DefaultJSONProvider):
    """Flask's provider with orjson writing the app's answers (see the module's docstring)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:
            return super().dumps(obj, **kwargs)
        return self._encode(obj, 0).decode()

    def response(self, *args: Any, **kwargs: Any):
        obj = self._prepare_response_obj(args, kwargs)
        indent = (
            orjson.OPT_INDENT_2 if (self.compact is None and self._app.debug) or self.compact is False else 0
        )
        return self._app.response_class(
            self._encode(obj, indent | orjson.OPT_APPEND_NEWLINE), mimetype=self.mimetype
        )

    def _encode(self, obj: Any, options: int) -> bytes:
        try:
            return orjson.dumps(obj, default=self.default, option=_OPTIONS | options)
        except orjson.JSONEncodeError:  # a value orjson refuses: the standard library, as Flask writes it
            indent = {"indent": 2} if options & orjson.OPT_INDENT_2 else {"separators": (",", ":")}
            text = super().dumps(obj, **indent)
            return (text + "\n" if options & orjson.OPT_APPEND_NEWLINE else text).encode()
