"""DescribeInstances shows the addresses nova-network gave: privateIpAddress (the
fixed IP), ipAddress and dnsName (the floating IP), and filters on them."""
from nova import context as nova_context
from nova.compute import vm_states
from nova.network import api as network_api


def test_describe_instances_shows_private_and_public_addresses(cloud, ec2):
    cloud.start('nova-network', 'nethost')
    api = network_api.API()
    api.create_network(cloud.admin, '10.8.0.0/24', label='private')
    api.create_floating_ips(cloud.admin, '172.24.4.9')
    ctx = nova_context.RequestContext(user_id=ec2.creds['a'].user_id,
                                      project_id=ec2.creds['a'].project_id,
                                      roles=['member'], overwrite=False)
    [instance] = cloud.boot(1, ctx=ctx)
    cloud.wait([instance.uuid], vm_states.ACTIVE)
    fixed = api.get_instance_nw_info(ctx, instance)[0]['network']['subnets'][0]['ips']
    reply = ec2.a.call('DescribeInstances')
    assert reply.texts('privateIpAddress') == [fixed[0]['address']]
    assert reply.texts('ipAddress') == [] and reply.texts('dnsName') == [None]
    floating = api.allocate_floating_ip(ctx)
    api.associate_floating_ip(ctx, cloud.api.get(ctx, instance.uuid), floating['address'])
    reply = ec2.a.call('DescribeInstances')
    assert reply.texts('ipAddress') == reply.texts('dnsName') == ['172.24.4.9']
    assert reply.texts('privateDnsName') == [instance.hostname]
    found = ec2.a.call('DescribeInstances', **{'Filter.1.Name': 'private-ip-address',
                                                'Filter.1.Value.1': fixed[0]['address']})
    assert len(found.texts('instanceId')) == 1
    assert ec2.b.call('DescribeInstances').texts('instanceId') == []


def _member(ec2, name):
    creds = ec2.creds[name]
    return nova_context.RequestContext(user_id=creds.user_id, project_id=creds.project_id,
                                       roles=['member'], overwrite=False)


def _elastic_cloud(cloud, ec2, pool_range='172.24.4.0/30'):
    cloud.start('nova-network', 'nethost')
    api = network_api.API()
    api.create_network(cloud.admin, '10.8.0.0/24', label='private')
    api.create_floating_ips(cloud.admin, pool_range)
    instances = cloud.boot(2, ctx=_member(ec2, 'a'))
    cloud.wait([i.uuid for i in instances], vm_states.ACTIVE)
    reply = ec2.a.call('DescribeInstances')
    return dict(zip([i.uuid for i in instances], reply.texts('instanceId'))), reply


def test_allocate_associate_describe_disassociate_release(cloud, ec2):
    _ids, described = _elastic_cloud(cloud, ec2)
    first, second = described.texts('instanceId')
    private = dict(zip(described.texts('instanceId'), described.texts('privateIpAddress')))
    reply = ec2.a.call('AllocateAddress')
    assert reply.status == 200 and reply.texts('domain') == ['standard']
    [address] = reply.texts('publicIp')
    assert ec2.a.call('DescribeAddresses').texts('publicIp') == [address]
    assert ec2.a.call('DescribeAddresses').texts('instanceId') == [None]
    assert ec2.b.call('DescribeAddresses').texts('publicIp') == []

    assert ec2.a.call('AssociateAddress', PublicIp=address, InstanceId=first).status == 200
    listed = ec2.a.call('DescribeAddresses')
    assert listed.texts('instanceId') == [first]
    assert listed.texts('privateIpAddress') == [private[first]]
    assert ec2.a.call('DescribeInstances', **{'InstanceId.1': first}).texts('ipAddress') == [
        address]
    # the same instance again is fine; another needs AllowReassociation
    assert ec2.a.call('AssociateAddress', PublicIp=address, InstanceId=first).status == 200
    reply = ec2.a.call('AssociateAddress', PublicIp=address, InstanceId=second)
    assert (reply.status, reply.code) == (400, 'Resource.AlreadyAssociated')
    assert ec2.a.call('AssociateAddress', PublicIp=address, InstanceId=second,
                      AllowReassociation='true').status == 200
    assert ec2.a.call('DescribeAddresses').texts('instanceId') == [second]

    reply = ec2.a.call('ReleaseAddress', PublicIp=address)
    assert (reply.status, reply.code) == (400, 'InvalidIPAddress.InUse')
    found = ec2.a.call('DescribeAddresses', **{'Filter.1.Name': 'instance-id',
                                               'Filter.1.Value.1': second})
    assert found.texts('publicIp') == [address]
    assert ec2.a.call('DescribeAddresses', **{'Filter.1.Name': 'instance-id',
                                              'Filter.1.Value.1': first}).texts('publicIp') == []
    assert ec2.a.call('DisassociateAddress', PublicIp=address).status == 200
    assert ec2.a.call('DisassociateAddress', PublicIp=address).status == 200  # not associated
    assert ec2.a.call('DescribeAddresses').texts('instanceId') == [None]
    assert ec2.a.call('ReleaseAddress', PublicIp=address).status == 200
    assert ec2.a.call('DescribeAddresses').texts('publicIp') == []
    reply = ec2.a.call('DescribeAddresses', **{'PublicIp.1': address})
    assert (reply.status, reply.code) == (400, 'InvalidAddress.NotFound')


def test_another_projects_address_and_bad_input(cloud, ec2):
    _ids, described = _elastic_cloud(cloud, ec2)
    first = described.texts('instanceId')[0]
    [theirs] = ec2.b.call('AllocateAddress').texts('publicIp')
    for action, params in (('AssociateAddress', {'PublicIp': theirs, 'InstanceId': first}),
                           ('DisassociateAddress', {'PublicIp': theirs}),
                           ('ReleaseAddress', {'PublicIp': theirs}),
                           ('ReleaseAddress', {'PublicIp': '172.24.4.2'}),  # nobody's
                           ('DescribeAddresses', {'PublicIp.1': theirs})):
        reply = ec2.a.call(action, **params)
        assert (reply.status, reply.code) == (400, 'InvalidAddress.NotFound'), action
        assert theirs in reply.body or '172.24.4.2' in reply.body
    assert ec2.b.call('DescribeAddresses').texts('publicIp') == [theirs]  # untouched
    [mine] = ec2.a.call('AllocateAddress').texts('publicIp')
    reply = ec2.b.call('AssociateAddress', PublicIp=theirs, InstanceId=first)
    assert (reply.status, reply.code) == (400, 'InvalidInstanceID.NotFound')
    reply = ec2.a.call('AllocateAddress')  # the /30 has two addresses
    assert (reply.status, reply.code) == (400, 'InsufficientAddressCapacity')
    for params, code in (({}, 'MissingParameter'),
                         ({'PublicIp': 'not-an-ip', 'InstanceId': first},
                          'InvalidParameterValue'),
                         ({'PublicIp': mine, 'InstanceId': 'i-zzz'},
                          'InvalidInstanceID.Malformed'),
                         ({'PublicIp': mine, 'InstanceId': first,
                           'PrivateIpAddress': '10.9.9.9'}, 'InvalidInstanceID')):
        reply = ec2.a.call('AssociateAddress', **params)
        assert (reply.status, reply.code) == (400, code), params
    reply = ec2.a.call('AllocateAddress', Domain='vpc')
    assert (reply.status, reply.code) == (400, 'UnsupportedOperation')
    reply = ec2.a_reader.call('AllocateAddress')
    assert (reply.status, reply.code) == (403, 'UnauthorizedOperation')
    assert ec2.a_reader.call('DescribeAddresses').texts('publicIp') == [mine]


def test_address_quota(cloud, ec2):
    from nova.conf import CONF
    _elastic_cloud(cloud, ec2)
    CONF.set_override('quota_floating_ips', 1)
    assert ec2.a.call('AllocateAddress').status == 200
    reply = ec2.a.call('AllocateAddress')
    assert (reply.status, reply.code) == (400, 'AddressLimitExceeded')
