"""nova-objectstore benchmark with boto3: MB/s of PUT and GET, small-object requests/s.

    .venv/bin/python tools/bench/s3.py [--large-mib 256] [--small 500] [--concurrency 8]

Starts its own nova-objectstore (a separate process, fresh state directory and
SQLite database, credentials made with nova-manage: tests/clients/s3_standalone.py),
then times boto3 put_object/get_object of 1 MiB and --large-mib MiB
objects (best of --repeat) and of --small 1 KiB objects from --concurrency
client threads. Prints numbers only; nothing is asserted.
"""
import argparse
import concurrent.futures
import os
import socket
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


def loopback_mbps(mib):
    """MB/s of a plain Python socket pair over 127.0.0.1 (1 MiB sends)."""
    block = os.urandom(1024 ** 2)
    server = socket.create_server(('127.0.0.1', 0))

    def drain():
        conn, _ = server.accept()
        with conn:
            while conn.recv_into(buffer):
                pass
    buffer = bytearray(1024 ** 2)
    reader = threading.Thread(target=drain)
    reader.start()
    start = time.perf_counter()
    with socket.create_connection(server.getsockname()) as sender:
        for _ in range(mib):
            sender.sendall(block)
    reader.join()
    server.close()
    return mib * 1.048576 / (time.perf_counter() - start)


def large(s3, bucket, mib, repeat):
    """(PUT MB/s, GET MB/s), best of repeat, for one object of mib MiB."""
    body = os.urandom(1024 ** 2) * mib
    puts, gets = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        s3.put_object(Bucket=bucket, Key='large-%d' % mib, Body=body)
        puts.append(time.perf_counter() - start)
        start = time.perf_counter()
        stream = s3.get_object(Bucket=bucket, Key='large-%d' % mib)['Body']
        received = 0
        for chunk in iter(lambda: stream.read(1024 ** 2), b''):
            received += len(chunk)
        gets.append(time.perf_counter() - start)
        assert received == len(body)
    size = len(body) / 1e6
    return size / min(puts), size / min(gets)


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
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--small', type=int, default=500)
    parser.add_argument('--concurrency', type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='bench-s3-') as tmp:
        write, read = disk_mbps(tmp, args.large_mib)
        print('baseline: disk write+fsync %.1f MB/s, page-cache read %.1f MB/s, '
              'loopback socket %.1f MB/s' % (write, read, loopback_mbps(args.large_mib)))
        daemon, endpoint, credentials = s3_standalone.start(tmp)
        try:
            for lean in (False, True):
                s3 = client(endpoint, credentials, args.concurrency, lean)
                s3.create_bucket(Bucket='bench')
                print('boto3 %s:' % ('without payload hashing and checksums' if lean
                                     else 'defaults (SHA-256 payload, CRC32 checksum)'))
                for mib in (1, args.large_mib):
                    put, get = large(s3, 'bench', mib, args.repeat)
                    print('  %4d MiB object   PUT %8.1f MB/s   GET %8.1f MB/s' % (
                        mib, put, get))
                put, get = small(s3, 'bench', args.small, args.concurrency)
                print('     1 KiB objects  PUT %8.1f req/s  GET %8.1f req/s  (%d threads)' % (
                    put, get, args.concurrency))
                for page in s3.get_paginator('list_objects_v2').paginate(Bucket='bench'):
                    keys = [{'Key': o['Key']} for o in page.get('Contents', [])]
                    if keys:
                        s3.delete_objects(Bucket='bench', Delete={'Objects': keys})
                s3.delete_bucket(Bucket='bench')
        finally:
            daemon.stop()


if __name__ == '__main__':
    main()
