"""Quotas: which resources are limited, their limits, and the reservations the DB applies.

Limits are the defaults (the quota_* flags, replaced by the 'default' quota
class where an administrator set it: /os-quota-class-sets/default) unless a
project has an override in the quotas table (-1: unlimited). A project may
give one of its users lower limits (project_user_quotas, over the project's
own; network resources stay per project): the user's share of the usage is
then held to them in the same transaction as the project's. instances,
cores and ram are reserved with the instance rows in one transaction
(nova.db.api.instance_create_many), which also counts server_group_members
with the joined groups locked; key pairs with the key pair (per user),
server_groups with the group; the others are limits a single request is
checked against.
"""
from nova import exception
from nova.conf import CONF
from nova.db import api as db

PROJECT_RESOURCES = ('instances', 'cores', 'ram')  # usage counted per project
USER_RESOURCES = ('key_pairs',)  # usage counted per user
LIMIT_RESOURCES = ('metadata_items', 'injected_files', 'injected_file_content_bytes',
                   'injected_file_path_bytes', 'server_groups', 'server_group_members')
# network limits, set here for the network service (the Compute API shows them before 2.36)
NETWORK_RESOURCES = ('floating_ips', 'fixed_ips', 'security_groups', 'security_group_rules')
RESOURCES = PROJECT_RESOURCES + USER_RESOURCES + LIMIT_RESOURCES + NETWORK_RESOURCES
# limits only the network API shows (never in the Compute API's quota sets)
NETWORK_API_RESOURCES = ('networks', 'subnets', 'ports')
# block storage (nova.volume.quota): counted per project, reserved with the volume and
# snapshot rows; gigabytes counts snapshots too, as Cinder does
VOLUME_PROJECT_RESOURCES = ('volumes', 'snapshots', 'gigabytes')
VOLUME_RESOURCES = VOLUME_PROJECT_RESOURCES + ('per_volume_gigabytes',)
# what a user's share of a project's usage is counted for (quota_usages rows with the user)
USER_COUNTED = PROJECT_RESOURCES + ('server_groups',)


DEFAULT_CLASS = 'default'


def class_limits(context, class_name=DEFAULT_CLASS, resources=None, class_values=None):
    """{resource: limit} of a quota class: the flags, with what the class sets over
    them (only the 'default' class is applied to projects, as in Nova);
    class_values: the class's rows when the caller has read them already."""
    limits = {resource: getattr(CONF, 'quota_%s' % resource)
              for resource in (RESOURCES + NETWORK_API_RESOURCES if resources is None
                               else resources)}
    if class_values is None:
        class_values = db.quota_class_get_all(context, class_name)
    limits.update((r, limit) for r, limit in class_values.items() if r in limits)
    return limits


def update_class_limits(context, class_name, limits):
    """Set limits of a quota class (integers, -1 for unlimited), all or none."""
    db.quota_class_update_many(context, class_name, {
        resource: _checked_limit(resource, limit) for resource, limit in limits.items()})


def limits_for(context, project_id, user_id=None, resources=None):
    """{resource: limit} for a project (its overrides over the defaults) or, with
    user_id, for that user in it (the user's overrides over the project's); the
    compute and network resources unless resources names others (the volume ones)."""
    project, user = _limits(context, project_id, user_id, resources)
    return user if user_id is not None else project


def _limits(context, project_id, user_id, resources=None):
    """(the project's limits, user_id's in it or {}) from one query."""
    class_values, overrides, user_overrides = db.quota_limits_get(
        context, DEFAULT_CLASS, project_id, user_id)
    limits = class_limits(context, resources=resources, class_values=class_values)
    limits.update((r, limit) for r, limit in overrides.items() if r in limits)
    if user_id is None:
        return limits, {}
    user = dict(limits)
    user.update((r, limit) for r, limit in user_overrides.items()
                if r in user and r not in NETWORK_RESOURCES)
    return limits, user


def project_and_user_limits(context, project_id, user_id):
    """(the project's limits, user_id's limits in it (or {} without a user)): what a
    request that checks both reads once (one query, where limits_for twice read the
    defaults and the project's overrides twice)."""
    return _limits(context, project_id, user_id)


def get_project_quotas(context, project_id, user_id=None):
    """{resource: {'limit', 'in_use'}}; key pairs in use are user_id's (0 without one)."""
    limits = limits_for(context, project_id)
    in_use = dict.fromkeys(RESOURCES, 0)
    in_use.update((r, n) for r, n in db.quota_usage_get_all_by_project(context, project_id).items()
                  if r in PROJECT_RESOURCES + ('server_groups', 'floating_ips', 'fixed_ips'))
    # (usage kept with each)
    if user_id is not None:
        in_use['key_pairs'] = db.key_pair_count_by_user(context, user_id)
    in_use['security_groups'] = len(db.security_group_get_all(context, project_id))
    return {resource: {'limit': limits[resource], 'in_use': in_use[resource]}
            for resource in RESOURCES}


def get_user_quotas(context, project_id, user_id):
    """{resource: {'limit', 'in_use'}} of a user in a project: the user's limits and
    share of the usage (network resources: the project's)."""
    quotas = get_project_quotas(context, project_id, user_id)
    limits = limits_for(context, project_id, user_id)
    used = db.quota_usage_get_all_by_project(context, project_id, user_id)
    for resource, quota in quotas.items():
        quota['limit'] = limits[resource]
        if resource in USER_COUNTED:
            quota['in_use'] = used.get(resource, 0)
    return quotas


def effective_quotas(context, project_id, user_id):
    """What binds user_id in project_id, resource by resource: the user's limit and
    share where the user was given a limit of their own, else the project's (/limits)."""
    quotas = get_project_quotas(context, project_id, user_id)
    own = db.project_user_quota_get_all(context, project_id, user_id)
    if own:
        users = get_user_quotas(context, project_id, user_id)
        quotas.update((r, users[r]) for r in own if r in users and r not in NETWORK_RESOURCES)
    return quotas


def settable_range(context, project_id, user_id=None):
    """{resource: (minimum, maximum)} a new limit must lie in unless forced (-1 for
    no maximum), as Nova: a project's limit covers its usage and what it gave its
    users; a user's covers the user's usage and fits in what the project's limit
    leaves after its other users' limits."""
    allocated = db.project_user_quota_allocated(context, project_id, exclude_user_id=user_id)
    project = get_project_quotas(context, project_id, user_id)
    if user_id is None:
        return {r: (max(q['in_use'], allocated.get(r, 0)), -1) for r, q in project.items()}
    user = get_user_quotas(context, project_id, user_id)
    ranges = {}
    for resource, quota in user.items():
        limit = project[resource]['limit']
        maximum = -1 if limit < 0 else max(limit - allocated.get(resource, 0), 0)
        ranges[resource] = (quota['in_use'], maximum)
    return ranges


def _per_instance(flavor):
    get = flavor.get if isinstance(flavor, dict) else lambda name: getattr(flavor, name)
    return {'instances': 1, 'cores': int(get('vcpus')), 'ram': int(get('memory_mb'))}


def reservation(context, project_id, user_id, deltas, limits=None):
    """The `quota` argument (nova.db.quotas.apply_quota) that adds deltas to a
    project's usage and to user_id's share, each within its limits (limits: what
    project_and_user_limits returned, if the caller has it already)."""
    limits, user_limits = limits or project_and_user_limits(context, project_id, user_id)
    return {'project_id': project_id, 'user_id': user_id, 'deltas': dict(deltas),
            'limits': {r: limits[r] for r in deltas},
            'user_limits': {r: user_limits[r] for r in deltas if r in user_limits}}


def release(project_id, user_id, deltas):
    """The `quota` argument that gives deltas (negative) back, to the project and user."""
    return {'project_id': project_id, 'user_id': user_id, 'deltas': dict(deltas)}


def instance_reservation(context, project_id, user_id, flavor, count, limits=None):
    """The `quota` argument of instance_create_many for count instances of flavor
    (its limits include server_group_members, checked when they join a group:
    the user's limit where the user has one); limits as for reservation()."""
    limits = limits or project_and_user_limits(context, project_id, user_id)
    reserved = reservation(context, project_id, user_id,
                           {r: n * count for r, n in _per_instance(flavor).items()}, limits)
    members = 'server_group_members'
    reserved['limits'][members] = (limits[1] or limits[0])[members]
    return reserved


def instances_that_fit(over, flavor):
    """How many instances of flavor the resources an OverQuota refused still allow."""
    per_instance = _per_instance(flavor)  # a full group refuses, as Nova does
    used, allowed = over.kwargs['used'], over.kwargs['allowed']
    fits = [max(allowed[r] - used.get(r, 0), 0) // per_instance[r]
            for r in over.kwargs['overs'] if per_instance.get(r)]
    return min(fits) if fits else 0


def check_metadata_items(context, project_id, count, user_id=None, limits=None):
    """MetadataLimitExceeded when an instance would have more than the limit
    (user_id's where the user has one); limits as for reservation()."""
    if limits is not None:
        limit = (limits[1] or limits[0])['metadata_items']
    else:
        limit = limits_for(context, project_id, user_id)['metadata_items']
    if 0 <= limit < count:
        raise exception.MetadataLimitExceeded(allowed=limit)


def revert_project_quotas(context, project_id, resources=None):
    """Drop a project's overrides (of these resources only, when given): the flag
    defaults apply again."""
    db.quota_destroy_all_by_project(context, project_id, resources=resources)


def projects_with_limits(context, resources):
    """The projects that override any of these resources, sorted."""
    return db.quota_projects_with_limits(context, resources)


def revert_user_quotas(context, project_id, user_id):
    """Drop a user's overrides in a project: the project's limits apply again."""
    db.project_user_quota_destroy_all(context, project_id, user_id)


def network_usage(context, project_id):
    """{resource: in use} of what the network API limits (each counted live)."""
    counts = db.network_api_usage(context, project_id)
    groups = db.security_group_get_all(context, project_id)
    counts.update(security_groups=len(groups),
                  security_group_rules=sum(len(g.rules) for g in groups),
                  floating_ips=db.quota_usage_get_all_by_project(
                      context, project_id).get('floating_ips', 0))
    return counts


def check_network_limit(context, project_id, resource, used, more=1):
    """OverQuota when a project using ``used`` of a network resource asks for more."""
    limit = limits_for(context, project_id)[resource]
    if 0 <= limit < used + more:
        raise exception.OverQuota(overs=[resource], req={resource: more},
                                  used={resource: used}, allowed={resource: limit})


def _checked_limit(resource, limit):
    known = RESOURCES + NETWORK_API_RESOURCES + VOLUME_RESOURCES
    if resource not in known:
        raise exception.QuotaResourceUnknown(resource=resource, known=', '.join(known))
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        raise exception.InvalidInput(
            reason='quota limit for %s must be an integer, not %r' % (resource, limit)) from None
    if limit < -1:
        raise exception.InvalidInput(
            reason='quota limit for %s must be -1 (unlimited) or more, not %d' % (resource, limit))
    return limit


def update_project_quota(context, project_id, resource, limit):
    """Override one limit for a project (an integer, -1 for unlimited)."""
    return update_project_quotas(context, project_id, {resource: limit})[resource]


def update_project_quotas(context, project_id, limits):
    """Override several limits at once (all or none); returns them as integers."""
    limits = {resource: _checked_limit(resource, limit) for resource, limit in limits.items()}
    db.quota_create_or_update_many(context, project_id, limits)
    return limits


def update_user_quotas(context, project_id, user_id, limits):
    """Give a user of a project its own limits (all or none; not network resources,
    which are per project); returns them as integers."""
    limits = {resource: _checked_limit(resource, limit) for resource, limit in limits.items()}
    for resource in sorted(set(limits) & set(NETWORK_RESOURCES)):
        raise exception.InvalidInput(
            reason='%s is limited per project: it cannot be set for a user' % resource)
    db.project_user_quota_create_or_update_many(context, project_id, user_id, limits)
    return limits
