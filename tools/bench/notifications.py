#!/usr/bin/env python3
"""What a lifecycle notification costs an operation, per driver. Prints numbers only.

noop: the guard every compute action passes (Lifecycle.start with notifications off).
payload: building an InstanceActionPayload and the oslo 2.0 envelope from a row.
messaging: Notifier.notify through the transport (--transport-url, e.g. a RabbitMQ
rabbit://guest:guest@127.0.0.1:5672/; default inproc://, whose queue is drained).

    .venv/bin/python tools/bench/notifications.py [--count 20000] [--transport-url URL]
"""
import argparse
import datetime
import time
import types
import uuid

from nova import utils

utils.monkey_patch()

from nova import context as nova_context  # noqa: E402
from nova import notifications  # noqa: E402
from nova import rpc  # noqa: E402
from nova.compute import lifecycle  # noqa: E402
from nova.conf import CONF  # noqa: E402
from nova.notifications import drivers, payloads  # noqa: E402


def _row():
    now = datetime.datetime(2026, 12, 7, 11, 0, 0)
    return types.SimpleNamespace(
        uuid=str(uuid.uuid4()), user_id='alice', project_id='proj-a', reservation_id='r-1',
        display_name='vm', display_description=None, hostname='vm', host='h1', node='h1',
        os_type=None, architecture='x86_64', availability_zone='nova',
        flavor={'cur': {'flavorid': '1', 'name': 'm1.tiny', 'swap': 0, 'rxtx_factor': 1.0,
                        'is_public': True, 'extra_specs': {}}},
        memory_mb=512, vcpus=1, root_gb=1, ephemeral_gb=0, image_ref=str(uuid.uuid4()),
        key_name=None, kernel_id=None, ramdisk_id=None, created_at=now, launched_at=now,
        terminated_at=None, deleted_at=None, updated_at=now, vm_state='active',
        task_state=None, power_state=1, progress=None, locked=False, auto_disk_config=False,
        metadata_dict={})


def _per_call(count, func):
    started = time.perf_counter()
    for _ in range(count):
        func()
    return (time.perf_counter() - started) / count * 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--count', type=int, default=20000)
    parser.add_argument('--transport-url', default='inproc://')
    args = parser.parse_args()
    ctx = nova_context.RequestContext(user_id='alice', project_id='proj-a', overwrite=False)
    row = _row()

    CONF.set_override('notification_driver', 'noop')
    teller = lifecycle.Lifecycle('compute.h1')
    print('noop guard (Lifecycle.start, notifications off): %.2f us'
          % _per_call(args.count, lambda: teller.start(ctx, row.uuid, 'delete')))
    print('payload + envelope build: %.1f us' % _per_call(
        args.count, lambda: drivers.envelope(ctx, {'payload': payloads.instance_action(row)})))

    CONF.set_override('notification_driver', 'messaging')
    CONF.set_override('transport_url', args.transport_url)
    transport = rpc.init()
    drained = []
    listeners = [transport.listen('notifications.info', None, drained.append)] \
        if args.transport_url.startswith('inproc') else []
    notifier = notifications.Notifier('compute.h1')
    count = args.count if args.transport_url.startswith('inproc') else min(args.count, 2000)
    cost = _per_call(count, lambda: notifier.info(
        ctx, 'compute.instance.create.end', payloads.instance_action(row)))
    print('messaging notify (%s, %d sends, 1 cast each): %.1f us'
          % (args.transport_url.partition('://')[0], count, cost))
    for listener in listeners:
        listener.stop()
    rpc.cleanup()


if __name__ == '__main__':
    main()
