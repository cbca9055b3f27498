"""What every network API resource shares: the router, JSON bodies, policy, and
Neutron's list semantics applied to the views a resource gives.

A list request takes attribute filters (``?name=a&name=b``: either; booleans as
true/false; unknown attributes are 400, as with Neutron's filter-validation),
``fields`` (only those keys), ``sort_key``/``sort_dir`` (repeatable) and
``limit``/``marker``/``page_reverse`` with ``<collection>_links`` (next,
previous). Resources give every view the caller may see; this module does the
rest, so each rule of the list semantics lives once.
"""
import urllib.parse

import routes
import webob
import webob.dec

from nova import policy
from nova import utils
from nova.api import json_body, request_input
from nova.api.openstack.network import faults
from nova.i18n import _

MAX_LIMIT = 1000


class Request(webob.Request):
    @property
    def context(self):
        return self.environ['nova.context']


def authorize(context, action, project_id=None):
    """Neutron's policy check of action on a resource of project_id (None: the
    caller's; '' a resource of no project, such as a shared or external network);
    PolicyNotAuthorized (403) when refused."""
    project_id = context.project_id if project_id is None else project_id
    policy.authorize(context, action, {'project_id': project_id, 'tenant_id': project_id,
                                       'user_id': context.user_id})


def body(req, key):
    """The object under key of a JSON body (400 naming what is wrong otherwise)."""
    try:
        parsed = request_input.json_loads(req.body) if req.body else None
    except request_input.MalformedInput as error:
        raise faults.bad_request(error.format_message()) from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get(key), dict):
        raise faults.bad_request(_('Resource body required: {"%s": {...}}') % key)
    return parsed[key]


def only(values, allowed, resource):
    """400 naming an attribute the resource does not have or does not let one set."""
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise faults.bad_request(_("Unrecognized attribute(s) '%s'") % ', '.join(unknown))
    return values


def text(values, field, default=None, maximum=255):
    value = values.get(field, default)
    if value is None:
        return default
    if not isinstance(value, str) or len(value) > maximum:
        raise faults.bad_request(_("Invalid input for %s. Reason: '%s' is not a valid string "
                                 'of at most %d characters.') % (field, value, maximum))
    return value


def boolean(values, field, default=None):
    value = values.get(field, default)
    if value is None or isinstance(value, bool):
        return value
    try:
        return utils.bool_from_string(field, value)
    except Exception:  # noqa: BLE001 -- InvalidInput, answered in Neutron's words
        raise faults.bad_request(_("Invalid input for %s. Reason: '%s' is not a valid "
                                 'boolean value.') % (field, value)) from None


def timestamp(at):
    return at.strftime('%Y-%m-%dT%H:%M:%SZ') if at else None


def standard_attributes(row):
    """created_at, updated_at, revision_number, tags (standard attributes)."""
    return {'created_at': timestamp(row.created_at),
            'updated_at': timestamp(row.updated_at or row.created_at),
            'revision_number': row.revision_number, 'tags': []}


# ------------------------------------------------------------------ lists

def _filter_value(value):
    lowered = value.lower()
    if lowered in ('true', 'false'):
        return lowered == 'true'
    return value


def _matches(view, name, wanted):
    actual = view.get(name)
    if isinstance(actual, list):
        return any(v in actual for v in wanted)
    if isinstance(actual, bool):
        return any(w is actual or w == str(actual) for w in wanted)
    return any(str(w) == str(actual) if actual is not None else w in ('', None)
               for w in wanted)


LIST_PARAMETERS = ('fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse')


def filtered(req, views, special=None):
    """Views matching the request's attribute filters. special: {name: predicate
    taking (view, [values])} for filters that are not plain attributes."""
    special = special or {}
    params = {}
    for name, value in req.GET.items():
        if name not in LIST_PARAMETERS:
            params.setdefault(name, []).append(_filter_value(value))
    known = set(views[0]) if views else None
    for name, wanted in params.items():
        if name in special:
            views = [v for v in views if special[name](v, wanted)]
        elif known is not None and name not in known:
            raise faults.bad_request(_('%s is not a valid filter') % name)
        else:
            views = [v for v in views if _matches(v, name, wanted)]
    return views


def _sort_key(value):
    return (value is None, str(value) if not isinstance(value, (int, float)) else value)


def sorted_views(req, views):
    keys, dirs = req.GET.getall('sort_key'), req.GET.getall('sort_dir')
    if dirs and len(dirs) != len(keys):
        raise faults.bad_request(_('The number of sort_keys and sort_dirs must be same'))
    for key, direction in reversed(list(zip(keys, dirs or ['asc'] * len(keys)))):
        if direction not in ('asc', 'desc'):
            raise faults.bad_request(_("%s is invalid attribute for sort_dir") % direction)
        if views and key not in views[0]:
            raise faults.bad_request(_('%s is invalid attribute for sort_key') % key)
        views = sorted(views, key=lambda v: _sort_key(v.get(key)),
                       reverse=direction == 'desc')
    return views


def _limit(req):
    value = req.GET.get('limit')
    if value is None:
        return None
    try:
        limit = int(value)
    except ValueError:
        raise faults.bad_request(_("Invalid input for limit. Reason: '%s' is not an integer.")
                                 % value) from None
    if limit < 0:
        raise faults.bad_request(_("Invalid input for limit. Reason: '%s' should be "
                                 'non-negative.') % value)
    return min(limit, MAX_LIMIT) if limit else None


def _link(req, rel, marker, reverse):
    params = [(k, v) for k, v in req.GET.items() if k not in ('marker', 'page_reverse')]
    params.append(('marker', marker))
    if reverse:
        params.append(('page_reverse', 'True'))
    return {'rel': rel, 'href': '%s%s?%s' % (req.host_url, req.path,
                                             urllib.parse.urlencode(params))}


def page(req, views, collection):
    """(views of the page, links) for limit/marker/page_reverse."""
    limit, marker = _limit(req), req.GET.get('marker')
    reverse = str(req.GET.get('page_reverse', '')).lower() == 'true'
    ids = [v['id'] for v in views]
    if marker is not None:
        if marker not in ids:
            raise faults.not_found(collection, marker)
        at = ids.index(marker)
        before, after = views[:at], views[at + 1:]
    else:
        before, after = [], views
    if reverse:
        chosen = before[-limit:] if limit else before
        more_before = limit is not None and len(before) > limit
        links = []
        if more_before and chosen:
            links.append(_link(req, 'previous', chosen[0]['id'], True))
        if marker is not None and chosen:
            links.append(_link(req, 'next', chosen[-1]['id'], False))
        return chosen, links
    chosen = after[:limit] if limit else after
    links = []
    if limit is not None and len(after) > limit and chosen:
        links.append(_link(req, 'next', chosen[-1]['id'], False))
    if marker is not None and chosen:
        links.append(_link(req, 'previous', chosen[0]['id'], True))
    return chosen, links


def fields(req, view):
    wanted = [f for value in req.GET.getall('fields') for f in value.split(',') if f]
    if not wanted:
        return view
    return {k: v for k, v in view.items() if k in wanted}


def listing(req, views, collection, key, special=None):
    """The body of a list request over every view the caller may see."""
    views = sorted_views(req, filtered(req, views, special))
    chosen, links = page(req, views, collection)
    result = {key: [fields(req, v) for v in chosen]}
    if links:
        result[key + '_links'] = links
    return result


def shown(req, view):
    return fields(req, view)


# ------------------------------------------------------------------ routing

class Router:
    """(method, path template, handler) routes; a handler takes (req, **url args) and
    returns (status, body dict or None). Every error is a NeutronError body."""

    def __init__(self, route_table):
        self.mapper = routes.Mapper()
        self.handlers = {}
        for path, handlers in route_table:
            self.handlers[path] = handlers
            self.mapper.connect(path, route_key=path)
            self.mapper.connect(path + '.json', route_key=path)

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req):
        try:
            return self._serve(req)
        except Exception as error:  # noqa: BLE001 -- every error gets a NeutronError
            return faults.error_response(error, req)

    def _serve(self, req):
        path = req.path_info.rstrip('/') or '/'
        match = self.mapper.match(path)
        if match is None:
            raise faults.NeutronError(404, 'HTTPNotFound',
                                      _('The resource could not be found.'))
        handlers = self.handlers[match.pop('route_key')]
        handler = handlers.get(req.method)
        if handler is None:
            raise faults.NeutronError(405, 'HTTPMethodNotAllowed',
                                      _('The method %s is not allowed for this resource.')
                                      % req.method)
        if request_input.value_problem(match):  # no resource has such an id
            raise faults.NeutronError(404, 'HTTPNotFound', _('The resource could not be found.'))
        problem = request_input.value_problem(list(req.GET.items()))
        if problem:
            raise faults.bad_request(_('A query parameter %s') % problem)
        status, result = handler(req, **match)
        if result is None:
            response = webob.Response(status=status)
            del response.content_type
            return response
        return webob.Response(status=status, content_type='application/json', charset='utf-8',
                              body=json_body.dumps(result))


def ok(result, status=200):
    return status, result
