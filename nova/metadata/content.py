"""What an instance is told about itself: the EC2 meta-data tree, the
OpenStack meta_data.json and network_data.json, from its row, its network_info
(the addresses nova-network gave it) and EC2 ids made as EC2 shows them.

One implementation for both ways a guest reads it: the metadata service
(nova.api.metadata) and the config drive (nova.metadata.drive), so the two never
disagree. Functions that need the addresses take the network_info when the
caller has it (a build does) and ask nova-network otherwise."""
import base64
import binascii
import ipaddress

from nova import context as nova_context
from nova.compute import ec2 as ec2_ids
from nova.compute import hosts as compute_hosts
from nova.conf import CONF
from nova.network import api as network_api
from nova.network import model as network_model

EC2_VERSIONS = ['1.0', '2007-01-19', '2007-03-01', '2007-08-29', '2007-10-10',
                '2007-12-15', '2008-02-01', '2008-09-01', '2009-04-04', 'latest']
OPENSTACK_VERSIONS = ['2012-08-10', '2013-04-04', '2013-10-17', '2015-10-15', '2016-06-30',
                      '2016-10-06', '2017-02-22', '2018-08-27', 'latest']
NETWORK_DATA_SINCE = '2015-10-15'  # the first version with network_data.json


def has_network_data(version):
    """Whether OpenStack metadata version (one of OPENSTACK_VERSIONS) has network_data.json."""
    return OPENSTACK_VERSIONS.index(version) >= OPENSTACK_VERSIONS.index(NETWORK_DATA_SINCE)


def vendor_data(instance):
    """vendor_data.json: this cloud gives no vendor data (an empty object, as Nova
    without a vendordata provider)."""
    return {}


def user_data(instance):
    """The raw user data, or None when the instance has none."""
    if not instance.user_data:
        return None
    try:
        return base64.b64decode(instance.user_data)
    except (binascii.Error, ValueError):
        return instance.user_data.encode('utf-8')


def network_info(instance, known=None):
    """The instance's network_info (what nova-network allocated to it): known when the
    caller has it, else asked of nova-network."""
    if known is not None:
        return known
    return network_api.API().get_instance_nw_info(nova_context.get_admin_context(), instance)


def _instance_type(instance):
    return ((instance.flavor or {}).get('cur') or {}).get('name')


def _zone(context, instance):
    return compute_hosts.instance_zone(instance, compute_hosts.host_zones(context.elevated()))


def _first(addresses):
    return addresses[0] if addresses else ''


def ec2_metadata(instance, info=None):
    """The /<version>/meta-data/ tree: dicts are directories, strings files."""
    ctx = nova_context.get_admin_context()
    hostname = instance.hostname or ''
    info = network_info(instance, info)
    tree = {
        'ami-id': ec2_ids.ec2_id(ctx, 'ami', instance.image_ref) or '',
        'ami-launch-index': str(instance.launch_index or 0),
        'ami-manifest-path': (instance.system_metadata or {}).get('image_image_location',
                                                                  'unknown'),
        'block-device-mapping': {'ami': 'vda',
                                 'root': instance.root_device_name or '/dev/vda'},
        'hostname': hostname,
        'instance-action': 'none',
        'instance-id': ec2_ids.ec2_id(ctx, 'i', instance.uuid),
        'instance-type': _instance_type(instance) or '',
        'local-hostname': hostname,
        'local-ipv4': _first(network_model.fixed_ips(info, version=4)),
        'placement': {'availability-zone': _zone(ctx, instance)},
        'public-hostname': hostname,
        'public-ipv4': _first(network_model.floating_ips(info)),
        'reservation-id': instance.reservation_id or '',
        'security-groups': '\n'.join(instance.security_groups or []),
    }
    if instance.kernel_id:
        tree['kernel-id'] = ec2_ids.ec2_id(ctx, 'aki', instance.kernel_id)
    if instance.ramdisk_id:
        tree['ramdisk-id'] = ec2_ids.ec2_id(ctx, 'ari', instance.ramdisk_id)
    if instance.key_name:
        tree['public-keys'] = {'0': {'openssh-key': instance.key_data or ''}}
    return tree


def identity_document(instance):
    """dynamic/instance-identity/document: what cloud-init reads for the region."""
    ctx = nova_context.get_admin_context()
    return {
        'accountId': instance.project_id,
        'architecture': instance.architecture or 'x86_64',
        'availabilityZone': _zone(ctx, instance),
        'imageId': ec2_ids.ec2_id(ctx, 'ami', instance.image_ref),
        'instanceId': ec2_ids.ec2_id(ctx, 'i', instance.uuid),
        'instanceType': _instance_type(instance),
        'kernelId': ec2_ids.ec2_id(ctx, 'aki', instance.kernel_id),
        'ramdiskId': ec2_ids.ec2_id(ctx, 'ari', instance.ramdisk_id),
        'pendingTime': ec2_ids.timestamp(instance.created_at),
        'privateIp': _first(network_model.fixed_ips(network_info(instance), version=4)) or None,
        'region': CONF.region_name,
        'version': '2017-09-30',
    }


def public_keys_listing(instance):
    """public-keys/ lists '0=name', not the directory's own key."""
    return '0=%s' % instance.key_name


def openstack_metadata(instance):
    """meta_data.json."""
    keys = {instance.key_name: instance.key_data} if instance.key_name else {}
    return {
        'uuid': instance.uuid,
        'name': instance.display_name,
        'hostname': instance.hostname,
        'launch_index': instance.launch_index or 0,
        'availability_zone': _zone(nova_context.get_admin_context(), instance) or None,
        'project_id': instance.project_id,
        'public_keys': keys,
        'keys': [{'name': name, 'type': 'ssh', 'data': data} for name, data in keys.items()],
        'meta': instance.metadata_dict,
        'devices': [],
    }


def _routes(subnet):
    if not subnet['gateway']:
        return []
    if subnet['version'] == 4:
        return [{'network': '0.0.0.0', 'netmask': '0.0.0.0', 'gateway': subnet['gateway']}]
    return [{'network': '::', 'netmask': '::', 'gateway': subnet['gateway']}]


def network_data(instance, info=None):
    """openstack/<version>/network_data.json: the instance's links (VIFs), networks
    (one per fixed IP; ipv4_dhcp where a DHCP server of the cloud hands it out) and
    DNS servers, as cloud-init reads them."""
    dhcp_managed = network_api.manager_class().DHCP
    links, networks, services = [], [], []
    for vif in network_info(instance, info):
        network = vif['network']
        links.append({'id': vif['devname'], 'vif_id': vif['id'], 'type': vif['type'],
                      'mtu': network['mtu'], 'ethernet_mac_address': vif['address']})
        for subnet in network['subnets']:
            dns = [{'type': 'dns', 'address': address} for address in subnet['dns']]
            services += [entry for entry in dns if entry not in services]
            for ip in subnet['ips']:
                dhcp = dhcp_managed and subnet['dhcp_server'] and subnet['version'] == 4
                entry = {'id': 'network%d' % len(networks),
                         'type': 'ipv%d%s' % (subnet['version'], '_dhcp' if dhcp else ''),
                         'link': vif['devname'], 'network_id': network['id'],
                         'ip_address': ip['address'],
                         'netmask': str(ipaddress.ip_network(subnet['cidr']).netmask),
                         'routes': _routes(subnet)}
                if dns:
                    entry['services'] = dns
                networks.append(entry)
    return {'links': links, 'networks': networks, 'services': services}
