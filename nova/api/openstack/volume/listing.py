"""Query parameters of the block-storage lists: paging, sorting, filters, all_tenants."""

import webob.exc

from nova.api import request_input
from nova.api.openstack import common
from nova.conf import CONF
from nova.i18n import _

# API sort key -> column
SORT_KEYS = {'id': 'uuid', 'name': 'display_name', 'status': 'status', 'size': 'size',
             'availability_zone': 'availability_zone', 'created_at': 'created_at',
             'updated_at': 'updated_at', 'bootable': 'bootable', 'volume_id': 'volume_id',
             'description': 'display_description'}
_PAGING = ('limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'offset', 'all_tenants',
           'with_count', 'project_id')


def paging(req):
    """(limit, marker): limit at most --osapi_max_limit."""
    limit = common._int_param(req, 'limit')
    limit = CONF.osapi_max_limit if limit is None else min(limit, CONF.osapi_max_limit)
    return limit, req.GET.get('marker')


def sorting(req, columns):
    """(keys, dirs) from 'sort=k1:asc,k2' or sort_key/sort_dir, as columns."""
    pairs = []
    if 'sort' in req.GET:
        for item in req.GET['sort'].split(','):
            key, _sep, direction = item.strip().partition(':')
            pairs.append((key.strip(), direction.strip().lower() or 'desc'))
    elif 'sort_key' in req.GET or 'sort_dir' in req.GET:
        pairs.append((req.GET.get('sort_key', 'created_at'),
                      req.GET.get('sort_dir', 'desc').lower()))
    else:
        pairs.append(('created_at', 'desc'))
    keys, dirs = [], []
    for key, direction in pairs:
        if key not in SORT_KEYS or SORT_KEYS[key] not in columns:
            raise webob.exc.HTTPBadRequest(explanation=_('Invalid input received: Invalid '
                                                       'sort key %s') % key)
        if direction not in ('asc', 'desc'):
            raise webob.exc.HTTPBadRequest(explanation=_('Invalid input received: Invalid '
                                                       'sort dir %s') % direction)
        keys.append(SORT_KEYS[key])
        dirs.append(direction)
    return keys, dirs


def all_projects(req):
    """Whether an admin asked for every project's resources (all_tenants)."""
    return req.context.is_admin and common.is_true(req.GET.get('all_tenants', 'false'))


def filters(req, allowed):
    """{filter: value} from the query; an unknown filter is 400, as Cinder's."""
    found, unknown = {}, []
    for name, value in req.GET.items():
        if name in _PAGING:
            continue
        if name not in allowed:
            unknown.append(name)
            continue
        if name == 'metadata':
            try:
                value = request_input.json_loads(value, 'metadata')
            except request_input.MalformedInput:
                value = None
            if not isinstance(value, dict):
                raise webob.exc.HTTPBadRequest(
                    explanation=_('Invalid input received: metadata must be a JSON object'))
        elif name == 'bootable':
            value = common.is_true(value)
        found[allowed[name]] = value
    if unknown:
        raise webob.exc.HTTPBadRequest(explanation=_('Invalid input received: Invalid filters '
                                                   '%s are found in query options.')
                                       % ','.join(sorted(unknown)))
    if all_projects(req) and req.GET.get('project_id'):
        found['project_id'] = req.GET['project_id']
    return found

