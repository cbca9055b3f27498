"""The only door to SQL for the rest of Nova.

Every function takes the RequestContext first; gets and lists honour
``context.read_deleted`` ('no', 'yes', 'only'). Rows come back as model
instances detached from their session: read attributes or call ``to_dict()``.
Each function is one transaction of one or two statements.
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


def service_get_by_host_and_binary(context, host, binary):
    # newest first: with read_deleted='yes' the deleted predecessors match too
    stmt = query.model_query(context, Service).where(Service.host == host,
                                                     Service.binary == binary)
    with db_session.reader() as session:
        return query.first(session, stmt.order_by(Service.id.desc()),
                           lambda: exception.HostBinaryNotFound(host=host, binary=binary))


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
    with db_session.writer() as session:
        if session.execute(stmt).rowcount == 0:
            raise exception.ServiceNotFound(service_id=service_id)


def service_destroy(context, service_id):
    """Soft-delete a service and the compute nodes it manages."""
    with db_session.writer() as session:
        if session.execute(query.soft_delete(Service, Service.id == service_id)).rowcount == 0:
            raise exception.ServiceNotFound(service_id=service_id)
        session.execute(query.soft_delete(ComputeNode, ComputeNode.service_id == service_id))


# ----------------------------------------------------------- compute nodes

def _compute_node_exists(node):
    """A factory for the Conflict, naming the node while its values are still loaded."""
    message = 'compute node %s on host %s exists' % (node.hypervisor_hostname, node.host)
    return lambda: exception.Conflict(reason=message)


def compute_node_create(context, values):
    """Record a hypervisor; Conflict when host + hypervisor_hostname is already live."""
    node = ComputeNode(**values)
    with errors.duplicate_raises(_compute_node_exists(node)):
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
    """Change a live compute node's columns (resource usage, hypervisor facts)."""
    live = query.model_query(context, ComputeNode, read_deleted='no')
    with db_session.writer() as session:
        node = query.first(session, live.where(ComputeNode.id == node_id),
                           lambda: exception.ComputeHostNotFound(host=node_id))
        node.update(values)
        with errors.duplicate_raises(_compute_node_exists(node)):
            session.flush()
    return node


def compute_node_delete(context, node_id):
    """Soft-delete one compute node."""
    with db_session.writer() as session:
        stmt = query.soft_delete(ComputeNode, ComputeNode.id == node_id)
        if session.execute(stmt).rowcount == 0:
            raise exception.ComputeHostNotFound(host=node_id)
