"""What every fault test asserts afterwards: no instance stuck, quota usage equal to the rows."""
from nova.compute import vm_states
from nova.db import api as db


def stuck_instances(ctxt, project_id=None):
    """Live instances still building or in a task: [(uuid, vm_state, task_state)]."""
    filters = {'deleted': False}
    if project_id is not None:
        filters['project_id'] = project_id
    return [(i.uuid, i.vm_state, i.task_state)
            for i in db.instance_get_all_by_filters(ctxt, filters)
            if i.task_state is not None or i.vm_state == vm_states.BUILDING]


def quota_drift(ctxt, project_id):
    """{resource: (in quota_usages, counted from the live rows)} where they differ."""
    rows = db.instance_get_all_by_filters(ctxt, {'project_id': project_id, 'deleted': False})
    counted = {'instances': len(rows), 'cores': sum(r.vcpus or 0 for r in rows),
               'ram': sum(r.memory_mb or 0 for r in rows)}
    usage = db.quota_usage_get_all_by_project(ctxt, project_id)
    return {r: (usage.get(r, 0), n) for r, n in counted.items() if usage.get(r, 0) != n}

