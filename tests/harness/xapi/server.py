"""The XAPI test server's HTTP side: XML-RPC, the VDI import/export handlers, test controls.

- ``POST /`` (or ``/RPC2``): an XML-RPC methodCall ``Class.message`` (or
  ``Async.Class.message``) answered with XAPI's envelope: a struct with
  ``Status`` ``Success`` and ``Value``, or ``Failure`` and ``ErrorDescription``
  [code, params...].
- ``PUT /import_raw_vdi?session_id=&vdi=&format=raw|vhd``: the body becomes
  the VDI's data; ``GET /export_raw_vdi?...`` streams it back.
- ``POST /_test/<control>`` (JSON): what a test does to the server (inject
  failures, expire sessions, move the pool master, look at records); not XAPI.

One server may listen on several addresses (``127.0.0.1``, ``127.0.0.2``...):
each is a host of the pool; logins on any but the master's answer
HOST_IS_SLAVE with the master's address, as XAPI's slaves do.
"""
import http.server
import json
import os
import shutil
import socketserver
import tempfile
import threading
import urllib.parse
import xmlrpc.client

from tests.harness.xapi import api, host, storage, vm
from tests.harness.xapi.errors import XapiError


def build(data_dir, real_iscsi=False, **host_options):
    xapi = api.Xapi(username=host_options.pop('username', 'root'),
                    password=host_options.pop('password', 'secret'))
    xapi.data_dir = data_dir
    xapi.storage = storage.Storage(xapi, real_iscsi)
    xapi.vms = vm.VMs(xapi)
    xapi.guests = vm.Guests(xapi)
    host.setup(xapi, data_dir, **host_options)
    return xapi


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _handler_class(xapi, controls):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'
        disable_nagle_algorithm = True  # headers and body are two writes

        def log_message(self, *args):
            pass

        @property
        def listener(self):
            return self.server.server_address[0]

        def _body_chunks(self):
            if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
                while True:
                    size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                    if size == 0:
                        self.rfile.readline()
                        return
                    data = self.rfile.read(size)
                    self.rfile.readline()
                    yield data
            else:
                left = int(self.headers.get('Content-Length', 0))
                while left > 0:
                    data = self.rfile.read(min(storage.CHUNK, left))
                    if not data:
                        return
                    left -= len(data)
                    yield data

        def _reply(self, status, body, content_type='text/xml'):
            self.send_response(status)
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            path = urllib.parse.urlsplit(self.path).path
            body = b''.join(self._body_chunks())
            if path.startswith('/_test/'):
                try:
                    result = controls.run(path[len('/_test/'):], json.loads(body or b'{}'))
                except (KeyError, ValueError, TypeError, XapiError) as error:
                    return self._reply(400, json.dumps({'error': repr(error)}).encode(),
                                       'application/json')
                return self._reply(200, json.dumps(result, default=str).encode(),
                                   'application/json')
            if path not in ('/', '/RPC2'):
                return self._reply(404, b'not found', 'text/plain')
            try:
                params, name = xmlrpc.client.loads(body)
            except Exception:  # noqa: BLE001 -- a malformed request is the client's error
                return self._reply(400, b'malformed XML-RPC request', 'text/plain')
            try:
                if name == 'session.logout' and params:
                    xapi.sessions.pop(params[0], None)
                    value = ''
                else:
                    value = xapi.call(name, list(params), self.listener)
                envelope = {'Status': 'Success', 'Value': value}
            except XapiError as error:
                envelope = {'Status': 'Failure', 'ErrorDescription': error.description}
            except Exception as error:  # noqa: BLE001 -- XAPI reports its own bugs this way
                envelope = {'Status': 'Failure',
                            'ErrorDescription': ['INTERNAL_ERROR', repr(error)]}
            self._reply(200, xmlrpc.client.dumps((envelope,), methodresponse=True,
                                                 allow_none=True).encode())

        def _vdi_request(self):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            session = query.get('session_id', [''])[0]
            if session not in xapi.sessions:
                self._reply(401, b'session invalid', 'text/plain')
                return None
            vdi = query.get('vdi', [''])[0]
            if vdi not in xapi.db.tables['VDI']:
                try:
                    vdi = xapi.db.by_uuid('VDI', vdi)
                except XapiError:
                    self._reply(404, b'VDI not found', 'text/plain')
                    return None
            fmt = query.get('format', ['raw'])[0]
            if fmt not in ('raw', 'vhd'):
                self._reply(400, b'format must be raw or vhd', 'text/plain')
                return None
            return vdi, fmt

        def do_PUT(self):
            if urllib.parse.urlsplit(self.path).path != '/import_raw_vdi':
                return self._reply(404, b'not found', 'text/plain')
            request = self._vdi_request()
            if request is None:
                for _ in self._body_chunks():
                    pass
                return
            vdi, fmt = request
            length = self.headers.get('Content-Length')
            try:
                xapi.injections.check('import_raw_vdi')
                xapi.storage.import_(vdi, fmt, self._body_chunks(),
                                     int(length) if length else None)
            except XapiError as error:
                self.close_connection = True
                return self._reply(500, ' '.join(error.description).encode(), 'text/plain')
            self._reply(200, b'', 'text/plain')

        def do_GET(self):
            if urllib.parse.urlsplit(self.path).path != '/export_raw_vdi':
                return self._reply(404, b'not found', 'text/plain')
            request = self._vdi_request()
            if request is None:
                return
            vdi, fmt = request
            try:
                xapi.injections.check('export_raw_vdi')
            except XapiError as error:
                return self._reply(500, ' '.join(error.description).encode(), 'text/plain')
            self.send_response(200)
            self.send_header('Content-Type', 'application/octet-stream')
            self.send_header('Transfer-Encoding', 'chunked')
            self.end_headers()
            for chunk in xapi.storage.export(vdi, fmt):
                if chunk:
                    self.wfile.write(b'%x\r\n%s\r\n' % (len(chunk), chunk))
            self.wfile.write(b'0\r\n\r\n')

    return Handler


class Controls:
    """What a test can do to the server, by name (POST /_test/<name> with JSON)."""

    def __init__(self, xapi):
        self.xapi = xapi

    def run(self, name, args):
        method = getattr(self, 'do_' + name.replace('-', '_'), None)
        if method is None:
            raise KeyError(name)
        return method(**args)

    def do_inject(self, message, error, times=1):
        """The next ``times`` calls of ``message`` (None: every call) fail with ``error``."""
        self.xapi.injections.add(message, error, times)
        return {}

    def do_delay(self, message, seconds):
        self.xapi.injections.delays[message] = float(seconds)
        return {}

    def do_clear(self):
        self.xapi.injections.clear()
        return {}

    def do_expire_sessions(self):
        self.xapi.expire_sessions()
        return {}

    def do_set_master(self, address):
        """``address`` becomes the master; every other listener a slave. Sessions end, as
        xapi restarts on a master change."""
        for listener in self.xapi.masters:
            self.xapi.masters[listener] = None if listener == address else address
        self.xapi.expire_sessions()
        return {}

    def do_records(self, cls):
        from tests.harness.xapi import objects
        return {ref: objects.record_to_wire(cls, rec)
                for ref, rec in self.xapi.db.tables[cls].items()}

    def do_counts(self):
        return dict(self.xapi.call_counts)

    def do_console(self, vm_uuid):
        return {'console': self.xapi.guests.console(vm_uuid)}

    def do_halt(self, vm_uuid):
        self.xapi.vms.halt_from_inside(self.xapi.db.by_uuid('VM', vm_uuid))
        return {}

    def do_add_network(self, bridge, label=None):
        return {'ref': host.add_network(self.xapi, bridge, label)}

    def do_add_iscsi_target(self, portal, iqn, luns, chap=None):
        self.xapi.storage.add_iscsi_target(
            portal, iqn, {int(lun): (int(size), path) for lun, (size, path) in luns.items()},
            chap)
        return {}

    def do_set_sr_size(self, size):
        pool = next(iter(self.xapi.db.tables['pool'].values()))
        self.xapi.storage.set_sr_size(pool['default_SR'], int(size))
        return {}


class XapiServer:
    """A XAPI pool of one host, served on ``addresses`` (the first is the master)."""

    def __init__(self, addresses=('127.0.0.1',), port=0, data_dir=None, **host_options):
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix='xapi-%d-' % os.getpid())
        host_options.setdefault('address', addresses[0])
        self.xapi = build(self.data_dir, **host_options)
        self.controls = Controls(self.xapi)
        handler = _handler_class(self.xapi, self.controls)
        self.servers = []
        for address in addresses:
            server = _Server((address, port), handler)
            port = server.server_address[1]  # every host of the pool on one port
            self.servers.append(server)
            self.xapi.masters[address] = None if address == addresses[0] else addresses[0]
        self.port = port
        self.threads = []

    def url(self, address=None):
        return 'http://%s:%d' % (address or self.servers[0].server_address[0], self.port)

    def start(self):
        for server in self.servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1},
                                      daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
