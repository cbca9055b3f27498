"""A minimal RFC 6455 websocket client for tests (binary frames, client masking)."""
import base64
import os
import socket
import struct
import urllib.parse


class WebSocket:
    def __init__(self, url, subprotocol='binary', timeout=10):
        parts = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        path = parts.path or '/'
        if parts.query:
            path += '?' + parts.query
        request = ('GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\n'
                   'Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n'
                   'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: %s\r\n\r\n'
                   % (path, parts.hostname, parts.port, key, subprotocol))
        self.sock.sendall(request.encode())
        head = b''
        while b'\r\n\r\n' not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError('closed during the handshake: %r' % head)
            head += chunk
        self.status = int(head.split(b' ', 2)[1])
        self.headers = head.decode('latin-1')

    def _read(self, count):
        data = b''
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError('closed')
            data += chunk
        return data

    def recv(self):
        """The next data frame's payload (bytes); None when the server closes."""
        while True:
            first, second = self._read(2)
            length = second & 0x7f
            if length == 126:
                length, = struct.unpack('!H', self._read(2))
            elif length == 127:
                length, = struct.unpack('!Q', self._read(8))
            payload = self._read(length)
            opcode = first & 0x0f
            if opcode == 8:
                return None
            if opcode in (1, 2):
                return payload

    def send(self, data):
        mask = os.urandom(4)
        header = bytes([0x82])
        if len(data) < 126:
            header += bytes([0x80 | len(data)])
        else:
            header += bytes([0x80 | 126]) + struct.pack('!H', len(data))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(header + mask + masked)

    def read_until(self, marker):
        """Frames joined until marker (bytes) appears; the text so far."""
        text = b''
        while marker not in text:
            frame = self.recv()
            if frame is None:
                raise ConnectionError('closed before %r: %r' % (marker, text[-200:]))
            text += frame
        return text

    def close(self):
        self.sock.close()
