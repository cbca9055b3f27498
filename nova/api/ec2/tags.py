"""CreateTags, DeleteTags, DescribeTags.

EC2 tags are key=value pairs, so they are the instance's metadata (Nova's
own tags are keys only): a tag made through EC2 is metadata in the OpenStack
API and the other way round. Only instances (i-) take tags for now.
"""
from nova.api.ec2 import faults, filters, ids
from nova.api.ec2 import instance_views as views
from nova.api.ec2.actions import action
from nova.api.ec2.instances import get_instances, requested_instances
from nova.i18n import _


def _resources(call):
    ec2_ids = call.params.strings('ResourceId')
    if not ec2_ids:
        raise faults.missing('ResourceId')
    for ec2_id in ec2_ids:
        if not ec2_id.startswith('i-'):
            raise faults.Ec2Error('InvalidID', _("The ID '%s' is not valid: only instances "
                                    'take tags') % ec2_id)
    return requested_instances(call, ec2_ids)


@action('CreateTags', 'os_compute_api:server-metadata:update')
def create_tags(call):
    tags = {}
    for tag in call.params.dicts('Tag'):
        tags[tag.required('Key')] = tag.get('Value', '')
    if not tags:
        raise faults.missing('Tag')
    for instance in _resources(call):
        call.apis.compute.update_metadata(call.context, instance, tags)
    return {'return': True}


@action('DeleteTags', 'os_compute_api:server-metadata:delete')
def delete_tags(call):
    """Tag.N.Key (with Value: only if it has that value); no Tag: every tag."""
    wanted = [(tag.required('Key'), tag.get('Value')) for tag in call.params.dicts('Tag')]
    for instance in _resources(call):
        current = views.tags_of(instance)
        for key, value in wanted or [(key, None) for key in current]:
            if key in current and value in (None, current[key]):
                call.apis.compute.delete_metadata_item(call.context, instance, key)
    return {'return': True}


@action('DescribeTags', 'os_compute_api:server-metadata:index')
def describe_tags(call):
    instances = [i for i in get_instances(call) if not i.deleted]
    instance_ids = ids.ec2_ids(call.context, 'i', [i.uuid for i in instances])
    rows = [{'resourceId': instance_ids[i.uuid], 'resourceType': 'instance', 'key': key,
             'value': value}
            for i in instances for key, value in sorted(views.tags_of(i).items())]
    match = filters.matcher(call.params.filters(), {
        'key': lambda r: r['key'], 'value': lambda r: r['value'],
        'resource-id': lambda r: r['resourceId'], 'resource-type': lambda r: r['resourceType'],
    })
    page, token = filters.paginate(
        [r for r in rows if match(r)], lambda r: [r['resourceId'], r['key']],
        call.params.int('MaxResults', low=1, high=1000), call.params.get('NextToken'))
    return {'tagSet': page, 'nextToken': token}
