"""The unmodified clients see the addresses nova-network gives on nova-all's embedded
default (FlatManager, the --fixed_range network made on the first start):
`openstack server create/show` and `aws ec2 describe-instances`."""
import ipaddress
import json


def test_servers_show_their_fixed_address_in_openstack_and_ec2(cloud):
    def openstack(*argv):
        return json.loads(cloud.run('openstack', *argv, '-f', 'json').stdout)

    image = openstack('image', 'list', '--name', 'cirros')[0]['ID']
    server = openstack('server', 'create', '--image', image, '--flavor', 'm1.tiny', '--wait',
                       'addressed')
    [address] = server['addresses']['private']
    assert ipaddress.ip_address(address) in ipaddress.ip_network('10.0.0.0/22')
    shown = openstack('server', 'show', server['id'])
    assert shown['addresses'] == {'private': [address]}
    described = json.loads(cloud.run(
        'aws', '--endpoint-url', cloud.novarc()['EC2_URL'], '--output', 'json', 'ec2',
        'describe-instances', '--filters', 'Name=private-ip-address,Values=%s' % address
    ).stdout)
    [instance] = [i for r in described['Reservations'] for i in r['Instances']]
    assert instance['PrivateIpAddress'] == address
    assert instance['PrivateDnsName'] == 'addressed'
    assert 'PublicIpAddress' not in instance  # no floating IP
    cloud.run('openstack', 'server', 'delete', '--wait', server['id'])
