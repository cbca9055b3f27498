"""/v2.0/security-groups and /v2.0/security-group-rules over
nova.network.security_groups: the same groups and rules the Compute API and
EC2 see and the compute hosts' firewalls enforce.

Rules are ingress rules (nova-network lets every packet out): each group shows
the two allow-all egress rules that describe that, which cannot be removed,
and egress rules cannot be added. A rule without a remote allows any address
of its ethertype. Rule ids are derived from the group and the rule (rules
have integer ids underneath).
"""
import ipaddress

from nova import exception
from nova.api.openstack.network import base, faults
from nova.i18n import _
from nova.network import ids
from nova.network import security_groups as groups_api

ETHERTYPES = {'IPv4': 4, 'IPv6': 6}
ANY = {4: '0.0.0.0/0', 6: '::/0'}
RULE_FIELDS = ('security_group_id', 'direction', 'ethertype', 'protocol', 'port_range_min',
               'port_range_max', 'remote_ip_prefix', 'remote_group_id', 'description',
               'project_id', 'tenant_id', 'remote_address_group_id')
GROUP_FIELDS = ('name', 'description', 'project_id', 'tenant_id', 'stateful')


def _rule_view(group, rule_id, direction, ethertype, protocol, port_min, port_max,
               remote_ip_prefix, remote_group_id, at):
    return {'id': rule_id, 'security_group_id': group.uuid, 'direction': direction,
            'ethertype': ethertype, 'protocol': protocol, 'port_range_min': port_min,
            'port_range_max': port_max, 'remote_ip_prefix': remote_ip_prefix,
            'remote_group_id': remote_group_id, 'remote_address_group_id': None,
            'normalized_cidr': remote_ip_prefix, 'description': '',
            'project_id': group.project_id, 'tenant_id': group.project_id,
            'created_at': base.timestamp(at.created_at),
            'updated_at': base.timestamp(at.updated_at or at.created_at),
            'revision_number': 0, 'tags': []}


def rule_views(group):
    views = [_rule_view(group, ids.rule_id(group.uuid, 'egress-%s' % ethertype), 'egress',
                        ethertype, None, None, None, None, None, group)
             for ethertype in ETHERTYPES]
    for rule in group.rules:
        protocol = None if rule.protocol == '-1' else rule.protocol
        port_min = port_max = None
        if protocol in ('tcp', 'udp'):
            port_min, port_max = rule.from_port, rule.to_port
        elif protocol == 'icmp':
            port_min = None if rule.from_port == -1 else rule.from_port
            port_max = None if rule.to_port == -1 else rule.to_port
        ethertype = 'IPv6' if ':' in (rule.cidr or '') else 'IPv4'
        views.append(_rule_view(group, ids.rule_id(group.uuid, rule.id), 'ingress',
                                ethertype, protocol, port_min, port_max, rule.cidr or None,
                                rule.source_group_uuid or None, rule))
    return views


def group_view(group):
    view = {'id': group.uuid, 'name': group.name, 'description': group.description or '',
            'project_id': group.project_id, 'tenant_id': group.project_id,
            'security_group_rules': rule_views(group), 'stateful': True, 'shared': False}
    view.update(base.standard_attributes(group))
    return view


class SecurityGroupController:
    def __init__(self):
        self.api = groups_api.SecurityGroupAPI()

    def _get(self, context, group_id):
        try:
            return self.api.get(context, group_id)
        except exception.SecurityGroupNotFound:
            raise faults.not_found('SecurityGroup', group_id) from None

    def index(self, req):
        context = req.context
        base.authorize(context, 'get_security_group')
        groups = self.api.list(context, all_projects=context.is_admin)
        return base.ok(base.listing(req, [group_view(g) for g in groups], 'SecurityGroup',
                                    'security_groups'))

    def show(self, req, id):
        group = self._get(req.context, id)
        base.authorize(req.context, 'get_security_group', group.project_id)
        return base.ok({'security_group': base.shown(req, group_view(group))})

    def create(self, req):
        context = req.context
        values = base.only(base.body(req, 'security_group'), GROUP_FIELDS, 'security_group')
        project_id = values.get('project_id') or values.get('tenant_id') or context.project_id
        base.authorize(context, 'create_security_group', project_id)
        if project_id != context.project_id:
            raise faults.bad_request(_('A security group is made in the project of the '
                                     'request here'))
        if base.boolean(values, 'stateful', True) is False:
            raise faults.bad_request(_('Security groups here are stateful'))
        name = base.text(values, 'name', '')
        if not name:
            raise faults.bad_request(_('A security group needs a name here'))
        group = self.api.create(context, name, base.text(values, 'description', ''))
        return base.ok({'security_group': group_view(group)}, 201)

    def update(self, req, id):
        context = req.context
        group = self._get(context, id)
        base.authorize(context, 'update_security_group', group.project_id)
        values = base.only(base.body(req, 'security_group'), ('name', 'description',
                                                              'stateful'), 'security_group')
        if base.boolean(values, 'stateful', True) is False:
            raise faults.bad_request(_('Security groups here are stateful'))
        group = self.api.update(context, group, name=base.text(values, 'name'),
                                description=base.text(values, 'description'))
        return base.ok({'security_group': group_view(self._get(context, group.uuid))})

    def delete(self, req, id):
        context = req.context
        group = self._get(context, id)
        base.authorize(context, 'delete_security_group', group.project_id)
        self.api.destroy(context, group, drop_referencing_rules=True, default_by_admin=True)
        return base.ok(None, 204)


class SecurityGroupRuleController:
    def __init__(self):
        self.api = groups_api.SecurityGroupAPI()

    def _views(self, context):
        groups = self.api.list(context, all_projects=context.is_admin)
        return [rule for group in groups for rule in rule_views(group)]

    def _find(self, context, rule_id):
        for view in self._views(context):
            if view['id'] == rule_id:
                return view
        raise faults.not_found('SecurityGroupRule', rule_id)

    def index(self, req):
        base.authorize(req.context, 'get_security_group_rule')
        return base.ok(base.listing(req, self._views(req.context), 'SecurityGroupRule',
                                    'security_group_rules'))

    def show(self, req, id):
        view = self._find(req.context, id)
        base.authorize(req.context, 'get_security_group_rule', view['project_id'])
        return base.ok({'security_group_rule': base.shown(req, view)})

    def create(self, req):
        context = req.context
        values = base.only(base.body(req, 'security_group_rule'), RULE_FIELDS,
                           'security_group_rule')
        group_id = values.get('security_group_id')
        if not group_id:
            raise faults.bad_request(_('A rule needs its security_group_id'))
        try:
            group = self.api.get(context, group_id)
        except exception.SecurityGroupNotFound:
            raise faults.not_found('SecurityGroup', group_id) from None
        base.authorize(context, 'create_security_group_rule', group.project_id)
        rule = self._rule(context, group, values)
        try:
            [row] = self.api.add_rules(context, group, [rule])
        except exception.SecurityGroupNotFound:
            raise faults.not_found('SecurityGroup', values.get('remote_group_id')) from None
        except exception.SecurityGroupRuleExists:
            raise faults.conflict('SecurityGroupRuleExists', _('Security group rule already '
                                  'exists in group %s.') % group.uuid) from None
        return base.ok({'security_group_rule': self._find(
            context, ids.rule_id(group.uuid, row.id))}, 201)

    @staticmethod
    def _rule(context, group, values):
        """The stored form of a Neutron rule (groups_api.validate_rule), or 400."""
        direction = values.get('direction')
        if direction not in ('ingress', 'egress'):
            raise faults.bad_request(_("Invalid input for direction. Reason: '%s' is not in "
                                     "['ingress', 'egress'].") % direction)
        ethertype = values.get('ethertype') or 'IPv4'
        if ethertype not in ETHERTYPES:
            raise faults.bad_request(_("Invalid input for ethertype. Reason: '%s' is not in "
                                     "['IPv4', 'IPv6'].") % ethertype)
        version = ETHERTYPES[ethertype]
        prefix, remote_group = values.get('remote_ip_prefix'), values.get('remote_group_id')
        if prefix and remote_group:
            raise faults.bad_request(_('Only remote_ip_prefix or remote_group_id may be '
                                     'provided.'))
        if remote_group and version != 4:
            raise faults.bad_request(_('A remote group stands for its members\' IPv4 '
                                     'addresses here: use ethertype IPv4'))
        if prefix:
            try:
                network = ipaddress.ip_network(prefix, strict=False)
            except ValueError:
                raise faults.bad_request(_("Invalid input for remote_ip_prefix. Reason: '%s' "
                                         'is not a valid IP prefix.') % prefix) from None
            if network.version != version:
                raise faults.bad_request(_('Conflicting value ethertype %s for CIDR %s')
                                         % (ethertype, prefix))
        if direction == 'egress':
            if values.get('protocol') is None and not values.get('port_range_min') and \
                    prefix in (None, ANY[version]) and not remote_group:
                raise faults.conflict('SecurityGroupRuleExists', _('Security group rule '
                                      'already exists: every egress is allowed here.'))
            raise faults.bad_request(_('Egress is not filtered here (every packet may leave): '
                                     'only ingress rules can be added.'))
        protocol = values.get('protocol')
        protocol = '-1' if protocol in (None, 'any') else str(protocol)
        port_min, port_max = values.get('port_range_min'), values.get('port_range_max')
        if groups_api.PROTOCOLS.get(protocol.lower()) in ('tcp', 'udp'):
            if port_min is None and port_max is None:
                port_min, port_max = 1, 65535
            elif port_min is None or port_max is None:
                port_min = port_max = port_min if port_max is None else port_max
            try:
                if int(port_min) > int(port_max):
                    raise faults.NeutronError(400, 'SecurityGroupInvalidPortRange',
                                              _('For TCP/UDP protocols, port_range_min must '
                                              'be <= port_range_max'))
            except (TypeError, ValueError):
                pass  # validate_rule names the field
        elif groups_api.PROTOCOLS.get(protocol.lower()) == '-1' and (port_min or port_max):
            raise faults.bad_request(_('Port ranges need a protocol (tcp, udp or icmp)'))
        try:
            return groups_api.validate_rule(protocol, port_min, port_max,
                                            cidr=None if remote_group else (prefix or
                                                                             ANY[version]),
                                            source_group_uuid=remote_group)
        except exception.Invalid as error:
            raise faults.NeutronError(400, 'SecurityGroupInvalidPortRange'
                                      if 'port' in error.format_message() else 'InvalidInput',
                                      error.format_message()) from None

    def delete(self, req, id):
        context = req.context
        view = self._find(context, id)
        base.authorize(context, 'delete_security_group_rule', view['project_id'])
        if view['direction'] == 'egress':
            raise faults.conflict('SecurityGroupRuleInUse', _('Egress is always allowed here: '
                                  'its rules cannot be removed.'))
        group = self.api.get(context, view['security_group_id'])
        rule = next(r for r in group.rules if ids.rule_id(group.uuid, r.id) == id)
        try:
            self.api.remove_rule(context, rule)
        except exception.SecurityGroupRuleNotFound:
            raise faults.not_found('SecurityGroupRule', id) from None
        return base.ok(None, 204)
