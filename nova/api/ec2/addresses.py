"""Elastic IPs: AllocateAddress, ReleaseAddress, AssociateAddress,
DisassociateAddress, DescribeAddresses, over nova-network's floating IPs.

Addresses are EC2-Classic ones (domain "standard", named by PublicIp), as
Nova's EC2 API served them. nova.network.api owns the rules; this module
gives AWS's codes: another project's address is InvalidAddress.NotFound
(never "someone else has it"), associating an associated address is
Resource.AlreadyAssociated unless AllowReassociation is true, releasing an
associated one InvalidIPAddress.InUse, an exhausted quota
AddressLimitExceeded.
"""
from nova import exception
from nova.api.ec2 import faults, filters, ids
from nova.api.ec2.actions import action
from nova.i18n import _
from nova.network import api as network_api

RULE = 'os_compute_api:os-floating-ips:%s'
DOMAIN = 'standard'


def _api():
    return network_api.API()


def _not_found(address):
    return faults.Ec2Error('InvalidAddress.NotFound', _("Address '%s' not found.") % address)


def _public_ip(call):
    address = call.params.required('PublicIp')
    if call.params.get('AllocationId') or call.params.get('AssociationId'):
        raise faults.unsupported(_('Addresses here are EC2-Classic ones: name them by PublicIp'))
    return address


def _mine(call, address):
    """The caller's floating IP at address (InvalidAddress.NotFound otherwise)."""
    try:
        return _api().get_floating_ip_by_address(call.context, address)
    except exception.FloatingIpNotFoundForAddress:
        raise _not_found(address) from None
    except exception.Invalid:
        raise faults.invalid_value('PublicIp', address, _('It is not an IP address.')) from None


@action('AllocateAddress', RULE % 'create')
def allocate_address(call):
    domain = call.params.get('Domain') or DOMAIN
    if domain != DOMAIN:
        raise faults.unsupported(_('Only EC2-Classic addresses (Domain standard) are available'))
    try:
        floating = _api().allocate_floating_ip(call.context)
    except exception.OverQuota:
        raise faults.Ec2Error('AddressLimitExceeded',
                              _('The maximum number of addresses has been reached.')) from None
    except (exception.NoMoreFloatingIps, exception.FloatingIpPoolNotFound):
        raise faults.Ec2Error('InsufficientAddressCapacity',
                              _('There are no free addresses to allocate.')) from None
    return {'publicIp': floating['address'], 'domain': DOMAIN}


@action('ReleaseAddress', RULE % 'delete')
def release_address(call):
    address = _public_ip(call)
    _mine(call, address)
    try:
        _api().release_floating_ip(call.context, address)
    except exception.FloatingIpNotFoundForAddress:
        raise _not_found(address) from None
    except exception.FloatingIpAssociated:
        raise faults.Ec2Error('InvalidIPAddress.InUse', _('Address %s is associated with an '
                                'instance: disassociate it first.') % address) from None
    return {'return': True}


@action('AssociateAddress', RULE % 'add')
def associate_address(call):
    address = _public_ip(call)
    instance = call.apis.compute.get(
        call.context, ids.instance_uuid(call.context, call.params.required('InstanceId')))
    current = _mine(call, address)
    same = current['instance_uuid'] == instance.uuid
    reassociate = call.params.bool('AllowReassociation') or same
    if current['instance_uuid'] and not reassociate:
        raise faults.Ec2Error('Resource.AlreadyAssociated', _('Address %s is already '
                                'associated with instance %s.') % (address, ids.ec2_id(
                                  call.context, 'i', current['instance_uuid'])))
    try:
        _api().associate_floating_ip(call.context, instance, address,
                                     call.params.get('PrivateIpAddress'),
                                     reassociate=reassociate)
    except exception.FloatingIpNotFoundForAddress:
        raise _not_found(address) from None
    except (exception.FloatingIpAssociated, exception.FixedIpHasFloatingIp) as error:
        raise faults.Ec2Error('Resource.AlreadyAssociated', error.format_message()) from None
    except exception.InstanceNotOnNetwork:
        raise faults.Ec2Error('InvalidInstanceID', _('Instance %s has no private address %s') % (
            call.params.required('InstanceId'),
            call.params.get('PrivateIpAddress') or 'to associate with')) from None
    return {'return': True}


@action('DisassociateAddress', RULE % 'remove')
def disassociate_address(call):
    """An address that is not associated is left as it is (EC2-Classic)."""
    address = _public_ip(call)
    if _mine(call, address)['fixed_ip']:
        try:
            _api().disassociate_floating_ip(call.context, address)
        except exception.FloatingIpNotAssociated:
            pass  # a concurrent request did it
    return {'return': True}


@action('DescribeAddresses', RULE % 'list')
def describe_addresses(call):
    addresses = _api().get_floating_ips_by_project(call.context)
    wanted = call.params.strings('PublicIp')
    if call.params.strings('AllocationId'):
        raise faults.Ec2Error('InvalidAllocationID.NotFound', _("The allocation IDs '%s' do "
                                'not exist') % ', '.join(call.params.strings('AllocationId')))
    if wanted:
        missing = sorted(set(wanted) - {a['address'] for a in addresses})
        if missing:
            raise _not_found(', '.join(missing))
        addresses = [a for a in addresses if a['address'] in wanted]
    instance_ids = ids.ec2_ids(call.context, 'i', [a['instance_uuid'] for a in addresses])
    match = filters.matcher(call.params.filters(), {
        'public-ip': lambda a: a['address'], 'domain': lambda a: DOMAIN,
        'instance-id': lambda a: instance_ids.get(a['instance_uuid']),
        'private-ip-address': lambda a: a['fixed_ip'],
    })
    return {'addressesSet': [{
        'publicIp': a['address'], 'domain': DOMAIN,
        'instanceId': instance_ids.get(a['instance_uuid'], ''),
        'privateIpAddress': a['fixed_ip']} for a in addresses if match(a)]}
