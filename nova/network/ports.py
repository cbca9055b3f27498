"""Ports: an instance's virtual interfaces, and the ones users make before
binding them to a server (network API ``ports``, server create ``port``,
os-interface).

A port a user made outlives the server it is bound to (it is unbound when the
server goes or detaches it); the ones nova-compute made for a server go with
it. A port's project owns it; others see NotFound. A bound port shows its
server's security groups; an unbound one keeps the groups it was given, which
its server gets when it boots with it.
"""
import json

from nova import exception
from nova import quota
from nova.conf import CONF
from nova.db import api as db
from nova.network import api as network_api
from nova.network import ranges
from nova.network import security_groups

DEVICE_OWNER_COMPUTE = 'compute:nova'


def port_dict(vif, network, addresses, instance=None, groups=None):
    """A port as the front ends show it. groups: {name: uuid} of its project."""
    if instance is not None:
        names = instance.security_groups or []
        group_ids = [groups[n] for n in names if n in (groups or {})]
    else:
        group_ids = json.loads(vif.security_groups or '[]')
    return {'id': vif.uuid, 'name': vif.name or '', 'description': vif.description or '',
            'network_id': network.uuid, 'network_cidr_v6': network.cidr_v6,
            'project_id': vif.project_id, 'mac_address': vif.address,
            'device_id': vif.instance_uuid or '', 'device_owner': vif.device_owner or '',
            'fixed_ips': list(addresses), 'security_groups': group_ids,
            'host': instance.host if instance is not None else None,
            'bound': vif.instance_uuid is not None,
            'preserve_on_delete': bool(vif.preserve_on_delete),
            'created_at': vif.created_at, 'updated_at': vif.updated_at,
            'revision_number': vif.revision_number}


class PortAPI:
    def __init__(self):
        self.network_api = network_api.API()
        self.groups_api = security_groups.SecurityGroupAPI()

    def _dicts(self, context, rows):
        held = sorted({vif.instance_uuid for vif, _n, _a in rows if vif.instance_uuid})
        instances = {}
        if held:
            instances = {i.uuid: i for i in db.instance_records_by_filters(
                context.elevated(), {'uuid': held, 'deleted': False})}
        groups = {}
        for project_id in sorted({instances[u].project_id for u in instances}):
            self.groups_api.ensure_default(context, project_id)  # instances name it
            groups[project_id] = {g.name: g.uuid for g in db.security_group_get_all(
                context, project_id)}
        dicts = []
        for vif, network, addresses in rows:
            instance = instances.get(vif.instance_uuid)
            dicts.append(port_dict(vif, network, addresses, instance,
                                   groups.get(instance.project_id) if instance else None))
        return dicts

    def get_all(self, context, instance_uuids=None):
        """The ports the caller may see (an admin: all), optionally of instances."""
        project_id = None if context.is_admin else context.project_id
        return self._dicts(context, db.port_get_all(context, project_id=project_id,
                                                    instance_uuids=instance_uuids))

    def get(self, context, port_uuid):
        """One port of the caller's project (admins: any); PortNotFound otherwise."""
        project_id = None if context.is_admin else context.project_id
        rows = db.port_get_all(context, project_id=project_id, port_uuids=[port_uuid])
        if not rows:
            raise exception.PortNotFound(port_id=port_uuid)
        return self._dicts(context, rows)[0]

    def _groups(self, context, group_uuids):
        return [self.groups_api.get(context, uuid).uuid for uuid in group_uuids or []]

    def create(self, context, network_uuid, fixed_ip=None, name='', description='',
               security_group_uuids=None, project_id=None):
        """An unbound port of a network the caller may use, holding a fixed IP (the
        one asked for, or a free one), within the project's ports quota."""
        network = self.network_api.get_network(context, network_uuid)
        if fixed_ip is not None:
            fixed_ip = ranges.check_address(fixed_ip, 'ip_address', version=4)
            try:
                row = db.fixed_ip_get_by_address(context, fixed_ip)
            except exception.FixedIpNotFoundForAddress:
                row = None
            if row is None or row.network_id != network.id:
                raise exception.FixedIpInvalid(address=fixed_ip, reason='not in network %s'
                                               % network.uuid)
        project_id = project_id or context.project_id
        groups = self._groups(context, security_group_uuids)
        if security_group_uuids is None:
            groups = [self.groups_api.ensure_default(context, project_id).uuid]
        limit = quota.limits_for(context, project_id)['ports']
        vif, _address = db.port_create(context, {
            'project_id': project_id, 'name': name, 'description': description,
            'security_groups': groups}, network.id, fixed_ip, label=network.label,
            mac_prefix=CONF.mac_address_prefix, limit=limit)
        return self.get(context, vif.uuid)

    def update(self, context, port_uuid, name=None, description=None,
               security_group_uuids=None):
        """Rename or redescribe a port; set the groups of an unbound one (a bound
        port has its server's: change those with the server's security groups)."""
        port = self.get(context, port_uuid)
        values = {k: v for k, v in (('name', name), ('description', description))
                  if v is not None}
        if security_group_uuids is not None:
            groups = self._groups(context, security_group_uuids)
            if port['bound']:
                if sorted(groups) != sorted(port['security_groups']):
                    raise exception.PortInUse(port_id=port_uuid,
                                              instance_uuid=port['device_id'])
            else:
                values['security_groups'] = groups
        if values:
            db.port_update(context, port_uuid, values)
        return self.get(context, port_uuid)

    def delete(self, context, port_uuid):
        """Delete an unbound port (PortInUse while a server has it: detach it first)."""
        self.get(context, port_uuid)
        db.port_destroy(context, port_uuid)

    # -- what server create and os-interface ask --------------------------------------
    def bindable(self, context, port_uuid):
        """The port (dict) a server of the caller may be created or attached with:
        its project's and unbound (PortInUse otherwise)."""
        port = self.get(context, port_uuid)
        if port['bound']:
            raise exception.PortInUse(port_id=port_uuid, instance_uuid=port['device_id'])
        return port

    def security_group_names(self, context, port):
        """The names of the groups an unbound port carries (for the server it boots)."""
        by_uuid = {g.uuid: g.name for g in self.groups_api.list(context)}
        return [by_uuid[u] for u in port['security_groups'] if u in by_uuid]
