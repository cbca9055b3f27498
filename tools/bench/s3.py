"""nova-objectstore benchmark with boto3, as a ratio to a raw loopback copy.

    .venv/bin/python tools/bench/s3.py [--large-mib 256] [--repeat 5] [--small 10000]
                                       [--concurrency 8]

Starts its own nova-objectstore (a separate process, fresh state directory and
SQLite database, credentials made with nova-manage: tests/clients/s3_standalone.py),
then times boto3 put_object/get_object of one --large-mib MiB object (--repeat
times; the best and the median are printed) and of --small 1 KiB objects from
--concurrency client threads, with two boto3 clients: its defaults over http
(the body's SHA-256 signed and a CRC32 checksum sent, both computed by the
client and verified by the server) and SigV4 with UNSIGNED-PAYLOAD and no
checksum, as AWS allows (what the server costs on its own: it still computes
the MD5 of the ETag).

Each is also shown as a ratio to a raw copy of the same bytes measured in the
same run on the same machine: a Python TCP server on 127.0.0.1, a process of
its own as nova-objectstore is, that receives the bytes into a new file on the
same filesystem (temporary file, written 64 KiB at a time as nova-objectstore
writes, fsync, rename, fsync of the directory, one-byte answer: the durability
nova-objectstore gives) for PUT, and sends a file's bytes
back with sendfile for GET, over persistent connections from the same number of
client threads. That is what S3 adds to moving the bytes (HTTP, signatures,
checksums, metadata, boto3 itself). Each large transfer is timed right after
the raw copy of the same bytes and the ratio is taken between the two, so that
both see the same load on the machine; the median and the best of the --repeat
runs are printed, with the CPU milliseconds per MiB each server process spent
(every thread), a figure the load of the machine changes much less. Prints
numbers only; nothing is asserted.
"""
import argparse
import concurrent.futures
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from tests.clients import s3_standalone  # noqa: E402


def client(endpoint, credentials, pool=10, lean=False):
    """boto3 as users run it; lean: no SHA-256 of the body, no CRC32 checksum (what
    the server costs without the client's hashing)."""
    extra = {}
    if lean:
        extra = {'s3': {'payload_signing_enabled': False},
                 'request_checksum_calculation': 'when_required',
                 'response_checksum_validation': 'when_required'}
    return boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1',
                        aws_access_key_id=credentials.access,
                        aws_secret_access_key=credentials.secret,
                        config=Config(max_pool_connections=pool, **extra))


def disk_mbps(directory, mib):
    """(write+fsync MB/s, read MB/s from the page cache) of one file of mib MiB."""
    block = os.urandom(1024 ** 2)
    path = os.path.join(directory, 'disk-probe')
    start = time.perf_counter()
    with open(path, 'wb', buffering=0) as f:
        for _ in range(mib):
            f.write(block)
        os.fsync(f.fileno())
    write = time.perf_counter() - start
    start = time.perf_counter()
    with open(path, 'rb', buffering=0) as f:
        while f.read(1024 ** 2):
            pass
    read = time.perf_counter() - start
    os.unlink(path)
    return mib * 1.048576 / write, mib * 1.048576 / read


class RawCopy:
    """The baseline: a TCP server on 127.0.0.1 storing and serving whole files,
    run as a process of its own (``serve_raw``), as nova-objectstore is.

    A request is 'P' or 'G', an 8-byte length and a 16-byte name; a PUT's bytes
    follow and go to a temporary file that is fsynced and renamed, its directory
    fsynced (as the objectstore commits), answered with one byte; a GET is
    answered with the 8-byte length and the file's bytes (sendfile)."""

    CHUNK = 1024 ** 2
    # the server writes what it receives at most this many bytes at a time, as
    # nova-objectstore does (nova.objectstore.files.BUFFERED_WRITE): larger writes
    # get large page-cache folios, which on a VM with free page reporting cost
    # several times the CPU per byte in some runs and not others
    WRITE = 64 * 1024

    def __init__(self, directory):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), '--serve-raw', directory],
            stdout=subprocess.PIPE)
        self.pid = self.proc.pid
        self.address = ('127.0.0.1', int(self.proc.stdout.readline()))

    def close(self):
        self.proc.terminate()
        self.proc.wait()

    def connect(self):
        conn = socket.create_connection(self.address)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    @staticmethod
    def name(key):
        return key.encode().ljust(16, b'_')[:16]

    def put(self, conn, key, body):
        conn.sendall(b'P' + len(body).to_bytes(8, 'big') + self.name(key))
        view = memoryview(body)
        for at in range(0, len(body), self.CHUNK):
            conn.sendall(view[at:at + self.CHUNK])
        _exactly(conn, 1)

    def get(self, conn, key):
        conn.sendall(b'G' + bytes(8) + self.name(key))
        size = int.from_bytes(_exactly(conn, 8), 'big')
        buffer, received = bytearray(self.CHUNK), 0
        while received < size:
            received += conn.recv_into(buffer, min(self.CHUNK, size - received))
        return received


def _exactly(conn, size):
    data = bytearray()
    while len(data) < size:
        more = conn.recv(min(RawCopy.CHUNK, size - len(data)))
        if not more:
            raise EOFError
        data += more
    return bytes(data)


def serve_raw(directory):
    """The raw copy's server (a process of its own): prints its port, serves
    each connection in a thread until it is terminated."""
    server = socket.create_server(('127.0.0.1', 0))
    print(server.getsockname()[1], flush=True)
    while True:
        conn, _ = server.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_serve_raw, args=(conn, directory), daemon=True).start()


def _serve_raw(conn, directory):
    with conn:
        try:
            while True:
                head = _exactly(conn, 25)
                kind, size, name = head[:1], int.from_bytes(head[1:9], 'big'), head[9:]
                path = os.path.join(directory, name.hex())
                if kind == b'P':
                    tmp = path + '.tmp'
                    with open(tmp, 'wb', buffering=0) as f:
                        left = size
                        while left:
                            data = conn.recv(min(RawCopy.WRITE, left))
                            if not data:
                                raise EOFError
                            f.write(data)
                            left -= len(data)
                        os.fsync(f.fileno())
                    os.replace(tmp, path)
                    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
                    os.fsync(fd)
                    os.close(fd)
                    conn.sendall(b'k')
                else:
                    with open(path, 'rb') as f:
                        conn.sendall(os.fstat(f.fileno()).st_size.to_bytes(8, 'big'))
                        conn.sendfile(f)
        except EOFError:
            return


def raw_small(raw, count, concurrency):
    """(PUT/s, GET/s) of the raw copy of count 1 KiB objects from concurrency threads."""
    body = os.urandom(1024)
    shares = [['s%06d' % i for i in range(n, count, concurrency)] for n in range(concurrency)]

    def timed(work):
        def worker(keys):
            with raw.connect() as conn:
                for key in keys:
                    work(conn, key)
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(worker, shares))
        return count / (time.perf_counter() - start)

    return (timed(lambda conn, key: raw.put(conn, key, body)),
            timed(lambda conn, key: raw.get(conn, key)))


def process_cpu(pid):
    """CPU seconds (user + system) process pid (every thread) has used."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


class Pair:
    """One operation timed on the raw copy and then on nova-objectstore: MB/s and
    the CPU seconds each server spent on it."""

    def __init__(self, size, raw, raw_fn, pid, s3_fn):
        before = process_cpu(raw.pid)
        self.raw_mbps = self._mbps(size, raw_fn)
        self.raw_cpu = process_cpu(raw.pid) - before
        before = process_cpu(pid)
        self.mbps = self._mbps(size, s3_fn)
        self.cpu = process_cpu(pid) - before

    @staticmethod
    def _mbps(size, fn):
        start = time.perf_counter()
        fn()
        return size / 1e6 / (time.perf_counter() - start)

    @property
    def ratio(self):
        return self.mbps / self.raw_mbps


def large(s3, raw, pid, bucket, mib, repeat):
    """{'PUT': [Pair], 'GET': [Pair]} of one object of mib MiB, repeat times: each
    S3 transfer right after the raw copy of the same bytes, so that both see the
    same load on the machine; pid: nova-objectstore's."""
    body = os.urandom(1024 ** 2) * mib
    key = 'large-%d' % mib

    def get():
        stream = s3.get_object(Bucket=bucket, Key=key)['Body']
        received = 0
        for chunk in iter(lambda: stream.read(1024 ** 2), b''):
            received += len(chunk)
        assert received == len(body)

    runs = {'PUT': [], 'GET': []}
    with raw.connect() as conn:
        for _ in range(repeat):
            runs['PUT'].append(Pair(len(body), raw, lambda: raw.put(conn, key, body), pid,
                                    lambda: s3.put_object(Bucket=bucket, Key=key, Body=body)))
            runs['GET'].append(Pair(len(body), raw, lambda: raw.get(conn, key), pid, get))
    return runs


def summary(pairs, mib):
    """The median and the best ratio to the raw copy (each run's S3 MB/s over the
    raw copy's just before it) with the MB/s of both, and the median server CPU
    milliseconds per MiB (raw copy's process, nova-objectstore's)."""
    def median(values):
        return statistics.median(list(values))

    best = max(pairs, key=lambda pair: pair.ratio)
    per_mib = 1000 / mib
    return ('median %3.0f%% of raw (%.1f vs %.1f MB/s), best %3.0f%% (%.1f vs %.1f MB/s); '
            'server CPU per MiB: raw %.2f ms, nova-objectstore %.2f ms' % (
                100 * median(pair.ratio for pair in pairs),
                median(pair.mbps for pair in pairs), median(pair.raw_mbps for pair in pairs),
                100 * best.ratio, best.mbps, best.raw_mbps,
                per_mib * median(pair.raw_cpu for pair in pairs),
                per_mib * median(pair.cpu for pair in pairs)))


def small(s3, bucket, count, concurrency):
    """(PUT req/s, GET req/s) of count 1 KiB objects from concurrency threads."""
    body = os.urandom(1024)
    keys = ['small/%06d' % i for i in range(count)]

    def timed(fn):
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(fn, keys))
        return count / (time.perf_counter() - start)

    put = timed(lambda key: s3.put_object(Bucket=bucket, Key=key, Body=body))
    get = timed(lambda key: s3.get_object(Bucket=bucket, Key=key)['Body'].read())
    return put, get


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--large-mib', type=int, default=256)
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--small', type=int, default=10000, help='0: large objects only')
    parser.add_argument('--concurrency', type=int, default=8)
    parser.add_argument('--flag', action='append', default=[], metavar='NAME=VALUE',
                        help='a flag for nova-objectstore (e.g. s3_hash_threads_min=0 to '
                             'compare with hashing in line)')
    parser.add_argument('--serve-raw', metavar='DIR', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_raw:
        return serve_raw(args.serve_raw)
    flags = dict(flag.split('=', 1) for flag in args.flag)
    with tempfile.TemporaryDirectory(prefix='bench-s3-') as tmp:
        write, read = disk_mbps(tmp, args.large_mib)
        print('load %s; nova-objectstore flags: %s' % (load(), flags or 'defaults'))
        print('disk: write+fsync %.1f MB/s, page-cache read %.1f MB/s' % (write, read))
        os.mkdir(os.path.join(tmp, 'raw'))
        raw = RawCopy(os.path.join(tmp, 'raw'))
        if args.small:
            raw_small_put, raw_small_get = raw_small(raw, args.small, args.concurrency)
            print('raw loopback copy: %d x 1 KiB PUT %.1f/s GET %.1f/s (%d threads)' % (
                args.small, raw_small_put, raw_small_get, args.concurrency))
        daemon, endpoint, credentials = s3_standalone.start(tmp, **flags)
        try:
            for lean in (False, True):
                s3 = client(endpoint, credentials, args.concurrency, lean)
                s3.create_bucket(Bucket='bench')
                print('boto3 %s:' % (
                    'SigV4 with UNSIGNED-PAYLOAD, no checksum (the server hashes MD5 only)'
                    if lean else 'defaults over http (SigV4 with the SHA-256 of the payload '
                                 'and a CRC32 checksum, both verified by the server)'))
                runs = large(s3, raw, daemon.proc.pid, 'bench', args.large_mib, args.repeat)
                print('  %d MiB object, %d runs, load %s' % (args.large_mib, args.repeat, load()))
                for operation, pairs in runs.items():
                    print('    %s %s' % (operation, summary(pairs, args.large_mib)))
                if args.small:
                    put, get = small(s3, 'bench', args.small, args.concurrency)
                    print('  %d x 1 KiB, %d threads: PUT %.1f req/s (%.0f%% of raw), GET %.1f '
                          'req/s (%.0f%% of raw), load %s' % (
                              args.small, args.concurrency, put, 100 * put / raw_small_put, get,
                              100 * get / raw_small_get, load()))
                for page in s3.get_paginator('list_objects_v2').paginate(Bucket='bench'):
                    keys = [{'Key': o['Key']} for o in page.get('Contents', [])]
                    if keys:
                        s3.delete_objects(Bucket='bench', Delete={'Objects': keys})
                s3.delete_bucket(Bucket='bench')
        finally:
            daemon.stop()
            raw.close()


def load():
    return ' '.join(open('/proc/loadavg').read().split()[:3])


if __name__ == '__main__':
    main()
