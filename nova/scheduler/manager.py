"""Scheduler manager: places instances on compute hosts and volumes on volume hosts.

Host state lives in memory (nova.scheduler.host_manager): loaded from the DB at
start and every scheduler_refresh_interval seconds, updated by each compute
report in between, so one placement never scans the database. Volume hosts
report their capacity the same way (nova.scheduler.volume_hosts); a starting
scheduler asks them all to report.
"""
import collections
import datetime
import logging

from nova import context as nova_context
from nova import exception
from nova import manager
from nova import servicegroup
from nova import utils
from nova.compute import rpcapi as compute_rpcapi
from nova.compute import task_states, vm_states
from nova.compute import utils as compute_utils
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _LW
from nova.network import api as network_api
from nova.scheduler import driver, rpcapi
from nova.scheduler.host_manager import HostManager
from nova.scheduler.reconciler import Reconciler
from nova.scheduler.volume_hosts import VolumeHostManager
from nova.scheduler.volume_scheduler import VolumeScheduler
from nova.volume import rpcapi as volume_rpcapi

LOG = logging.getLogger(__name__)


def _service_record(service):
    return dict(service.to_dict(), is_up=servicegroup.service_is_up(service))


def aggregate_records(ctxt):
    return [{'id': a.id, 'name': a.name, 'metadata': dict(a.metadetails),
             'hosts': list(a.hosts)} for a in db.aggregate_get_all(ctxt)]


class SchedulerManager(manager.Manager):
    RPC_API = rpcapi.SchedulerAPI

    def __init__(self, host=None, service_name=None):
        super().__init__(host, service_name)
        self.host_manager = HostManager()
        self.driver = driver.load_scheduler(self.host_manager)
        self.compute_rpcapi = compute_rpcapi.ComputeAPI()
        self.reconciler = Reconciler(self.build_instances, self.compute_rpcapi,
                                     network_api.API())
        self.volume_hosts = VolumeHostManager()
        self.volume_scheduler = VolumeScheduler(self.volume_hosts)
        self.volume_rpcapi = volume_rpcapi.VolumeAPI()

    def init_host(self):
        ctxt = nova_context.get_admin_context()
        self._refresh(ctxt)
        self.volume_rpcapi.publish_service_capabilities(ctxt)

    def _refresh(self, ctxt):
        nodes = [n.to_dict() for n in db.compute_node_get_all(ctxt)]
        services = [_service_record(s)
                    for s in db.service_get_all_by_topic(ctxt, CONF.compute_topic)]
        self.host_manager.sync(nodes, services, aggregate_records(ctxt),
                               db.instance_uuids_by_host(ctxt))
        self.volume_hosts.sync_services([
            _service_record(s) for s in db.service_get_all_by_topic(ctxt, CONF.volume_topic)])

    @manager.periodic_task(spacing='scheduler_refresh_interval')
    def refresh_host_states(self, context):
        self._refresh(context)

    @manager.periodic_task(spacing='scheduler_reconcile_interval')
    def reconcile_instances(self, context):
        """Settle instances a lost message or a silent host left (reconciler.py)."""
        self.reconciler.run(context)

    # -- RPC ----------------------------------------------------------------------
    def select_destinations(self, context, request_spec):
        return self.driver.select_destinations(context, self._with_group_hosts(
            context, request_spec))

    def build_instances(self, context, request_spec, instance_uuids):
        """Place a batch; send one message per chosen host, or fail them all."""
        spec = dict(self._with_group_hosts(context, request_spec),
                    instance_uuids=list(instance_uuids), num_instances=len(instance_uuids))
        try:
            selections = self.driver.select_destinations(context, spec)
        except (exception.NoValidHost, exception.InvalidInput) as error:
            LOG.warning(_LW('Cannot place %d instance(s): %s'), len(instance_uuids), error)
            for uuid in instance_uuids:
                self._set_error(context, uuid, error)
            return
        batches = collections.OrderedDict()
        for uuid, selection in zip(instance_uuids, selections):
            key = (selection['host'], selection.get('nodename'))
            batch = batches.setdefault(key, {'uuids': [], 'limits': selection.get('limits')})
            batch['uuids'].append(uuid)
        for (host, _node), batch in batches.items():
            self.compute_rpcapi.build_and_run_instances(
                context, host, batch['uuids'], spec, batch['limits'])

    def update_host_state(self, context, node):
        if isinstance(node.get('updated_at'), str):
            node = dict(node, updated_at=datetime.datetime.strptime(
                node['updated_at'], '%Y-%m-%dT%H:%M:%SZ'))
        if not self.host_manager.service_seen_up(node['host']):
            # a host that started (or restarted after being seen down) since our last
            # refresh: its report says it is alive, so read its service row now
            try:
                self.host_manager.update_service(_service_record(
                    db.service_get_by_host_and_binary(context, node['host'], 'nova-compute')))
            except exception.HostBinaryNotFound:
                LOG.warning(_LW('Report from %s, which runs no nova-compute service'),
                            node['host'])
        self.host_manager.update_from_compute_node(node)

    def update_aggregates(self, context):
        self.host_manager.update_aggregates(aggregate_records(context))

    # -- volumes ------------------------------------------------------------------
    def create_volume(self, context, volume_id, request_spec):
        """Choose a volume host (or set the volume to error, saying why) and cast to it."""
        try:
            host = self.volume_scheduler.select_host(dict(request_spec, volume_id=volume_id))
        except (exception.NoValidHost, exception.InvalidInput) as error:
            LOG.warning(_LW('Cannot place volume %s: %s'), volume_id, error)
            self._set_volume_error(context, volume_id)
            return
        try:
            db.volume_update(context, volume_id, {'host': host, 'scheduled_at': utils.utcnow()},
                             expected_status='creating', reload=False)
        except (exception.VolumeNotFound, exception.InvalidVolume):
            return  # deleted meanwhile
        self.volume_rpcapi.create_volume(context, host, volume_id)

    @staticmethod
    def _set_volume_error(context, volume_id):
        try:
            db.volume_update(context, volume_id, {'status': 'error'},
                             expected_status='creating')
        except (exception.VolumeNotFound, exception.InvalidVolume):
            pass

    def update_volume_stats(self, context, host, stats):
        if not self.volume_hosts.service_seen_up(host):
            # a host that started (or restarted after being seen down) since our last
            # refresh: its report says it is alive, so read its service row now
            try:
                self.volume_hosts.update_service(_service_record(
                    db.service_get_by_host_and_binary(context, host, 'nova-volume')))
            except exception.HostBinaryNotFound:
                LOG.warning(_LW('Volume report from %s, which runs no nova-volume service'), host)
        self.volume_hosts.update_from_report(host, stats)

    # -- helpers ------------------------------------------------------------------
    @staticmethod
    def _with_group_hosts(context, request_spec):
        """Where the server group's members run now (only the DB knows)."""
        group = request_spec.get('instance_group')
        if not group:
            return request_spec
        hosts = db.instance_group_get_member_hosts(context, group['uuid'])
        return dict(request_spec, instance_group=dict(group, hosts=sorted(hosts)))

    @staticmethod
    def _set_error(context, instance_uuid, error):
        compute_utils.add_instance_fault(context, instance_uuid, error)
        try:
            db.instance_update(context, instance_uuid,
                               {'vm_state': vm_states.ERROR, 'task_state': None},
                               expected_task_state=task_states.SCHEDULING)
        except (exception.InstanceNotFound, exception.UnexpectedTaskStateError):
            pass  # deleted or moved on meanwhile
