"""Quota usage across a resize, as classic Nova counts it.

While a resize is outstanding (the instance's flavor JSON has 'old' and 'new')
the project uses, per resource, the larger of the two flavors: the growth is
reserved when the resize is asked for, a shrink is given back on confirm, the
growth is given back on revert. Deleting an instance mid-resize gives back the
larger one.
"""
from nova import quota
from nova.compute import utils as compute_utils
from nova.compute.move_claims import resize_flavors
from nova.db import api as db


def _usage(flavor):
    return {'cores': int(flavor.get('vcpus') or 0), 'ram': int(flavor.get('memory_mb') or 0)}


def growth(old, new):
    """{resource: positive delta} of the resources new has more of."""
    before, after = _usage(old), _usage(new)
    return {r: after[r] - before[r] for r in before if after[r] > before[r]}


def reserve_growth(context, instance, old, new):
    """Reserve what a resize to new adds, within the limits of the instance's project
    and user (OverQuota)."""
    deltas = growth(old, new)
    if deltas:
        db.quota_apply(context, quota.reservation(
            context, instance.project_id, instance.user_id, deltas))


def release_growth(context, instance, old, new):
    """A resize that did not happen (failed or reverted) gives its growth back."""
    deltas = {r: -d for r, d in growth(old, new).items()}
    if deltas:
        db.quota_apply(context, quota.release(
            instance.project_id, instance.user_id, deltas))


def release_shrink(context, instance, old, new):
    """A confirmed resize to a smaller flavor gives back what the old one had more of."""
    deltas = {r: -d for r, d in growth(new, old).items()}
    if deltas:
        db.quota_apply(context, quota.release(
            instance.project_id, instance.user_id, deltas))


def release_on_delete(instance):
    """The `quota` argument of instance_destroy, resize-aware."""
    release = compute_utils.quota_release(instance)
    old, new = resize_flavors(instance)
    if old and new:
        largest = {r: max(_usage(old)[r], _usage(new)[r]) for r in ('cores', 'ram')}
        release['deltas'].update({r: -n for r, n in largest.items()})
    return release
