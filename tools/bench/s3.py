"""nova-objectstore benchmark with boto3: MB/s of PUT and GET, small-object requests/s.

    .venv/bin/python tools/bench/s3.py [--large-mib 256] [--small 500] [--concurrency 8]

Starts its own nova-objectstore (a separate process, fresh state directory and
SQLite database, credentials made through the auth manager with nova-manage
shell), then times boto3 put_object/get_object of 1 MiB and --large-mib MiB
objects (best of --repeat) and of --small 1 KiB objects from --concurrency
client threads. Prints numbers only; nothing is asserted.
"""
import argparse
import concurrent.futures
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from tests.harness import daemons  # noqa: E402

CREDENTIALS_SCRIPT = '''
import json
from nova.auth import manager
project = manager.create_project(context, 'bench')
user = manager.create_user(context, 'bench', 'bench', default_project_id=project.id)
manager.add_role(context, user.id, project.id, 'member')
credential = manager.create_ec2_credentials(context, user.id, project.id)
print(json.dumps({'access': credential.access, 'secret': credential.secret}))
'''


def start(tmp):
    """A running nova-objectstore on a free port; (daemon, endpoint, credentials)."""
    port = daemons.free_port()
    flagfile = daemons.write_flagfile(
        os.path.join(tmp, 'nova.flags'), transport_url='inproc://', state_path=tmp,
        sql_connection='sqlite:///%s/nova.sqlite' % tmp, objectstore_listen='127.0.0.1',
        objectstore_listen_port=port)
    daemons.manage(flagfile, 'db', 'sync')
    script = os.path.join(tmp, 'credentials.py')
    with open(script, 'w') as f:
        f.write(CREDENTIALS_SCRIPT)
    credentials = json.loads(
        daemons.manage(flagfile, 'shell', 'python', script).stdout.strip().splitlines()[-1])
    daemon = daemons.Daemon('nova-objectstore', flagfile, tmp)
    endpoint = 'http://127.0.0.1:%d' % port
    daemons.wait_for(lambda: _listening(port), what='nova-objectstore to listen')
    return daemon, endpoint, credentials


def _listening(port):
    import socket
    with socket.socket() as s:
        return s.connect_ex(('127.0.0.1', port)) == 0


def client(endpoint, credentials, pool=10):
    return boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1',
                        aws_access_key_id=credentials['access'],
                        aws_secret_access_key=credentials['secret'],
                        config=Config(max_pool_connections=pool))


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
        daemon, endpoint, credentials = start(tmp)
        try:
            s3 = client(endpoint, credentials, args.concurrency)
            s3.create_bucket(Bucket='bench')
            for mib in (1, args.large_mib):
                put, get = large(s3, 'bench', mib, args.repeat)
                print('%4d MiB object   PUT %8.1f MB/s   GET %8.1f MB/s' % (mib, put, get))
            put, get = small(s3, 'bench', args.small, args.concurrency)
            print('   1 KiB objects  PUT %8.1f req/s  GET %8.1f req/s  (%d threads)' % (
                put, get, args.concurrency))
        finally:
            daemon.stop()


if __name__ == '__main__':
    main()
