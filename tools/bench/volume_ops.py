#!/usr/bin/env python3
"""SQL statements and RPC messages of one volume create and one delete, end to end.

The block-storage API app, nova-scheduler and nova-volume (file driver) run in
this process on the in-process transport and SQLite, as in nova-all. Each
volume is created through the API and waited for until available, then
deleted and waited for until gone; every statement the engine runs is
counted (the waiting's own reads left out) with the RPC messages sent, and
the means per operation are printed, split into the API request and the
services' work. Run by tools/bench/volume.py; prints counts, asserts nothing.

    .venv/bin/python tools/bench/volume_ops.py [--volumes 20]
"""
from nova import utils

utils.monkey_patch()

import argparse  # noqa: E402
import collections  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import eventlet  # noqa: E402
import greenlet  # noqa: E402
from sqlalchemy import event  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, REPO)

from nova import context as nova_context  # noqa: E402
from nova import rpc  # noqa: E402
from nova import service  # noqa: E402
from nova.conf import CONF  # noqa: E402
from nova.db import api as db  # noqa: E402
from nova.db import session as db_session  # noqa: E402
from tests.functional.test_volume_api import build_app  # noqa: E402
from tests.harness import osapi_clients  # noqa: E402
from tests.unit.api.openstack import fakes  # noqa: E402

CONTROL = ('BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE')


class Tally:
    """Statements (by the API request's green thread or the services') and RPC
    messages, while not paused for the waiting's reads."""

    def __init__(self):
        self.caller = greenlet.getcurrent()
        self.paused = False
        self.polling_cpu = 0.0  # process CPU seconds the waiting's own reads took
        self.profiler = None  # a cProfile.Profile paused with the counting
        self.commands = collections.Counter()  # commands run (process starts)
        self.reset()

    def reset(self):
        self.api, self.services, self.rpc = [], [], collections.Counter()

    def statement(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(CONTROL):
            return
        if greenlet.getcurrent() is self.caller:
            if not self.paused:
                self.api.append(statement)
        else:
            self.services.append(statement)

    def message(self, kind, topic, msg):
        self.rpc['%s %s.%s' % (kind, topic.split('.')[0], msg['method'])] += 1

    @contextlib.contextmanager
    def pause(self):
        self.paused = True
        if self.profiler is not None:
            self.profiler.disable()
        started = time.process_time()
        try:
            yield
        finally:
            self.polling_cpu += time.process_time() - started
            if self.profiler is not None:
                self.profiler.enable()
            self.paused = False


def count_rpc(tally):
    for kind in ('cast', 'call', 'fanout_cast'):
        original = getattr(rpc, kind)

        def counted(ctxt, topic, msg, *args, _original=original, _kind=kind, **kwargs):
            tally.message(_kind, topic, msg)
            return _original(ctxt, topic, msg, *args, **kwargs)
        setattr(rpc, kind, counted)


def count_commands(tally):
    """Count the commands nova runs (tgtadm, qemu-img...): each is a process start."""
    original = utils.execute

    def counted(*argv, **kwargs):
        tally.commands[argv[0]] += 1
        return original(*argv, **kwargs)
    utils.execute = counted


def wait_for(tally, check, timeout=60):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while True:
        with tally.pause():
            if check():
                return
        if eventlet.hubs.get_hub().clock() > deadline:
            raise RuntimeError('timed out')
        eventlet.sleep(0.001)


def status(volume_id):
    try:
        return db.volume_get(nova_context.get_admin_context(), volume_id).status
    except Exception:
        return None


OPS = ('create', 'GET', 'delete')


def measure(client, tally, count, show=False):
    """{op: (statements by the API request, by the services, rpc Counter, CPU seconds)}
    means of a create, a GET of the volume (what a client polls) and a delete."""
    totals = {op: [0, 0, collections.Counter(), 0.0] for op in OPS}
    project = client.identity.split(':')[1]
    for _ in range(count):
        with _op(totals['create'], tally, show and 'create'):
            res = client.post('/%s/volumes' % project, {'volume': {'size': 1}})
            assert res.status_int == 202, res.body
            volume_id = res.json['volume']['id']
            wait_for(tally, lambda: status(volume_id) == 'available')
        with _op(totals['GET'], tally, show and 'GET'):
            res = client.get('/%s/volumes/%s' % (project, volume_id))
            assert res.status_int == 200, res.body
        with _op(totals['delete'], tally, show and 'delete'):
            res = client.delete('/%s/volumes/%s' % (project, volume_id))
            assert res.status_int == 202, res.body
            wait_for(tally, lambda: status(volume_id) is None)
    return {op: (api / count, svc / count, {k: v / count for k, v in msgs.items()},
                 cpu / count) for op, (api, svc, msgs, cpu) in totals.items()}


@contextlib.contextmanager
def _op(total, tally, show=None):
    """Count the statements, messages and CPU (the waiting's reads left out) of one
    operation into total."""
    tally.reset()
    polling, started = tally.polling_cpu, time.process_time()
    yield
    total[3] += time.process_time() - started - (tally.polling_cpu - polling)
    if show:
        for where, statements in (('API request', tally.api), ('services', tally.services)):
            print('-- %s: %s' % (show, where))
            for statement in statements:
                print('   ' + ' '.join(statement.split())[:160])
    total[0] += len(tally.api)
    total[1] += len(tally.services)
    total[2].update(tally.rpc)


def profile(client, tally, count, out=None):
    """cProfile of count create + show + delete, the waiting's reads left out: its
    function calls per pair vary much less with the machine's load than CPU time."""
    import cProfile
    import pstats
    tally.profiler = profiler = cProfile.Profile()
    started = eventlet.hubs.get_hub().clock()
    profiler.enable()
    measure(client, tally, count)
    profiler.disable()
    tally.profiler = None
    stats = pstats.Stats(profiler)
    print('%d pairs in %.2f s: %d Python function calls per create + GET + delete' % (
        count, eventlet.hubs.get_hub().clock() - started, stats.total_calls / count))
    stats.sort_stats('tottime').print_stats(25)
    if out:
        stats.dump_stats(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--volumes', type=int, default=20)
    parser.add_argument('--show', action='store_true', help='print the statements too')
    parser.add_argument('--profile', type=int, default=0, metavar='N',
                        help='then profile N more create + delete pairs (cProfile, the '
                             'functions taking the most time of their own)')
    parser.add_argument('--profile-out', metavar='FILE',
                        help='also save the profile there (pstats format)')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='bench-volume-ops-') as path:
        CONF.set_override('transport_url', 'inproc://')
        CONF.set_override('report_interval', 3600)
        CONF.set_override('volume_stats_interval', 3600)
        for name in ('quota_volumes', 'quota_gigabytes'):
            CONF.set_override(name, -1)
        osapi_clients.database(path)
        rpc.init()
        services = [service.Service.create(binary=b, host=h, periodic_enable=False)
                    for b, h in (('nova-scheduler', 'controller'), ('nova-volume', 'vhost'))]
        for svc in services:
            svc.start()
        tally = Tally()
        count_rpc(tally)
        event.listen(db_session.get_engine(), 'before_cursor_execute', tally.statement)
        client = fakes.Client(build_app(), prefix='/v3', service='volume')
        count_commands(tally)
        measure(client, tally, 2)  # the project's usage rows, caches
        tally.commands.clear()
        means = measure(client, tally, args.volumes)
        commands = sum(tally.commands.values()) / args.volumes
        for op, (api, svc, msgs, cpu) in means.items():
            print('%-46s %7.1f SQL statements (API request %.1f, services %.1f)' % (
                'one %s through the block-storage API' % op, api + svc, api, svc))
            if msgs:
                print('%-46s %7.1f RPC messages  (%s)' % ('', sum(msgs.values()), ', '.join(
                    '%s %g' % item for item in sorted(msgs.items()))))
        pair = [means['create'][i] + means['delete'][i] for i in (0, 1, 3)]
        # the line tools/bench/volume.py reads back: keep its words
        print('%-46s %7.1f SQL statements, %.1f commands run, %.1f ms CPU (API and '
              'services in this process, the waiting left out; load %.1f)' % (
                  'one create + delete', pair[0] + pair[1], commands, pair[2] * 1000,
                  os.getloadavg()[0]))
        print('%-46s %7.1f SQL statements, %.1f ms CPU (through nova-api, each request '
              'also reads its token: 1 more)' % ('one GET of the volume (a poll)',
                                                 sum(means['GET'][:2]),
                                                 means['GET'][3] * 1000), flush=True)
        if args.show:
            measure(client, tally, 1, show=True)
        if args.profile:
            profile(client, tally, args.profile, args.profile_out)
        for svc in reversed(services):
            svc.stop(graceful=False)
        rpc.cleanup()
        db_session.dispose()


if __name__ == '__main__':
    main()
