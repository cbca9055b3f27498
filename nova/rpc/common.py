"""The wire format: JSON text, and the 'X.Y' interface versions messages carry.

Messages are JSON so that nothing crosses a process (or, in process, a green
thread) by reference and nothing is ever unpickled. Datetimes, UUIDs and sets,
which DB rows and managers commonly hold, are sent as ISO strings, strings and
lists.
"""
import datetime
import json
import uuid


def _to_primitive(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise TypeError('%s is not JSON serializable for RPC' % type(value).__name__)


def encode(message):
    return json.dumps(message, default=_to_primitive, separators=(',', ':'))


def decode(body):
    if isinstance(body, bytes):
        body = body.decode('utf-8')
    message = json.loads(body)
    if not isinstance(message, dict):
        raise ValueError('an RPC message must be a JSON object, not %s'
                         % type(message).__name__)
    return message


def parse_version(version):
    """'1.3' -> (1, 3); anything else is a ValueError naming the bad value."""
    try:
        major, minor = str(version).split('.')
        return int(major), int(minor)
    except ValueError:
        raise ValueError('RPC version %r is not of the form X.Y' % (version,)) from None
