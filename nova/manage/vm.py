"""nova-manage vm: an instance's usage as the instance monitor recorded it.

``stats`` prints each CloudWatch metric of the instance over the last hour
(or --period): the same SampleCount, Average, Minimum and Maximum that
``aws cloudwatch get-metric-statistics`` answers its owner, plus the last
step's value. ``graph`` writes one of the graphs the monitor publishes (cpu,
disk or net over the last hour ... year) to a PNG file.

Operators see every project's instances. The answers come from the monitor of
the instance's host over RPC, as for the APIs; with in-process RPC (nova-all)
no other process can call that monitor, so nova-manage reads the archives of
this machine itself (nova.monitor.local).
"""
import sys
import time
import uuid as uuid_lib

from nova import exception
from nova import rpc
from nova.conf import CONF
from nova.i18n import _
from nova.manage import Category, arg, command, print_table, say
from nova.manage.user import admin_context
from nova.monitor import api as monitor_api
from nova.monitor import graphs, local, metrics

GROUPS = {'cpu': 'cpu', 'disk': 'disk', 'net': 'network', 'network': 'network'}
IN_PROCESS = ('inproc://', 'fake://')


class MonitorUnreachable(exception.NovaException):
    msg_fmt = _('the instance monitor of host %(host)s did not answer within %(timeout)s s: '
                'is nova-instancemonitor running there?')


class NoSamples(exception.NotFound):
    msg_fmt = _('no samples of instance %(instance)s%(why)s')


def _monitor():
    if rpc.transport_url().startswith(IN_PROCESS):
        return monitor_api.MonitorAPI(local.LocalArchives())
    rpc.init()
    return monitor_api.MonitorAPI()


def _instance_uuid(ctxt, word):
    """The uuid an instance uuid or EC2 id (i-...) names."""
    try:
        return str(uuid_lib.UUID(word))
    except ValueError:
        pass
    if not word.startswith('i-'):
        raise exception.InvalidInput(reason='%r is neither an instance uuid nor an EC2 '
                                     'instance id (i-...)' % word)
    from nova.api.ec2 import faults, ids  # the one reader of EC2 ids
    try:
        return ids.instance_uuid(ctxt, word)
    except faults.Ec2Error:
        raise exception.InstanceNotFound(instance_id=word) from None


def _target(monitor, ctxt, word):
    """(monitoring row, how to name it) of the instance a word names; the errors of an
    instance that never ran on a host."""
    row = monitor.get_instance(ctxt, _instance_uuid(ctxt, word), any_project=True)
    name = row.uuid if word == row.uuid else '%s (%s)' % (word, row.uuid)
    if not row.host:
        raise NoSamples(instance=name, why=': it never ran on a host')
    return row, name


def _ask(monitor, method, ctxt, row, queries):
    try:
        return getattr(monitor, method)(ctxt, queries, any_project=True)
    except exception.MessagingTimeout:
        raise MonitorUnreachable(host=row.host, timeout=CONF.monitor_rpc_timeout) from None


def _state(row):
    if row.deleted:
        return 'deleted (archive kept %d days)' % CONF.monitor_keep_deleted_days
    return 'monitoring %s' % monitor_api.monitoring_state(row)


def _number(value):
    return '-' if value is None else '%.2f' % value


class VmCommands(Category):
    name = 'vm'
    help = 'Instances\' usage from the instance monitor: stats, graph'

    @command('Each metric of an instance over the last period (as CloudWatch answers it)',
             arg('instance', help='instance uuid or EC2 id (i-...)'),
             arg('--period', choices=tuple(metrics.PERIODS), default='hour',
                 help='how far back (default: hour)'))
    def stats(self, instance, period='hour'):
        ctxt = admin_context()
        monitor = _monitor()
        row, name = _target(monitor, ctxt, instance)
        end = int(time.time())
        span, step = metrics.PERIODS[period], CONF.monitoring_instances_step
        names = list(metrics.METRICS)
        whole = [{'instance_uuid': row.uuid, 'metric': m, 'start': end - span, 'end': end,
                  'period': span, 'statistics': list(metrics.STATISTICS)} for m in names]
        recent = [{'instance_uuid': row.uuid, 'metric': m, 'start': end - 10 * step,
                   'end': end, 'period': step, 'statistics': ['Average']} for m in names]
        answers = _ask(monitor, 'get_statistics', ctxt, row, whole + recent)
        if not any(answers):
            raise NoSamples(instance=name, why=' in the last %s on host %s (%s)' % (
                period, row.host, _state(row)))
        table = []
        for metric, points, last in zip(names, answers[:len(names)], answers[len(names):]):
            point = points[0] if points else {}
            table.append([metric, metrics.METRICS[metric].unit,
                          '%d' % point.get('SampleCount', 0), _number(point.get('Average')),
                          _number(point.get('Minimum')), _number(point.get('Maximum')),
                          _number(last[-1]['Average'] if last else None)])
        say(_('Instance %s, project %s, host %s, %s; the last %s, per sample of %d s:') % (
            name, row.project_id, row.host, _state(row), period, step))
        print_table(['Metric', 'Unit', 'Samples', 'Average', 'Minimum', 'Maximum', 'Last'],
                    table)

    @command('Write an instance\'s cpu, disk or net graph over the last period as a PNG',
             arg('instance', help='instance uuid or EC2 id (i-...)'),
             arg('--metric', choices=tuple(GROUPS), default='cpu',
                 help='cpu (percent), disk or net (bytes/s); default cpu'),
             arg('--period', choices=tuple(metrics.PERIODS), default='day',
                 help='how far back (default: day)'),
             arg('-o', '--output', required=True, help='PNG file to write ("-": stdout)'),
             arg('--width', type=int, default=graphs.WIDTH,
                 help='pixels (default %d)' % graphs.WIDTH),
             arg('--height', type=int, default=graphs.HEIGHT,
                 help='pixels (default %d)' % graphs.HEIGHT))
    def graph(self, instance, output, metric='cpu', period='day', width=graphs.WIDTH,
              height=graphs.HEIGHT):
        for what, pixels in (('width', width), ('height', height)):
            if not graphs.MIN_SIZE <= pixels <= graphs.MAX_SIZE:
                raise exception.InvalidInput(reason='--%s must be %d to %d pixels, not %d' % (
                    what, graphs.MIN_SIZE, graphs.MAX_SIZE, pixels))
        ctxt = admin_context()
        monitor = _monitor()
        row, name = _target(monitor, ctxt, instance)
        group = GROUPS[metric]
        queries = graphs.group_queries(row.uuid, group, period, time.time(),
                                       CONF.monitoring_instances_step)
        answers = _ask(monitor, 'get_rates', ctxt, row, queries)
        if not any(answers):
            raise NoSamples(instance=name, why=': host %s\'s monitor has no archive of it '
                            '(%s)' % (row.host, _state(row)))
        png = graphs.render_group(group, period, queries, answers, width, height,
                                  subject=instance)
        if output == '-':
            sys.stdout.buffer.write(png)
            sys.stdout.flush()
            return
        try:
            with open(output, 'wb') as f:
                f.write(png)
        except OSError as e:
            raise exception.InvalidInput(reason='cannot write %s: %s' % (
                output, e.strerror)) from None
        say(_('Wrote %s: %s graph of %s, last %s (%dx%d PNG).') % (
            output, metric, name, period, width, height))
