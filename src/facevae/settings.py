"""Reading the workflow's settings: command-line overrides and the schema check.

Snakemake reads ``--config key=value`` values itself, and a nested one such as
``--config 'vae={epochs: 20, lr: 3.0e-4}'`` arrives with every leaf as a string. ``coerce``
turns such strings into the type the schema asks for; ``problems`` lists every way the
settings break the schema, one line each, and names the closest valid key for a misspelt one.

The Snakefile imports this module while it is parsed, so it imports no numerical library.
"""

from __future__ import annotations

import difflib
from typing import Any

import jsonschema

_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}


def _from_text(text: str, kind: str) -> Any:
    """`text` as a value of JSON-schema type `kind`; unchanged if it does not read as one."""
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
    except ValueError:
        return text
    if kind == "boolean" and text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    return text


def _kinds(schema: dict) -> list[str]:
    kind = schema.get("type", [])
    kinds = [kind] if isinstance(kind, str) else list(kind)
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        kinds += _kinds(option)
    return kinds


def _resolve(schema: dict, root: dict) -> dict:
    """`schema`, or what its local "$ref" (#/$defs/<name>) points to in `root`."""
    ref = schema.get("$ref", "")
    if ref.startswith("#/"):
        for part in ref[2:].split("/"):
            root = root[part]
        return root
    return schema


def coerce(value: Any, schema: dict, root: dict | None = None) -> Any:
    """A copy of `value` whose strings are read as the numbers or booleans `schema` expects
    where it expects no string (a string that does not read as one is left for the check)."""
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if isinstance(value, dict):
        fields, others = schema.get("properties", {}), schema.get("additionalProperties")
        others = others if isinstance(others, dict) else {}
        return {key: coerce(item, fields.get(key, others), root) for key, item in value.items()}
    if isinstance(value, list):
        items = schema.get("items", {})
        return [coerce(item, items, root) for item in value]
    if isinstance(value, str):
        kinds = _kinds(schema)
        if "string" in kinds:
            return value
        for kind in kinds:
            read = _from_text(value, kind)
            if read is not value:
                return read
    return value


def _where(path) -> str:
    return ".".join(str(part) for part in path) or "(top level)"


def _closest(name: str, schema: dict) -> str:
    known = list(schema.get("properties", {}))
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return f"; did you mean {match[0]!r}?" if match else f"; valid keys: {', '.join(known)}"


def _describe(error: jsonschema.ValidationError) -> list[str]:
    where = _where(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        unknown = [key for key in error.instance if key not in allowed]
        prefix = "" if where == "(top level)" else where + "."
        return [f"{prefix}{key}: unknown setting{_closest(key, error.schema)}" for key in unknown]
    if error.validator == "required":
        return [f"{where}: {error.message}"]
    shown = repr(error.instance)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return [f"{where}: {shown} {_rule_text(error)}"]


def _rule_text(error: jsonschema.ValidationError) -> str:
    """What the schema asked for, in words."""
    rule, wanted = error.validator, error.validator_value
    if rule == "type":
        return f"is not of type {wanted}"
    if rule in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "above",
            "exclusiveMaximum": "below",
        }
        return f"must be {words[rule]} {wanted}"
    if rule == "enum":
        return f"must be one of {', '.join(map(str, wanted))}"
    if rule == "pattern":
        return f"must match {wanted}"
    if rule in ("minItems", "maxItems", "minLength", "maxLength"):
        return f"breaks {rule} = {wanted}"
    return error.message.split(" is ", 1)[-1] if " is " in error.message else error.message


def problems(config: dict, schema: dict) -> list[str]:
    """Every way `config` breaks `schema`, one line each, in the order of the keys."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.path])
    return [line for error in errors for line in _describe(error)]
