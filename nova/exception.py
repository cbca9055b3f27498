"""Nova's exceptions: a message template, its arguments and an HTTP code.

Front ends map these to their own fault formats; RPC carries them by class name
and keyword arguments so that a caller re-raises the same class.
"""


class NovaException(Exception):
    """Base class: ``msg_fmt % kwargs`` is the message, ``code`` the HTTP status."""

    msg_fmt = 'An unknown exception occurred.'
    code = 500
    safe = False  # True when the message may be shown to an API user as is

    def __init__(self, message=None, **kwargs):
        self.kwargs = dict(kwargs)
        self.kwargs.setdefault('code', self.code)
        if not message:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError, ValueError):
                # a template that does not match its arguments must not hide the error
                message = '%s (%s)' % (self.msg_fmt, ', '.join(
                    '%s=%r' % item for item in sorted(kwargs.items())))
        self.message = str(message)
        super().__init__(self.message)

    def format_message(self):
        return self.message


class Invalid(NovaException):
    msg_fmt = 'Invalid input: %(reason)s'
    code = 400
    safe = True


class InvalidInput(Invalid):
    msg_fmt = 'Invalid input received: %(reason)s'


class NotAuthorized(NovaException):
    msg_fmt = 'Not authorized.'
    code = 403
    safe = True


class AdminRequired(NotAuthorized):
    msg_fmt = 'User does not have admin privileges.'


class Forbidden(NotAuthorized):
    msg_fmt = 'Forbidden: %(reason)s'


class NotFound(NovaException):
    msg_fmt = 'Resource could not be found.'
    code = 404
    safe = True


class Conflict(NovaException):
    msg_fmt = 'Conflict: %(reason)s'
    code = 409
    safe = True


class ServiceNotFound(NotFound):
    msg_fmt = 'Service %(service_id)s could not be found.'


class HostBinaryNotFound(NotFound):
    msg_fmt = 'Could not find binary %(binary)s on host %(host)s.'


class ComputeHostNotFound(NotFound):
    msg_fmt = 'Compute host %(host)s could not be found.'


class ServiceExists(Conflict):
    msg_fmt = 'Service with host %(host)s binary %(binary)s exists.'


class ConfigError(NovaException):
    msg_fmt = 'Configuration error: %(reason)s'


class DBNotSynced(NovaException):
    msg_fmt = ('The database is at revision %(current)s but this code needs '
               '%(expected)s: run nova-manage db sync')


class DBConnectionError(NovaException):
    msg_fmt = 'Cannot connect to the database %(url)s: %(reason)s'


class RPCError(NovaException):
    msg_fmt = 'RPC error: %(reason)s'


class MessagingTimeout(RPCError):
    msg_fmt = ('Timed out after %(timeout)ss waiting for a reply to '
               '%(method)s on topic %(topic)s')
    code = 504


class MessageDeliveryFailure(RPCError):
    msg_fmt = 'Could not deliver %(method)s to topic %(topic)s: %(reason)s'
    code = 503


class UnsupportedRPCVersion(RPCError):
    msg_fmt = ('%(topic)s speaks RPC API version %(server_version)s and cannot '
               'serve a %(version)s request for %(method)s')


class UnknownRPCMethod(RPCError):
    msg_fmt = '%(topic)s does not declare RPC method %(method)s'


class RemoteError(RPCError):
    """An exception raised by the remote side whose class the caller does not know."""

    msg_fmt = 'Remote error on %(host)s: %(exc_type)s %(value)s'

    def __init__(self, exc_type=None, value=None, host=None, traceback=None, **kw):
        self.exc_type, self.value, self.host, self.traceback = exc_type, value, host, traceback
        super().__init__(exc_type=exc_type, value=value, host=host, **kw)


# --- virt drivers (nova/virt) ---

class InstanceNotFound(NotFound):
    msg_fmt = 'Instance %(instance_id)s could not be found.'


class InstanceExists(Conflict):
    msg_fmt = 'Instance %(name)s already exists.'


class NotSupportedByDriver(Conflict):
    msg_fmt = 'Action %(action)s is not supported by the %(driver)s virt driver.'


class HypervisorStateConflict(Conflict):
    msg_fmt = 'Cannot %(action)s instance %(instance_uuid)s while it is %(state)s.'


class DeviceInUse(Conflict):
    msg_fmt = 'Device %(device)s is already in use on instance %(instance_uuid)s.'


class DeviceNotAttached(NotFound):
    msg_fmt = 'Device %(device)s is not attached to instance %(instance_uuid)s.'


class InsufficientHostResources(Conflict):
    msg_fmt = ('Host %(host)s cannot fit instance %(instance_uuid)s: %(resource)s '
               '%(requested)s requested, %(free)s free.')


class ComputeDriverNotFound(ConfigError):
    msg_fmt = 'Cannot load compute driver %(name)s: %(reason)s'


# --- scheduler ---

class NoValidHost(NovaException):
    msg_fmt = 'No valid host was found. %(reason)s'
    safe = True


class MaxRetriesExceeded(NoValidHost):
    msg_fmt = 'Exceeded maximum number of retries. %(reason)s'


class SchedulerHostFilterNotFound(ConfigError):
    msg_fmt = ('Scheduler host filter %(filter_name)s could not be found; '
               'available: %(available)s')
