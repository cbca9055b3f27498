"""The only door to SQL for the rest of Nova.

Every function takes the RequestContext first; gets and lists honour
``context.read_deleted`` ('no', 'yes', 'only'). Rows come back as model
instances detached from their session: read attributes or call ``to_dict()``.
Each function is one transaction of a fixed, small number of statements, whatever
the number of rows (related rows are loaded with selectinload, never one by one).
"""
import sqlalchemy as sa

from nova import exception
from nova import utils
from nova.db import errors
from nova.db import models
from nova.db import query
from nova.db import session as db_session

Service = models.Service
ComputeNode = models.ComputeNode
pool_status = db_session.pool_status  # the connection pool, for Guru Meditation Reports
# ``with db.transaction():`` -- the calls inside share one transaction (a step's writes)
transaction = db_session.batch


# ---------------------------------------------------------------- services

def service_create(context, values):
    """Register a service; ServiceExists when host + binary is already live."""
    service = Service(**values)
    host, binary = service.host, service.binary
    with errors.duplicate_raises(lambda: exception.ServiceExists(host=host, binary=binary)):
        with db_session.writer() as session:
            session.add(service)
    return service


def service_get(context, service_id):
    with db_session.reader() as session:
        return query.first(
            session, query.model_query(context, Service).where(Service.id == service_id),
            lambda: exception.ServiceNotFound(service_id=service_id))


_SERVICE_COLUMNS = query.labelled_columns(Service, '')
# newest first: with read_deleted='yes' the deleted predecessors match too; a Core
# SELECT built once per read_deleted mode (every delete and move asks whether a host
# is up, and building the statement, or the ORM's loading of its row, cost more
# than running it)
_SERVICE_BY_HOST_AND_BINARY = {
    mode: sa.select(*(column for _, column in _SERVICE_COLUMNS)).where(
        *query.deleted_criteria(None, Service, mode),
        Service.host == sa.bindparam('b_host', type_=sa.String),
        Service.binary == sa.bindparam('b_binary', type_=sa.String))
    .order_by(Service.id.desc()).limit(1)
    for mode in query.READ_DELETED}


def service_get_by_host_and_binary(context, host, binary):
    with db_session.connection(one_statement=True) as conn:
        row = conn.execute(_SERVICE_BY_HOST_AND_BINARY[context.read_deleted],
                           {'b_host': host, 'b_binary': binary}).first()
    if row is None:
        raise exception.HostBinaryNotFound(host=host, binary=binary)
    return query.detached(Service, query.row_values(_SERVICE_COLUMNS, row))


def service_get_by_host_and_topic(context, host, topic):
    """The service consuming topic on host, disabled or not."""
    stmt = query.model_query(context, Service).where(Service.host == host,
                                                     Service.topic == topic)
    with db_session.reader() as session:
        return query.first(session, stmt.order_by(Service.id.desc()),
                           lambda: exception.ServiceNotFound(
                               service_id='with topic %s on host %s' % (topic, host)))


def _service_list(context, *criteria):
    stmt = query.model_query(context, Service).where(*criteria).order_by(Service.id)
    with db_session.reader() as session:
        return list(session.scalars(stmt))


def service_get_all(context, disabled=None):
    """Every service; only enabled (disabled=False) or disabled (True) ones if asked."""
    criteria = [] if disabled is None else [Service.disabled == disabled]
    return _service_list(context, *criteria)


def service_get_all_by_topic(context, topic):
    return _service_list(context, Service.topic == topic)


def service_get_all_by_host(context, host):
    return _service_list(context, Service.host == host)


def service_update(context, service_id, values):
    """Change a live service's columns; ServiceExists if host + binary would clash."""
    live = query.model_query(context, Service, read_deleted='no')
    with db_session.writer() as session:
        service = query.first(session, live.where(Service.id == service_id),
                              lambda: exception.ServiceNotFound(service_id=service_id))
        service.update(values)
        host, binary = service.host, service.binary
        with errors.duplicate_raises(lambda: exception.ServiceExists(host=host, binary=binary)):
            session.flush()
    return service


def service_heartbeat(context, service_id):
    """One heartbeat in one statement: the count is incremented by the database,
    so concurrent heartbeats never lose one; a beat also clears the stopped mark.
    """
    stmt = (sa.update(Service)
            .where(Service.id == service_id, Service.deleted == 0)
            .values(report_count=Service.report_count + 1, last_seen_up=utils.utcnow(),
                    stopped_at=None)
            .execution_options(synchronize_session=False))
    with db_session.one_statement_writer() as session:
        if session.execute(stmt).rowcount == 0:
            raise exception.ServiceNotFound(service_id=service_id)


def service_destroy(context, service_id):
    """Soft-delete a service and the compute nodes it manages."""
    with db_session.writer() as session:
        if session.execute(query.soft_delete(Service, Service.id == service_id)).rowcount == 0:
            raise exception.ServiceNotFound(service_id=service_id)
        session.execute(query.soft_delete(ComputeNode, ComputeNode.service_id == service_id))


# ----------------------------------------------------------- compute nodes

def _compute_node_exists(hypervisor_hostname, host):
    """A factory for the Conflict naming the node."""
    message = 'compute node %s on host %s exists' % (hypervisor_hostname, host)
    return lambda: exception.Conflict(reason=message)


def compute_node_create(context, values):
    """Record a hypervisor; Conflict when host + hypervisor_hostname is already live."""
    node = ComputeNode(**values)
    with errors.duplicate_raises(_compute_node_exists(node.hypervisor_hostname, node.host)):
        with db_session.writer() as session:
            session.add(node)
    return node


def compute_node_get(context, node_id):
    with db_session.reader() as session:
        return query.first(
            session, query.model_query(context, ComputeNode).where(ComputeNode.id == node_id),
            lambda: exception.ComputeHostNotFound(host=node_id))


def compute_node_get_by_host_and_nodename(context, host, nodename):
    stmt = query.model_query(context, ComputeNode).where(
        ComputeNode.host == host, ComputeNode.hypervisor_hostname == nodename)
    with db_session.reader() as session:
        return query.first(session, stmt.order_by(ComputeNode.id.desc()),
                           lambda: exception.ComputeHostNotFound(host=host))


def _compute_node_list(context, *criteria):
    stmt = query.model_query(context, ComputeNode).where(*criteria).order_by(ComputeNode.id)
    with db_session.reader() as session:
        return list(session.scalars(stmt))


def compute_node_get_all(context):
    return _compute_node_list(context)


def compute_node_get_all_by_host(context, host):
    return _compute_node_list(context, ComputeNode.host == host)


def compute_node_update(context, node_id, values):
    """Change a live compute node's columns (resource usage, hypervisor facts): one
    UPDATE and no read, as a host writes its usage after every burst of claims."""
    stmt = _node_update(tuple(sorted(values)))
    params = {'v_%s' % key: value for key, value in values.items()}
    exists = _compute_node_exists(values.get('hypervisor_hostname'), values.get('host'))
    with errors.duplicate_raises(exists), \
            db_session.connection(writes=True, one_statement=True) as conn:
        if conn.execute(stmt, dict(params, b_id=node_id)).rowcount == 0:
            raise exception.ComputeHostNotFound(host=node_id)


# (column names) -> the UPDATE of a compute node's row writing them: a host writes the
# same columns after every burst of claims, and building the statement cost more CPU
# than running it
_NODE_UPDATES = {}


def _node_update(keys):
    stmt = _NODE_UPDATES.get(keys)
    if stmt is None:
        table = ComputeNode.__table__
        unknown = [key for key in keys if key not in table.c]
        if unknown:
            raise TypeError('ComputeNode has no column %s' % ', '.join(unknown))
        stmt = _NODE_UPDATES[keys] = (
            sa.update(table)
            .where(table.c.id == sa.bindparam('b_id', type_=table.c.id.type),
                   table.c.deleted == 0)
            .values({key: sa.bindparam('v_%s' % key, type_=table.c[key].type)
                     for key in keys}))
    return stmt


def compute_node_delete(context, node_id):
    """Soft-delete one compute node."""
    with db_session.writer() as session:
        stmt = query.soft_delete(ComputeNode, ComputeNode.id == node_id)
        if session.execute(stmt).rowcount == 0:
            raise exception.ComputeHostNotFound(host=node_id)


# ----------------------------------------------------------------- compute
# The compute queries live in one module per domain; callers use them from here.

from nova.db.actions import (  # noqa: E402,F401
    action_event_finish, action_event_finish_many, action_event_start,
    action_event_start_many, action_events_get, action_finish, action_get_by_request_id,
    action_start, action_start_many, actions_get)
from nova.db.aggregates import (  # noqa: E402,F401
    aggregate_create, aggregate_delete, aggregate_get, aggregate_get_all,
    aggregate_get_by_host, aggregate_get_by_uuid, aggregate_host_add, aggregate_host_delete,
    aggregate_metadata_add, aggregate_metadata_delete, aggregate_metadata_get,
    aggregate_update)
from nova.db.flavors import (  # noqa: E402,F401
    flavor_access_add, flavor_access_get_by_flavor_id, flavor_access_remove, flavor_create,
    flavor_destroy, flavor_extra_specs_delete, flavor_extra_specs_get,
    flavor_extra_specs_update_or_create, flavor_get, flavor_get_all, flavor_get_by_flavor_id,
    flavor_get_by_name, flavor_update)
from nova.db.instance_info import (  # noqa: E402,F401
    instance_fault_create, instance_fault_get_by_instance_uuids, instance_metadata_delete,
    instance_metadata_get, instance_metadata_update, instance_tag_add, instance_tag_delete,
    instance_tag_delete_all, instance_tag_exists, instance_tag_get, instance_tag_set)
from nova.db.instance_migrations import (  # noqa: E402,F401
    migration_create, migration_get, migration_get_all_by_filters,
    migration_get_by_instance_and_status, migration_get_by_uuid,
    migration_get_in_progress_by_host_and_node, migration_get_unconfirmed_by_dest_compute,
    migration_previous_hosts, migration_update)
from nova.db.instance_records import (  # noqa: E402,F401
    instance_records_by_filters, instance_records_complete)
from nova.db.builds import instance_build_activate, instance_build_begin  # noqa: E402,F401
from nova.db.instances import (  # noqa: E402,F401
    ANY, instance_build_password_get, instance_create_many,
    instance_destroy, instance_get_active_by_window,
    instance_get_all_by_filters,
    instance_get_all_by_host, instance_get_by_uuid, instance_get_live_by_uuids,
    instance_pages_by_host,
    instance_sizes_by_host, instance_task_with_action, instance_update, instance_update_many,
    instance_uuids_by_host)
from nova.db.keypairs import (  # noqa: E402,F401
    key_pair_count_by_user, key_pair_create, key_pair_destroy, key_pair_get,
    key_pair_get_all_by_user)
from nova.db.quotas import (  # noqa: E402,F401
    project_user_quota_allocated, project_user_quota_create_or_update_many,
    project_user_quota_destroy_all, project_user_quota_get_all, quota_apply,
    quota_class_get_all, quota_class_update_many,
    quota_create_or_update, quota_create_or_update_many, quota_destroy_all_by_project,
    quota_get_all_by_project, quota_limits_get, quota_projects_with_limits,
    quota_usage_get_all_by_project, quota_usage_refresh, quota_usage_update)
from nova.db.console_tokens import (  # noqa: E402,F401
    console_auth_token_create, console_auth_token_destroy_all_by_instance,
    console_auth_token_get_valid)
from nova.db.task_log import (  # noqa: E402,F401
    task_log_begin_task, task_log_end_task, task_log_get_all)
from nova.db.server_groups import (  # noqa: E402,F401
    instance_group_create, instance_group_delete, instance_group_get, instance_group_get_all,
    instance_group_get_by_instance, instance_group_get_member_hosts,
    instance_group_members_add)


from nova.db.images import *  # noqa: F401,F403 -- the image registry
from nova.db.image_tasks import *  # noqa: F401,F403 -- image tasks
from nova.db.metadefs import *  # noqa: F401,F403 -- image metadata definitions

from nova.db.auth import *  # noqa: F401,F403 -- identity

from nova.db.ec2 import *  # noqa: F401,F403 -- EC2 ids, client tokens, security groups

from nova.db.networks import *  # noqa: F401,F403,E402 -- networks, fixed IPs, interfaces

from nova.db.floating_ips import *  # noqa: F401,F403,E402 -- floating IPs

from nova.db.monitoring import *  # noqa: F401,F403,E402 -- the instance monitor's reads

from nova.db.volumes import *  # noqa: F401,F403,E402 -- volumes, snapshots, types, attachments

from nova.db.block_devices import *  # noqa: F401,F403,E402 -- instances' block device mappings
from nova.db.ports import *  # noqa: F401,F403,E402 -- ports, networks pending a subnet
