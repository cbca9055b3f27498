"""S3 error responses: S3's codes, statuses and messages, and Nova's exceptions mapped.

Clients branch on the code (boto3's ClientError, `aws` exit messages), so the
codes and statuses are S3's own; the body is S3's <Error> document.
"""
from nova import exception
from nova.objectstore import xmlutil

ERRORS = {
    'AccessDenied': (403, 'Access Denied'),
    'AuthorizationHeaderMalformed': (400, 'The authorization header is malformed.'),
    'AuthorizationQueryParametersError': (400, 'The query string authorization is '
                                               'malformed.'),
    'BadDigest': (400, 'The Content-MD5 you specified did not match what we received.'),
    'BucketAlreadyExists': (409, 'The requested bucket name is not available. The bucket '
                                 'namespace is shared by all users of the system. Please '
                                 'select a different name and try again.'),
    'BucketAlreadyOwnedByYou': (409, 'Your previous request to create the named bucket '
                                     'succeeded and you already own it.'),
    'BucketNotEmpty': (409, 'The bucket you tried to delete is not empty'),
    'EntityTooLarge': (400, 'Your proposed upload exceeds the maximum allowed size'),
    'EntityTooSmall': (400, 'Your proposed upload is smaller than the minimum allowed '
                            'object size.'),
    'IncompleteBody': (400, 'You did not provide the number of bytes specified by the '
                            'Content-Length HTTP header'),
    'InternalError': (500, 'We encountered an internal error. Please try again.'),
    'InvalidAccessKeyId': (403, 'The AWS Access Key Id you provided does not exist in our '
                                'records.'),
    'InvalidArgument': (400, 'Invalid Argument'),
    'InvalidBucketName': (400, 'The specified bucket is not valid.'),
    'InvalidDigest': (400, 'The Content-MD5 you specified is not valid.'),
    'InvalidPart': (400, 'One or more of the specified parts could not be found. The part '
                         'may not have been uploaded, or the specified entity tag may not '
                         "match the part's entity tag."),
    'InvalidPartOrder': (400, 'The list of parts was not in ascending order. Parts must be '
                              'ordered by part number.'),
    'InvalidRange': (416, 'The requested range is not satisfiable'),
    'InvalidRequest': (400, 'Invalid Request'),
    'InvalidURI': (400, "Couldn't parse the specified URI."),
    'KeyTooLongError': (400, 'Your key is too long'),
    'IllegalVersioningConfigurationException': (400, 'The versioning configuration '
                                                     'specified in the request is invalid.'),
    'NoSuchVersion': (404, 'The specified version does not exist.'),
    'InvalidTag': (400, 'The tag provided was not a valid tag.'),
    'NoSuchTagSet': (404, 'The TagSet does not exist'),
    'AccessForbidden': (403, 'CORSResponse: This CORS request is not allowed.'),
    'BadRequest': (400, 'Bad Request'),
    'NoSuchCORSConfiguration': (404, 'The CORS configuration does not exist'),
    'MalformedPolicy': (400, 'Policies must be valid JSON and the first byte must be {'),
    'NoSuchBucketPolicy': (404, 'The bucket policy does not exist'),
    'NoSuchLifecycleConfiguration': (404, 'The lifecycle configuration does not exist'),
    'InvalidPartNumber': (416, 'The requested partnumber is not satisfiable'),
    'InvalidPolicyDocument': (400, 'The content of the form does not meet the conditions '
                                   'specified in the policy document.'),
    'MalformedPOSTRequest': (400, 'The body of your POST request is not well-formed '
                                  'multipart/form-data.'),
    'MaxPostPreDataLengthExceeded': (400, 'Your POST request fields preceding the upload '
                                          'file were too large.'),
    'MalformedACLError': (400, 'The XML you provided was not well-formed or did not '
                               'validate against our published schema'),
    'MissingSecurityHeader': (400, 'Your request was missing a required header'),
    'UnexpectedContent': (400, 'This request does not support content'),
    'UnresolvableGrantByEmailAddress': (400, 'The e-mail address you provided does not '
                                             'match any account on record.'),
    'MalformedXML': (400, 'The XML you provided was not well-formed or did not validate '
                          'against our published schema'),
    'MetadataTooLarge': (400, 'Your metadata headers exceed the maximum allowed metadata '
                              'size'),
    'MethodNotAllowed': (405, 'The specified method is not allowed against this resource.'),
    'MissingContentLength': (411, 'You must provide the Content-Length HTTP header.'),
    'NoSuchBucket': (404, 'The specified bucket does not exist'),
    'NoSuchKey': (404, 'The specified key does not exist.'),
    'NoSuchUpload': (404, 'The specified upload does not exist. The upload ID may be '
                          'invalid, or the upload may have been aborted or completed.'),
    'NotImplemented': (501, 'A header you provided implies functionality that is not '
                            'implemented'),
    'PreconditionFailed': (412, 'At least one of the pre-conditions you specified did '
                                'not hold'),
    'RequestTimeTooSkewed': (403, 'The difference between the request time and the '
                                  'current time is too large.'),
    'SignatureDoesNotMatch': (403, 'The request signature we calculated does not match '
                                   'the signature you provided. Check your key and '
                                   'signing method.'),
    'XAmzContentSHA256Mismatch': (400, "The provided 'x-amz-content-sha256' header does "
                                       'not match what was computed.'),
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

    def response(self, resource, request_id):
        children = [('Code', self.code), ('Message', self.message)]
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

