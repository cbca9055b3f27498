"""HTTP plumbing: the eventlet server and the paste-deploy loader."""
import logging
import os
import socket

import eventlet
import eventlet.wsgi
from paste import deploy

from nova import exception
from nova.conf import CONF

LOG = logging.getLogger(__name__)


class _AccessLog:
    """File-like sink that sends eventlet.wsgi's access lines to logging."""

    def __init__(self, logger):
        self.logger = logger

    def write(self, message):
        self.logger.info(message.rstrip())


class Server:
    """One listening socket served by a pool of green threads."""

    def __init__(self, name, app, host='0.0.0.0', port=0, pool_size=None):
        self.name, self.app = name, app
        self.pool = eventlet.GreenPool(pool_size or CONF.wsgi_pool_size)
        family = socket.AF_INET6 if ':' in host else socket.AF_INET
        try:
            self.socket = eventlet.listen((host, port), family=family, backlog=1024)
        except OSError as e:
            raise exception.ConfigError(reason='%s cannot listen on %s:%s: %s' % (
                name, host, port, e.strerror))
        # A response goes out in 16 KB writes: with Nagle the last one waits for the
        # client's delayed ACK (40 ms on Linux). Accepted sockets inherit this.
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host, self.port = self.socket.getsockname()[:2]
        self._thread = None

    def start(self):
        logger = logging.getLogger('nova.%s.wsgi' % self.name)
        self._thread = eventlet.spawn(
            eventlet.wsgi.server, self.socket, self.app, custom_pool=self.pool,
            log=_AccessLog(logger), log_format=CONF.wsgi_log_format,
            socket_timeout=CONF.client_socket_timeout or None, debug=False,
            # header names go out as the app wrote them (S3 metadata is x-amz-meta-<name>)
            capitalize_response_headers=False)

    def stop(self, timeout=0):
        """Stop accepting; let requests in flight finish for up to timeout seconds."""
        if self._thread is not None:
            self._thread.kill()
            self._thread = None
        try:
            self.socket.close()
        except OSError:
            pass
        if timeout:
            with eventlet.Timeout(timeout, False):
                self.pool.waitall()


class Loader:
    """Loads named apps from the paste-deploy file (api_paste_config)."""

    def __init__(self, config_path=None):
        self.config_path = os.path.abspath(config_path or CONF.api_paste_config)
        if not os.path.exists(self.config_path):
            raise exception.ConfigError(reason='api_paste_config %s does not exist'
                                        % self.config_path)

    def load_app(self, name):
        try:
            return deploy.loadapp('config:%s' % self.config_path, name=name)
        except LookupError as e:
            raise exception.ConfigError(reason='no app %r in %s: %s' % (
                name, self.config_path, e))
