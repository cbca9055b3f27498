"""RequestContext: who is asking, for which project, under which request id.

A context travels with every API call, DB query and RPC message (as a dict),
and the current one is kept per green thread so that log lines carry its ids.
"""
import threading
import uuid

_local = threading.local()  # green-thread local once eventlet is monkey patched


def generate_request_id():
    return 'req-' + str(uuid.uuid4())


class RequestContext:
    """Security and tracing context of one request."""

    def __init__(self, user_id=None, project_id=None, roles=None, is_admin=None,
                 request_id=None, read_deleted='no', remote_address=None,
                 auth_token=None, user_name=None, project_name=None,
                 global_request_id=None, overwrite=True):
        self.user_id = user_id
        self.project_id = project_id
        self.roles = list(roles or [])
        self.is_admin = ('admin' in self.roles) if is_admin is None else bool(is_admin)
        self.request_id = request_id or generate_request_id()
        self.global_request_id = global_request_id
        self.read_deleted = read_deleted
        self.remote_address = remote_address
        self.auth_token = auth_token
        self.user_name = user_name
        self.project_name = project_name
        if overwrite:
            self.update_store()

    _FIELDS = ('user_id', 'project_id', 'roles', 'is_admin', 'request_id',
               'global_request_id', 'read_deleted', 'remote_address',
               'auth_token', 'user_name', 'project_name')

    def to_dict(self):
        return {name: getattr(self, name) for name in self._FIELDS}

    @classmethod
    def from_dict(cls, values, overwrite=True):
        known = {k: v for k, v in (values or {}).items() if k in cls._FIELDS}
        return cls(overwrite=overwrite, **known)

    def elevated(self, read_deleted=None):
        """A copy with admin rights, for the service's own bookkeeping."""
        ctx = self.from_dict(self.to_dict(), overwrite=False)
        ctx.is_admin = True
        if 'admin' not in ctx.roles:
            ctx.roles.append('admin')
        if read_deleted is not None:
            ctx.read_deleted = read_deleted
        return ctx

    def update_store(self):
        _local.context = self

    def __repr__(self):
        return '<RequestContext %s user=%s project=%s admin=%s>' % (
            self.request_id, self.user_id, self.project_id, self.is_admin)


def get_admin_context(read_deleted='no'):
    return RequestContext(user_id=None, project_id=None, is_admin=True,
                          roles=['admin'], read_deleted=read_deleted, overwrite=False)


def get_current():
    """The context of the request this green thread serves, if any."""
    return getattr(_local, 'context', None)


def clear_current():
    _local.context = None
