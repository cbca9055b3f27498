"""The monitor's public API: what front ends (CloudWatch, EC2, nova-manage) call.

A project only ever sees its own instances' metrics, administrators included
(as an AWS account sees its own): queries on any other instance answer no
data, exactly as queries on an instance that never existed. Queries go to the
monitor of each instance's host, one RPC call per host whatever the number
of queries.
"""
from nova import exception
from nova.db import api as db
from nova.monitor import metrics, rpcapi


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

    def _by_host(self, context, queries, method, empty, any_project):
        rows = self._own(context, [q['instance_uuid'] for q in queries], any_project)
        results = [empty] * len(queries)
        by_host = {}
        for index, query in enumerate(queries):
            row = rows.get(query['instance_uuid'])
            if row is not None and query['metric'] in metrics.METRICS:
                by_host.setdefault(row.host, []).append(index)
        for host, indexes in by_host.items():
            answers = getattr(self.rpcapi, method)(context, host,
                                                   [queries[i] for i in indexes])
            for index, answer in zip(indexes, answers):
                results[index] = answer
        return results

    def get_statistics(self, context, queries, any_project=False):
        """Datapoints of each query {instance_uuid, metric, start, end, period,
        statistics} (epoch seconds); [] for an instance the caller cannot see.
        any_project: an operator's view (nova-manage), not the APIs'."""
        return self._by_host(context, queries, 'get_statistics', [], any_project)

    def get_rates(self, context, queries, any_project=False):
        """[first, seconds, [rate or None]] of each query {instance_uuid, metric, start,
        end, resolution}, or None."""
        return self._by_host(context, queries, 'get_rates', None, any_project)
