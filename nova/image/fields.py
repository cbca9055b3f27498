"""What callers may say about an image, checked, and what they are told back.

One set of rules for every caller (compute, the Glance v2 API, EC2): values
are checked here with errors naming the field, so a front end only translates.

Properties: a caller may give them nested under 'properties' (classic Nova's
image_meta) or as flat extra keys (Glance v2's JSON and query strings); both
forms may be mixed. Image dicts always carry them nested under 'properties'.
"""
import datetime

from nova import exception
from nova import utils
from nova.db.image_models import (CONTAINER_FORMATS, DISK_FORMATS, MEMBER_STATUSES,
                                  VISIBILITIES)
from nova.i18n import _
from nova.image.stores import base as stores_base

CORE_FIELDS = ('id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'owner',
               'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value',
               'disk_format', 'container_format', 'min_disk', 'min_ram', 'created_at',
               'updated_at')
# attributes only the service sets
READ_ONLY = ('status', 'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value',
             'created_at', 'updated_at', 'deleted', 'deleted_at', 'locations')
# names no property may take: Glance's attributes and resource links
RESERVED = frozenset(CORE_FIELDS + READ_ONLY + ('tags', 'properties', 'direct_url', 'self',
                                                'file', 'schema', 'members'))
RESERVED_PREFIX = 'os_glance'
# the filters image lists take besides properties
FILTERS = ('id', 'name', 'status', 'visibility', 'owner', 'tag', 'tags', 'size_min',
           'size_max', 'disk_format', 'container_format', 'os_hidden', 'protected',
           'checksum', 'os_hash_algo', 'os_hash_value', 'member_status', 'properties',
           'size', 'virtual_size', 'min_disk', 'min_ram', 'created_at', 'updated_at')
# integer columns matched exactly, and the time columns taking Glance's operators
INTEGER_FILTERS = ('size', 'virtual_size', 'min_disk', 'min_ram', 'size_min', 'size_max')
TIME_FILTERS = ('created_at', 'updated_at')
TIME_OPERATORS = ('gt', 'gte', 'eq', 'neq', 'lt', 'lte')
MAX_INT = 2 ** 31 - 1
MAX_STRING = 255
MAX_PROPERTY_VALUE = 65535


def _invalid(field, reason):
    return exception.InvalidInput(reason=_('%s %s') % (field, reason))


def _string(field, value, nullable=True, max_length=MAX_STRING):
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise _invalid(field, 'must be a string')
    if len(value) > max_length:
        raise _invalid(field, 'is longer than %d characters' % max_length)
    if '\x00' in value:  # PostgreSQL cannot store it, and no name needs it
        raise _invalid(field, 'must not contain NUL characters')
    return value


def _choice(field, choices, nullable=False):
    def check(value):
        if value is None and nullable:
            return None
        if value not in choices:
            raise _invalid(field, '%r is not one of %s' % (value, ', '.join(choices)))
        return value
    return check


def _boolean(field):
    def check(value):
        if not isinstance(value, bool):
            raise _invalid(field, 'must be true or false')
        return value
    return check


def _count(field):
    def check(value):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INT:
            raise _invalid(field, 'must be an integer from 0 to %d' % MAX_INT)
        return value
    return check


def _image_id(value):
    if not stores_base.is_image_id(value):
        raise _invalid('id', '%r is not a uuid' % (value,))
    return value


_CHECKS = {
    'id': _image_id,
    'name': lambda value: _string('name', value),
    'owner': lambda value: _string('owner', value),
    'visibility': _choice('visibility', VISIBILITIES),
    'disk_format': _choice('disk_format', DISK_FORMATS, nullable=True),
    'container_format': _choice('container_format', CONTAINER_FORMATS, nullable=True),
    'protected': _boolean('protected'),
    'os_hidden': _boolean('os_hidden'),
    'min_disk': _count('min_disk'),
    'min_ram': _count('min_ram'),
}


def check_tag(tag):
    if not isinstance(tag, str) or not tag:
        raise _invalid('tag', 'must be a non-empty string')
    return _string('tag', tag, nullable=False)


def check_member(member):
    if not isinstance(member, str) or not member:
        raise _invalid('member', 'must be a project id')
    return _string('member', member, nullable=False)


def check_member_status(status):
    return _choice('member status', MEMBER_STATUSES)(status)


def _properties(values):
    if not isinstance(values, dict):
        raise _invalid('properties', 'must be a mapping of names to strings')
    for name, value in values.items():
        if not isinstance(name, str) or not name or len(name) > MAX_STRING or '\x00' in name:
            raise _invalid('property name %r' % (name,), 'must be 1 to 255 characters, '
                                                          'none of them NUL')
        if name in RESERVED or name.startswith(RESERVED_PREFIX):
            raise exception.ImageAttributeReadOnly(attribute=name)
        _string('property %s' % name, value, nullable=False, max_length=MAX_PROPERTY_VALUE)
    return dict(values)


def split(values, writable):
    """(core values, properties, tags or None) from a caller's values, all checked.

    writable: the core fields the caller may set; another core or read-only
    field is ImageAttributeReadOnly.
    """
    values = dict(values or {})
    properties = _properties(values.pop('properties', None) or {})
    tags = values.pop('tags', None)
    if tags is not None:
        if isinstance(tags, (str, bytes)) or not hasattr(tags, '__iter__'):
            raise _invalid('tags', 'must be a list of strings')
        tags = sorted({check_tag(tag) for tag in tags})
    core = {}
    for name, value in values.items():
        if name in writable:
            core[name] = _CHECKS[name](value)
        elif name in CORE_FIELDS or name in READ_ONLY:
            raise exception.ImageAttributeReadOnly(attribute=name)
        else:
            properties.update(_properties({name: value}))
    return core, properties, tags


def _integer_filter(name, value):
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _invalid(name, 'must be an integer >= 0')
    return value


def _time_filter(name, value):
    """'gte:2026-12-07T04:00:00Z' (operator optional, eq by default) -> ('gte', naive
    UTC datetime), as Glance reads created_at and updated_at filters."""
    if not isinstance(value, str):
        raise _invalid(name, 'must be [operator:]ISO 8601 time')
    operator, sep, text = value.partition(':')
    if not sep or operator not in TIME_OPERATORS:
        if sep and operator.isalpha():
            raise _invalid(name, 'operator %r is not one of %s' % (
                operator, ', '.join(TIME_OPERATORS)))
        operator, text = 'eq', value
    try:
        moment = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    except ValueError:
        raise _invalid(name, '%r is not an ISO 8601 time' % text) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return operator, moment


def _boolean_filter(name, value):
    if isinstance(value, str) and value.lower() in ('true', 'false'):
        value = value.lower() == 'true'
    return _boolean(name)(value)


def _no_nul(name, value):
    """value (one or a list) unless a string of it holds NUL, which no image matches."""
    for item in utils.as_list(value):
        if isinstance(item, str) and '\x00' in item:
            raise _invalid(name, 'must not contain NUL characters')
    return value


def _property_filters(given):
    return {_no_nul('property filter name', str(name)): _no_nul(name, str(value))
            for name, value in dict(given).items()}


def filters(given):
    """(registry filters, member_status) from a caller's list filters.

    A filter that is not one of FILTERS matches a property of that name.
    os_hidden images are left out unless os_hidden is asked for, as in Glance.
    """
    given = dict(given or {})
    member_status = given.pop('member_status', None) or 'accepted'
    _choice('member_status', MEMBER_STATUSES + ('all',))(member_status)
    result = {'os_hidden': False, 'properties': {}}
    for name, value in given.items():
        if name in ('tag', 'tags'):
            result.setdefault('tags', []).extend(check_tag(tag) for tag in utils.as_list(value))
        elif name in INTEGER_FILTERS:
            result[name] = _integer_filter(name, value)
        elif name in TIME_FILTERS:
            result[name] = _time_filter(name, value)
        elif name in ('os_hidden', 'protected'):
            result[name] = _boolean_filter(name, value)
        elif name == 'visibility':
            result[name] = _choice('visibility', VISIBILITIES + ('all',))(value)
        elif name == 'properties':
            result['properties'].update(_property_filters(value))
        elif name in FILTERS:
            result[name] = _no_nul(name, value)
        else:
            result['properties'].update(_property_filters({name: value}))
    return result, member_status


def image_to_dict(image):
    """An Image row as the service answers it (datetimes stay datetimes)."""
    result = {name: getattr(image, name) for name in CORE_FIELDS}
    result['tags'] = [tag.value for tag in image.tags]
    result['properties'] = {prop.name: prop.value for prop in image.properties}
    # internal: where the data is; the Glance API shows them only to admins, if at all
    result['locations'] = [{'url': loc.value, 'metadata': dict(loc.meta_data or {}),
                            'status': loc.status} for loc in image.locations]
    result['deleted'] = bool(image.deleted)
    result['deleted_at'] = image.deleted_at
    return result


def member_to_dict(member):
    return {'image_id': member.image_id, 'member_id': member.member,
            'status': member.status, 'can_share': member.can_share,
            'created_at': member.created_at,
            'updated_at': member.updated_at or member.created_at}
