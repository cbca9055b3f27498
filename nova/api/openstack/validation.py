"""JSON-schema validation of request bodies and query strings, per microversion.

Decorate a controller method with ``@validation.schema(body_schema, '2.19')``
(and ``@validation.query_schema(...)``); stack several with version ranges
when the accepted body changes across versions. A bad request is a 400 whose
message names the field, worded as Nova words it:
``Invalid input for field/attribute name. Value: 1. 1 is not of type 'string'``.
"""
import base64
import binascii
import datetime
import ipaddress
import uuid

import jsonschema
from jsonschema import exceptions as schema_errors

from nova import exception
from nova.i18n import _


class ValidationError(exception.Invalid):
    """Raised with its whole message (Nova's wording around jsonschema's detail)."""

    msg_fmt = '%(detail)s'


class _FormatMessage(ValueError):
    """A format check failure whose message replaces jsonschema's."""


_FORMATS = jsonschema.FormatChecker(())
_NAME_MESSAGE = (_("An invalid 'name' value was provided. The name must be: printable "
                 "characters. Can not start or end with whitespace."))


@_FORMATS.checks('uuid', raises=ValueError)
def _uuid(value):
    if isinstance(value, str):
        uuid.UUID(value)
        if '-' not in value:  # Nova wants the dashed form
            raise ValueError('%s is not a UUID' % value)
    return True


@_FORMATS.checks('name', raises=_FormatMessage)
def _name(value):
    if isinstance(value, str) and (not value.isprintable() or value != value.strip()):
        raise _FormatMessage(_NAME_MESSAGE)
    return True


@_FORMATS.checks('base64', raises=(binascii.Error, ValueError))
def _base64(value):
    if isinstance(value, str):
        base64.b64decode(value, validate=True)
    return True


@_FORMATS.checks('date-time', raises=ValueError)
def _date_time(value):
    if isinstance(value, str):
        datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    return True


@_FORMATS.checks('ipv4', raises=ValueError)
def _ipv4(value):
    if isinstance(value, str):
        ipaddress.IPv4Address(value)
    return True


@_FORMATS.checks('ipv6', raises=ValueError)
def _ipv6(value):
    if isinstance(value, str):
        ipaddress.IPv6Address(value)
    return True


_VALIDATORS = {}


def _validator(schema):
    key = id(schema)
    if key not in _VALIDATORS:
        jsonschema.Draft4Validator.check_schema(schema)
        _VALIDATORS[key] = (schema, jsonschema.Draft4Validator(schema, format_checker=_FORMATS))
    return _VALIDATORS[key][1]


def validate(schema, document, is_body=True):
    """Raise ValidationError (400) naming the first field that breaks schema."""
    error = schema_errors.best_match(_validator(schema).iter_errors(document))
    if error is None:
        return
    if isinstance(error.cause, _FormatMessage):
        detail = error.cause.args[0]  # lazy: translated for the request
    elif error.path:
        # a query parameter is the list of its values: name it, not the value's index
        # (Nova's wording, translated; jsonschema's own detail stays English)
        values = {'value': error.instance, 'detail': error.message}
        if is_body:
            detail = _('Invalid input for field/attribute %(name)s. Value: %(value)s. '
                       '%(detail)s') % dict(values, name=error.path.pop())
        else:
            detail = _('Invalid input for query parameters %(name)s. Value: %(value)s. '
                       '%(detail)s') % dict(values, name=error.path[0])
    else:
        detail = error.message
    raise ValidationError(detail)


def _ranged(attribute, schema, min_version, max_version):
    def decorator(func):
        ranges = getattr(func, attribute, [])
        setattr(func, attribute, [(schema, min_version, max_version)] + ranges)
        return func
    return decorator


def schema(body_schema, min_version=None, max_version=None):
    """Validate the JSON body against body_schema for requests in the range."""
    return _ranged('body_schemas', body_schema, min_version, max_version)


def query_schema(params_schema, min_version=None, max_version=None):
    """Validate the query string ({name: [values]}) for requests in the range."""
    return _ranged('query_schemas', params_schema, min_version, max_version)


def check(func, req, body):
    """Run the schemas func declares for req's version (the Resource calls this)."""
    version = req.api_version
    for body_schema, low, high in getattr(func, 'body_schemas', ()):
        if version.matches(low, high):
            validate(body_schema, body)
            break
    for params_schema, low, high in getattr(func, 'query_schemas', ()):
        if version.matches(low, high):
            validate(params_schema, req.query_lists(), is_body=False)
            break

