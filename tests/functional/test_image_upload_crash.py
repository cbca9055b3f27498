"""nova-image killed (SIGKILL) while glanceclient uploads an image through it.

The upload's image must never turn active nor serve data, and once a nova-image
runs again its janitor (nova/image/janitor.py) ends the image 'killed' and removes
the store's partial file: nothing stuck in 'saving', no orphan data. The flags
make "dead" a matter of seconds (--client_socket_timeout=2,
--image_upload_heartbeat=1: an upload silent for 4 s is dead); the rule is the
production one.
"""
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.harness import daemons

TOKEN = 'admin'  # noauth2 (user and project admin): the data path is tested, not identity


def _call(port, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        'http://127.0.0.1:%d%s' % (port, path), data=data, method=method,
        headers={'X-Auth-Token': TOKEN, 'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read()


def _image(port, image_id):
    status, body = _call(port, 'GET', '/v2/images/' + image_id)
    assert status == 200, body
    return json.loads(body)


def _files(datadir, image_id):
    try:
        return sorted(name for name in os.listdir(datadir) if image_id in name)
    except FileNotFoundError:
        return []


@pytest.fixture
def image_daemon(tmp_path):
    port = daemons.free_port()
    flagfile = daemons.write_flagfile(
        str(tmp_path / 'nova.flags'), state_path=str(tmp_path), host='crashtest',
        sql_connection='sqlite:///$state_path/nova.sqlite', auth_strategy='noauth2',
        image_listen='127.0.0.1', image_listen_port=port, client_socket_timeout=2,
        image_upload_heartbeat=1, image_upload_sweep_interval=1)
    daemons.manage(flagfile, 'db', 'sync')
    started = []

    def start():
        daemon = daemons.Daemon('nova-image', flagfile, str(tmp_path))
        started.append(daemon)
        daemons.wait_for(lambda: 'image listening' in daemon.log(), timeout=60,
                         what='nova-image up: %s' % daemon.log()[-2000:])
        return daemon
    yield port, str(tmp_path / 'images'), start
    for daemon in started:
        daemon.stop()


def test_nova_image_killed_mid_upload_leaves_a_killed_image_and_no_data(image_daemon):
    port, datadir, start = image_daemon
    first = start()
    status, body = _call(port, 'POST', '/v2/images', {
        'name': 'crash', 'disk_format': 'raw', 'container_format': 'bare'})
    assert status == 201, body
    image_id = json.loads(body)['id']

    # glanceclient reads the image from its stdin: half of it now, the rest never
    glance = os.path.join(os.path.dirname(sys.executable), 'glance')
    upload = subprocess.Popen(
        [glance, '--os-auth-token', TOKEN, '--os-image-url', 'http://127.0.0.1:%d' % port,
         'image-upload', image_id], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    try:
        upload.stdin.write(os.urandom(3 * 1024 * 1024))
        upload.stdin.flush()
        daemons.wait_for(lambda: _image(port, image_id)['status'] == 'saving'
                         and any(name.endswith('.part') for name in _files(datadir, image_id)),
                         timeout=30, what='the upload streaming into the store (%s)'
                         % (upload.poll(),))
        first.signal(signal.SIGKILL)
        first.wait()
        upload.stdin.close()
        assert upload.wait(60) != 0  # the client sees its upload fail
    finally:
        if upload.poll() is None:
            upload.kill()
            upload.wait()
    # the dead process's partial file is still there: nothing cleaned up by magic
    assert [name for name in _files(datadir, image_id) if name.endswith('.part')]

    start()
    status, data = _call(port, 'GET', '/v2/images/%s/file' % image_id)
    assert (status, data) == (204, b'')  # saving or killed: never a byte of half an image
    image = daemons.wait_for(
        lambda: (lambda i: i if i['status'] != 'saving' else None)(_image(port, image_id)),
        timeout=30, what='the janitor ending the dead upload')
    assert image['status'] == 'killed' and image['size'] is None and not image['checksum']
    daemons.wait_for(lambda: _files(datadir, image_id) == [], timeout=30,
                     what='the partial file removed: %s' % _files(datadir, image_id))
    status, data = _call(port, 'GET', '/v2/images/%s/file' % image_id)
    assert (status, data) == (204, b'')
    status, body = _call(port, 'DELETE', '/v2/images/' + image_id)
    assert status == 204, body
    assert _call(port, 'GET', '/v2/images/' + image_id)[0] == 404
    assert os.listdir(datadir) == []  # the store holds nothing of it, nor anything else
