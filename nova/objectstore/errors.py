"""S3 error responses: S3's codes, statuses and messages, and Nova's exceptions mapped.

Clients branch on the code (boto3's ClientError, `aws` exit messages), so the
codes and statuses are S3's own; the body is S3's <Error> document. Its Message
is S3's English unless the request asks for another language that Nova has a
catalog for (Accept-Language, nova.i18n), as Nova's other APIs do.
"""
from nova import exception
from nova import i18n
from nova.i18n import _
from nova.objectstore import xmlutil

ERRORS = {
    'AccessDenied': (403, _('Access Denied')),
    'AuthorizationHeaderMalformed': (400, _('The authorization header is malformed.')),
    'AuthorizationQueryParametersError': (400, _('The query string authorization is '
                                               'malformed.')),
    'BadDigest': (400, _('The Content-MD5 you specified did not match what we received.')),
    'BucketAlreadyExists': (409, _('The requested bucket name is not available. The bucket '
                                 'namespace is shared by all users of the system. Please '
                                 'select a different name and try again.')),
    'BucketAlreadyOwnedByYou': (409, _('Your previous request to create the named bucket '
                                     'succeeded and you already own it.')),
    'BucketNotEmpty': (409, _('The bucket you tried to delete is not empty')),
    'EntityTooLarge': (400, _('Your proposed upload exceeds the maximum allowed size')),
    'EntityTooSmall': (400, _('Your proposed upload is smaller than the minimum allowed '
                            'object size.')),
    'IncompleteBody': (400, _('You did not provide the number of bytes specified by the '
                            'Content-Length HTTP header')),
    'InternalError': (500, _('We encountered an internal error. Please try again.')),
    'InvalidAccessKeyId': (403, _('The AWS Access Key Id you provided does not exist in our '
                                'records.')),
    'InvalidArgument': (400, _('Invalid Argument')),
    'InvalidBucketName': (400, _('The specified bucket is not valid.')),
    'InvalidDigest': (400, _('The Content-MD5 you specified is not valid.')),
    'InvalidPart': (400, _('One or more of the specified parts could not be found. The part '
                         'may not have been uploaded, or the specified entity tag may not '
                         "match the part's entity tag.")),
    'InvalidPartOrder': (400, _('The list of parts was not in ascending order. Parts must be '
                              'ordered by part number.')),
    'InvalidRange': (416, _('The requested range is not satisfiable')),
    'InvalidRequest': (400, _('Invalid Request')),
    'InvalidURI': (400, _("Couldn't parse the specified URI.")),
    'KeyTooLongError': (400, _('Your key is too long')),
    'IllegalVersioningConfigurationException': (400, _('The versioning configuration '
                                                     'specified in the request is invalid.')),
    'NoSuchVersion': (404, _('The specified version does not exist.')),
    'InvalidTag': (400, _('The tag provided was not a valid tag.')),
    'NoSuchTagSet': (404, _('The TagSet does not exist')),
    'AccessForbidden': (403, _('CORSResponse: This CORS request is not allowed.')),
    'BadRequest': (400, _('Bad Request')),
    'NoSuchCORSConfiguration': (404, _('The CORS configuration does not exist')),
    'MalformedPolicy': (400, _('Policies must be valid JSON and the first byte must be {')),
    'NoSuchBucketPolicy': (404, _('The bucket policy does not exist')),
    'NoSuchLifecycleConfiguration': (404, _('The lifecycle configuration does not exist')),
    'InvalidPartNumber': (416, _('The requested partnumber is not satisfiable')),
    'InvalidPolicyDocument': (400, _('The content of the form does not meet the conditions '
                                   'specified in the policy document.')),
    'MalformedPOSTRequest': (400, _('The body of your POST request is not well-formed '
                                  'multipart/form-data.')),
    'MaxPostPreDataLengthExceeded': (400, _('Your POST request fields preceding the upload '
                                          'file were too large.')),
    'MalformedACLError': (400, _('The XML you provided was not well-formed or did not '
                               'validate against our published schema')),
    'MissingSecurityHeader': (400, _('Your request was missing a required header')),
    'UnexpectedContent': (400, _('This request does not support content')),
    'UnresolvableGrantByEmailAddress': (400, _('The e-mail address you provided does not '
                                             'match any account on record.')),
    'MalformedXML': (400, _('The XML you provided was not well-formed or did not validate '
                          'against our published schema')),
    'MetadataTooLarge': (400, _('Your metadata headers exceed the maximum allowed metadata '
                              'size')),
    'MethodNotAllowed': (405, _('The specified method is not allowed against this resource.')),
    'MissingContentLength': (411, _('You must provide the Content-Length HTTP header.')),
    'NoSuchBucket': (404, _('The specified bucket does not exist')),
    'NoSuchKey': (404, _('The specified key does not exist.')),
    'NoSuchUpload': (404, _('The specified upload does not exist. The upload ID may be '
                          'invalid, or the upload may have been aborted or completed.')),
    'NotImplemented': (501, _('A header you provided implies functionality that is not '
                            'implemented')),
    'PreconditionFailed': (412, _('At least one of the pre-conditions you specified did '
                                'not hold')),
    'RequestTimeTooSkewed': (403, _('The difference between the request time and the '
                                  'current time is too large.')),
    'SignatureDoesNotMatch': (403, _('The request signature we calculated does not match '
                                   'the signature you provided. Check your key and '
                                   'signing method.')),
    'XAmzContentSHA256Mismatch': (400, _("The provided 'x-amz-content-sha256' header does "
                                       'not match what was computed.')),
}

# most specific first: the first class an exception is an instance of wins
_FROM_NOVA = (
    (exception.BucketNotFound, 'NoSuchBucket'),
    (exception.BucketExists, 'BucketAlreadyExists'),
    (exception.BucketNotEmpty, 'BucketNotEmpty'),
    (exception.InvalidBucketName, 'InvalidBucketName'),
    (exception.ObjectNotFound, 'NoSuchKey'),
    (exception.ObjectKeyTooLong, 'KeyTooLongError'),
    (exception.InvalidObjectKey, 'InvalidArgument'),
    (exception.ObjectTooLarge, 'EntityTooLarge'),
    (exception.ObjectDigestMismatch, 'BadDigest'),
    (exception.UploadNotFound, 'NoSuchUpload'),
    (exception.UploadPartInvalid, 'InvalidPart'),
    (exception.UploadPartsOutOfOrder, 'InvalidPartOrder'),
    (exception.UploadPartTooSmall, 'EntityTooSmall'),
    (exception.NotAuthorized, 'AccessDenied'),
)
# what S3 names in the body of these errors
_FIELDS = {'NoSuchBucket': 'BucketName', 'BucketNotEmpty': 'BucketName',
           'BucketAlreadyExists': 'BucketName', 'InvalidBucketName': 'BucketName',
           'NoSuchKey': 'Key', 'NoSuchUpload': 'UploadId'}


class S3Error(Exception):
    """One S3 error: code, message, and extra elements for the <Error> body."""

    def __init__(self, code, message=None, **fields):
        self.code = code
        self.status, default = ERRORS[code]
        self.message = message or default
        self.fields = fields
        self.headers = {}
        super().__init__('%s: %s' % (code, self.message))

    def translated(self, request):
        """The message in the request's Accept-Language (nova.i18n), else English."""
        return i18n.translate(self.message, i18n.request_language(request))

    def response(self, resource, request_id, request=None):
        message = self.message if request is None else self.translated(request)
        children = [('Code', self.code), ('Message', message)]
        children += list(self.fields.items())
        children += [('Resource', resource), ('RequestId', request_id)]
        resp = xmlutil.response('Error', children, status=self.status, namespace=False)
        resp.headers.update(self.headers)
        return resp


def from_nova(e, bucket=None, key=None, upload_id=None):
    """The S3Error of a Nova exception (None for one S3 has no code for)."""
    for cls, code in _FROM_NOVA:
        if isinstance(e, cls):
            field = _FIELDS.get(code)
            value = {'BucketName': bucket, 'Key': key, 'UploadId': upload_id}.get(field)
            message = None if code in _FIELDS else e.format_message()
            return S3Error(code, message, **({field: value} if value else {}))
    return None

