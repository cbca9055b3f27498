#!/usr/bin/env python3
"""Throughput and memory of image bundles: making one and registering it.

In one process, on a fresh state directory (SQLite, the filesystem image
store, an objectstore bucket, a new CA): bundles a random image of --size MiB
with nova.image.bundle.make (tar, gzip, AES, 10 MiB parts, manifest), stores
the parts in the bucket, and registers it with nova.image.bundle.register
(download, decrypt, untar, upload into the image service), timing each state.
Prints MB/s per step and the process's peak RSS, which must stay far below the
image size (everything streams). Random data does not compress, so gzip
works at its slowest. Nothing here asserts a time.

    .venv/bin/python tools/bench/bundle.py [--size 256]
"""
import argparse
import os
import resource
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, REPO)

from nova import utils  # noqa: E402

utils.monkey_patch()

from nova import context as nova_context  # noqa: E402
from nova import crypto  # noqa: E402
from nova.conf import CONF  # noqa: E402
from nova.db import migration  # noqa: E402
from nova.image import service as image_service  # noqa: E402
from nova.image.bundle import make  # noqa: E402
from nova.image.bundle import register  # noqa: E402
from nova.objectstore import storage  # noqa: E402

MIB = 1024 ** 2


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_random(path, size_mib):
    with open(path, 'wb') as f:
        for _ in range(size_mib):
            f.write(os.urandom(MIB))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size', type=int, default=256, help='image size in MiB')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='bench-bundle-') as state:
        CONF.set_override('state_path', state)
        CONF.set_override('sql_connection', 'sqlite:///%s/nova.sqlite' % state)
        migration.db_sync()
        context = nova_context.RequestContext(user_id='bench', project_id='bench',
                                              roles=['member'])
        image = os.path.join(state, 'disk.img')
        write_random(image, args.size)
        user_key, user_cert = crypto.generate_user_cert('bench', 'bench')
        rss_before = peak_rss_mib()

        start = time.monotonic()
        manifest_path, parts = make.make_bundle(image, os.path.join(state, 'out'),
                                                crypto.ca_cert_pem(), user_cert, user_key)
        made = time.monotonic() - start
        print('make_bundle   %4d MiB  %5.1f s  %6.1f MB/s  (%d parts)'
              % (args.size, made, args.size * MIB / made / 1e6, len(parts)))

        store = storage.Store(CONF.buckets_path)
        bucket = store.create_bucket('bench', 'bench', 'bench', 'private')
        for path in parts + [manifest_path]:
            with open(path, 'rb') as f:
                store.put_object(bucket, os.path.basename(path),
                                 iter(lambda: f.read(MIB), b''),
                                 {'content_type': 'application/octet-stream', 'headers': {},
                                  'meta': {}, 'acl': 'private'})
            os.unlink(path)
        os.unlink(image)

        svc = image_service.ImageService()
        marks = []
        original = svc.update

        def update(ctxt, image_id, values, **kwargs):
            marks.append((values['properties']['image_state'], time.monotonic()))
            return original(ctxt, image_id, values, **kwargs)
        svc.update = update
        start = time.monotonic()
        registered = register.register(context, svc, 'bench/disk.img.manifest.xml',
                                       {'name': 'bench'}, str, spawn=lambda job: job())
        marks.insert(0, ('manifest', start))  # read, checked, image created
        for (state_name, began), (_, ended) in zip(marks, marks[1:]):
            seconds = ended - began
            print('  %-12s %5.2f s  %6.1f MB/s' % (state_name, seconds,
                                                  args.size * MIB / max(seconds, 1e-6) / 1e6))
        total = marks[-1][1] - start
        print('register      %4d MiB  %5.1f s  %6.1f MB/s  final state: %s'
              % (args.size, total, args.size * MIB / total / 1e6, marks[-1][0]))
        assert svc.show(context, registered['id'])['size'] == args.size * MIB
        print('peak RSS      %.0f MiB (%.0f MiB before bundling; image %d MiB)'
              % (peak_rss_mib(), rss_before, args.size))


if __name__ == '__main__':
    main()
