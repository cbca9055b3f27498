"""The public security group API: groups per project and their ingress rules.

Rules are stored and checked here (names, protocols, ports, CIDRs, who
references whom); compute hosts enforce them (nova.network.firewall), told to
rebuild their firewall by a fanout whenever rules or members change;
``firewall_specs`` is what a host's driver gets. Every project
has a 'default' group, made the first time the project's groups are read or
an instance names it, as classic Nova's nova-network did.
"""
import ipaddress

from nova import exception
from nova import quota
from nova.compute import rpcapi as compute_rpcapi
from nova.db import api as db
from nova.network import model as network_model

DEFAULT = 'default'
PROTOCOLS = {'tcp': 'tcp', '6': 'tcp', 'udp': 'udp', '17': 'udp', 'icmp': 'icmp', '1': 'icmp',
             '-1': '-1', 'all': '-1'}
MAX_NAME = 255


def _invalid(reason):
    return exception.InvalidInput(reason=reason)


def _text(field, value, allow_empty=False):
    if not isinstance(value, str) or (not value and not allow_empty) or len(value) > MAX_NAME:
        raise _invalid('%s must be 1 to %d characters' % (field, MAX_NAME))
    if not value.isascii() or not value.isprintable():
        raise _invalid('%s must be printable ASCII' % field)
    return value


def _port(field, value, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _invalid('%s must be an integer, not %r' % (field, value)) from None
    if not low <= number <= high:
        raise _invalid('%s must be between %d and %d, not %d' % (field, low, high, number))
    return number


def validate_rule(protocol, from_port=None, to_port=None, cidr=None, source_group_uuid=None,
                  canonical_cidr=True):
    """The stored form of one ingress rule: a dict of nova.db.security_groups.RULE_FIELDS.

    A CIDR with host bits (10.2.3.124/24) is stored as its network (EC2), or
    as given when not canonical_cidr (Nova's API shows the rule as created).
    """
    proto = PROTOCOLS.get(str(protocol).lower())
    if proto is None:
        raise _invalid('protocol must be tcp, udp, icmp or -1, not %r' % (protocol,))
    if proto in ('tcp', 'udp'):
        if from_port is None or to_port is None:
            raise _invalid('%s rules need a from port and a to port' % proto)
        low, high = _port('from port', from_port, 0, 65535), _port('to port', to_port, 0, 65535)
        if low > high:
            raise _invalid('from port %d is greater than to port %d' % (low, high))
    elif proto == 'icmp':
        low = _port('icmp type', -1 if from_port is None else from_port, -1, 255)
        high = _port('icmp code', -1 if to_port is None else to_port, -1, 255)
    else:
        low = high = -1
    if bool(cidr) == bool(source_group_uuid):
        raise _invalid('a rule allows either a CIDR or a source group')
    if cidr:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
            cidr = str(network) if canonical_cidr or '/' not in str(cidr) else str(cidr)
        except ValueError:
            raise _invalid('%r is not a CIDR' % (cidr,)) from None
    return {'protocol': proto, 'from_port': low, 'to_port': high, 'cidr': cidr or '',
            'source_group_uuid': source_group_uuid or ''}


class SecurityGroupAPI:
    """Groups of the caller's project (an admin may name another project)."""

    def ensure_default(self, context, project_id=None):
        project_id = project_id or context.project_id
        try:
            return db.security_group_get_by_name(context, project_id, DEFAULT)
        except exception.SecurityGroupNotFound:
            pass
        try:
            return db.security_group_create(context, {
                'name': DEFAULT, 'description': 'default', 'project_id': project_id,
                'user_id': context.user_id})
        except exception.SecurityGroupExists:  # a concurrent request made it
            return db.security_group_get_by_name(context, project_id, DEFAULT)

    def list(self, context, all_projects=False):
        """The project's groups, 'default' first made if missing."""
        self.ensure_default(context)
        project_id = None if (all_projects and context.is_admin) else context.project_id
        return db.security_group_get_all(context, project_id)

    def for_instance(self, context, instance):
        """The groups an instance is in, in the order it names them."""
        self.ensure_default(context, instance.project_id)
        groups = {g.name: g for g in db.security_group_get_all(context, instance.project_id)}
        return [groups[name] for name in instance.security_groups or [] if name in groups]

    def get(self, context, group_uuid):
        """A group of the caller's project; another project's is NotFound."""
        group = db.security_group_get(context, group_uuid)
        if group.project_id != context.project_id and not context.is_admin:
            raise exception.SecurityGroupNotFound(group=group_uuid)
        return group

    def get_by_name(self, context, name):
        """A group of the caller's project by name, or by id: clients that find groups
        through the network API (openstack server create --security-group) send ids."""
        if name == DEFAULT:
            return self.ensure_default(context)
        try:
            return db.security_group_get_by_name(context, context.project_id, name)
        except exception.SecurityGroupNotFound:
            group = next((g for g in db.security_group_get_all(context, context.project_id)
                          if g.uuid == name), None)
            if group is None:
                raise
            return group

    def create(self, context, name, description):
        _text('group name', name)
        _text('group description', description, allow_empty=True)
        if name == DEFAULT:
            raise exception.SecurityGroupExists(project_id=context.project_id, name=name)
        quota.check_network_limit(context, context.project_id, 'security_groups',
                                  len(self.list(context)))
        return db.security_group_create(context, {
            'name': name, 'description': description, 'project_id': context.project_id,
            'user_id': context.user_id})

    def update(self, context, group, name=None, description=None):
        """Rename or redescribe a group. Instances name their groups, so a group
        in use keeps its name, and 'default' keeps its own."""
        values = {}
        if description is not None:
            values['description'] = _text('group description', description, allow_empty=True)
        if name is not None and name != group.name:
            _text('group name', name)
            if DEFAULT in (group.name, name):
                raise _invalid("no group can be renamed from or to '%s'" % DEFAULT)
            users = self._instances_using(context, group)
            if users:
                raise exception.SecurityGroupInUse(
                    group=group.name, reason='%d instance(s) use it; it keeps its name'
                    % len(users))
            values['name'] = name
        return db.security_group_update(context, group.uuid, values) if values else group

    def destroy(self, context, group, drop_referencing_rules=False, default_by_admin=False):
        """Delete a group no instance uses. A rule of another group that names
        it as source refuses the delete (EC2's DependencyViolation), or goes with
        it when drop_referencing_rules (the OpenStack API's behaviour). 'default'
        only goes when default_by_admin and the caller is an admin (Neutron's
        rule: a project's cleanup; the next use makes it again)."""
        if group.name == DEFAULT and not (default_by_admin and context.is_admin):
            raise exception.SecurityGroupCannotDelete(group=group.name)
        users = self._instances_using(context, group)
        if users:
            raise exception.SecurityGroupInUse(group=group.name, reason='%d instance(s) use it'
                                               % len(users))
        if not drop_referencing_rules and db.security_group_in_use(context, group.uuid):
            raise exception.SecurityGroupInUse(group=group.name,
                                               reason="another group's rule refers to it")
        db.security_group_destroy(context, group.uuid,
                                  drop_referencing_rules=drop_referencing_rules)
        if drop_referencing_rules:
            refresh_hosts(context)

    def _instances_using(self, context, group):
        return [i for i in db.instance_get_all_by_filters(
            context, {'project_id': group.project_id, 'deleted': False})
            if group.name in (i.security_groups or [])]

    def add_rules(self, context, group, rules):
        """Add validated rules (validate_rule's dicts) all or none; a duplicate is
        SecurityGroupRuleExists (the unique key decides, also between concurrent
        calls). The new rules."""
        self._check_sources(context, group, rules)
        used = sum(len(g.rules) for g in db.security_group_get_all(context, group.project_id))
        quota.check_network_limit(context, group.project_id, 'security_group_rules', used,
                                  more=len(rules))
        created = db.security_group_rule_create_many(context, group.id, rules)
        refresh_hosts(context)
        return created

    def remove_rules(self, context, group, rules):
        db.security_group_rule_destroy_many(context, group.id, rules)
        refresh_hosts(context)

    def get_rule(self, context, rule_id):
        """(rule, group) of the caller's project by rule id; else SecurityGroupRuleNotFound."""
        rule, group = db.security_group_rule_get(context, rule_id)
        if group.project_id != context.project_id and not context.is_admin:
            raise exception.SecurityGroupRuleNotFound()
        return rule, group

    def remove_rule(self, context, rule):
        """Delete a rule get_rule gave (SecurityGroupRuleNotFound if gone meanwhile)."""
        db.security_group_rule_destroy(context, rule.id)
        refresh_hosts(context)

    def check_names(self, context, names):
        """The names of the groups an instance may be created in (each named, or given
        by id, must exist in the project)."""
        return [self.get_by_name(context, name).name for name in names]

    def _check_sources(self, context, group, rules):
        for rule in rules:
            if rule['source_group_uuid']:
                source = self.get(context, rule['source_group_uuid'])
                if source.project_id != group.project_id:
                    raise exception.SecurityGroupNotFound(group=rule['source_group_uuid'])


def refresh_hosts(context):
    """Rules or members changed: every compute host rebuilds its firewall (fanout)."""
    compute_rpcapi.ComputeAPI().refresh_security_groups(context)


def firewall_specs(context, instances, network_info):
    """What a compute host's firewall driver enforces for instances (see
    nova.network.firewall): each instance's fixed IPs, DHCP servers and network
    CIDRs, and the rules of its groups with source groups resolved to the fixed
    IPs of their members. A few queries whatever the number of instances."""
    projects = sorted({i.project_id for i in instances})
    groups = {}
    for project_id in projects:
        for group in db.security_group_get_all(context, project_id):
            groups[(project_id, group.name)] = group
    by_uuid = {group.uuid: group for group in groups.values()}
    sources = {rule.source_group_uuid for group in groups.values() for rule in group.rules
               if rule.source_group_uuid}
    members = _member_ips(context, [by_uuid[u] for u in sources if u in by_uuid])
    specs = []
    for instance in instances:
        info = network_info.get(instance.uuid) or []
        subnets = [subnet for vif in info for subnet in vif['network']['subnets']
                   if subnet['version'] == 4]
        rules = []  # per group, in the order the instance names them
        for name in instance.security_groups or []:
            group = groups.get((instance.project_id, name))
            rules.append([{'protocol': rule.protocol, 'from_port': rule.from_port,
                           'to_port': rule.to_port,
                           'sources': [rule.cidr] if rule.cidr else
                           ['%s/32' % ip for ip in sorted(members.get(rule.source_group_uuid,
                                                                      []))]}
                          for rule in (group.rules if group else ())])
        specs.append({'id': instance.id, 'uuid': instance.uuid,
                      'ips': network_model.fixed_ips(info, version=4),
                      'dhcp_servers': sorted({s['dhcp_server'] for s in subnets
                                              if s['dhcp_server']}),
                      'networks': sorted({s['cidr'] for s in subnets}), 'groups': rules})
    return specs


def _member_ips(context, groups):
    """{group uuid: [fixed IPv4 of its live members]} (two queries)."""
    if not groups:
        return {}
    projects = sorted({g.project_id for g in groups})
    instances = db.instance_records_by_filters(context, {'project_id': projects,
                                                         'deleted': False})
    names = {(g.project_id, g.name): g.uuid for g in groups}
    member_of = {}
    for instance in instances:
        for name in instance.security_groups or []:
            group_uuid = names.get((instance.project_id, name))
            if group_uuid:
                member_of.setdefault(instance.uuid, []).append(group_uuid)
    result = {g.uuid: [] for g in groups}
    if member_of:
        for row in db.fixed_ip_get_all(context, instance_uuids=list(member_of)):
            if row.allocated and ':' not in row.address:
                for group_uuid in member_of[row.instance_uuid]:
                    result[group_uuid].append(row.address)
    return result
