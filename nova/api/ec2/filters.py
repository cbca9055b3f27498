"""Describe* filters and pagination, applied to what the public APIs returned.

A resource matches when every filter matches; a filter matches when any of
its values does; values may use the wildcards * and ?. ``tag:KEY`` matches
the value of tag KEY, ``tag-key`` any tag's key, ``tag-value`` any value.
"""
import base64
import binascii
import fnmatch
import json
import re

from nova.api import request_input
from nova.api.ec2 import faults
from nova.i18n import _


def _pattern(value):
    return re.compile(fnmatch.translate(value), re.S)


def _values(found):
    if found is None:
        return []
    if isinstance(found, (list, tuple, set)):
        return [str(v) for v in found if v is not None]
    return [found if isinstance(found, str) else str(found).lower()
            if isinstance(found, bool) else str(found)]


def matcher(filters, fields, tags=None):
    """A predicate over resources for [(name, values)].

    fields: {filter name: resource -> value or list}; tags: resource ->
    {key: value}, to enable tag:KEY, tag-key and tag-value. An unknown filter
    name is InvalidParameterValue.
    """
    checks = []
    for name, values in filters:
        patterns = [_pattern(v) for v in values]
        if name in fields:
            get = fields[name]
        elif tags and name.startswith('tag:'):
            get = (lambda key: lambda r: tags(r).get(key))(name[4:])
        elif tags and name == 'tag-key':
            get = lambda r: list(tags(r))  # noqa: E731
        elif tags and name == 'tag-value':
            get = lambda r: list(tags(r).values())  # noqa: E731
        else:
            raise faults.Ec2Error('InvalidParameterValue', _("The filter '%s' is invalid") % name)
        checks.append((get, patterns))

    def match(resource):
        return all(any(p.match(v) for p in patterns for v in _values(get(resource)))
                   for get, patterns in checks)
    return match


def encode_token(position):
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


def decode_token(token):
    try:
        return request_input.json_loads(base64.urlsafe_b64decode(token.encode()), 'NextToken')
    except (request_input.MalformedInput, ValueError, binascii.Error):
        raise faults.Ec2Error('InvalidParameterValue',
                              _('Invalid value for NextToken: %s') % token) from None


def paginate(items, key, max_results, next_token):
    """(page, next token or None) of items sorted by key(item), a list of JSON values.

    The token holds the key of the last item shown, so a page goes on after
    it even if that item has gone since.
    """
    items = sorted(items, key=key)
    if next_token:
        after = decode_token(next_token)
        try:
            items = [item for item in items if key(item) > after]
        except TypeError:
            raise faults.Ec2Error('InvalidParameterValue',
                                  _('Invalid value for NextToken: %s') % next_token) from None
    if max_results is None or len(items) <= max_results:
        return items, None
    page = items[:max_results]
    return page, encode_token(key(page[-1]))
