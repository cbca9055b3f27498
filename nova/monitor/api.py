"""The monitor's public API: what front ends (CloudWatch, EC2, nova-manage) call.

A project only ever sees its own instances' metrics, administrators included
(as an AWS account sees its own): queries on any other instance answer no
data, exactly as queries on an instance that never existed. Queries go to the
monitor of each instance's host, one RPC call per host whatever the number
of queries. An instance that moved (live or cold migration, resize,
evacuation) left its earlier series with the monitors of the hosts it left,
kept as a deleted instance's: statistics and graphs ask those too and merge
the answers, so its history survives the move.
"""
import logging

from nova import exception
from nova.db import api as db
from nova.i18n import _LW
from nova.monitor import metrics, rpcapi, statistics

LOG = logging.getLogger(__name__)


def monitoring_state(instance):
    """'enabled' or 'disabled': the instance's Monitoring.State as EC2 shows it."""
    enabled = metrics.monitoring_enabled(getattr(instance, 'monitoring', None))
    return 'enabled' if enabled else 'disabled'


class MonitorAPI:
    def __init__(self, monitors=None):
        """monitors: what answers the monitors' reads (default: their RPC API; nova-manage
        of an in-process cloud passes nova.monitor.local.LocalArchives)."""
        self.rpcapi = monitors or rpcapi.InstanceMonitorAPI()

    def set_monitoring(self, context, instance_uuids, enabled):
        """Switch sampling of the caller's (already checked) instances."""
        return db.instance_monitoring_set(context, instance_uuids, enabled)

    def _own(self, context, instance_uuids, any_project=False):
        """{uuid: row} of those instances that are the caller's project's (deleted
        ones too: their archives may be kept), with a host to ask."""
        wanted = {u for u in instance_uuids if u}
        if not wanted:
            return {}
        rows = db.instance_monitoring_rows(
            context, uuids=wanted, project_id=None if any_project else context.project_id,
            read_deleted=True)
        return {row.uuid: row for row in rows if row.host}

    def get_instance(self, context, instance_uuid, any_project=False):
        """The monitoring row (uuid, project_id, host, monitoring, deleted, ...) of one
        instance, deleted ones included; InstanceNotFound for one the caller cannot see."""
        rows = db.instance_monitoring_rows(
            context, uuids=[instance_uuid],
            project_id=None if any_project else context.project_id, read_deleted=True)
        if not rows:
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        return rows[-1]

    def list_metrics(self, context):
        """[(instance uuid, [metric name])] of the project's monitored live instances."""
        rows = db.instance_monitoring_rows(context, project_id=context.project_id)
        return [(row.uuid, list(metrics.METRICS)) for row in rows
                if row.host and metrics.monitoring_enabled(row.monitoring)]

    def _ask(self, context, method, queries, rows, earlier=None):
        """[the answers to each query: its instance's current host's first, then those
        of the hosts in ``earlier`` {uuid: [hosts]}; [] for a query not asked]: one RPC
        call per host. A host the instance left that does not answer is skipped."""
        earlier = earlier or {}
        by_host = {}
        for index, query in enumerate(queries):
            row = rows.get(query['instance_uuid'])
            if row is not None and query['metric'] in metrics.METRICS:
                for host in [row.host] + earlier.get(row.uuid, []):
                    by_host.setdefault(host, []).append(index)
        parts = [[] for _ in queries]
        for host, indexes in by_host.items():
            try:
                answers = getattr(self.rpcapi, method)(context, host,
                                                       [queries[i] for i in indexes])
            except exception.NovaException as error:
                if any(rows[queries[i]['instance_uuid']].host == host for i in indexes):
                    raise
                LOG.warning(_LW('No earlier series from the monitor of %s: %s'), host, error)
                continue
            for index, answer in zip(indexes, answers):
                if rows[queries[index]['instance_uuid']].host == host:
                    parts[index].insert(0, answer)
                else:
                    parts[index].append(answer)
        return parts

    def get_statistics(self, context, queries, any_project=False):
        """Datapoints of each query {instance_uuid, metric, start, end, period,
        statistics} (epoch seconds); [] for an instance the caller cannot see.
        any_project: an operator's view (nova-manage), not the APIs'. An instance
        that moved: every host's series, merged (each asked for every statistic, so
        that the period of the move adds up right)."""
        rows = self._own(context, [q['instance_uuid'] for q in queries], any_project)
        earlier = self.earlier_hosts(context, rows)
        asked = [dict(query, statistics=list(metrics.STATISTICS))
                 if query['instance_uuid'] in earlier else query for query in queries]
        results = []
        for query, parts in zip(queries, self._ask(context, 'get_statistics', asked, rows,
                                                   earlier)):
            if query['instance_uuid'] in earlier and parts:
                results.append(statistics.merge_datapoints(parts, query['statistics']))
            else:
                results.append(parts[0] if parts else [])
        return results

    def get_rates(self, context, queries, any_project=False):
        """[first, seconds, [rate or None]] of each query {instance_uuid, metric, start,
        end, resolution}, or None: what graphs draw. An instance that moved: every
        host's series, merged on its current host's rows."""
        rows = self._own(context, [q['instance_uuid'] for q in queries], any_project)
        return self.rates_of(context, queries, rows, self.earlier_hosts(context, rows))

    def rates_of(self, context, queries, rows, earlier):
        """get_rates of instances already read and checked: rows {uuid: row with its
        host}, earlier as earlier_hosts answers for them (a caller that asks often
        reads both once: the monitor publishing graphs)."""
        return [statistics.merge_rates(parts) if parts else None
                for parts in self._ask(context, 'get_rates', queries, rows, earlier)]

    @staticmethod
    def earlier_hosts(context, rows):
        """{uuid: [hosts the instance left, most recent first]} of those of rows {uuid:
        row with its current host} that moved (one query). Each host once, never its
        current one: a host it came back to keeps one archive of it (see archives),
        answered once."""
        if not rows:
            return {}
        earlier = {}
        moved = db.migration_previous_hosts(context.elevated(read_deleted='yes'), list(rows))
        for uuid, hosts in moved.items():
            left = [host for host in dict.fromkeys(reversed(hosts)) if host != rows[uuid].host]
            if left:
                earlier[uuid] = left
        return earlier
