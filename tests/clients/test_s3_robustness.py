"""nova-objectstore under stress, driven by boto3 and raw HTTP: aws-chunked
bodies with trailing checksums over TLS, concurrent writers and readers,
dropped uploads, a 1 GiB object in bounded memory and a crash mid-upload.
"""
import concurrent.futures
import datetime
import hashlib
import http.client
import io
import ipaddress
import os
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore import auth as botocore_auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.clients import s3_standalone
from tests.harness.s3_clients import MiB, code_of, unique


# ----------------------------------------------------------------- over TLS

def _self_signed(directory):
    """(cert path, key path) of a certificate for 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, 'cert.pem'), os.path.join(directory, 'key.pem')
    with open(cert_path, 'wb') as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, 'wb') as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


def _pipe(source, target):
    try:
        while True:
            data = source.recv(256 * 1024)
            if not data:
                break
            target.sendall(data)
    except (OSError, ValueError):  # ValueError: the TLS side was shut down meanwhile
        pass
    finally:
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except (OSError, ValueError):
                pass


@pytest.fixture(scope='module')
def tls_endpoint(cloud, tmp_path_factory):
    """https://127.0.0.1:<port> terminating TLS in front of nova-objectstore (as a
    load balancer would), and the CA file that verifies it. Over https boto3 sends
    bodies aws-chunked with a trailing checksum (STREAMING-UNSIGNED-PAYLOAD-TRAILER)."""
    cert, key = _self_signed(str(tmp_path_factory.mktemp('tls')))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(('127.0.0.1', 0))
    upstream = ('127.0.0.1', cloud.ports['objectstore'])

    def serve():
        while True:
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            try:
                client = context.wrap_socket(raw, server_side=True)
            except (OSError, ssl.SSLError):
                raw.close()
                continue
            server = socket.create_connection(upstream)
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(source, target), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield 'https://127.0.0.1:%d' % listener.getsockname()[1], cert
    listener.close()


def test_aws_chunked_bodies_with_trailing_checksums_over_tls(people, tls_endpoint, tmp_path):
    endpoint, ca = tls_endpoint
    creds = people['alice']
    s3 = boto3.client('s3', endpoint_url=endpoint, verify=ca, region_name='RegionOne',
                      aws_access_key_id=creds.access, aws_secret_access_key=creds.secret)
    declared = []
    s3.meta.events.register('before-send.s3', lambda request, **kw: declared.append(
        request.headers.get('X-Amz-Content-SHA256', b'').decode()))
    name = unique('tls')
    s3.create_bucket(Bucket=name)
    body = os.urandom(300_000)
    put = s3.put_object(Bucket=name, Key='chunked', Body=body, Metadata={'via': 'tls'})
    assert put['ETag'] == '"%s"' % hashlib.md5(body).hexdigest()
    assert declared[-1] == 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'
    got = s3.get_object(Bucket=name, Key='chunked')
    assert got['Body'].read() == body and got['Metadata'] == {'via': 'tls'}
    assert 'ContentEncoding' not in got  # aws-chunked is how it travelled, not what it is
    source = tmp_path / 'parts.bin'
    source.write_bytes(os.urandom(11 * MiB))
    s3.upload_file(str(source), name, 'parts', Config=TransferConfig(
        multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB))
    assert s3.head_object(Bucket=name, Key='parts')['ETag'].endswith('-3"')
    assert s3.get_object(Bucket=name, Key='parts')['Body'].read() == source.read_bytes()
    for key in ('chunked', 'parts'):
        s3.delete_object(Bucket=name, Key=key)
    s3.delete_bucket(Bucket=name)


# ----------------------------------------------------------------- robustness

def test_concurrent_writers_and_readers_never_see_a_torn_object(cloud, s3, bucket):
    """Every GET returns one whole version: its bytes match its ETag."""
    bodies = [bytes([n]) * (256 * 1024) for n in range(6)]
    s3.put_object(Bucket=bucket, Key='hot', Body=bodies[0])
    torn = []

    def write(n):
        for _ in range(5):
            s3.put_object(Bucket=bucket, Key='hot', Body=bodies[n])

    def read(_n):
        for _ in range(10):
            got = s3.get_object(Bucket=bucket, Key='hot')
            data = got['Body'].read()
            if '"%s"' % hashlib.md5(data).hexdigest() != got['ETag'] or data not in bodies:
                torn.append(got['ETag'])

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(write, n) for n in range(1, 5)]
        futures += [pool.submit(read, n) for n in range(4)]
        for future in futures:
            future.result()
    assert torn == []
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 1
    assert os.listdir(os.path.join(cloud.state_path, 'buckets', bucket, 'tmp')) == []


class _UnsignedPayloadAuth(botocore_auth.S3SigV4Auth):
    def payload(self, request):
        return 'UNSIGNED-PAYLOAD'


def _start_put(endpoint, creds, path, length, first_bytes):
    """An HTTPConnection that sent a SigV4-signed PUT of length bytes (declared
    UNSIGNED-PAYLOAD) but only the first_bytes of its body."""
    split = urllib.parse.urlsplit(endpoint)
    request = AWSRequest(method='PUT', url=endpoint + path,
                         headers={'Content-Length': str(length), 'Host': split.netloc})
    _UnsignedPayloadAuth(Credentials(creds.access, creds.secret), 's3',
                         'RegionOne').add_auth(request)
    connection = http.client.HTTPConnection(split.hostname, split.port)
    connection.putrequest('PUT', path, skip_host=True, skip_accept_encoding=True)
    for name, value in request.prepare().headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(first_bytes)
    return connection


def _wait_for_files(directory, present, timeout=10):
    deadline = time.monotonic() + timeout
    while bool(os.listdir(directory)) != present:
        assert time.monotonic() < deadline, '%s never became %s' % (
            directory, 'non-empty' if present else 'empty')
        time.sleep(0.05)


def test_dropped_upload_leaves_no_object_and_no_file(cloud, people, s3, bucket):
    tmp = os.path.join(cloud.state_path, 'buckets', bucket, 'tmp')
    connection = _start_put(cloud.url('objectstore'), people['alice'], '/%s/dropped' % bucket,
                            64 * MiB, os.urandom(3 * MiB))
    _wait_for_files(tmp, present=True)  # the server is writing the upload
    connection.sock.shutdown(socket.SHUT_RDWR)  # then the client goes away
    connection.close()
    _wait_for_files(tmp, present=False)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key='dropped')
    assert code_of(e)[0] == 404
    objects = os.path.join(cloud.state_path, 'buckets', bucket, 'objects')
    assert [files for _, _, files in os.walk(objects) if files] == []


class PatternFile(io.RawIOBase):
    """size bytes of a repeated pseudo-random block, made on the fly (seekable,
    so that botocore can hash it before sending it)."""

    def __init__(self, size):
        self.size, self.pos = size, 0
        self.block = hashlib.shake_256(b'nova-objectstore').digest(MiB + 7)

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = base + offset
        return self.pos

    def read(self, n=-1):
        n = self.size - self.pos if n is None or n < 0 else min(n, self.size - self.pos)
        out = bytearray()
        while len(out) < n:
            at = self.pos % len(self.block)
            piece = self.block[at:at + n - len(out)]
            out += piece
            self.pos += len(piece)
        return bytes(out)

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


@pytest.fixture(scope='module')
def objectstore_daemon(tmp_path_factory):
    """A nova-objectstore of its own: [Daemon] (a test may replace it), endpoint,
    credentials, state path."""
    state_path = str(tmp_path_factory.mktemp('objectstore'))
    daemon, endpoint, creds = s3_standalone.start(state_path)
    running = [daemon]
    yield running, endpoint, creds, state_path
    running[0].stop()


def test_one_gib_object_streams_through_bounded_memory(objectstore_daemon):
    """First on its daemon, so that the peak is this transfer's. The client skips
    hashing the body for the signature and checksums (the MD5 is checked here):
    that halves the time, and what is measured is the server's memory."""
    (daemon,), endpoint, creds, _state_path = objectstore_daemon
    s3 = boto3.client('s3', endpoint_url=endpoint, region_name='RegionOne',
                      aws_access_key_id=creds.access, aws_secret_access_key=creds.secret,
                      config=Config(s3={'payload_signing_enabled': False},
                                    request_checksum_calculation='when_required',
                                    response_checksum_validation='when_required'))
    s3.create_bucket(Bucket='big')
    before = s3_standalone.peak_rss_bytes(daemon.proc.pid)
    body = PatternFile(1024 ** 3)
    expected = hashlib.md5()
    for chunk in iter(lambda: body.read(8 * MiB), b''):
        expected.update(chunk)
    body.seek(0)
    put = s3.put_object(Bucket='big', Key='gib', Body=body)
    assert put['ETag'] == '"%s"' % expected.hexdigest()
    got = s3.get_object(Bucket='big', Key='gib')
    assert got['ContentLength'] == 1024 ** 3
    received = hashlib.md5()
    for chunk in iter(lambda: got['Body'].read(MiB), b''):
        received.update(chunk)
    assert received.hexdigest() == expected.hexdigest()
    peak = s3_standalone.peak_rss_bytes(daemon.proc.pid)
    # The daemon idles near 86 MiB (its imports); what the object adds is the measure.
    assert peak < 128 * MiB, 'nova-objectstore peaked at %.1f MiB' % (peak / MiB)
    assert peak - before < 32 * MiB, 'streaming 1 GiB grew the daemon by %.1f MiB' % (
        (peak - before) / MiB)


def test_a_crash_mid_upload_leaves_no_object_and_keeps_acknowledged_ones(objectstore_daemon):
    running, endpoint, creds, state_path = objectstore_daemon
    s3 = boto3.client('s3', endpoint_url=endpoint, region_name='RegionOne',
                      aws_access_key_id=creds.access, aws_secret_access_key=creds.secret,
                      config=Config(retries={'max_attempts': 1}))
    s3.create_bucket(Bucket='crash')
    s3.put_object(Bucket='crash', Key='kept', Body=b'acknowledged before the crash')
    connection = _start_put(endpoint, creds, '/crash/torn', 64 * MiB, os.urandom(8 * MiB))
    _wait_for_files(os.path.join(state_path, 'buckets', 'crash', 'tmp'), present=True)
    running[0].proc.kill()  # SIGKILL: no cleanup of any kind
    running[0].stop()
    connection.close()
    running[0] = s3_standalone.run(os.path.join(state_path, 'nova.flags'), state_path,
                                   urllib.parse.urlsplit(endpoint).port)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket='crash', Key='torn')
    assert code_of(e)[0] == 404
    assert [o['Key'] for o in s3.list_objects_v2(Bucket='crash')['Contents']] == ['kept']
    body = s3.get_object(Bucket='crash', Key='kept')['Body'].read()
    assert body == b'acknowledged before the crash'


def test_a_crash_mid_upload_to_a_versioned_bucket_keeps_the_previous_version(
        objectstore_daemon):
    """kill -9 while a new version streams in: the previous version is intact
    and current, and no partial version is ever listed."""
    running, endpoint, creds, state_path = objectstore_daemon
    s3 = boto3.client('s3', endpoint_url=endpoint, region_name='RegionOne',
                      aws_access_key_id=creds.access, aws_secret_access_key=creds.secret,
                      config=Config(retries={'max_attempts': 1}))
    s3.create_bucket(Bucket='versioned-crash')
    s3.put_bucket_versioning(Bucket='versioned-crash',
                             VersioningConfiguration={'Status': 'Enabled'})
    first = s3.put_object(Bucket='versioned-crash', Key='k', Body=b'version one')
    connection = _start_put(endpoint, creds, '/versioned-crash/k', 64 * MiB,
                            os.urandom(8 * MiB))
    _wait_for_files(os.path.join(state_path, 'buckets', 'versioned-crash', 'tmp'),
                    present=True)
    running[0].proc.kill()  # SIGKILL mid-upload
    running[0].stop()
    connection.close()
    running[0] = s3_standalone.run(os.path.join(state_path, 'nova.flags'), state_path,
                                   urllib.parse.urlsplit(endpoint).port)
    got = s3.get_object(Bucket='versioned-crash', Key='k')
    assert got['Body'].read() == b'version one'
    assert got['VersionId'] == first['VersionId']
    listed = s3.list_object_versions(Bucket='versioned-crash')
    assert [(v['VersionId'], v['Size'], v['IsLatest']) for v in listed['Versions']] == [
        (first['VersionId'], len(b'version one'), True)]
    assert 'DeleteMarkers' not in listed
    second = s3.put_object(Bucket='versioned-crash', Key='k', Body=b'version two')
    listed = s3.list_object_versions(Bucket='versioned-crash')
    assert [v['VersionId'] for v in listed['Versions']] == [second['VersionId'],
                                                            first['VersionId']]
