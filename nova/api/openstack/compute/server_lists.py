"""GET /servers and /servers/detail: query parameters -> compute API filters.

Filters the database can apply go to compute_api.get_all; the few it cannot
(2.83's key_name, config_drive, launched_at, ...) are matched here as Nova
matches them (a regular expression search on the column's text), before the
page is cut, so that limit and marker keep their meaning.
"""
import contextlib
import datetime
import re

import eventlet.semaphore
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack.compute.schemas import servers as schema
from nova.compute import flavors
from nova.compute import vm_states
from nova.i18n import _
from nova.network import api as network_api
from nova.network import model as network_model


def query_schemas(func):
    """The query schemas of both list methods."""
    for params_schema, low, high in (
            (schema.query, '2.1', '2.25'), (schema.query_v226, '2.26', '2.65'),
            (schema.query_v266, '2.66', '2.72'), (schema.query_v273, '2.73', '2.74'),
            (schema.query_v275, '2.75', None)):
        func = validation.query_schema(params_schema, low, high)(func)
    return func


_DB_FILTERS = {
    'uuid': 'uuid', 'reservation_id': 'reservation_id', 'user_id': 'user_id',
    'host': 'host', 'node': 'node', 'availability_zone': 'availability_zone',
    'vm_state': 'vm_state', 'task_state': 'task_state', 'image_ref': 'image_ref',
    'changes-since': 'changes-since', 'changes-before': 'changes-before',
}
_TAG_FILTERS = ('tags', 'tags-any', 'not-tags', 'not-tags-any')
# matched here: query parameter -> instance attribute
_TEXT_FILTERS = {
    'key_name': 'key_name', 'config_drive': 'config_drive', 'created_at': 'created_at',
    'launched_at': 'launched_at', 'terminated_at': 'terminated_at',
    'power_state': 'power_state', 'progress': 'progress', 'hostname': 'hostname',
    'kernel_id': 'kernel_id', 'ramdisk_id': 'ramdisk_id', 'launch_index': 'launch_index',
    'description': 'display_description', 'display_description': 'display_description',
    'locked_by': 'locked_by', 'root_device_name': 'root_device_name',
    'access_ip_v4': 'access_ip_v4', 'access_ip_v6': 'access_ip_v6',
    'auto_disk_config': 'auto_disk_config',
}
_ADDRESS_FILTERS = ('ip', 'ip6')


def _user_filters(req):
    version = req.api_version
    for low, names in (('2.83', schema.USER_FILTERS_V283), ('2.73', schema.USER_FILTERS_V273),
                       ('2.66', schema.USER_FILTERS_V266), ('2.26', schema.USER_FILTERS_V226),
                       ('2.5', schema.USER_FILTERS_V25)):
        if version >= low:
            return names
    return schema.USER_FILTERS


def _search_options(req):
    """{parameter: value or [values]} the caller may use (others are ignored, as Nova)."""
    params = req.query_lists()
    for name in ('sort_key', 'sort_dir', 'limit', 'marker'):
        params.pop(name, None)
    allowed = _user_filters(req)
    if any(k not in allowed for k in params) and not policy.authorize(
            req.context, 'os_compute_api:servers:allow_all_filters', do_raise=False):
        params = {k: v for k, v in params.items() if k in allowed}
    return {k: (v if k == 'status' else v[-1]) for k, v in params.items()}


def _all_tenants(req, search, detail):
    if 'all_tenants' not in search:
        return False
    value = search.pop('all_tenants')
    if value != '' and str(value).lower() not in ('1', '0', 'true', 'false', 'yes', 'no',
                                                  'on', 'off', 't', 'f', 'y', 'n'):
        raise webob.exc.HTTPBadRequest(explanation=_("Invalid value '%s' for all_tenants") % value)
    if value != '' and not common.is_true(value):
        return False
    policy.authorize(req.context, 'os_compute_api:servers:%s:get_all_tenants'
                     % ('detail' if detail else 'index'))
    return True


def _time(search, name):
    if name not in search:
        return None
    try:
        return datetime.datetime.fromisoformat(search[name].replace('Z', '+00:00'))
    except ValueError:
        raise webob.exc.HTTPBadRequest(explanation=_('Invalid filter field: %s.') % name) from None


def _status_filters(req, search, filters):
    """vm_state/task_state for the 'status' parameter; False when nothing can match."""
    vm_state_list, task_state_list = common.states_from_status(search.pop('status'))
    if not vm_state_list:
        if req.is_version('2.38'):
            raise webob.exc.HTTPBadRequest(explanation=_('Invalid status value'))
        return False
    filters['vm_state'] = vm_state_list
    if 'default' not in task_state_list:
        filters['task_state'] = task_state_list
    return True


def _db_filters(req, search, all_tenants):
    """The compute API filters, or None when no server can match."""
    context = req.context
    filters = {}
    if 'status' in search and not _status_filters(req, search, filters):
        return None
    for name, key in _DB_FILTERS.items():
        if name in search:
            filters.setdefault(key, search[name])  # 'status' wins over vm_state
    since, before = _time(search, 'changes-since'), _time(search, 'changes-before')
    if since and before and since > before:
        raise webob.exc.HTTPBadRequest(explanation=(
            _('The value of changes-since must be less than or equal to changes-before.')))
    if 'name' in search or 'display_name' in search:
        filters['display_name'] = search.get('name', search.get('display_name'))
    if 'image' in search:
        filters['image_ref'] = search['image'].rstrip('/').rsplit('/', 1)[-1]
    if 'flavor' in search:
        try:
            filters['flavor_id'] = flavors.get_by_flavor_id(search['flavor'], context).id
        except exception.FlavorNotFound:
            return None
    if 'locked' in search:
        filters['locked'] = _strict_bool('locked', search['locked'])
    for name in _TAG_FILTERS:
        if name in search:
            filters[name] = [tag for tag in search[name].split(',') if tag]
    if all_tenants:
        project = search.get('project_id', search.get('tenant_id'))
        if project:
            filters['project_id'] = project
    if 'deleted' in search:
        filters['deleted'] = _strict_bool('deleted', search['deleted'])
    elif 'changes-since' not in search and 'changes-before' not in search:
        filters['deleted'] = False
    if filters.get('vm_state') == [vm_states.DELETED]:
        if not context.is_admin:
            raise webob.exc.HTTPForbidden(
                explanation=_('Only administrators may list deleted instances'))
        filters['deleted'] = True
    if 'soft_deleted' in search:
        filters['soft_deleted'] = _strict_bool('soft_deleted', search['soft_deleted'])
    return filters


def _strict_bool(name, value):
    text = str(value).strip().lower()
    if text in ('1', 't', 'true', 'on', 'y', 'yes'):
        return True
    if text in ('0', 'f', 'false', 'off', 'n', 'no'):
        return False
    raise webob.exc.HTTPBadRequest(explanation=_('Invalid value %r for %s') % (value, name))


def _sort(req):
    keys, dirs = common.sort_params(req)
    ignored = set(schema.IGNORED_SORT_KEYS)
    if req.is_version('2.73'):
        ignored.discard('locked')
    kept_keys, kept_dirs = [], []
    for index, key in enumerate(keys):
        if key in ignored:
            continue
        if key in schema.ADMIN_SORT_KEYS and not req.context.is_admin:
            raise webob.exc.HTTPForbidden(
                explanation=_('Only administrators can sort servers by %s') % key)
        kept_keys.append(key)
        if index < len(dirs):
            kept_dirs.append(dirs[index])
    if not kept_keys:
        return None, None
    return kept_keys, kept_dirs or None


def _matcher(search):
    """A predicate for the filters the database cannot apply, or None."""
    tests = []
    for name, attr in _TEXT_FILTERS.items():
        if name in search:
            try:
                pattern = re.compile(str(search[name]))
            except re.error:
                raise webob.exc.HTTPBadRequest(
                    explanation=_('Invalid filter field: %s.') % name) from None
            tests.append((attr, pattern))
    if not tests:
        return None

    def matches(instance):
        return all(pattern.search(_text(getattr(instance, attr))) for attr, pattern in tests)
    return matches


def _text(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=' ')
    return '' if value is None else str(value)


# A page of 1,000 servers holds ~5 MB (its instance records, then their views) until it
# is encoded, and its green thread yields at each of its queries: an API process with
# ten such lists in flight held them all at once (nova-api's workers grew 25-30 MB).
# Pages of more than LARGE_PAGE servers are built PAGES_AT_ONCE at a time per
# process: one builds while another waits for its database, and the process has one
# core's worth of CPU to build them with anyway. Smaller pages never wait.
LARGE_PAGE = 100
PAGES_AT_ONCE = 2
_large_pages = eventlet.semaphore.Semaphore(PAGES_AT_ONCE)


@contextlib.contextmanager
def building_page(req):
    """Around reading and rendering a list page: waits while PAGES_AT_ONCE pages
    larger than LARGE_PAGE are being built in this process, if this one is."""
    limit, _marker = common.limit_and_marker(req)
    if limit <= LARGE_PAGE:
        yield
        return
    with _large_pages:
        yield


def get_servers(req, compute_api, detail, partial=False):
    """(instances of the page, the limit applied) for a list request (partial: records
    with what tells a kept view is stale, where no filter needs the rest)."""
    context = req.context
    search = _search_options(req)
    all_tenants = _all_tenants(req, search, detail)
    limit, marker = common.limit_and_marker(req)
    sort_keys, sort_dirs = _sort(req)
    filters = _db_filters(req, search, all_tenants)
    if filters is None:
        return [], limit
    matches = _matcher(search)
    addresses = _address_patterns(search)
    try:
        instances = compute_api.get_all(
            context, filters=filters, limit=None if matches or addresses else limit,
            marker=marker, sort_keys=sort_keys, sort_dirs=sort_dirs,
            all_projects=all_tenants,
            brief=not (detail or matches),  # GET /servers shows only id and name
            partial=partial and not (matches or addresses))
    except exception.MarkerNotFound:
        raise webob.exc.HTTPBadRequest(explanation=_('marker [%s] not found') % marker) from None
    if matches:
        instances = [i for i in instances if matches(i)]
    if addresses:
        instances = _with_addresses(context, instances, addresses)
    if matches or addresses:
        instances = instances[:limit]
    return instances, limit


def _address_patterns(search):
    """{IP version: pattern} of the ip and ip6 filters: matched, as Nova does, from
    the start of each of an instance's fixed addresses of that version."""
    patterns = {}
    for name, version in zip(_ADDRESS_FILTERS, (4, 6)):
        if name in search:
            try:
                patterns[version] = re.compile(str(search[name]))
            except re.error:
                raise webob.exc.HTTPBadRequest(
                    explanation=_('Invalid filter field: %s.') % name) from None
    return patterns


def _with_addresses(context, instances, patterns):
    """The instances with an address each pattern matches (one query for all)."""
    infos = network_api.API().get_instances_nw_info(context, [i.uuid for i in instances])
    return [i for i in instances if all(
        any(pattern.match(address) for address in
            network_model.fixed_ips(infos.get(i.uuid, []), version=version))
        for version, pattern in patterns.items())]
