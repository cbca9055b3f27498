"""Flavor rules shared by the APIs and nova-manage: validation, access, extra specs.

Invalid input raises InvalidInput naming the field. Functions take an
optional context; without one they act as admin (nova-manage).
"""
import re
import uuid

from nova import context as nova_context
from nova import exception
from nova import utils
from nova.db import api as db

MAX_INT = 2 ** 31 - 1  # what an INTEGER column holds everywhere
MAX_FLOAT = 3.40282e38  # what a single precision FLOAT column holds
_FLAVORID = re.compile(r'^[\w.\- ]+$')
_SPEC_KEY = re.compile(r'^[\w.\-: ]+$')
# the columns an instance keeps a copy of (its flavor may change or go away)
SNAPSHOT_FIELDS = ('id', 'flavorid', 'name', 'memory_mb', 'vcpus', 'root_gb', 'ephemeral_gb',
                   'swap', 'rxtx_factor', 'vcpu_weight', 'disabled', 'is_public', 'description')


def _admin(ctxt):
    return ctxt or nova_context.get_admin_context()


def _invalid(reason):
    return exception.InvalidInput(reason=reason)


def _int(name, value, minimum, maximum=MAX_INT):
    if isinstance(value, bool):
        raise _invalid('%s must be an integer' % name)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise _invalid('%s must be an integer' % name) from None
    if not minimum <= number <= maximum:
        raise _invalid('%s must be an integer between %d and %d' % (name, minimum, maximum))
    return number


def _text(name, value, maximum, allow_empty=False):
    if not isinstance(value, str):
        raise _invalid('%s must be a string' % name)
    if not (allow_empty or value) or len(value) > maximum:
        raise _invalid('%s must be %d to %d characters long' % (
            name, 0 if allow_empty else 1, maximum))
    if not value.isprintable():
        raise _invalid('%s must contain only printable characters' % name)
    if value != value.strip():
        raise _invalid('%s must not start or end with whitespace' % name)
    return value


def validate(name, memory, vcpus, root_gb, ephemeral_gb=0, flavorid=None, swap=0,
             rxtx_factor=1.0, is_public=True, description=None):
    """The flavor columns from user input, or InvalidInput naming the bad field."""
    if flavorid is None or str(flavorid).strip().lower() in ('', 'auto'):
        flavorid = str(uuid.uuid4())
    flavorid = _text('id', str(flavorid), 255)
    if not _FLAVORID.match(flavorid):
        raise _invalid('id may only contain letters, digits, underscores, periods, hyphens '
                       'and spaces')
    try:
        rxtx = float(rxtx_factor)
    except (TypeError, ValueError):
        raise _invalid('rxtx_factor must be a number') from None
    if not 0 < rxtx <= MAX_FLOAT:
        raise _invalid('rxtx_factor must be a number greater than 0 and at most %s' % MAX_FLOAT)
    return {
        'name': _text('name', name, 255),
        'flavorid': flavorid,
        'memory_mb': _int('memory_mb', memory, 1),
        'vcpus': _int('vcpus', vcpus, 1),
        'root_gb': _int('root_gb', root_gb, 0),
        'ephemeral_gb': _int('ephemeral_gb', ephemeral_gb, 0),
        'swap': _int('swap', swap, 0),
        'rxtx_factor': rxtx,
        'is_public': utils.bool_from_string('is_public', is_public),
        'description': None if description is None else _text('description', description,
                                                               65535, allow_empty=True),
    }


def create(name, memory, vcpus, root_gb, ephemeral_gb=0, flavorid=None, swap=0,
           rxtx_factor=1.0, is_public=True, description=None, ctxt=None):
    """Validate and store a flavor; flavorid None or 'auto' gets a UUID."""
    values = validate(name, memory, vcpus, root_gb, ephemeral_gb, flavorid, swap,
                      rxtx_factor, is_public, description)
    return db.flavor_create(_admin(ctxt), values)


def get_by_flavor_id(flavorid, ctxt=None, read_deleted='yes'):
    """A flavor by public id; deleted ones too by default (instances still use them)."""
    ctxt = nova_context.RequestContext.from_dict(
        dict(_admin(ctxt).to_dict(), read_deleted=read_deleted), overwrite=False)
    return db.flavor_get_by_flavor_id(ctxt, flavorid)


def get_by_name_or_id(value, ctxt=None):
    """A live flavor by flavorid, else by name (nova-manage takes either)."""
    ctxt = _admin(ctxt)
    try:
        return db.flavor_get_by_flavor_id(ctxt, value)
    except exception.FlavorNotFound:
        return db.flavor_get_by_name(ctxt, value)


def get_all(ctxt=None, inactive=False, filters=None, sort_key='flavorid', sort_dir='asc',
            limit=None, marker=None):
    return db.flavor_get_all(_admin(ctxt), inactive, filters, sort_key, sort_dir, limit, marker)


def update_description(flavorid, description, ctxt=None):
    """Change a live flavor's description (None clears it); returns the flavor."""
    if description is not None:
        _text('description', description, 65535, allow_empty=True)
    return db.flavor_update(_admin(ctxt), flavorid, {'description': description})


def destroy(flavorid, ctxt=None):
    db.flavor_destroy(_admin(ctxt), flavorid)


def validate_extra_specs(specs):
    """{key: str(value)}: keys 1-255 of [\\w.-: ], values 0-255 characters."""
    if not isinstance(specs, dict):
        raise _invalid('extra specs must be a mapping of keys to values')
    validated = {}
    for key, value in specs.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 255 or not _SPEC_KEY.match(key):
            raise _invalid('extra spec key %r must be 1 to 255 letters, digits, underscores, '
                           'periods, colons, hyphens or spaces' % (key,))
        if isinstance(value, bool):
            value = str(value).lower()
        if not isinstance(value, (str, int, float)):
            raise _invalid('extra spec %s must have a string value' % key)
        value = str(value)
        if len(value) > 255:
            raise _invalid('extra spec %s value must be at most 255 characters' % key)
        validated[key] = value
    return validated


def set_extra_specs(flavorid, specs, ctxt=None):
    """Validate and store extra specs; returns all of the flavor's."""
    return db.flavor_extra_specs_update_or_create(_admin(ctxt), flavorid,
                                                  validate_extra_specs(specs))


def unset_extra_spec(flavorid, key, ctxt=None):
    db.flavor_extra_specs_delete(_admin(ctxt), flavorid, key)


def add_access(flavorid, project_id, ctxt=None):
    """Share a private flavor with a project (a public one is everyone's: 409)."""
    ctxt = _admin(ctxt)
    flavor = db.flavor_get_by_flavor_id(ctxt, flavorid)
    if flavor.is_public:
        raise exception.FlavorAccessNotAllowed(flavor_id=flavorid)
    _text('project_id', project_id, 255)
    db.flavor_access_add(ctxt, flavorid, project_id)


def get_access(flavorid, ctxt=None):
    """[project_id] a private flavor is shared with."""
    return db.flavor_access_get_by_flavor_id(_admin(ctxt), flavorid)


def remove_access(flavorid, project_id, ctxt=None):
    db.flavor_access_remove(_admin(ctxt), flavorid, project_id)


def snapshot(flavor):
    """A flavor as plain JSON-ready values with its extra specs, as an instance keeps it."""
    values = {field: getattr(flavor, field) for field in SNAPSHOT_FIELDS}
    values['extra_specs'] = dict(flavor.extra_specs)
    return values


def instance_flavor_json(flavor, old=None, new=None):
    """The instance 'flavor' column: current flavor and, during a resize, old and new."""
    return {'cur': snapshot(flavor), 'old': old and snapshot(old), 'new': new and snapshot(new)}
