"""This host's side of security groups: the firewall rebuilt when anything changes.

After builds and deletes here, on start, and when told by a fanout (rules or
group members changed anywhere), the host reads what its instances may
receive (nova.network.security_groups.firewall_specs) and hands it to the
--firewall_driver, which applies it whole. With the Noop driver (the
embedded default) nothing is read. When an instance that is a member of a
group some rule names as source comes or goes, every host is told.
"""
import logging

import eventlet.semaphore

from nova.db import api as db
from nova.i18n import _LE
from nova.network import firewall
from nova.network import security_groups

LOG = logging.getLogger(__name__)


class HostFirewall:
    def __init__(self, host, network_api, driver=None):
        self.host = host
        self.network_api = network_api
        self.driver = driver or firewall.load_firewall_driver()
        self._lock = eventlet.semaphore.Semaphore()  # one rebuild at a time

    def refresh(self, context, arriving=()):
        """Apply the rules of every instance on this host, and of ``arriving`` ones
        (a live migration's guest, whose instance is still the source's until it runs
        here, must find its rules in place)."""
        if not self.driver.enforces:
            return
        with self._lock:
            instances = [i for i in db.instance_get_all_by_host(context, self.host)
                         if i.vm_state != 'deleted']
            here = {i.uuid for i in instances}
            instances += [i for i in arriving if i.uuid not in here]
            network_info = self.network_api.get_instances_nw_info(
                context, [i.uuid for i in instances])
            self.driver.apply(security_groups.firewall_specs(context, instances,
                                                             network_info))

    def instances_changed(self, context, instances):
        """Instances came or went here: rebuild, and tell every host when they are
        members of a group that some rule names as its source."""
        if not self.driver.enforces or not instances:
            return
        try:
            self.refresh(context)
            if self._sources_changed(context, instances):
                security_groups.refresh_hosts(context)
        except Exception:  # noqa: BLE001 -- the instance lives on; the next refresh retries
            LOG.exception(_LE('Could not refresh the firewall of %s'), self.host)

    @staticmethod
    def _sources_changed(context, instances):
        names = {(i.project_id, name) for i in instances for name in i.security_groups or []}
        for project_id in sorted({project for project, _ in names}):
            groups = db.security_group_get_all(context, project_id)
            uuids = {g.uuid for g in groups if (project_id, g.name) in names}
            if any(rule.source_group_uuid in uuids for g in groups for rule in g.rules):
                return True
        return False
