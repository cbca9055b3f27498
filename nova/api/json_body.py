"""JSON bodies of the REST APIs: requests parsed with limits, responses encoded by orjson.

Every listener reads untrusted JSON with ``loads``: a body nested deeper than
MAX_DEPTH (the stdlib parser recurses, and so does everything that walks the
result) or holding a lone UTF-16 surrogate ("\\ud800" is valid JSON, but no
database stores it) is refused with a ``BadJSON`` naming what is wrong, which
front ends answer with 400 in their own error format.

A page of 1,000 servers is encoded on every request; orjson does it about ten
times faster than the standard library, byte for byte the same compact output.
What orjson refuses (an int beyond 64 bits) goes through the standard encoder.
"""
import json

import orjson

_FALLBACK = json.JSONEncoder(separators=(',', ':'), check_circular=False)
# deepest nesting of objects and arrays a request body may have (real ones: < 10)
MAX_DEPTH = 32


class BadJSON(ValueError):
    """A request body that is not JSON, or JSON beyond the limits; str() says why."""


def dumps(body):
    """body (plain dicts, lists, strings, numbers, None) as compact UTF-8 JSON bytes."""
    try:
        return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return _FALLBACK.encode(body).encode()


def has_surrogate(text):
    """Whether text holds a lone surrogate code point (it cannot be UTF-8 encoded)."""
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        return True
    return False


def check(value, max_depth=MAX_DEPTH):
    """BadJSON if value nests deeper than max_depth or a string in it (key or
    value) holds a lone surrogate. Iterative, so any depth is safe to check.
    """
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if has_surrogate(item):
                raise BadJSON('a string holds a lone surrogate (\\ud800-\\udfff): %r'
                              % item[:64])
        elif isinstance(item, (dict, list)):
            if depth > max_depth:
                raise BadJSON('nested deeper than %d levels' % max_depth)
            if isinstance(item, dict):
                pending.extend((key, depth) for key in item)
                pending.extend((child, depth + 1) for child in item.values())
            else:
                pending.extend((child, depth + 1) for child in item)


def loads(raw, max_depth=MAX_DEPTH):
    """The value of a JSON request body (bytes or str), checked as ``check`` does.

    BadJSON when it is not JSON (or not UTF-8), too deep, or has lone surrogates.
    """
    try:
        value = json.loads(raw)
    except RecursionError:
        raise BadJSON('nested deeper than %d levels' % max_depth) from None
    except ValueError as e:
        raise BadJSON('not JSON (%s)' % e) from None
    check(value, max_depth)
    return value
