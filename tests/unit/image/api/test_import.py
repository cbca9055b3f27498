"""web-download imports, Glance's tasks API and the store info, against a real HTTP server.

The server runs on 127.0.0.1, which the default URL filter refuses (the host
itself): the tests that fetch from it allow loopback and any port first.
"""
import http.server
import threading
import time

import pytest

from nova.conf import CONF
from tests.unit.image.api.conftest import DATA

QCOW2 = b'QFI\xfb' + (3).to_bytes(4, 'big') + bytes(16) + (1 << 30).to_bytes(8, 'big')


class _Handler(http.server.BaseHTTPRequestHandler):
    files = {'/disk.raw': DATA, '/disk.qcow2': QCOW2 + bytes(8192)}

    def do_GET(self):  # noqa: N802 -- http.server's name
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def web():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_filter():
    CONF.set_override('image_import_allowed_ports', [])
    CONF.set_override('image_import_disallowed_networks', [])


def _wait(api, path, done, user='alice', timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        body = api('GET', path, user=user).json
        if done(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.02)


def _import(api, image_id, uri, user='alice', **extra):
    return api('POST', '/v2/images/%s/import' % image_id,
               dict({'method': {'name': 'web-download', 'uri': uri}}, **extra), user=user)


def test_web_download_fills_the_image_and_records_a_task(api, web, open_filter):
    image = api.create(disk_format='qcow2')
    response = _import(api, image['id'], web + '/disk.qcow2', all_stores=True)
    assert response.status_int == 202, response.text
    shown = _wait(api, '/v2/images/%s' % image['id'], lambda i: i['status'] == 'active')
    assert (shown['status'], shown['size'], shown['virtual_size']) == (
        'active', len(QCOW2) + 8192, 1 << 30)
    assert shown['stores'] == 'file' and 'os_glance_importing_to_stores' not in shown
    assert api('GET', '/v2/images/%s/file' % image['id']).body == QCOW2 + bytes(8192)
    tasks = _wait(api, '/v2/images/%s/tasks' % image['id'],
                  lambda body: body['tasks'][0]['status'] != 'processing')['tasks']
    assert [(t['type'], t['status']) for t in tasks] == [('api_image_import', 'success')]
    assert tasks[0]['input']['import_req']['method']['uri'] == web + '/disk.qcow2'


@pytest.mark.parametrize('path, declared, why', [
    ('/missing', 'raw', '404'),
    ('/disk.raw', 'qcow2', 'disk_format is qcow2 but the data is not'),
])
def test_failed_web_download_queues_the_image_with_the_failed_store(api, web, open_filter,
                                                                    path, declared, why):
    image = api.create(disk_format=declared)
    assert _import(api, image['id'], web + path).status_int == 202
    shown = _wait(api, '/v2/images/%s' % image['id'],
                  lambda i: i.get('os_glance_failed_import'))
    assert (shown['status'], shown['os_glance_failed_import'], shown['size']) == (
        'queued', 'file', None)
    [task] = api('GET', '/v2/images/%s/tasks' % image['id']).json['tasks']
    assert task['status'] == 'failure' and why in task['message'], task
    # queued again: another import may follow, and forgets the failure
    assert _import(api, image['id'], web + '/disk.%s' % declared).status_int == 202
    shown = _wait(api, '/v2/images/%s' % image['id'], lambda i: i['status'] == 'active')
    assert shown['status'] == 'active' and 'os_glance_failed_import' not in shown


@pytest.mark.parametrize('uri, why', [
    ('http://127.0.0.1/disk.raw', 'disallowed network 127.0.0.0/8'),
    ('http://169.254.169.254/latest/meta-data', 'disallowed network 169.254.0.0/16'),
    ('http://localhost/x', 'disallowed network'),
    ('http://[::1]/x', 'disallowed network ::1/128'),
    ('http://example.org:22/x', 'port 22 is not one of 80, 443'),
    ('file:///etc/passwd', "scheme 'file' is not one of http, https"),
    ('ftp://example.org/x', "scheme 'ftp'"),
    ('http://user:secret@example.org/x', 'credentials'),
    ('http://does-not.exist/no/possible/way', 'cannot be resolved'),
    ('http://[::1/x', 'does not pass filtering'),
])
def test_uris_the_cloud_must_not_fetch_are_400_and_leave_the_image_queued(api, uri, why):
    image = api.create()
    response = _import(api, image['id'], uri)
    assert response.status_int == 400 and why in response.text, response.text
    assert uri.split('/')[2].split('@')[-1] in response.text or 'scheme' in why
    assert api('GET', '/v2/images/%s' % image['id']).json['status'] == 'queued'
    assert api('GET', '/v2/images/%s/tasks' % image['id']).json['tasks'] == []


def test_web_download_needs_a_queued_image_of_the_owner(api, web, open_filter):
    image = api.active()
    assert _import(api, image['id'], web + '/disk.raw').status_int == 409
    queued = api.create()
    assert _import(api, queued['id'], web + '/disk.raw', user='dave').status_int == 404
    assert _import(api, queued['id'], web + '/disk.raw', user='rita').status_int == 403
    assert _import(api, queued['id'], None).status_int == 400


# ------------------------------------------------------------------ tasks

def _task(uri, **properties):
    return {'type': 'import', 'input': {
        'import_from': uri, 'import_from_format': 'raw',
        'image_properties': dict({'name': 'from-task', 'disk_format': 'raw',
                                  'container_format': 'bare'}, **properties)}}


def test_import_task_makes_an_image_from_a_url(api, web, open_filter):
    response = api('POST', '/v2/tasks', _task(web + '/disk.raw'), user='root')
    assert response.status_int == 201, response.text
    task = response.json
    assert (task['type'], task['status'], task['self']) == (
        'import', 'pending', '/v2/tasks/' + task['id'])
    assert response.headers['Location'].endswith('/v2/tasks/' + task['id'])
    done = _wait(api, '/v2/tasks/' + task['id'], lambda t: t['status'] in (
        'success', 'failure'), user='root')
    assert done['status'] == 'success', done
    assert done['expires_at'] and done['message'] == ''
    image = api('GET', '/v2/images/%s' % done['result']['image_id'], user='root').json
    assert (image['name'], image['status'], image['size']) == ('from-task', 'active',
                                                               len(DATA))
    listed = api('GET', '/v2/tasks', user='root').json
    assert listed['schema'] == '/v2/schemas/tasks' and listed['first'] == '/v2/tasks'
    assert [t['id'] for t in listed['tasks']] == [task['id']]
    assert 'input' not in listed['tasks'][0]  # lists leave out input and result
    assert api('GET', '/v2/tasks?status=failure', user='root').json['tasks'] == []
    assert len(api('GET', '/v2/tasks?type=import&status=success',
                   user='root').json['tasks']) == 1


def test_failed_import_task_leaves_no_image(api, web, open_filter):
    task = api('POST', '/v2/tasks', _task(web + '/missing'), user='root').json
    done = _wait(api, '/v2/tasks/' + task['id'], lambda t: t['status'] in (
        'success', 'failure'), user='root')
    assert done['status'] == 'failure' and '404' in done['message']
    assert done['result'] is None
    names = [i['name'] for i in api('GET', '/v2/images', user='root').json['images']]
    assert 'from-task' not in names


@pytest.mark.parametrize('body, code', [
    ({'type': 'export', 'input': {}}, 400),
    ({'type': 'import', 'input': {'import_from': 'http://example.org/x'}}, 400),
    ({'type': 'import', 'input': 'x'}, 400),
    (dict(_task('http://127.0.0.1/x')), 400),
    (dict(_task('http://example.org/x'), status='success'), 403),
])
def test_bad_tasks_are_refused(api, body, code):
    response = api('POST', '/v2/tasks', body, user='root')
    assert response.status_int == code, response.text


def test_tasks_are_the_admins(api):
    for method, path in (('GET', '/v2/tasks'), ('POST', '/v2/tasks'),
                         ('GET', '/v2/tasks/00000000-0000-0000-0000-000000000000')):
        body = _task('http://example.org/x') if method == 'POST' else None
        assert api(method, path, body).status_int == 403
    assert api('GET', '/v2/tasks/00000000-0000-0000-0000-000000000000',
               user='root').status_int == 404
    assert api('GET', '/v2/tasks?limit=x', user='root').status_int == 400
    assert api('GET', '/v2/tasks?sort_key=owner', user='root').status_int == 400
    assert api('GET', '/v2/tasks?color=red', user='root').status_int == 400


def test_task_schemas(api):
    task = api('GET', '/v2/schemas/task').json
    assert task['name'] == 'task' and 'api_image_import' in task['properties']['type']['enum']
    assert api('GET', '/v2/schemas/tasks').json['name'] == 'tasks'


# ------------------------------------------------------------------ stores

def test_info_stores_names_the_one_store(api):
    assert api('GET', '/v2/info/stores').json == {'stores': [
        {'id': 'file', 'description': "This cloud's one image store", 'default': True}]}
    assert api('GET', '/v2/info/stores/detail').status_int == 403
    [detail] = api('GET', '/v2/info/stores/detail', user='root').json['stores']
    assert detail['type'] == 'file'
    assert detail['properties']['data_dir'] == CONF.filesystem_store_datadir


def test_tasks_whose_process_died_are_failed(api, monkeypatch):
    from nova import context as nova_context
    from nova.db import api as db
    from nova.image import importer
    from nova.image import service as image_service
    admin = nova_context.get_admin_context()
    task = db.image_task_create(admin, {'type': 'import', 'status': 'processing',
                                        'owner': 'x', 'input': {}, 'message': ''})
    assert importer.Importer().fail_abandoned_tasks() == []  # still fresh
    monkeypatch.setattr(image_service, 'stale_after', lambda: -1)
    assert importer.Importer().fail_abandoned_tasks() == [task.id]
    shown = api('GET', '/v2/tasks/' + task.id, user='root').json
    assert shown['status'] == 'failure' and 'stopped' in shown['message']
