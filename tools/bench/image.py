#!/usr/bin/env python3
"""nova-image (Glance v2) benchmark: MB/s of upload and download, list requests/s.

    .venv/bin/python tools/bench/image.py [--mib 256] [--images 100] [--seconds 3]

Starts nova-all (tests/harness/cloud.py: a real process, HTTP on loopback,
token auth, the filesystem store), then times PUT /v2/images/{id}/file and
GET of a --mib MiB image streamed over one connection (best of --repeat),
the peak RSS of nova-all while it does so, and GET /v2/images with --images
images, sequentially and at --concurrency. Prints numbers only; nothing is
asserted.
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import api as bench  # noqa: E402 -- tools/bench/api.py: Cloud, get_token, measure, report

MiB = 1024 * 1024
BLOCK = os.urandom(MiB)


def _rss_mib(pid, field='VmRSS'):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024
    return 0.0


class Client(bench.Client):
    """Keep-alive connection to nova-image speaking Glance's headers."""

    def __init__(self, base, token):
        super().__init__(base, token)
        self.headers = {'X-Auth-Token': token, 'Content-Type': 'application/json'}

    def upload(self, image_id, mib):
        self.conn.putrequest('PUT', '/v2/images/%s/file' % image_id)
        for name, value in (('X-Auth-Token', self.headers['X-Auth-Token']),
                            ('Content-Type', 'application/octet-stream'),
                            ('Content-Length', str(mib * MiB))):
            self.conn.putheader(name, value)
        self.conn.endheaders()
        for _ in range(mib):
            self.conn.send(BLOCK)
        response = self.conn.getresponse()
        response.read()
        if response.status != 204:
            raise RuntimeError('upload: %d' % response.status)

    def download(self, image_id):
        self.conn.request('GET', '/v2/images/%s/file' % image_id,
                          headers={'X-Auth-Token': self.headers['X-Auth-Token']})
        response = self.conn.getresponse()
        total = 0
        while True:
            chunk = response.read(MiB)
            if not chunk:
                break
            total += len(chunk)
        if response.status != 200:
            raise RuntimeError('download: %d' % response.status)
        return total


def _create(client, name):
    return client.request('POST', '/v2/images', {'name': name, 'disk_format': 'raw',
                                                 'container_format': 'bare'},
                          expect=(201,))['id']


def transfer(cloud, client, mib, repeat):
    pid = cloud.processes[0].proc.pid
    rss_before = _rss_mib(pid)
    up, down = [], []
    for i in range(repeat):
        image_id = _create(client, 'bench-%d' % i)
        start = time.perf_counter()
        client.upload(image_id, mib)
        up.append(mib * 1.048576 / (time.perf_counter() - start))
        start = time.perf_counter()
        assert client.download(image_id) == mib * MiB
        down.append(mib * 1.048576 / (time.perf_counter() - start))
        client.request('DELETE', '/v2/images/' + image_id, expect=(204,))
    print('upload   %4d MiB image  %8.1f MB/s (best of %d)' % (mib, max(up), repeat))
    print('download %4d MiB image  %8.1f MB/s (best of %d)' % (mib, max(down), repeat))
    print('nova-all RSS %.0f MiB before, peak %.0f MiB (VmHWM) after' % (
        rss_before, _rss_mib(pid, 'VmHWM')), flush=True)


def listing(cloud, token, images, seconds, concurrency):
    base = cloud.url('image')
    setup = Client(base, token)
    for i in range(images):
        _create(setup, 'list-%04d' % i)
    setup.close()

    def make_client():
        return Client(base, token)

    def list_page(client):
        client.request('GET', '/v2/images?limit=%d' % images)

    for label, threads in (('sequential', 1), ('concurrency %d' % concurrency, concurrency)):
        bench.report('GET /v2/images (%d images), %s' % (images, label),
                     bench.measure(make_client, list_page, seconds, threads,
                                   cloud.processes[0].proc.pid))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--mib', type=int, default=256)
    parser.add_argument('--repeat', type=int, default=2)
    parser.add_argument('--images', type=int, default=100)
    parser.add_argument('--seconds', type=float, default=3)
    parser.add_argument('--concurrency', type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='nova-bench-image-') as state:
        cloud = bench.Cloud.start_all(state)
        try:
            token = bench.get_token(cloud)
            client = Client(cloud.url('image'), token)
            transfer(cloud, client, args.mib, args.repeat)
            client.close()
            listing(cloud, token, args.images, args.seconds, args.concurrency)
        finally:
            cloud.stop()


if __name__ == '__main__':
    main()
