"""The API's ``Schema``: marshmallow's, with the dump of each instance compiled to one function.

marshmallow reads a field through five calls (``Field.serialize`` → ``get_value`` → the schema's
``get_attribute`` → ``utils.get_value`` → ``_get_value_for_key``) before it formats it: ~3.5 µs a
field, 3 ms for a page of 50 loans, more than the page's SQL. Here each schema instance, at its first
dump, writes one Python function for its ``dump_fields``: per field, the attribute read with
marshmallow's own accessor, its ``dump_default``, and the field's own ``_serialize``; a plain
``String`` or ``Integer`` is formatted inline, exactly as marshmallow's code does. Whatever a field
or schema overrides (``serialize``, ``get_value``, ``get_attribute``) is called as marshmallow
calls it, so a custom field keeps its behaviour. ``pre_dump``/``post_dump`` hooks, ``only``,
``exclude``, ``data_key`` and nesting go through marshmallow unchanged: only ``_serialize`` is
replaced.

Why not a library: DeepFriedMarshmallow (toasted-marshmallow's successor) bails out on dotted
``attribute=`` paths (``money.due_now``), which our schemas use, and then recompiles on every dump;
it also calls callable attributes, which marshmallow 3+ does not.

With ``checking(True)`` (the test suite's ``conftest.py``), every dump is also made by marshmallow's own
``_serialize`` and the two must be equal: the whole suite checks the compiled code.
"""

from __future__ import annotations

from typing import Any

import marshmallow
from marshmallow import fields, missing, utils

_CHECK = {"on": False}


def checking(on: bool) -> bool:
    """Compare every compiled dump with marshmallow's own (tests); off in production. Returns the
    setting it replaced (a statement count turns it off: the second dump reads a timeline again)."""
    was, _CHECK["on"] = _CHECK["on"], on
    return was


class CompiledDumpMismatch(AssertionError):
    pass


def _getter(schema: marshmallow.Schema, field: fields.Field):
    """How ``field`` reads its value from an object, as ``Field.get_value`` with the schema's accessor."""
    accessor = schema.get_attribute
    if type(field).get_value is not fields.Field.get_value:
        return lambda obj, name: field.get_value(obj, name, accessor=accessor)
    if type(schema).get_attribute is not marshmallow.Schema.get_attribute:
        return lambda obj, name: accessor(obj, field.attribute or name, missing)
    key = field.attribute
    if key is None or (isinstance(key, str) and "." not in key):
        return None  # the generated code reads it with _get_value_for_key
    return lambda obj, _name: utils.get_value(obj, key, missing)


def _compile(schema: marshmallow.Schema):
    namespace: dict[str, Any] = {
        "missing": missing,
        "get_key": utils._get_value_for_key,
        "ensure_text_type": utils.ensure_text_type,
        "dict_class": schema.dict_class,
    }
    # marshmallow reads ``obj[key]`` first when the object has ``__getitem__`` (a dict), else ``getattr``
    lines = ["def dump(obj):", "    out = dict_class()", "    plain = not hasattr(obj, '__getitem__')"]
    for i, (name, field) in enumerate(schema.dump_fields.items()):
        key = field.data_key if field.data_key is not None else name
        cls = type(field)
        namespace[f"f{i}"] = field
        if cls.serialize is not fields.Field.serialize:  # a field that reads and formats its own way
            lines += [
                f"    v = f{i}.serialize({name!r}, obj, accessor=accessor)",
                f"    if v is not missing: out[{key!r}] = v",
            ]
            namespace["accessor"] = schema.get_attribute
            continue
        if not field._CHECK_ATTRIBUTE:  # Method and Function fields read nothing themselves
            lines.append(f"    out[{key!r}] = s{i}(None, {name!r}, obj)")
            namespace[f"s{i}"] = field._serialize
            continue
        getter = _getter(schema, field)
        if getter is None:
            attr = name if field.attribute is None else field.attribute
            lines.append(
                f"    v = getattr(obj, {attr!r}, missing) if plain else get_key(obj, {attr!r}, missing)"
            )
        else:
            namespace[f"g{i}"] = getter
            lines.append(f"    v = g{i}(obj, {name!r})")
        if field.dump_default is not missing:
            lines += [
                "    if v is missing:",
                f"        d = f{i}.dump_default",
                "        v = d() if callable(d) else d",
            ]
        lines.append("    if v is not missing:")
        if cls is fields.String:
            lines.append(
                f"        out[{key!r}] = None if v is None else v if type(v) is str else ensure_text_type(v)"
            )
        elif cls is fields.Integer and not field.as_string:
            lines.append(f"        out[{key!r}] = None if v is None else int(v)")
        else:
            namespace[f"s{i}"] = field._serialize
            lines.append(f"        out[{key!r}] = s{i}(v, {name!r}, obj)")
    lines.append("    return out")
    exec(compile("\n".join(lines), f"<dump of {type(schema).__name__}>", "exec"), namespace)  # noqa: S102
    return namespace["dump"]


class Schema(marshmallow.Schema):
    """marshmallow's Schema, its dump compiled per instance (see the module's docstring)."""

    def _serialize(self, obj: Any, *, many: bool = False):
        dump = self.__dict__.get("_compiled_dump")
        if dump is None:
            dump = self.__dict__["_compiled_dump"] = _compile(self)
        if many and obj is not None:
            out = [dump(d) for d in obj]
        else:
            out = dump(obj)
        if _CHECK["on"]:
            theirs = super()._serialize(obj, many=many)
            if theirs != out:
                raise CompiledDumpMismatch(
                    f"{type(self).__name__}: compiled {out!r} != marshmallow {theirs!r}"
                )
        return out
