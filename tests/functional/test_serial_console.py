"""Serial consoles end to end in one process: the compute API gives a URL with a
token, nova-serialproxy (its paste app behind a real eventlet HTTP server)
checks the token and relays a websocket to the fake guest's TCP console."""
import eventlet
import eventlet.wsgi
import pytest

from nova import wsgi
from nova.compute import vm_states
from nova.conf import CONF
from tests.functional.compute.conftest import cloud  # noqa: F401 -- the fixture
from tests.harness import websocket
from tests.unit.api.openstack import fakes


@pytest.fixture
def app(cloud):  # noqa: F811 -- the imported fixture
    return fakes.build_app()


@pytest.fixture
def proxy(cloud):  # noqa: F811
    """nova-serialproxy's app on a free port; the API hands out its URL."""
    sock = eventlet.listen(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    CONF.set_override('serial_console_enabled', True)
    CONF.set_override('serial_console_base_url', 'ws://127.0.0.1:%d/' % port)
    server = eventlet.spawn(eventlet.wsgi.server, sock,
                            wsgi.Loader().load_app('serialproxy'), log_output=False)
    yield port
    server.kill()
    sock.close()


def _boot(client, cloud):  # noqa: F811
    response = client.post('/servers', {'server': {
        'name': 'console-vm', 'imageRef': cloud.image['id'], 'flavorRef': '1'}})
    uuid = response.json['server']['id']
    cloud.wait([uuid], vm_states.ACTIVE)
    return uuid


def test_serial_console_through_the_proxy(alice, bob, admin, cloud, proxy):  # noqa: F811
    uuid = _boot(alice, cloud)
    old = alice.post('/servers/%s/action' % uuid, {'os-getSerialConsole': {'type': 'serial'}})
    assert old.status_int == 200 and old.json['console']['type'] == 'serial'
    new = alice.post('/servers/%s/remote-consoles' % uuid, {'remote_console': {
        'protocol': 'serial', 'type': 'serial'}}, version='2.6')
    assert new.status_int == 200
    console = new.json['remote_console']
    assert console['protocol'] == 'serial'
    assert console['url'].startswith('ws://127.0.0.1:%d/?token=' % proxy)

    ws = websocket.WebSocket(console['url'])
    assert ws.status == 101
    booted = ws.read_until(b'console-vm login: ')
    assert b'Linux version' in booted  # the guest's boot log, then the getty
    ws.send(b'root\r')
    assert b'root\r\r\nLogin incorrect' in ws.read_until(b'Login incorrect')
    ws.close()

    token = console['url'].split('token=')[1]
    details = admin.get('/os-console-auth-tokens/' + token, version='2.31').json['console']
    assert details['instance_uuid'] == uuid and details['port'] > 0
    assert admin.get('/os-console-auth-tokens/' + token).status_int == 400  # not RDP
    assert alice.get('/os-console-auth-tokens/' + token, version='2.31').status_int == 403
    assert admin.get('/os-console-auth-tokens/nope', version='2.31').status_int == 404

    refused = websocket.WebSocket('ws://127.0.0.1:%d/?token=forged' % proxy)
    assert refused.status == 401
    assert bob.post('/servers/%s/remote-consoles' % uuid, {'remote_console': {
        'protocol': 'serial', 'type': 'serial'}}, version='2.6').status_int == 404


def test_other_console_types_are_unavailable(alice, cloud):  # noqa: F811
    CONF.set_override('serial_console_enabled', True)
    uuid = _boot(alice, cloud)
    for action, kind in (('os-getVNCConsole', 'novnc'), ('os-getSPICEConsole', 'spice-html5'),
                         ('os-getRDPConsole', 'rdp-html5')):
        refused = alice.post('/servers/%s/action' % uuid, {action: {'type': kind}})
        assert refused.status_int == 400
        assert refused.json['badRequest']['message'] == 'Unavailable console type %s.' % kind
    vnc = alice.post('/servers/%s/remote-consoles' % uuid, {'remote_console': {
        'protocol': 'vnc', 'type': 'novnc'}}, version='2.6')
    assert vnc.status_int == 400
    assert alice.post('/servers/%s/remote-consoles' % uuid, {'remote_console': {
        'protocol': 'serial', 'type': 'serial'}}).status_int == 404  # before 2.6
    CONF.set_override('serial_console_enabled', False)
    off = alice.post('/servers/%s/action' % uuid, {'os-getSerialConsole': {'type': 'serial'}})
    assert off.status_int == 400
