"""Nova's exceptions: a message template, its arguments and an HTTP code.

Front ends map these to their own fault formats; RPC carries them by class name
and keyword arguments so that a caller re-raises the same class.
"""
from nova.i18n import _


class NovaException(Exception):
    """Base class: ``msg_fmt % kwargs`` is the message, ``code`` the HTTP status."""

    msg_fmt = _('An unknown exception occurred.')
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
        # a lazy message (nova.i18n) stays one: the API translates it for the request
        self.message = message if isinstance(message, str) else str(message)
        super().__init__(self.message)

    def format_message(self):
        return self.message


class Invalid(NovaException):
    msg_fmt = _('Invalid input: %(reason)s')
    code = 400
    safe = True


class InvalidInput(Invalid):
    msg_fmt = _('Invalid input received: %(reason)s')


class NotAuthorized(NovaException):
    msg_fmt = _('Not authorized.')
    code = 403
    safe = True


class AdminRequired(NotAuthorized):
    msg_fmt = _('User does not have admin privileges.')


class Forbidden(NotAuthorized):
    msg_fmt = _('Forbidden: %(reason)s')


class NotFound(NovaException):
    msg_fmt = _('Resource could not be found.')
    code = 404
    safe = True


class Conflict(NovaException):
    msg_fmt = _('Conflict: %(reason)s')
    code = 409
    safe = True


class ServiceNotFound(NotFound):
    msg_fmt = _('Service %(service_id)s could not be found.')


class HostBinaryNotFound(NotFound):
    msg_fmt = _('Could not find binary %(binary)s on host %(host)s.')


class ComputeHostNotFound(NotFound):
    msg_fmt = _('Compute host %(host)s could not be found.')


class ServiceExists(Conflict):
    msg_fmt = _('Service with host %(host)s binary %(binary)s exists.')


class ProcessExecutionError(NovaException):
    """A command run by nova.utils.execute failed; the message has its stderr."""

    msg_fmt = _('Command %(cmd)s exited %(exit_code)s: %(stderr)s')

    def __init__(self, message=None, **kwargs):
        kwargs['stderr'] = (kwargs.get('stderr') or '').strip()
        super().__init__(message, **kwargs)
        self.exit_code = kwargs.get('exit_code')
        self.stdout, self.stderr = kwargs.get('stdout') or '', kwargs['stderr']


class ConfigError(NovaException):
    msg_fmt = _('Configuration error: %(reason)s')


class DBNotSynced(NovaException):
    msg_fmt = _('The database is at revision %(current)s but this code needs '
                '%(expected)s: run nova-manage db sync')


class DBConnectionError(NovaException):
    msg_fmt = _('Cannot connect to the database %(url)s: %(reason)s')


class RPCError(NovaException):
    msg_fmt = _('RPC error: %(reason)s')


class MessagingTimeout(RPCError):
    msg_fmt = _('Timed out after %(timeout)ss waiting for a reply to '
                '%(method)s on topic %(topic)s')
    code = 504


class MessageDeliveryFailure(RPCError):
    msg_fmt = _('Could not deliver %(method)s to topic %(topic)s: %(reason)s')
    code = 503


class UnsupportedRPCVersion(RPCError):
    """A method newer than a server (or than the client's upgrade pin): 409 until upgraded."""

    msg_fmt = _('%(topic)s speaks RPC API version %(server_version)s and cannot '
                'serve a %(version)s request for %(method)s')
    code = 409
    safe = True


class UnknownRPCMethod(RPCError):
    msg_fmt = _('%(topic)s does not declare RPC method %(method)s')


class RemoteError(RPCError):
    """An exception raised by the remote side whose class the caller does not know."""

    msg_fmt = _('Remote error on %(host)s: %(exc_type)s %(value)s')

    def __init__(self, exc_type=None, value=None, host=None, traceback=None, **kw):
        self.exc_type, self.value, self.host, self.traceback = exc_type, value, host, traceback
        super().__init__(exc_type=exc_type, value=value, host=host, **kw)


# --- virt drivers (nova/virt) ---

class InstanceNotFound(NotFound):
    msg_fmt = _('Instance %(instance_id)s could not be found.')


class InstanceExists(Conflict):
    msg_fmt = _('Instance %(name)s already exists.')


class NotSupportedByDriver(Conflict):
    msg_fmt = _('Action %(action)s is not supported by the %(driver)s virt driver.')


class InstanceBuildTimedOut(NovaException):
    msg_fmt = _('Build of instance %(instance_uuid)s did not finish within %(timeout)s '
                'seconds: %(reason)s')
    safe = True


class HostCapabilitiesUnknown(Conflict):
    msg_fmt = _('Host %(host)s has not reported what its virt driver can do yet, so '
                '%(action)s cannot be accepted; try again when it reports.')


class HypervisorStateConflict(Conflict):
    msg_fmt = _('Cannot %(action)s instance %(instance_uuid)s while it is %(state)s.')


class DeviceInUse(Conflict):
    msg_fmt = _('Device %(device)s is already in use on instance %(instance_uuid)s.')


class DeviceNotAttached(NotFound):
    msg_fmt = _('Device %(device)s is not attached to instance %(instance_uuid)s.')


class InsufficientHostResources(Conflict):
    msg_fmt = _('Host %(host)s cannot fit instance %(instance_uuid)s: %(resource)s '
                '%(requested)s requested, %(free)s free.')


class HypervisorError(NovaException):
    msg_fmt = _('Hypervisor error on host %(host)s: %(reason)s')


class HypervisorUnavailable(HypervisorError):
    msg_fmt = _('Cannot connect to the hypervisor of host %(host)s (%(uri)s): %(reason)s')


class ComputeDriverNotFound(ConfigError):
    msg_fmt = _('Cannot load compute driver %(name)s: %(reason)s')


# --- scheduler ---

class NoValidHost(NovaException):
    msg_fmt = _('No valid host was found. %(reason)s')
    safe = True


class MaxRetriesExceeded(NoValidHost):
    msg_fmt = _('Exceeded maximum number of retries. %(reason)s')


class SchedulerHostFilterNotFound(ConfigError):
    msg_fmt = _('Scheduler host filter %(filter_name)s could not be found; '
                'available: %(available)s')


# --- images (nova/image, nova/db/images.py) ---

class ImageNotFound(NotFound):
    msg_fmt = _('Image %(image_id)s could not be found.')


class ImageTaskNotFound(NotFound):
    msg_fmt = _('Task with the given id %(task_id)s was not found.')


class MetadefNamespaceNotFound(NotFound):
    msg_fmt = _('Metadata definition namespace=%(namespace)s was not found.')


class MetadefNotFound(NotFound):
    msg_fmt = _('Metadata definition %(what)s %(name)s was not found in namespace %(namespace)s.')


class MetadefDuplicate(Conflict):
    msg_fmt = _('A metadata definition %(what)s with name=%(name)s already exists in '
               'namespace=%(namespace)s.')


class ImageExists(Conflict):
    msg_fmt = _('Image with identifier %(image_id)s already exists.')


class ImageStatusConflict(Conflict):
    msg_fmt = _('Image %(image_id)s is %(status)s: cannot %(action)s.')


class ImagePropertyNotFound(Conflict):
    """409 as Glance answers a PATCH removing a property the image lacks."""

    msg_fmt = _('Image %(image_id)s has no property %(name)s.')


class ImageTagNotFound(NotFound):
    msg_fmt = _('Image %(image_id)s has no tag %(tag)s.')


class ImageMemberNotFound(NotFound):
    msg_fmt = _('Project %(member)s is not a member of image %(image_id)s.')


class ImageMemberExists(Conflict):
    msg_fmt = _('Project %(member)s is already a member of image %(image_id)s.')


class ImageProtected(Forbidden):
    msg_fmt = _('Image %(image_id)s is protected and cannot be deleted.')


class ImageAttributeReadOnly(Forbidden):
    msg_fmt = _("Attribute '%(attribute)s' of an image is read-only.")


class ImageSizeMismatch(Invalid):
    msg_fmt = _('Image %(image_id)s: %(received)s bytes received but %(expected)s '
                'were declared.')


class InvalidImageData(Invalid):
    msg_fmt = _('Image data refused: %(reason)s')


class InvalidImageRange(Invalid):
    msg_fmt = _('Range from byte %(offset)s is not satisfiable for image %(image_id)s '
                'of %(size)s bytes.')
    code = 416


class ImageTooLarge(NovaException):
    msg_fmt = _('Image data exceeds the limit of %(limit)s bytes.')
    code = 413
    safe = True


class ImageLimitExceeded(NovaException):
    msg_fmt = _('The limit has been exceeded on the number of allowed image %(what)s. '
                'Attempted: %(attempted)s, Maximum: %(maximum)s')
    code = 413
    safe = True


class ImageChecksumMismatch(NovaException):
    msg_fmt = _('Data of image %(image_id)s does not match its %(algorithm)s checksum: '
                'expected %(expected)s, got %(actual)s.')


class ImageDataNotFound(NotFound):
    msg_fmt = _('No image data at %(location)s.')


class ImageStoreReadOnly(Forbidden):
    msg_fmt = _('The %(store)s image store is read-only.')


class ImageStoreError(NovaException):
    msg_fmt = _('The %(store)s image store failed: %(reason)s')
    code = 502


class ImageServiceUnavailable(NovaException):
    """A compute host could not reach the image API (or it failed): the operation fails
    and is retried or rolled back as any other, never served from partial data."""

    msg_fmt = _('The image service at %(url)s failed: %(reason)s')
    code = 503


class UnknownImageStore(ConfigError):
    msg_fmt = _('No image store handles %(name)s.')


# -- compute API and manager ---------------------------------------------------
class InstanceInvalidState(Conflict):
    msg_fmt = _("Cannot '%(method)s' instance %(instance_uuid)s while it is in "
                "%(attr)s %(state)s")


class InstanceIsLocked(Conflict):
    msg_fmt = _('Instance %(instance_uuid)s is locked')


class InstanceNotReady(Conflict):
    msg_fmt = _('Instance %(instance_id)s is not ready')


class InstanceNotRunning(Conflict):
    msg_fmt = _('Instance %(instance_id)s is not running.')


class InstanceBuildInterrupted(NovaException):
    msg_fmt = _('Build of instance %(instance_uuid)s was interrupted: nova-compute on '
                '%(host)s stopped while spawning it')


class ComputeResourcesUnavailable(NovaException):
    msg_fmt = _('Insufficient compute resources: %(reason)s.')
    code = 503


class ImageNotActive(Conflict):
    msg_fmt = _('Image %(image_id)s is not active.')
    code = 400


class FlavorMemoryTooSmall(Invalid):
    msg_fmt = _("Flavor's memory is too small for requested image.")


class FlavorDiskTooSmall(Invalid):
    msg_fmt = _("Flavor's disk is too small for requested image.")


# --- compute data: flavors, instances, key pairs, quotas, aggregates, groups ---

class FlavorNotFound(NotFound):
    msg_fmt = _('Flavor %(flavor_id)s could not be found.')


class FlavorExists(Conflict):
    msg_fmt = _('Flavor with name %(name)s already exists.')


class FlavorIdExists(FlavorExists):
    msg_fmt = _('Flavor with ID %(flavor_id)s already exists.')


class FlavorExtraSpecsNotFound(NotFound):
    msg_fmt = _('Flavor %(flavor_id)s has no extra specs with key %(extra_specs_key)s.')


class FlavorAccessExists(Conflict):
    msg_fmt = _('Flavor access already exists for flavor %(flavor_id)s and project %(project_id)s.')


class FlavorAccessNotFound(NotFound):
    msg_fmt = _('Flavor access not found for flavor %(flavor_id)s and project %(project_id)s.')


class FlavorAccessNotAllowed(Conflict):
    msg_fmt = _('Can not add access to a public flavor (%(flavor_id)s).')


class MarkerNotFound(NotFound):
    msg_fmt = _('Marker %(marker)s could not be found.')


class UnexpectedTaskStateError(Conflict):
    msg_fmt = _('Conflict updating instance %(instance_uuid)s. '
                'Expected: %(expected)s. Actual: %(actual)s')


class UnexpectedDeletingTaskStateError(UnexpectedTaskStateError):
    """The instance is being deleted: the caller's task lost the race to a delete."""


class UnexpectedVMStateError(Conflict):
    msg_fmt = _('Conflict updating instance %(instance_uuid)s: unexpected vm_state. '
                'Expected: %(expected)s. Actual: %(actual)s')


class InstanceTagNotFound(NotFound):
    msg_fmt = _('Instance %(instance_id)s has no tag %(tag)s.')


class InstanceActionNotFound(NotFound):
    msg_fmt = _('Action for request_id %(request_id)s on instance %(instance_uuid)s not found.')


class InstanceActionEventNotFound(NotFound):
    msg_fmt = _('Event %(event)s not found for action id %(action_id)s.')


class KeyPairExists(Conflict):
    msg_fmt = _("Key pair '%(key_name)s' already exists.")


class KeypairNotFound(NotFound):
    msg_fmt = _('Keypair %(name)s not found for user %(user_id)s.')


class InvalidKeypair(Invalid):
    msg_fmt = _('Keypair data is invalid: %(reason)s')


class OverQuota(NovaException):
    """Some resources would exceed their limits; the message names each one.

    kwargs: overs (resource names), req, used, allowed ({resource: number}).
    """

    msg_fmt = _('Quota exceeded for %(overs)s.')
    code = 403
    safe = True

    def __init__(self, message=None, overs=(), req=None, used=None, allowed=None, **kwargs):
        overs = sorted(overs)
        req, used, allowed = req or {}, used or {}, allowed or {}
        if not message and overs:
            def listed(values):
                return ', '.join(str(values.get(name, '?')) for name in overs)
            message = ('Quota exceeded for %s: Requested %s, but already used %s of %s %s' % (
                ', '.join(overs), listed(req), listed(used), listed(allowed),
                ', '.join(overs)))
        super().__init__(message, overs=overs, req=req, used=used, allowed=allowed, **kwargs)


class MetadataLimitExceeded(OverQuota):
    msg_fmt = _('Maximum number of metadata items exceeds %(allowed)s')


class QuotaResourceUnknown(Invalid):
    msg_fmt = _('Unknown quota resource %(resource)s; known resources: %(known)s.')


class AggregateNotFound(NotFound):
    msg_fmt = _('Aggregate %(aggregate_id)s could not be found.')


class AggregateNameExists(Conflict):
    msg_fmt = _('Aggregate %(aggregate_name)s already exists.')


class AggregateHostExists(Conflict):
    msg_fmt = _('Aggregate %(aggregate_id)s already has host %(host)s.')


class AggregateHostNotFound(NotFound):
    msg_fmt = _('Aggregate %(aggregate_id)s has no host %(host)s.')


class AggregateMetadataNotFound(NotFound):
    msg_fmt = _('Aggregate %(aggregate_id)s has no metadata with key %(metadata_key)s.')


class InvalidAggregateAction(Invalid):
    msg_fmt = _('Unacceptable parameters: cannot %(action)s aggregate %(aggregate_id)s: %(reason)s')


class InstanceGroupNotFound(NotFound):
    msg_fmt = _('Instance group %(group_uuid)s could not be found.')


class InstanceGroupIdExists(Conflict):
    msg_fmt = _('Instance group %(group_uuid)s already exists.')


class MigrationNotFound(NotFound):
    msg_fmt = _('Migration %(migration_id)s could not be found.')


class MigrationNotFoundByStatus(MigrationNotFound):
    msg_fmt = _('Migration not found for instance %(instance_id)s with status %(status)s.')


class MigrationNotFoundForInstance(MigrationNotFound):
    msg_fmt = _('Migration %(migration_id)s not found for instance %(instance_id)s')


class LiveMigrationInProgressNotFound(MigrationNotFound):
    msg_fmt = _('In-progress live migration %(migration_id)s is not found for '
                'server %(instance_id)s.')


class InvalidMigrationState(Invalid):
    msg_fmt = _("Migration %(migration_id)s state of instance %(instance_uuid)s is "
                "%(state)s. Cannot %(method)s while the migration is in this state.")


class LiveMigrationAborted(NovaException):
    msg_fmt = _('Live migration of instance %(instance_uuid)s was aborted.')


class ComputeServiceInUse(Invalid):
    msg_fmt = _('Compute service of %(host)s is still in use.')


class ShareNotFound(NotFound):
    msg_fmt = _('Share %(share_id)s could not be found.')


class SharesNotConfiguredCorrectly(Conflict):
    msg_fmt = _('Feature not supported because either compute or instance are not '
                'configured correctly.')


class TooManyInstances(OverQuota):
    """A create whose min_count does not fit in the project's quota."""


# --- identity and policy (nova/auth, nova/api/identity, nova/policy.py) ---

class NotAuthenticated(NovaException):
    """No valid credentials: 401, unlike NotAuthorized (403, known but not allowed)."""

    msg_fmt = _('The request you have made requires authentication.')
    code = 401
    safe = True


class AuthenticationFailed(NotAuthenticated):
    # one message for an unknown user and a wrong password: names are not probed
    msg_fmt = _('Invalid username or password.')


class UserDisabled(NotAuthenticated):
    msg_fmt = _('User %(user_id)s is disabled.')


class ProjectDisabled(NotAuthenticated):
    msg_fmt = _('Project %(project_id)s is disabled.')


class ProjectAccessDenied(NotAuthenticated):
    msg_fmt = _('User %(user_id)s has no role on project %(project_id)s.')


class InvalidToken(NotAuthenticated):
    msg_fmt = _('The token is unknown, expired or revoked.')


class TokenNotFound(NotFound):
    msg_fmt = _('Could not find token.')


class UserNotFound(NotFound):
    msg_fmt = _('Could not find user: %(user_id)s.')


class ProjectNotFound(NotFound):
    msg_fmt = _('Could not find project: %(project_id)s.')


class RoleNotFound(NotFound):
    msg_fmt = _('Could not find role: %(role_id)s.')


class RoleAssignmentNotFound(NotFound):
    msg_fmt = _('User %(user_id)s has no role %(role_id)s on project %(project_id)s.')


class Ec2CredentialNotFound(NotFound):
    msg_fmt = _('EC2 access key %(access)s could not be found.')


class UserExists(Conflict):
    msg_fmt = _('User %(name)s already exists.')


class ProjectExists(Conflict):
    msg_fmt = _('Project %(name)s already exists.')


class InstancePasswordSetFailed(Conflict):
    msg_fmt = _('Failed to set admin password on %(instance)s because %(reason)s')


class ConsoleTokenInvalid(NotFound):
    msg_fmt = _('The console token is unknown or expired.')


class ConsoleTypeUnavailable(Invalid):
    msg_fmt = _('Unavailable console type %(console_type)s.')


class ConsoleNotAvailable(NotFound):
    msg_fmt = _('Guest does not have a console available: %(reason)s')


class TaskAlreadyRunning(Conflict):
    msg_fmt = _('Task %(task_name)s is already running on host %(host)s.')


class TaskNotRunning(NotFound):
    msg_fmt = _('Task %(task_name)s is not running on host %(host)s.')


class RoleExists(Conflict):
    msg_fmt = _('Role %(name)s already exists.')


class PolicyNotAuthorized(NotAuthorized):
    msg_fmt = _("Policy doesn't allow %(action)s to be performed.")


class PolicyRuleNotFound(NotFound):
    msg_fmt = _('Policy rule %(rule)s is not defined (nova-manage policy list shows every rule).')


class PolicyFileInvalid(ConfigError):
    msg_fmt = _('Policy file %(path)s cannot be parsed: %(reason)s')


# -- compute: resize, migrations, rollbacks --------------------------------------
class CannotResizeToSameFlavor(Invalid):
    msg_fmt = _('When resizing, instances must change flavor!')


class CannotResizeDisk(Invalid):
    msg_fmt = _('Server disk was unable to be resized because %(reason)s')


class UnableToMigrateToSelf(Invalid):
    msg_fmt = _('Unable to migrate instance (%(instance_id)s) to current host '
                '(%(host)s).')


class ComputeServiceUnavailable(Invalid):
    msg_fmt = _('Compute service of %(host)s is unavailable at this time.')


class MigrationPreCheckError(Invalid):
    msg_fmt = _('Migration pre-check error: %(reason)s')


class InstanceActionInterrupted(NovaException):
    msg_fmt = _('Task %(task_state)s of instance %(instance_uuid)s was interrupted: '
                'nova-compute on %(host)s stopped')
    safe = True


class InstanceFaultRollback(NovaException):
    """A host-side failure whose handler already put the instance back in a rest state."""

    msg_fmt = _('Instance rollback performed due to: %(inner_exception)s')

    def __init__(self, inner_exception=None, **kwargs):
        self.inner_exception = inner_exception
        super().__init__(inner_exception=inner_exception, **kwargs)


# ------------------------------------------------ EC2 API and security groups

class SecurityGroupNotFound(NotFound):
    msg_fmt = _("The security group '%(group)s' does not exist.")


class SecurityGroupExists(Conflict):
    msg_fmt = _("The security group '%(name)s' already exists in project %(project_id)s.")


class SecurityGroupInUse(Conflict):
    msg_fmt = _('Security group %(group)s is in use: %(reason)s')


class SecurityGroupCannotDelete(Invalid):
    msg_fmt = _("The security group '%(group)s' cannot be deleted by a user.")


class SecurityGroupExistsForInstance(Invalid):
    msg_fmt = _('Security group %(group)s already associated with the instance %(instance_id)s')


class SecurityGroupNotExistsForInstance(Invalid):
    msg_fmt = _('Security group %(group)s not associated with the instance %(instance_id)s')


class SecurityGroupRuleExists(Conflict):
    msg_fmt = _('The specified rule already exists in the security group.')


class SecurityGroupRuleNotFound(NotFound):
    msg_fmt = _('The specified rule does not exist in the security group.')


class ClientTokenMismatch(Invalid):
    msg_fmt = _('Client token %(client_token)s was already used for a request with '
                'different parameters.')


# ------------------------------------------------ object store (nova/objectstore)

class BucketNotFound(NotFound):
    msg_fmt = _('The bucket %(bucket)s does not exist.')


class BucketExists(Conflict):
    msg_fmt = _('The bucket %(bucket)s already exists.')


class BucketNotEmpty(Conflict):
    msg_fmt = _('The bucket %(bucket)s is not empty.')


class InvalidBucketName(Invalid):
    msg_fmt = _('Invalid bucket name %(bucket)r: %(reason)s')


class ObjectNotFound(NotFound):
    msg_fmt = _('The key %(key)s does not exist in bucket %(bucket)s.')


class InvalidObjectKey(Invalid):
    msg_fmt = _('Invalid object key: %(reason)s')


class ObjectKeyTooLong(InvalidObjectKey):
    msg_fmt = _('Object keys are at most %(limit)d bytes long (UTF-8).')


class ObjectTooLarge(Invalid):
    msg_fmt = _('The object is larger than the %(limit)d bytes allowed.')


class ObjectDigestMismatch(Invalid):
    msg_fmt = _('The Content-MD5 you specified did not match what we received.')


class InvalidBundle(Invalid):
    msg_fmt = _('Invalid image bundle: %(reason)s')


class UploadNotFound(NotFound):
    msg_fmt = _('The multipart upload %(upload_id)s does not exist.')


class UploadPartInvalid(Invalid):
    msg_fmt = _('Part %(part)s was not uploaded or its ETag does not match.')


class UploadPartsOutOfOrder(Invalid):
    msg_fmt = _('The list of parts was not in ascending order.')


class UploadPartTooSmall(Invalid):
    msg_fmt = _('Part %(part)s is smaller than the minimum allowed size of %(limit)d bytes.')


# ------------------------------------------------------------------ nova-network

class NetworkNotFound(NotFound):
    msg_fmt = _('Network %(network_id)s could not be found.')


class NetworkInUse(Conflict):
    msg_fmt = _('Network %(network_id)s is still in use: %(reason)s')


class NetworkExists(Conflict):
    msg_fmt = _('Network %(reason)s')


class CidrConflict(Conflict):
    msg_fmt = _('Requested cidr (%(cidr)s) conflicts with existing cidr (%(other)s).')


class NoNetworksFound(NotFound):
    msg_fmt = _('No networks are defined for project %(project_id)s.')


class NoMoreFixedIps(NovaException):
    msg_fmt = _('No fixed IP addresses available for network %(net)s.')
    code = 409
    safe = True


class FixedIpNotFoundForAddress(NotFound):
    msg_fmt = _('Fixed IP not found for address %(address)s.')


class FixedIpInvalid(Invalid):
    msg_fmt = _('Fixed IP address %(address)s is invalid: %(reason)s')


class FixedIpAlreadyInUse(Conflict):
    msg_fmt = _('Fixed IP address %(address)s is already in use on instance %(instance_uuid)s.')


class FixedIpNotReservable(Conflict):
    msg_fmt = _('Fixed IP address %(address)s cannot be %(action)s: %(reason)s')


class FloatingIpNotFoundForAddress(NotFound):
    msg_fmt = _('Floating IP not found for address %(address)s.')


class FloatingIpPoolNotFound(NotFound):
    msg_fmt = _('Floating IP pool %(pool)s not found.')


class NoMoreFloatingIps(NotFound):
    msg_fmt = _('Zero floating IPs available in pool %(pool)s.')


class FloatingIpExists(Conflict):
    msg_fmt = _('Floating IP %(address)s already exists.')


class FloatingIpAssociated(Conflict):
    msg_fmt = _('Floating IP %(address)s is associated with fixed IP %(fixed)s.')


class FixedIpHasFloatingIp(Conflict):
    msg_fmt = _('Fixed IP %(address)s already has floating IP %(floating)s.')


class FloatingIpNotAssociated(Conflict):
    msg_fmt = _('Floating IP %(address)s is not associated.')


class FloatingIpNotAllocated(Conflict):
    msg_fmt = _('Floating IP %(address)s is not allocated to a project.')


class CannotDisassociateAutoAssignedFloatingIp(NotAuthorized):
    msg_fmt = _('Floating IP %(address)s was assigned to its instance at boot: it goes '
                'with the instance, it cannot be disassociated or released.')


class SubnetNotFound(NotFound):
    msg_fmt = _('Subnet %(subnet_id)s could not be found.')


class PortNotFound(NotFound):
    msg_fmt = _('Port %(port_id)s could not be found.')


class PortInUse(Conflict):
    msg_fmt = _('Port %(port_id)s is still in use by %(instance_uuid)s.')


class InstanceNotOnNetwork(Invalid):
    msg_fmt = _('Instance %(instance_uuid)s has no fixed IP %(reason)s')

# --- block storage (nova/volume, nova/api/openstack/volume) ---
# messages as Cinder words them, so that clients and tempest see the same errors

class VolumeNotFound(NotFound):
    msg_fmt = _('Volume %(volume_id)s could not be found.')


class SnapshotNotFound(NotFound):
    msg_fmt = _('Snapshot %(snapshot_id)s could not be found.')


class VolumeTypeNotFound(NotFound):
    msg_fmt = _('Volume type %(volume_type_id)s could not be found.')


class VolumeAttachmentNotFound(NotFound):
    msg_fmt = _('Volume attachment could not be found with filter: %(filter)s.')


class VolumeNotAttached(NotFound):
    """Nova's answer to a detach of a volume the server does not have."""

    msg_fmt = _('Volume %(volume_id)s is not attached to the server %(instance_uuid)s.')


class VolumeTypeExists(Conflict):
    msg_fmt = _('Volume Type %(id)s already exists.')


class VolumeTypeInUse(Invalid):
    msg_fmt = _('Volume Type %(volume_type_id)s deletion is not allowed with volumes present '
                'with the type.')


class InvalidVolume(Invalid):
    msg_fmt = _('Invalid volume: %(reason)s')


class InvalidSnapshot(Invalid):
    msg_fmt = _('Invalid snapshot: %(reason)s')


class InvalidVolumeType(Invalid):
    msg_fmt = _('Invalid volume type: %(reason)s')


class MultiattachNotSupportedOldMicroversion(Invalid):
    msg_fmt = _('Multiattach volumes are only supported starting with compute API '
                'version 2.60.')


class MultiattachNotSupportedByVirtDriver(Conflict):
    msg_fmt = _("Volume %(volume_id)s has 'multiattach' set, which is not supported for "
                "this instance.")


class MultiattachSwapVolumeNotSupported(Invalid):
    msg_fmt = _('Swapping multi-attach volumes with more than one read/write attachment '
                'is not supported.')


class VolumeAlreadyAttached(Invalid):
    """Nova refuses to attach a volume twice to one server (409 in its API)."""

    msg_fmt = _('Volume %(volume_id)s is already attached to server %(instance_uuid)s.')
    code = 409


class VolumeQuotaExceeded(OverQuota):
    """A volume or snapshot over one of volumes, snapshots, gigabytes (413 as Cinder)."""

    msg_fmt = _('VolumeLimitExceeded: %(reason)s')
    code = 413
    safe = True


class VolumeBackendAPIException(NovaException):
    msg_fmt = _('Bad or unexpected response from the storage volume backend API: %(data)s')


class ISCSITargetError(VolumeBackendAPIException):
    msg_fmt = _('iSCSI target %(target)s: %(reason)s')


class VolumeServiceUnavailable(NovaException):
    msg_fmt = _('Volume host %(host)s is not available: %(reason)s')
    code = 503
    safe = True

# ------------------------------------------------------------------ XenAPI driver

class XenAPIFailure(NovaException):
    """A XenAPI call failed: ``details`` is XAPI's ErrorDescription [code, params...]."""
    msg_fmt = _('XenAPI %(method)s failed: %(details)s')


class XenAPIConnectionFailed(NovaException):
    msg_fmt = _('Cannot reach the XenAPI pool at %(url)s: %(reason)s')


class ImageUnacceptable(Invalid):
    msg_fmt = _('Image %(image_id)s is unacceptable: %(reason)s')


class NetworkBridgeNotFound(NotFound):
    msg_fmt = _('No XenAPI network on bridge %(bridge)s (network %(network)s): create it on '
                'the pool (xe network-create, then its bridge) before booting on it.')


class InvalidDevicePath(Invalid):
    msg_fmt = _('The supplied device path (%(path)s) is invalid.')


class DevicePathInUse(Conflict):
    msg_fmt = _('The supplied device path (%(path)s) is in use.')
