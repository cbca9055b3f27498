"""EC2 errors: the codes and HTTP statuses clients branch on, from Nova's exceptions.

The compute and image APIs raise NovaExceptions; this table says which EC2
code each one is (the nearest class in the exception's MRO wins). A safe
4xx message is passed on; anything else is InternalError without details
(the traceback goes to the log only). Messages are lazy (nova.i18n) and
rendered in the language of the request's Accept-Language where a catalog
exists; codes never change.
"""
from xml.sax.saxutils import escape

import webob

from nova import exception
from nova import i18n
from nova.auth import signature
from nova.i18n import _

INTERNAL_ERROR = _('An internal error has occurred.')


class Ec2Error(Exception):
    """An error answered as <Errors><Error><Code>...: raised by the action modules."""

    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def invalid_value(name, value, reason=''):
    message = _('Value (%(value)s) for parameter %(name)s is invalid.') % {
        'value': value, 'name': name}
    if reason:
        message = _('%(message)s %(reason)s') % {'message': message, 'reason': reason}
    return Ec2Error('InvalidParameterValue', message)


def missing(name):
    return Ec2Error('MissingParameter',
                    _('The request must contain the parameter %s') % name)


def unsupported(message):
    return Ec2Error('UnsupportedOperation', message)


# class -> (code, status); the first class found in an exception's MRO applies
CODES = {
    signature.InvalidAccessKey: ('AuthFailure', 401),
    signature.SignatureMismatch: ('AuthFailure', 401),
    signature.RequestExpired: ('RequestExpired', 400),
    signature.MalformedAuthorization: ('IncompleteSignature', 400),
    signature.MissingAuthentication: ('MissingAuthenticationToken', 401),
    exception.NotAuthenticated: ('AuthFailure', 401),
    exception.NotAuthorized: ('UnauthorizedOperation', 403),
    exception.InstanceNotFound: ('InvalidInstanceID.NotFound', 400),
    exception.ImageNotFound: ('InvalidAMIID.NotFound', 400),
    exception.ImageNotActive: ('InvalidAMIID.Unavailable', 400),
    exception.KeypairNotFound: ('InvalidKeyPair.NotFound', 400),
    exception.KeyPairExists: ('InvalidKeyPair.Duplicate', 400),
    exception.InvalidKeypair: ('InvalidKeyPair.Format', 400),
    exception.SecurityGroupNotFound: ('InvalidGroup.NotFound', 400),
    exception.SecurityGroupExists: ('InvalidGroup.Duplicate', 400),
    exception.SecurityGroupInUse: ('InvalidGroup.InUse', 400),
    exception.SecurityGroupCannotDelete: ('CannotDelete', 400),
    exception.SecurityGroupRuleExists: ('InvalidPermission.Duplicate', 400),
    exception.SecurityGroupRuleNotFound: ('InvalidPermission.NotFound', 400),
    exception.TooManyInstances: ('InstanceLimitExceeded', 400),
    exception.VolumeQuotaExceeded: ('VolumeLimitExceeded', 400),
    exception.VolumeNotFound: ('InvalidVolume.NotFound', 400),
    exception.SnapshotNotFound: ('InvalidSnapshot.NotFound', 400),
    exception.VolumeNotAttached: ('IncorrectState', 400),
    exception.InvalidVolume: ('IncorrectState', 400),
    exception.InvalidSnapshot: ('IncorrectState', 400),
    exception.DevicePathInUse: ('InvalidParameterValue', 400),
    exception.MetadataLimitExceeded: ('TagLimitExceeded', 400),
    exception.OverQuota: ('ResourceLimitExceeded', 400),
    exception.InstanceInvalidState: ('IncorrectInstanceState', 400),
    exception.InstanceNotReady: ('IncorrectInstanceState', 400),
    exception.InstanceIsLocked: ('OperationNotPermitted', 400),
    exception.ImageProtected: ('OperationNotPermitted', 400),
    exception.NotSupportedByDriver: ('UnsupportedOperation', 400),
    exception.ClientTokenMismatch: ('IdempotentParameterMismatch', 400),
    exception.NoValidHost: ('InsufficientInstanceCapacity', 500),
    exception.MessagingTimeout: ('Unavailable', 503),
    exception.FlavorNotFound: ('InvalidParameterValue', 400),
    exception.UserExists: ('InvalidParameterValue', 400),
    exception.ProjectExists: ('InvalidParameterValue', 400),
    exception.CannotResizeDisk: ('InvalidParameterValue', 400),
    exception.CannotResizeToSameFlavor: ('InvalidParameterValue', 400),
    exception.Invalid: ('InvalidParameterValue', 400),
    exception.NotFound: ('InvalidParameterValue', 400),
    exception.Conflict: ('IncorrectState', 400),
}


def to_ec2_error(error):
    """The Ec2Error a raised exception is answered with, or None for a 500."""
    if isinstance(error, Ec2Error):
        return error
    if not isinstance(error, exception.NovaException):
        return None
    for cls in type(error).__mro__:
        if cls in CODES:
            code, status = CODES[cls]
            safe = status < 500 or error.safe
            return Ec2Error(code, error.format_message() if safe else INTERNAL_ERROR, status)
    return None


def error_response(error, request_id, language=None):
    """The <Response><Errors> body; the message in language (None: English)."""
    message = i18n.translate(error.message, language)
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            '<Code>%s</Code><Message>%s</Message></Error></Errors>'
            '<RequestID>%s</RequestID></Response>' % (
                escape(error.code), escape(message), escape(request_id or '')))
    return webob.Response(status=error.status, content_type='text/xml', charset='utf-8',
                          body=body.encode('utf-8'))
