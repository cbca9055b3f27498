"""Request bodies as streams of chunks, checked as they pass.

``body(req, identity)`` yields the decoded body in chunks of at most
--s3_io_chunk_size bytes and raises an S3Error at the point a check fails, so
that storage, which commits only after the last chunk, never keeps a body that
was short (IncompleteBody), did not match its x-amz-content-sha256
(XAmzContentSHA256Mismatch), a chunk signature (SignatureDoesNotMatch) or an
x-amz-checksum-* (BadDigest). aws-chunked bodies are decoded while streaming:
a chunk is never held whole, whatever size it declares.
"""
import base64
import binascii
import hashlib
from nova.conf import CONF
from nova.i18n import _
from nova.objectstore import auth
from nova.objectstore import checksums
from nova.objectstore import hashing
from nova.objectstore.errors import S3Error

_CHUNK_HEADER_MAX = 4096
# x-amz-checksum-* headers that are not a checksum of the body
_NOT_CHECKSUMS = ('x-amz-checksum-type', 'x-amz-checksum-algorithm', 'x-amz-checksum-mode')


def content_md5(req):
    """The 16 bytes of a Content-MD5 header, None without one; InvalidDigest."""
    value = req.headers.get('Content-MD5')
    if value is None:
        return None
    try:
        digest = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        digest = b''
    if len(digest) != 16:
        raise S3Error('InvalidDigest')
    return digest


def content_length(req):
    """The Content-Length of the body, or None when it is sent chunked."""
    value = req.environ.get('CONTENT_LENGTH')
    if value in (None, ''):
        if 'chunked' in req.environ.get('HTTP_TRANSFER_ENCODING', '').lower():
            return None
        return 0
    try:
        length = int(value)
    except ValueError:
        length = -1
    if length < 0:
        raise S3Error('InvalidArgument', _('Content-Length must be a number of bytes'))
    return length


def bounded_input(req):
    """wsgi.input as a stream that ends where Content-Length says (IncompleteBody
    if it ends sooner)."""
    return _Input(req.environ['wsgi.input'], content_length(req))


def require_length(req):
    """PutObject and UploadPart need a Content-Length or a chunked body (411)."""
    if req.environ.get('CONTENT_LENGTH') in (None, '') and \
            'chunked' not in req.environ.get('HTTP_TRANSFER_ENCODING', '').lower():
        raise S3Error('MissingContentLength')


class _Input:
    """wsgi.input bounded by Content-Length; a body that ends early is IncompleteBody."""

    def __init__(self, stream, length):
        self.stream, self.remaining = stream, length

    def read(self, size):
        if self.remaining is not None:
            size = min(size, self.remaining)
            if not size:
                return b''
        data = self.stream.read(size)
        if self.remaining is not None:
            if not data:
                raise S3Error('IncompleteBody')
            self.remaining -= len(data)
        return data

    def read_exactly(self, size):
        data = self.read(size)
        while len(data) < size:
            more = self.read(size - len(data))
            if not more:
                raise S3Error('IncompleteBody')
            data += more
        return data

    def readline(self):
        line = self.stream.readline(_CHUNK_HEADER_MAX)
        if self.remaining is not None:
            self.remaining -= len(line)
        if not line.endswith(b'\n'):
            raise S3Error('IncompleteBody', _('The aws-chunked body ended inside a line'))
        return line.decode('latin-1').rstrip('\r\n')

    def chunks(self, size):
        while True:
            data = self.read(size)
            if not data:
                return
            yield data


class Body:
    """The decoded body: iterate it once. ``checksums`` maps each x-amz-checksum-*
    algorithm the client declared to its base64 value; once iteration ended
    without an error, every value is one the body was verified against."""

    def __init__(self, chunks, checksums):
        self.chunks, self.checksums = chunks, checksums

    def __iter__(self):
        return iter(self.chunks)


def body(req, identity, limit=None, compute=None):
    """The decoded body of req (a Body), checked as described above.

    limit: the most bytes the body may decode to (EntityTooLarge beyond);
    compute: an algorithm whose checksum Body.checksums gets even if the client
    sent none (the algorithm of a multipart upload, for its parts).
    """
    chunk_size = CONF.s3_io_chunk_size
    length = content_length(req)
    streaming = identity.payload in auth.STREAMING
    expected = _decoded_length(req) if streaming else length
    if limit is not None and expected is not None and expected > limit:
        raise S3Error('EntityTooLarge', MaxSizeAllowed=limit, ProposedSize=expected)
    stream = _Input(req.environ['wsgi.input'], length)
    checks = _declared_checksums(req.headers)
    if streaming:
        chunks = _aws_chunked(stream, identity.chunk_signer, chunk_size, checks, expected)
    else:
        chunks = stream.chunks(chunk_size)
        if identity.payload != auth.UNSIGNED:
            chunks = _check_sha256(chunks, identity.payload)
    return Body(_check_sums(chunks, checks, compute), checks)


def _decoded_length(req):
    value = req.headers.get('x-amz-decoded-content-length')
    try:
        return None if value is None else int(value)
    except ValueError:
        raise S3Error('InvalidArgument', _('x-amz-decoded-content-length must be a number'))


def _declared_checksums(headers):
    """{algorithm: expected base64 or None (comes in the trailer)} the client declared."""
    checks = {}
    for name, value in headers.items():
        name = name.lower()
        if name.startswith('x-amz-checksum-') and name not in _NOT_CHECKSUMS:
            checks[name[len('x-amz-checksum-'):]] = value.strip()
    for name in headers.get('x-amz-trailer', '').split(','):
        name = name.strip().lower()
        if name.startswith('x-amz-checksum-'):
            checks.setdefault(name[len('x-amz-checksum-'):], None)
    for algorithm in checks:
        if algorithm not in checksums.ALGORITHMS:
            raise S3Error('InvalidRequest', _('Unknown checksum x-amz-checksum-%s') % algorithm)
    return checks


def _check_sha256(chunks, expected):
    beside = hashing.Beside(hashlib.sha256())
    yield from hashing.feed(chunks, [beside])
    digest = beside.digest
    if digest.hexdigest() != expected:
        raise S3Error('XAmzContentSHA256Mismatch', ClientComputedContentSHA256=expected,
                      S3ComputedContentSHA256=digest.hexdigest())


def _check_sums(chunks, checks, compute=None):
    """Pass chunks through, comparing each declared checksum at the end (and
    adding the one to compute, if the client did not declare it).

    checks is filled by the aws-chunked decoder when a value comes in the trailer.
    """
    wanted = set(checks) | ({compute} if compute else set())
    if not wanted:
        yield from chunks
        return
    running = {algorithm: hashing.Beside(checksums.ALGORITHMS[algorithm]())
               for algorithm in wanted}
    yield from hashing.feed(chunks, list(running.values()))
    for algorithm, beside in running.items():
        computed = checksums.encode(beside.digest.digest())
        if algorithm not in checks:
            checks[algorithm] = computed
        elif checks[algorithm] != computed:
            raise S3Error('BadDigest', _('The %s you specified did not match the calculated '
                          'checksum.') % algorithm.upper())


def _aws_chunked(stream, signer, chunk_size, checks, decoded_length):
    """Decode 'size[;chunk-signature=sig]CRLF data CRLF ... 0...CRLF [trailer] CRLF'."""
    total = 0
    while True:
        size, chunk_signature = _chunk_header(stream.readline())
        digest = hashlib.sha256() if signer else None
        remaining = size
        while remaining:
            data = stream.read(min(chunk_size, remaining))
            if not data:
                raise S3Error('IncompleteBody')
            remaining -= len(data)
            if digest:
                digest.update(data)
            yield data
        total += size
        if signer:
            signer.verify_chunk(digest.hexdigest(), chunk_signature)
        if size == 0:
            break
        if stream.read_exactly(2) != b'\r\n':
            raise S3Error('IncompleteBody', _('An aws-chunked chunk does not end with CRLF'))
    _trailer(stream, signer, checks)
    if decoded_length is not None and total != decoded_length:
        raise S3Error('IncompleteBody', _('The decoded body has %d bytes, '
                      'x-amz-decoded-content-length says %d') % (total, decoded_length))


def _chunk_header(line):
    size_text, _sep, extension = line.partition(';')
    try:
        size = int(size_text, 16)
    except ValueError:
        raise S3Error('IncompleteBody', _('Bad aws-chunked chunk header'))
    name, _sep, value = extension.partition('=')
    return size, value if name.strip() == 'chunk-signature' else None


def _trailer(stream, signer, checks):
    """Read the trailing headers (up to the empty line) into checks; verify their
    signature when the body is signed."""
    lines = []
    while True:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
    signed_text = ''
    trailer_signature = None
    for line in lines:
        name, _sep, value = line.partition(':')
        name, value = name.strip().lower(), value.strip()
        if name == 'x-amz-trailer-signature':
            trailer_signature = value
            continue
        signed_text += '%s:%s\n' % (name, value)
        if name.startswith('x-amz-checksum-'):
            algorithm = name[len('x-amz-checksum-'):]
            if algorithm not in checks:
                raise S3Error('InvalidRequest', _('The trailer %s was not declared in '
                              'x-amz-trailer') % name)
            checks[algorithm] = value
    if signer and lines:
        signer.verify_trailer(signed_text, trailer_signature)
