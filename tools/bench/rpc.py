"""RPC benchmark: call round trips/s and cast throughput, in process and on RabbitMQ.

    .venv/bin/python tools/bench/rpc.py [--url rabbit://...] [--calls N] [--casts N]

Without --url a private broker is started with the test harness (when
rabbitmq-server is installed). Prints numbers only; nothing is asserted.
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from nova import utils  # noqa: E402

utils.monkey_patch()

import eventlet  # noqa: E402

from nova import context  # noqa: E402
from nova import rpc  # noqa: E402
from nova.conf import CONF  # noqa: E402
from nova.rpc import dispatcher  # noqa: E402


class BenchAPI(rpc.RPCAPI):
    TOPIC = 'bench'
    METHODS = {'echo': '1.0', 'count': '1.0'}


class BenchEndpoint:
    def __init__(self):
        self.counted = 0

    def ping(self, context, arg=None):
        return arg

    def echo(self, context, value):
        return value

    def count(self, context, value):
        self.counted += 1


def _calls(api, ctxt, total, concurrency):
    """Round trips per second with `concurrency` green threads calling in a loop."""
    per_thread = max(1, total // concurrency)

    def loop():
        for i in range(per_thread):
            api.call(ctxt, 'echo', value=i)

    pool = eventlet.GreenPool(concurrency)
    start = time.perf_counter()
    for _ in range(concurrency):
        pool.spawn_n(loop)
    pool.waitall()
    return per_thread * concurrency / (time.perf_counter() - start)


def _casts(api, ctxt, endpoint, total):
    """Casts per second, from the first send until the server consumed the last one."""
    endpoint.counted = 0
    start = time.perf_counter()
    for i in range(total):
        api.cast(ctxt, 'count', value=i)
    sent = time.perf_counter() - start
    while endpoint.counted < total:
        eventlet.sleep(0.001)
    return total / (time.perf_counter() - start), total / sent


def run(name, url, args):
    CONF.set_override('transport_url', url)
    rpc.init()
    endpoint = BenchEndpoint()
    topic = 'bench_%d' % os.getpid()
    server = rpc.get_server(topic, 'benchhost',
                            dispatcher.RPCDispatcher(BenchAPI, endpoint, topic))
    server.start()
    api = BenchAPI(topic=topic)
    ctxt = context.get_admin_context()
    try:
        api.call(ctxt, 'echo', value='warm up')
        rows = [
            (name, 'call round trips/s (1 caller)', _calls(api, ctxt, args.calls, 1)),
            (name, 'call round trips/s (%d callers)' % args.concurrency,
             _calls(api, ctxt, args.calls, args.concurrency)),
        ]
        consumed, sent = _casts(api, ctxt, endpoint, args.casts)
        rows += [(name, 'casts sent/s', sent), (name, 'casts consumed/s', consumed)]
    finally:
        server.stop()
        server.wait(10)
        rpc.cleanup()
    return rows


def _rabbit_rows(args):
    if args.url:
        return run('rabbit', args.url, args)
    from tests.harness.rabbitmq import RabbitMQServer
    reason = RabbitMQServer.missing_reason()
    if reason:
        print('RabbitMQ skipped: %s' % reason)
        return []
    with tempfile.TemporaryDirectory(prefix='nova-bench-rabbit-') as base:
        broker = RabbitMQServer(base)
        broker.start()
        try:
            return run('rabbit', broker.url, args)
        finally:
            broker.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--url', help='RabbitMQ URL (default: start a private broker)')
    parser.add_argument('--calls', type=int, default=5000)
    parser.add_argument('--casts', type=int, default=20000)
    parser.add_argument('--concurrency', type=int, default=10)
    parser.add_argument('--no-rabbit', action='store_true', help='in-process only')
    args = parser.parse_args()
    rows = run('inproc', 'inproc://', args)
    if not args.no_rabbit:
        rows += _rabbit_rows(args)
    print('%-9s %-34s %12s' % ('transport', 'measure', 'per second'))
    for transport, measure, value in rows:
        print('%-9s %-34s %12.0f' % (transport, measure, value))


if __name__ == '__main__':
    main()
