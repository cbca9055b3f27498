"""Glance's tasks: GET /v2/tasks, POST /v2/tasks (type 'import'), GET /v2/tasks/{id}.

The importer decides (who may, what an import task needs); these handlers
read Glance's requests and answer its shapes.
"""
import urllib.parse

from nova import exception
from nova.i18n import _
from nova.image import importer
from nova.image.api import listing
from nova.image.api import views
from nova.image.api import wsgi

TASK_FILTERS = ('type', 'status')
TASK_PARAMS = TASK_FILTERS + ('limit', 'marker', 'sort_key', 'sort_dir')


def _importer():
    return importer.get_importer()


def index(req, ctx):
    params = req.GET
    for name in params:
        if name not in TASK_PARAMS:
            raise wsgi.http_error(400, _('Invalid parameter %s: use one of %s') % (
                name, ', '.join(TASK_PARAMS)))
    limit = listing.parse_limit(params)
    filters = {name: params[name] for name in TASK_FILTERS if name in params}
    tasks = _importer().list_tasks(ctx, filters, marker=params.get('marker'), limit=limit,
                                   sort_key=params.get('sort_key', 'created_at'),
                                   sort_dir=params.get('sort_dir', 'desc'))
    body = {'tasks': [views.task(task, detail=False) for task in tasks],
            'first': '/v2/tasks', 'schema': '/v2/schemas/tasks'}
    query = [(name, value) for name, value in params.items() if name != 'marker']
    if query:
        body['first'] += '?' + urllib.parse.urlencode(query)
    if tasks and len(tasks) == limit:
        body['next'] = '/v2/tasks?' + urllib.parse.urlencode(query + [('marker',
                                                                       tasks[-1]['id'])])
    return wsgi.json_response(body)


def create(req, ctx):
    body = wsgi.read_json(req)
    for name in body:
        if name not in ('type', 'input'):
            raise exception.ImageAttributeReadOnly(attribute=name)
    task = _importer().create_task(ctx, body.get('type'), body.get('input'))
    return wsgi.json_response(views.task(task), 201,
                              {'Location': '/v2/tasks/%s' % task['id']})


def show(req, ctx, task_id):
    return wsgi.json_response(views.task(_importer().show_task(ctx, task_id)))
