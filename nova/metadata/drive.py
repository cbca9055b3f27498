"""The files of a config drive: the OpenStack metadata tree (every version the
metadata service answers, as cloud-init picks the newest it knows) and the EC2
tree's meta-data.json, from the same builders the metadata service uses
(nova.metadata.content). nova-compute builds them at spawn, where it has the
instance's network_info and admin password; the virt driver writes the image
(nova.virt.configdrive)."""
import json

from nova.metadata import content


def _json(value):
    return json.dumps(value, sort_keys=True).encode('utf-8')


def files(instance, network_info=None, admin_password=None):
    """{path on the drive: bytes}. meta_data.json carries admin_pass when the build set
    one (the drive is the guest's own, as in Nova); network_info None asks
    nova-network for it."""
    info = content.network_info(instance, network_info)
    meta = content.openstack_metadata(instance)
    if admin_password:
        meta['admin_pass'] = admin_password
    user_data = content.user_data(instance)
    tree = {}
    for version in content.OPENSTACK_VERSIONS:
        base = 'openstack/%s/' % version
        tree[base + 'meta_data.json'] = _json(meta)
        tree[base + 'vendor_data.json'] = _json(content.vendor_data(instance))
        if content.has_network_data(version):
            tree[base + 'network_data.json'] = _json(content.network_data(instance, info))
        if user_data is not None:
            tree[base + 'user_data'] = user_data
    tree['ec2/latest/meta-data.json'] = _json(content.ec2_metadata(instance, info))
    if user_data is not None:
        tree['ec2/latest/user-data'] = user_data
    return tree
