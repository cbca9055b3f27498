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
