"""Volume quotas: volumes, snapshots and gigabytes per project, reserved atomically.

A reservation is the ``quota`` argument of the nova.db.api function that
writes the rows it counts (volume_create, snapshot_create, volume_update for
an extension, volume_destroy and snapshot_destroy for releases): the usage
and the rows change in one transaction, so usage always equals the rows and
concurrent requests cannot overshoot. Refusals are Cinder's 413 messages.
"""
from nova import exception
from nova import quota
from nova.db import api as db


def limits(context, project_id):
    return quota.limits_for(context, project_id, resources=quota.VOLUME_RESOURCES)


def reservation(context, project_id, allowed=None, **deltas):
    """The quota dict for volumes=, snapshots=, gigabytes= deltas of a project
    (allowed: its limits, when the caller has read them already)."""
    allowed = allowed or limits(context, project_id)
    return {'project_id': project_id, 'user_id': None, 'deltas': deltas,
            'limits': {r: allowed[r] for r in quota.VOLUME_PROJECT_RESOURCES}}


def release(project_id, **deltas):
    """The quota dict giving back what a deleted volume or snapshot held."""
    return {'project_id': project_id, 'user_id': None,
            'deltas': {r: -abs(n) for r, n in deltas.items()}, 'limits': {}}


def check_volume_size(context, project_id, size, allowed=None):
    """per_volume_gigabytes: no single volume larger than the limit (-1: none);
    returns the project's limits (allowed, or read), for the reservation that follows."""
    allowed = allowed or limits(context, project_id)
    limit = allowed['per_volume_gigabytes']
    if 0 <= limit < size:
        raise exception.VolumeQuotaExceeded(
            message='Requested volume size %dG is larger than maximum allowed limit %dG.'
            % (size, limit), overs=['per_volume_gigabytes'])
    return allowed


def refused(over):
    """Cinder's 413 for an OverQuota raised by a reservation."""
    used, allowed, req = over.kwargs['used'], over.kwargs['allowed'], over.kwargs['req']
    overs = over.kwargs['overs']
    if 'gigabytes' in overs:
        message = ('Requested volume or snapshot exceeds allowed gigabytes quota. Requested '
                   '%sG, quota is %sG and %sG has been consumed.' % (
                       req['gigabytes'], allowed['gigabytes'], used.get('gigabytes', 0)))
    elif 'volumes' in overs:
        message = ("Maximum number of volumes allowed (%s) exceeded for quota 'volumes'."
                   % allowed['volumes'])
    else:
        message = ("Maximum number of snapshots allowed (%s) exceeded for quota "
                   "'snapshots'." % allowed['snapshots'])
    return exception.VolumeQuotaExceeded(message=message, overs=overs, req=req, used=used,
                                         allowed=allowed)


def get_project_quotas(context, project_id):
    """{resource: {'limit', 'in_use'}} of the volume resources."""
    allowed = limits(context, project_id)
    usage = db.quota_usage_get_all_by_project(context, project_id)
    return {r: {'limit': allowed[r], 'in_use': usage.get(r, 0) if r in
                quota.VOLUME_PROJECT_RESOURCES else 0} for r in quota.VOLUME_RESOURCES}


def reset(context, project_id):
    """Drop the project's volume limit overrides: the flag defaults apply again."""
    db.quota_destroy_all_by_project(context, project_id, quota.VOLUME_RESOURCES)


def refresh(context, project_id):
    """Make the usage what the project's live volumes and snapshots hold (nova-manage)."""
    return db.volume_quota_usage_refresh(context, project_id)
