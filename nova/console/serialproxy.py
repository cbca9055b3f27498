"""nova-serialproxy: a websocket proxy from users to instances' serial consoles.

A user opens ``ws://HOST:6083/?token=...`` (the URL os-getSerialConsole or
remote-consoles gave). The token is checked (unknown or expired: 401), then
the proxy connects to the TCP port where the compute host serves the guest's
serial console and relays bytes both ways until either side closes.
Subprotocols: ``binary`` (raw frames, the default) and ``base64``.
"""
import base64
import logging

import eventlet
import eventlet.websocket
import webob
import webob.exc

from nova import context as nova_context
from nova import exception
from nova.compute import api as compute_api
from nova.i18n import _LW

LOG = logging.getLogger(__name__)
READ_SIZE = 4096


class SerialProxyApp:
    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    def __init__(self):
        self.websocket = eventlet.websocket.WebSocketWSGI(self._relay)
        self.websocket.supported_protocols = ['binary', 'base64']

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        token = req.GET.get('token') or req.cookies.get('token')
        try:
            if not token:
                raise webob.exc.HTTPBadRequest('A console URL needs ?token=...')
            if environ.get('HTTP_UPGRADE', '').lower() != 'websocket':
                raise webob.exc.HTTPBadRequest('nova-serialproxy speaks websocket only')
            try:
                environ['nova.console'] = compute_api.API.get_console_connection(
                    nova_context.get_admin_context(), token)
            except exception.ConsoleTokenInvalid as error:
                raise webob.exc.HTTPUnauthorized(error.format_message()) from None
        except webob.exc.HTTPException as refusal:
            return refusal(environ, start_response)
        return self.websocket(environ, start_response)

    @staticmethod
    def _relay(ws):
        console = ws.environ['nova.console']
        encoded = ws.protocol == 'base64'
        try:
            target = eventlet.connect((console.host, console.port))
        except OSError as error:
            LOG.warning(_LW('Console of %s at %s:%s unreachable: %s'), console.instance_uuid,
                        console.host, console.port, error)
            return
        LOG.info('Serial console of %s opened (%s:%s)', console.instance_uuid, console.host,
                 console.port)

        def to_user():
            try:
                while True:
                    data = target.recv(READ_SIZE)
                    if not data:
                        break
                    ws.send(base64.b64encode(data).decode() if encoded else data)
            except OSError:
                pass
            finally:
                ws.close()

        reader = eventlet.spawn(to_user)
        try:
            while True:
                message = ws.wait()
                if message is None:
                    break
                if isinstance(message, str):
                    message = base64.b64decode(message) if encoded else message.encode()
                target.sendall(message)
        except OSError:
            pass
        finally:
            target.close()
            reader.kill()
