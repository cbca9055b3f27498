"""Security group actions, through nova.network.security_groups (which owns the rules).

A permission (IpPermissions.N, or the flat IpProtocol/FromPort/ToPort/CidrIp
of older clients) becomes one stored rule per CIDR and per source group; a
permission naming neither allows 0.0.0.0/0, as classic Nova did. Describe
gathers rules of the same protocol and ports back into one permission.
"""
from nova.api.ec2 import faults, filters, ids
from nova.api.ec2.actions import MEMBER, READER, action
from nova.api.ec2.params import Params
from nova.i18n import _
from nova.network import security_groups as sg_api


def _group(call, prefix=''):
    """The group named by <prefix>GroupId or <prefix>GroupName."""
    group_id = call.params.get(prefix + 'GroupId')
    if group_id:
        return call.apis.security_groups.get(call.context,
                                             ids.to_uuid(call.context, group_id, ('sg',)))
    return call.apis.security_groups.get_by_name(call.context,
                                                 call.params.required(prefix + 'GroupName'))


@action('CreateSecurityGroup', MEMBER)
def create_security_group(call):
    group = call.apis.security_groups.create(call.context, call.params.required('GroupName'),
                                             call.params.required('GroupDescription'))
    return {'return': True, 'groupId': ids.ec2_id(call.context, 'sg', group.uuid)}


@action('DeleteSecurityGroup', MEMBER)
def delete_security_group(call):
    call.apis.security_groups.destroy(call.context, _group(call))
    return {'return': True}


def _source(call, pair):
    if pair.get('GroupId'):
        return ids.to_uuid(call.context, pair.get('GroupId'), ('sg',))
    return call.apis.security_groups.get_by_name(call.context,
                                                 pair.required('GroupName')).uuid


def _rules(call):
    permissions = call.params.dicts('IpPermissions')
    if not permissions and call.params.get('IpProtocol'):
        flat = call.params
        legacy = {'IpProtocol': flat.get('IpProtocol'), 'FromPort': flat.get('FromPort'),
                  'ToPort': flat.get('ToPort')}
        if flat.get('CidrIp'):
            legacy['IpRanges'] = [{'CidrIp': flat.get('CidrIp')}]
        if flat.get('SourceSecurityGroupName'):
            legacy['Groups'] = [{'GroupName': flat.get('SourceSecurityGroupName')}]
        permissions = [Params(legacy)]
    if not permissions:
        raise faults.missing('IpPermissions')
    rules = []
    for perm in permissions:
        protocol = perm.required('IpProtocol')
        ports = (perm.get('FromPort'), perm.get('ToPort'))
        cidrs = [r.required('CidrIp') for r in perm.dicts('IpRanges')] + [
            r.required('CidrIpv6') for r in perm.dicts('Ipv6Ranges')]
        sources = [_source(call, pair) for pair in perm.dicts('Groups')]
        if not cidrs and not sources:
            cidrs = ['0.0.0.0/0']
        rules += [sg_api.validate_rule(protocol, *ports, cidr=cidr) for cidr in cidrs]
        rules += [sg_api.validate_rule(protocol, *ports, source_group_uuid=source)
                  for source in sources]
    return rules


@action('AuthorizeSecurityGroupIngress', MEMBER)
def authorize_security_group_ingress(call):
    call.apis.security_groups.add_rules(call.context, _group(call), _rules(call))
    return {'return': True}


@action('RevokeSecurityGroupIngress', MEMBER)
def revoke_security_group_ingress(call):
    call.apis.security_groups.remove_rules(call.context, _group(call), _rules(call))
    return {'return': True}


def _permissions(group, groups_by_uuid, group_ids):
    """Rules gathered by (protocol, ports) into EC2 permissions."""
    gathered = {}
    for rule in group.rules:
        key = (rule.protocol, rule.from_port, rule.to_port)
        perm = gathered.setdefault(key, {
            'ipProtocol': rule.protocol,
            'fromPort': None if rule.protocol == '-1' else rule.from_port,
            'toPort': None if rule.protocol == '-1' else rule.to_port,
            'groups': [], 'ipRanges': [], 'ipv6Ranges': []})
        if rule.source_group_uuid:
            source = groups_by_uuid.get(rule.source_group_uuid)
            perm['groups'].append({'userId': source.project_id if source else None,
                                   'groupId': group_ids.get(rule.source_group_uuid),
                                   'groupName': source.name if source else None})
        elif ':' in rule.cidr:
            perm['ipv6Ranges'].append({'cidrIpv6': rule.cidr})
        else:
            perm['ipRanges'].append({'cidrIp': rule.cidr})
    return list(gathered.values())


@action('DescribeSecurityGroups', READER)
def describe_security_groups(call):
    groups = call.apis.security_groups.list(call.context)
    group_ids = ids.ec2_ids(call.context, 'sg', [g.uuid for g in groups])
    by_uuid = {g.uuid: g for g in groups}
    names, wanted_ids = call.params.strings('GroupName'), call.params.strings('GroupId')
    if names or wanted_ids:
        uuids = {gid: ids.to_uuid(call.context, gid, ('sg',)) for gid in wanted_ids}
        missing = sorted(set(names) - {g.name for g in groups}) + sorted(
            gid for gid, uuid in uuids.items() if uuid not in by_uuid)
        if missing:
            raise faults.Ec2Error('InvalidGroup.NotFound', _("The security group '%s' does "
                                    'not exist') % ', '.join(missing))
        groups = [g for g in groups if g.name in names or g.uuid in uuids.values()]
    match = filters.matcher(call.params.filters(), {
        'group-name': lambda g: g.name, 'group-id': lambda g: group_ids[g.uuid],
        'description': lambda g: g.description, 'owner-id': lambda g: g.project_id,
        'ip-permission.protocol': lambda g: [r.protocol for r in g.rules],
        'ip-permission.cidr': lambda g: [r.cidr for r in g.rules if r.cidr],
        'ip-permission.from-port': lambda g: [r.from_port for r in g.rules],
        'ip-permission.to-port': lambda g: [r.to_port for r in g.rules],
    })
    return {'securityGroupInfo': [{
        'ownerId': g.project_id, 'groupId': group_ids[g.uuid], 'groupName': g.name,
        'groupDescription': g.description,
        'ipPermissions': _permissions(g, by_uuid, group_ids),
        'ipPermissionsEgress': []} for g in groups if match(g)]}
