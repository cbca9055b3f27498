"""nova-instancemonitor's manager: samples its host's instances every step and
answers statistics over their archives.

The monitor of host H samples the instances whose host is H: one compute RPC
call (``get_instance_stats``) per step fetches every monitored instance's
counters from the virt driver, and each becomes one archive update. An
instance that left H (deleted, or moved to another host) has its archive moved
aside and kept --monitor_keep_deleted_days. Restarting the monitor loses
nothing but the samples of its downtime: the archives hold the last counters,
so the first sample after a restart continues the series.
"""
import logging
import time

import eventlet

from nova import exception
from nova import manager
from nova.compute import rpcapi as compute_rpcapi
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _LE, _LW
from nova.monitor import archives, metrics, rpcapi, statistics

LOG = logging.getLogger(__name__)


class InstanceMonitorManager(manager.Manager):
    RPC_API = rpcapi.InstanceMonitorAPI

    def __init__(self, host=None, service_name=None):
        super().__init__(host, service_name)
        self.store = archives.ArchiveStore(CONF.monitor_path, self.host,
                                           CONF.monitoring_instances_step)
        self.compute_rpcapi = compute_rpcapi.ComputeAPI()
        self._sampling_failed = False
        self.publisher = None  # set by init_host when publishing is on
        self._publishing = None  # the green thread of the round of publishing under way

    def init_host(self):
        if CONF.monitor_graph_interval:
            from nova.monitor import publisher
            self.publisher = publisher.GraphPublisher(self.host, self.store)

    # -- sampling ---------------------------------------------------------------------
    @manager.periodic_task(spacing='monitoring_instances_step', run_immediately=True)
    def sample_instances(self, context):
        """Record one sample of every monitored instance of this host; retire the
        archives of instances that left it. Returns how many were recorded."""
        rows = db.instance_monitoring_rows(context, host=self.host)
        wanted = [row.uuid for row in rows if metrics.monitoring_enabled(row.monitoring)]
        recorded = 0
        if wanted:
            before = time.time()
            try:
                stats = self.compute_rpcapi.get_instance_stats(
                    context, self.host, wanted, timeout=CONF.monitor_rpc_timeout)
            except exception.NovaException as e:
                log = LOG.debug if self._sampling_failed else LOG.warning
                log(_LW('No counters from compute host %s this step: %s'), self.host, e)
                self._sampling_failed = True
                stats = {}
            else:
                if self._sampling_failed:
                    LOG.info('Counters from compute host %s again', self.host)
                self._sampling_failed = False
            fallback = (before + time.time()) / 2  # for a driver that gives no read_at
            for instance_uuid, values in stats.items():
                recorded += self.store.update(instance_uuid, values.get('read_at') or fallback,
                                              metrics.counters(values))
        self._retire(context, {row.uuid for row in rows})
        return recorded

    def _retire(self, context, here):
        """Archives of instances no longer on this host: kept aside, or removed."""
        for instance_uuid in self.store.live_uuids() - here:
            if CONF.monitor_keep_deleted_days:
                self.store.archive(instance_uuid)
                LOG.info('Instance %s left host %s: its archive is kept %d days',
                         instance_uuid, self.host, CONF.monitor_keep_deleted_days)
            else:
                self.store.remove(instance_uuid)
                LOG.info('Instance %s left host %s: its archive is removed',
                         instance_uuid, self.host)

    @manager.periodic_task(spacing=600, run_immediately=True)
    def purge_deleted_archives(self, context):
        removed = self.store.purge(CONF.monitor_keep_deleted_days * 86400)
        for instance_uuid in removed:
            LOG.info('Archive of deleted instance %s removed after %d days', instance_uuid,
                     CONF.monitor_keep_deleted_days)
        return removed

    @manager.periodic_task(spacing='monitor_graph_interval')
    def publish_graphs(self, context):
        """Start a round of publishing beside the periodic tasks, unless the last one is
        still under way: a round renders and uploads many graphs, and inside the
        periodic loop it would hold back the next samples (past the archives'
        heartbeat, a gap in every series of the host)."""
        if self.publisher is None:
            return None
        if self._publishing is not None and not self._publishing.dead:
            return None
        self._publishing = eventlet.spawn(self._publish, context)
        return self._publishing

    def _publish(self, context):
        try:
            return self.publisher.publish(context)
        except Exception:  # logged like a periodic task's failure; the next round retries
            LOG.exception(_LE('Publishing the graphs of host %s failed'), self.host)
            return 0

    # -- RPC ----------------------------------------------------------------------------
    def get_statistics(self, context, queries):
        return statistics.answer_statistics(self.store, queries)

    def get_rates(self, context, queries):
        return statistics.answer_rates(self.store, queries)
