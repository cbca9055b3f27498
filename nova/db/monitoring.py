"""What the instance monitor reads and switches: a few columns of instances,
without building ORM objects (a monitor step reads every instance of a host)."""
import sqlalchemy as sa

from nova import utils
from nova.db import models
from nova.db import session as db_session

Instance = models.Instance
_COLUMNS = (Instance.uuid, Instance.project_id, Instance.host, Instance.monitoring,
            Instance.deleted, Instance.deleted_at, Instance.vm_state)


def instance_monitoring_rows(context, uuids=None, host=None, project_id=None,
                             read_deleted=False):
    """Rows (uuid, project_id, host, monitoring, deleted, deleted_at, vm_state) of the
    instances matching every given criterion (live ones only unless read_deleted)."""
    stmt = sa.select(*_COLUMNS)
    if uuids is not None:
        stmt = stmt.where(Instance.uuid.in_(list(uuids)))
    if host is not None:
        stmt = stmt.where(Instance.host == host)
    if project_id is not None:
        stmt = stmt.where(Instance.project_id == project_id)
    if not read_deleted:
        stmt = stmt.where(Instance.deleted == 0)
    with db_session.reader() as session:
        return list(session.execute(stmt.order_by(Instance.id)))


def instance_monitoring_set(context, uuids, enabled):
    """Switch sampling of these live instances (one UPDATE); how many there were."""
    stmt = (sa.update(Instance)
            .where(Instance.uuid.in_(list(uuids)), Instance.deleted == 0)
            .values(monitoring=bool(enabled), updated_at=utils.utcnow())
            .execution_options(synchronize_session=False))
    with db_session.writer() as session:
        return session.execute(stmt).rowcount


__all__ = ['instance_monitoring_rows', 'instance_monitoring_set']
