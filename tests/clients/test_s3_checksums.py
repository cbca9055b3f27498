"""Checksums with unmodified boto3 and the AWS CLI: every algorithm on
PutObject (verified by boto3 on GET), multipart uploads with COMPOSITE and
FULL_OBJECT checksums, GetObjectAttributes, partNumber reads, and a repeated
CompleteMultipartUpload."""
import json

import pytest
from botocore.exceptions import ClientError

from tests.harness.s3_clients import MiB, code_of


@pytest.mark.parametrize('algorithm', ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'])
def test_put_and_get_with_each_algorithm(s3, bucket, algorithm):
    put = s3.put_object(Bucket=bucket, Key='k', Body=b'some bytes', ChecksumAlgorithm=algorithm)
    value = put['Checksum' + algorithm]
    got = s3.get_object(Bucket=bucket, Key='k', ChecksumMode='ENABLED')
    assert got['Body'].read() == b'some bytes'  # boto3 verifies the checksum as it reads
    assert got['Checksum' + algorithm] == value and got['ChecksumType'] == 'FULL_OBJECT'
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key='k', Body=b'x', **{'Checksum' + algorithm: value})
    assert code_of(e) == (400, 'BadDigest')


@pytest.mark.parametrize('algorithm,kind', [('CRC32C', 'COMPOSITE'), ('SHA1', 'COMPOSITE'),
                                            ('CRC64NVME', 'FULL_OBJECT'),
                                            ('CRC32', 'FULL_OBJECT')])
def test_multipart_checksums_parts_and_attributes(s3, bucket, algorithm, kind):
    created = s3.create_multipart_upload(Bucket=bucket, Key='mp', ChecksumAlgorithm=algorithm,
                                         ChecksumType=kind)
    assert created['ChecksumAlgorithm'] == algorithm and created['ChecksumType'] == kind
    upload = created['UploadId']
    datas = [b'1' * 5 * MiB, b'2' * 1000]
    parts = []
    for number, data in enumerate(datas, 1):
        part = s3.upload_part(Bucket=bucket, Key='mp', UploadId=upload, PartNumber=number,
                              Body=data, ChecksumAlgorithm=algorithm)
        parts.append({'PartNumber': number, 'ETag': part['ETag'],
                      'Checksum' + algorithm: part['Checksum' + algorithm]})
    done = s3.complete_multipart_upload(Bucket=bucket, Key='mp', UploadId=upload,
                                        MultipartUpload={'Parts': parts})
    assert done['ChecksumType'] == kind
    assert done['Checksum' + algorithm].endswith('-2') == (kind == 'COMPOSITE')
    again = s3.complete_multipart_upload(Bucket=bucket, Key='mp', UploadId=upload,
                                         MultipartUpload={'Parts': parts})
    assert again['ETag'] == done['ETag']
    attributes = s3.get_object_attributes(
        Bucket=bucket, Key='mp', ObjectAttributes=['ETag', 'Checksum', 'ObjectParts',
                                                   'ObjectSize'])
    assert attributes['ObjectSize'] == sum(map(len, datas))
    assert attributes['Checksum']['Checksum' + algorithm] == done['Checksum' + algorithm]
    assert attributes['ObjectParts']['TotalPartsCount'] == 2
    assert [p['Size'] for p in attributes['ObjectParts']['Parts']] == [5 * MiB, 1000]
    second = s3.get_object(Bucket=bucket, Key='mp', PartNumber=2)
    assert second['Body'].read() == datas[1] and second['PartsCount'] == 2
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key='mp', PartNumber=3)
    assert code_of(e)[0] == 416


def test_a_part_checksum_that_does_not_match(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key='bad',
                                        ChecksumAlgorithm='SHA256')['UploadId']
    part = s3.upload_part(Bucket=bucket, Key='bad', UploadId=upload, PartNumber=1, Body=b'p',
                          ChecksumAlgorithm='SHA256')
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key='bad', UploadId=upload, MultipartUpload={
            'Parts': [{'PartNumber': 1, 'ETag': part['ETag'],
                       'ChecksumSHA256': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='}]})
    assert code_of(e) == (400, 'InvalidPart')


def test_checksums_with_the_aws_cli(cloud, bucket, tmp_path):
    env = cloud.env(HOME=str(tmp_path))
    source = tmp_path / 'f'
    source.write_bytes(b'c' * (9 * MiB))  # two parts with the CLI's defaults
    cloud.run('aws', '--endpoint-url', env['S3_URL'], 's3', 'cp', str(source),
              's3://%s/big' % bucket, '--checksum-algorithm', 'CRC32C', env=env)
    shown = json.loads(cloud.run(
        'aws', '--endpoint-url', env['S3_URL'], 's3api', 'get-object-attributes', '--bucket',
        bucket, '--key', 'big', '--object-attributes', 'Checksum', 'ObjectParts', 'ObjectSize',
        env=env).stdout)
    assert shown['ObjectSize'] == 9 * MiB
    assert 'ChecksumCRC32C' in shown['Checksum']
    assert shown['ObjectParts']['TotalPartsCount'] == 2
