"""Serial consoles of fake guests: one TCP listener per guest, as libvirt's serial
port of type tcp gives a real guest, for nova-serialproxy to connect to.

A connection first receives the console log (the boot so far), then a login
prompt; what it types is echoed back, as a tty echoes, and each line is
answered as a getty answers an unknown login. The listener lives until the
guest is destroyed.
"""
import logging
import threading

import eventlet

from nova.virt import fake_guest

LOG = logging.getLogger(__name__)

_LISTENERS = {}  # (host, instance uuid) -> _Console
_LOCK = threading.Lock()


class _Console:
    def __init__(self, guest, address):
        self.guest = guest
        self.sock = eventlet.listen((address, 0))
        self.address, self.port = self.sock.getsockname()[:2]
        self.thread = eventlet.spawn(self._serve)

    def _serve(self):
        while True:
            try:
                client, _peer = self.sock.accept()
            except OSError:
                return  # closed: the guest is gone
            eventlet.spawn(self._session, client)

    def _prompt(self):
        return ('\r\n%s login: ' % self.guest.hostname).encode()

    def _session(self, client):
        try:
            log = fake_guest.console_output(self.guest).replace('\n', '\r\n')
            client.sendall(log.encode('utf-8', 'replace') + self._prompt())
            line = b''
            while True:
                data = client.recv(4096)
                if not data:
                    return
                client.sendall(data)  # the tty's echo
                line += data
                while b'\r' in line or b'\n' in line:
                    cut = min(i for i in (line.find(b'\r'), line.find(b'\n')) if i >= 0)
                    line = line[cut + 1:]
                    client.sendall(b'\r\nLogin incorrect' + self._prompt())
        except OSError as error:
            LOG.debug('Serial console session of %s ended: %s', self.guest.uuid, error)
        finally:
            client.close()

    def close(self):
        self.sock.close()
        self.thread.kill()


def open_console(host, guest, address):
    """(address, port) where guest's serial console listens, starting it if needed."""
    key = (host, guest.uuid)
    with _LOCK:
        console = _LISTENERS.get(key)
        if console is None or console.guest is not guest:
            if console is not None:
                console.close()
            console = _LISTENERS[key] = _Console(guest, address)
    return console.address, console.port


def close_console(host, instance_uuid):
    with _LOCK:
        console = _LISTENERS.pop((host, instance_uuid), None)
    if console is not None:
        console.close()


def close_all():
    with _LOCK:
        consoles = list(_LISTENERS.values())
        _LISTENERS.clear()
    for console in consoles:
        console.close()
