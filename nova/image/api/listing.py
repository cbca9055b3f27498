"""GET /v2/images query strings, read as Glance reads them.

limit (default 25, at most 1000), marker, sorting (either sort_key/sort_dir,
each repeatable, or sort=key:dir,key2 — not both), and every other parameter
a filter: 'tag' repeatable, 'in:a,b' lists for id, name and the other plain
columns, anything unknown an extra property (see nova.image.fields.filters).
"""
import csv
import urllib.parse

from nova.i18n import _
from nova.image.api import wsgi

DEFAULT_LIMIT = 25
MAX_LIMIT = 1000
DEFAULT_SORT_KEY = 'created_at'
DEFAULT_SORT_DIR = 'desc'
PAGING = ('limit', 'marker', 'sort_key', 'sort_dir', 'sort')
# filters that take 'in:' lists
LIST_FILTERS = ('id', 'name', 'status', 'owner', 'disk_format', 'container_format',
                'checksum', 'os_hash_algo', 'os_hash_value')


def _bad(message):
    return wsgi.http_error(400, message)


def parse_limit(params):
    if 'limit' not in params:
        return DEFAULT_LIMIT
    try:
        limit = int(params['limit'])
    except ValueError:
        raise _bad(_('limit param must be an integer')) from None
    if limit < 0:
        raise _bad(_('limit param must be positive'))
    return min(limit, MAX_LIMIT)


def _sorting(params):
    """(sort keys, sort dirs); the registry checks the keys."""
    keys, dirs = params.getall('sort_key'), params.getall('sort_dir')
    if 'sort' in params:
        if keys or dirs:
            raise _bad(_('Old and new sorting syntax cannot be combined'))
        for item in params['sort'].split(','):
            key, _sep, direction = item.strip().partition(':')
            keys.append(key.strip())
            dirs.append(direction.strip() or DEFAULT_SORT_DIR)
    elif len(dirs) > 1 and len(dirs) != len(keys):
        raise _bad(_('Number of sort dirs does not match the number of sort keys'))
    for direction in dirs:
        if direction not in ('asc', 'desc'):
            raise _bad(_('Invalid sort direction: %s') % direction)
    # one direction applies to every key (the registry repeats it)
    return keys or [DEFAULT_SORT_KEY], dirs or [DEFAULT_SORT_DIR]


def _in_list(name, value):
    """'in:a,"b,c"' -> ['a', 'b,c']; any other value as it is."""
    if not value.startswith('in:'):
        return value
    try:
        items = next(csv.reader([value[3:]], skipinitialspace=True), [])
    except csv.Error:
        raise _bad(_('Invalid %s filter value %r') % (name, value)) from None
    return items


def _filters(params):
    filters = {}
    for name, value in params.items():
        if name in PAGING:
            continue
        if name == 'tag':
            filters.setdefault('tag', []).append(value)
        elif name in LIST_FILTERS:
            filters[name] = _in_list(name, value)
        else:
            filters[name] = value
    return filters


def parse(req):
    """{'filters', 'marker', 'limit', 'sort_keys', 'sort_dirs'} of a list request."""
    params = req.GET
    keys, dirs = _sorting(params)
    return {'filters': _filters(params), 'marker': params.get('marker'),
            'limit': parse_limit(params), 'sort_keys': keys, 'sort_dirs': dirs}


def page_links(req, images, limit):
    """'first' (the query without marker) and, after a full page, 'next'."""
    params = [(name, value) for name, value in req.GET.items() if name != 'marker']
    links = {'first': '/v2/images'}
    if params:
        links['first'] += '?' + urllib.parse.urlencode(params)
    if images and len(images) == limit:
        links['next'] = '/v2/images?' + urllib.parse.urlencode(
            params + [('marker', images[-1]['id'])])
    return links
