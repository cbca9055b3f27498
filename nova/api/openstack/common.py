"""Helpers every compute controller uses: statuses, links, paging, lookups."""
import hashlib
import urllib.parse

import webob.exc

from nova import exception
from nova.auth import manager as auth_manager
from nova.compute import task_states as ts
from nova.compute import vm_states as vs
from nova.i18n import _

MAX_LIMIT = 1000  # the most items one page of a list returns (Nova's [api] max_limit)

_REBUILD = {ts.REBUILDING: 'REBUILD', ts.REBUILD_BLOCK_DEVICE_MAPPING: 'REBUILD',
            ts.REBUILD_SPAWNING: 'REBUILD'}
_RESIZE = {ts.RESIZE_PREP: 'RESIZE', ts.RESIZE_MIGRATING: 'RESIZE',
           ts.RESIZE_MIGRATED: 'RESIZE', ts.RESIZE_FINISH: 'RESIZE'}
# vm_state -> {task_state: status}, as Nova's API shows them
STATE_MAP = {
    vs.ACTIVE: {
        'default': 'ACTIVE',
        ts.REBOOTING: 'REBOOT', ts.REBOOT_PENDING: 'REBOOT', ts.REBOOT_STARTED: 'REBOOT',
        ts.REBOOTING_HARD: 'HARD_REBOOT', ts.REBOOT_PENDING_HARD: 'HARD_REBOOT',
        ts.REBOOT_STARTED_HARD: 'HARD_REBOOT', ts.UPDATING_PASSWORD: 'PASSWORD',
        ts.MIGRATING: 'MIGRATING', **_REBUILD, **_RESIZE,
    },
    vs.BUILDING: {'default': 'BUILD'},
    vs.STOPPED: {'default': 'SHUTOFF', **_RESIZE, **_REBUILD},
    vs.RESIZED: {'default': 'VERIFY_RESIZE', ts.RESIZE_REVERTING: 'REVERT_RESIZE'},
    vs.PAUSED: {'default': 'PAUSED', ts.MIGRATING: 'MIGRATING'},
    vs.SUSPENDED: {'default': 'SUSPENDED'},
    vs.RESCUED: {'default': 'RESCUE'},
    vs.ERROR: {'default': 'ERROR', **_REBUILD},
    vs.DELETED: {'default': 'DELETED'},
    vs.SOFT_DELETED: {'default': 'SOFT_DELETED'},
    vs.SHELVED: {'default': 'SHELVED'},
    vs.SHELVED_OFFLOADED: {'default': 'SHELVED_OFFLOADED'},
}
_UNKNOWN = {'default': 'UNKNOWN'}


def status_from_state(vm_state, task_state):
    task_map = STATE_MAP.get(vm_state, _UNKNOWN)
    return task_map.get(task_state, task_map['default'])


def states_from_status(statuses):
    """(vm_states, task_states) whose status is one of statuses ('default': any task)."""
    wanted = {status.lower() for status in statuses}
    vm_states, task_states = set(), set()
    for vm_state, task_map in STATE_MAP.items():
        for task_state, status in task_map.items():
            if status.lower() in wanted:
                vm_states.add(vm_state)
                task_states.add(task_state)
    return sorted(vm_states), sorted(task_states, key=str)


def host_id(project_id, host):
    """Nova's hostId: the host, hashed with the project so projects cannot compare."""
    if not host:
        return ''
    return hashlib.sha224((str(project_id) + host).encode()).hexdigest()


def isotime(at):
    """'2012-08-20T21:11:09Z' (isoformat: strftime costs ten times more)."""
    return at.isoformat(timespec='seconds') + 'Z' if at else None


def strtime(at):
    """Times with microseconds, as Nova shows launched_at and action times."""
    return at.isoformat(timespec='microseconds') if at else None


# ----------------------------------------------------------------- links

def project_prefix(req):
    """'/<project_id>' when the request URL carried it (2.18 made it optional)."""
    project_id = req.context.project_id
    if project_id and ('/%s/' % project_id) in req.path_info + '/':
        return '/' + project_id
    return ''


def url_base(req):
    """Versioned and bookmark (unversioned) URL prefixes of this request."""
    prefix = project_prefix(req)
    return req.application_url + prefix, req.host_url + prefix


def links(bases, collection, item_id):
    versioned, bookmark = bases
    return [{'rel': 'self', 'href': '%s/%s/%s' % (versioned, collection, item_id)},
            {'rel': 'bookmark', 'href': '%s/%s/%s' % (bookmark, collection, item_id)}]


def next_link(req, items, limit, collection, key='id'):
    """[{'rel': 'next', 'href': ...}] when the page is full, else []."""
    if not items or limit is None or len(items) < limit:
        return []
    params = sorted((k, v) for k, v in req.GET.items() if k != 'marker')
    params.append(('marker', items[-1][key]))
    href = '%s/%s?%s' % (url_base(req)[0], collection, urllib.parse.urlencode(params))
    return [{'rel': 'next', 'href': href}]


# ----------------------------------------------------------------- paging

def _int_param(req, name):
    value = req.GET.get(name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise webob.exc.HTTPBadRequest(explanation=_('%s param must be an integer') % name)
    if number < 0:
        raise webob.exc.HTTPBadRequest(explanation=_('%s param must be positive') % name)
    return number


def limit_and_marker(req):
    """(limit, marker) from the query; limit is capped at MAX_LIMIT."""
    limit = _int_param(req, 'limit')
    limit = MAX_LIMIT if limit is None else min(limit, MAX_LIMIT)
    return limit, req.GET.get('marker')


def sort_params(req, default_key='created_at', default_dir='desc'):
    """(keys, dirs) from repeated sort_key/sort_dir parameters, Nova's defaults."""
    keys = req.GET.getall('sort_key')
    dirs = req.GET.getall('sort_dir')
    if not keys and not dirs:
        return [default_key], [default_dir]
    return keys or [default_key], dirs


def _check_known(get, context, ident, kind):
    try:
        get(context, ident)
    except exception.NotFound:
        raise webob.exc.HTTPBadRequest(
            explanation=_('%s ID %s is not a valid %s.') % (kind, ident, kind.lower())) from None


def check_project(context, project_id):
    """400 unless project_id names a project of the identity service."""
    _check_known(auth_manager.get_project, context, project_id, 'Project')


def check_user(context, user_id):
    """400 unless user_id names a user of the identity service."""
    _check_known(auth_manager.get_user, context, user_id, 'User')


def is_true(value):
    return str(value).strip().lower() in ('1', 't', 'true', 'on', 'y', 'yes')
