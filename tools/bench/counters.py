"""Where an operation's cost goes, across every process of a running cloud.

A snapshot reads three counters that no single process can see alone:
- SQL statements executed by the cloud (pg_stat_statements, summed over every
  backend; only the cloud's own role, so that a benchmark polling as another role
  is not counted),
- messages RabbitMQ received and delivered (the broker's global counters),
- CPU seconds per daemon (utime + stime from /proc, PostgreSQL backends and the
  broker included).
The difference of two snapshots, divided by the servers an operation handled, is
the per-server cost printed by ``tools/bench/deployment.py --profile``.
"""
import collections
import os
import re
import subprocess
import time

import psycopg

CLOUD_ROLE = 'postgres'  # the role the daemons connect as (tests/harness/postgres.py)
OBSERVER_ROLE = 'bench_observer'  # the benchmark's own reads, left out of the counts


def loadavg():
    """The 1, 5 and 15 minute load averages, as /proc/loadavg gives them."""
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


def print_machine():
    """The line every benchmark starts with: when, on how many cores, at what load
    (figures taken under load are not comparable with quiet ones)."""
    print('%s, %d cores, load %s' % (time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
                                     os.cpu_count(), loadavg()), flush=True)


def cpu_seconds(pid):
    """User + system CPU seconds of one process so far (0 once it is gone)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def children(pid):
    """The pids whose parent is pid (PostgreSQL backends of a postmaster)."""
    out = subprocess.run(['ps', '-o', 'pid=', '--ppid', str(pid)], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


def rss_mb(pid):
    """(current RSS, peak RSS) of a process in MB."""
    values = {}
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith(('VmRSS:', 'VmHWM:')):
                    values[line[:5]] = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return values.get('VmRSS', 0.0), values.get('VmHWM', 0.0)


class Counters:
    """Snapshots of statements, broker messages and CPU for one cloud.

    processes: {label: [pid, ...]} of the cloud's daemons (several computes share a
    label); pg: a started tests.harness.postgres.PostgresServer loaded with
    pg_stat_statements, or None (SQLite: statements are not counted); broker: a
    started tests.harness.rabbitmq.RabbitMQServer, or None (in-process RPC).
    """

    def __init__(self, processes, pg=None, database='nova', broker=None):
        self.processes = processes
        self.pg, self.broker = pg, broker
        self.conn = None
        if pg is not None:
            self.conn = psycopg.connect(
                'host=127.0.0.1 port=%d dbname=%s user=postgres' % (pg.port, database),
                autocommit=True)
            self.conn.execute('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')

    def observer_dsn(self):
        """A connection string for the benchmark's own reads, as a role the counts
        leave out (created here on first use, allowed to read every table)."""
        self.conn.execute(
            "DO $$ BEGIN CREATE ROLE %s LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; "
            "END $$" % OBSERVER_ROLE)
        self.conn.execute('GRANT pg_read_all_data TO %s' % OBSERVER_ROLE)
        return 'host=127.0.0.1 port=%d dbname=%s user=%s' % (
            self.pg.port, self.conn.info.dbname, OBSERVER_ROLE)

    def statements(self):
        """{normalised statement: calls} executed by the cloud's role so far."""
        if self.conn is None:
            return None
        rows = self.conn.execute(
            'SELECT query, calls FROM pg_stat_statements s JOIN pg_roles r '
            'ON r.oid = s.userid WHERE r.rolname = %s', (CLOUD_ROLE,)).fetchall()
        totals = collections.Counter()
        for query, calls in rows:
            totals[' '.join(query.split())] += calls
        return totals

    def messages(self):
        """(received, delivered) by the broker so far, or None without one."""
        if self.broker is None:
            return None
        out = self.broker._ctl('eval', 'rabbit_global_counters:overview().').stdout
        found = {}
        for name in ('messages_received_total', 'messages_delivered_total'):
            found[name] = sum(int(v) for v in re.findall(r'%s\s*=>\s*(\d+)' % name, out))
        return found['messages_received_total'], found['messages_delivered_total']

    @staticmethod
    def tree(pids):
        """pids and their children (nova-api's worker processes)."""
        return [p for pid in pids for p in [pid] + children(pid)]

    def cpu(self):
        """{label: CPU seconds so far}, PostgreSQL backends under 'postgres'."""
        totals = {label: sum(cpu_seconds(p) for p in self.tree(pids))
                  for label, pids in self.processes.items()}
        if self.pg is not None:
            with open(os.path.join(self.pg.data_dir, 'postmaster.pid')) as f:
                postmaster = int(f.readline())
            totals['postgres'] = sum(cpu_seconds(p) for p in [postmaster] + children(postmaster))
        if self.broker is not None:
            with open(self.broker.pid_file) as f:
                totals['rabbitmq'] = cpu_seconds(int(f.read().strip()))
        return totals

    def snapshot(self):
        return {'statements': self.statements(), 'messages': self.messages(), 'cpu': self.cpu()}

    @staticmethod
    def difference(before, after, per, top=8):
        """The cost of what happened between two snapshots, per `per` servers/requests:
        {'statements': n, 'top': [(calls, statement)], 'messages': (received, delivered),
        'cpu_ms': {label: ms}}."""
        result = {'statements': None, 'top': [], 'messages': None, 'cpu_ms': {}}
        if after['statements'] is not None:
            delta = after['statements'] - before['statements']  # Counter: drops <= 0
            result['statements'] = sum(delta.values()) / per
            result['top'] = [(calls / per, query) for query, calls in delta.most_common(top)]
        if after['messages'] is not None:
            result['messages'] = tuple((a - b) / per for a, b in zip(after['messages'],
                                                                    before['messages']))
        # a PostgreSQL backend that exits takes its CPU seconds with it: never below 0
        result['cpu_ms'] = {label: max(after['cpu'][label] - before['cpu'].get(label, 0), 0)
                            * 1000 / per for label in after['cpu']}
        return result

    def close(self):
        if self.conn is not None:
            self.conn.close()
