"""nova-objectstore driven by the unmodified AWS CLI with the credentials of
novarc: `aws s3` (mb, cp, sync, ls, rm, rb) and `aws s3api` round trips."""
import hashlib
import json
import os
import urllib.error
import urllib.request
import uuid

import pytest

MiB = 1024 ** 2


@pytest.fixture(scope='module')
def aws(cloud, tmp_path_factory):
    """aws(*args, check=True) -> CompletedProcess, against S3_URL from novarc."""
    home = tmp_path_factory.mktemp('aws-home')
    env = cloud.env(AWS_CONFIG_FILE=str(home / 'config'),
                    AWS_SHARED_CREDENTIALS_FILE=str(home / 'credentials'), HOME=str(home))

    def aws(*args, check=True):
        return cloud.run('aws', '--endpoint-url', env['S3_URL'], *args, check=check, env=env)
    return aws


@pytest.fixture
def bucket(aws):
    name = 'cli-%s' % uuid.uuid4().hex[:10]
    aws('s3', 'mb', 's3://%s' % name)
    yield name
    aws('s3', 'rb', '--force', 's3://%s' % name)


def tree(root):
    """{relative path: md5} of every file under root."""
    found = {}
    for directory, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            with open(path, 'rb') as f:
                found[os.path.relpath(path, root)] = hashlib.md5(f.read()).hexdigest()
    return found


def test_cp_ls_and_multipart_round_trip(aws, bucket, tmp_path):
    data = os.urandom(9 * MiB)  # above the CLI's 8 MiB multipart threshold
    source = tmp_path / 'image.bin'
    source.write_bytes(data)
    aws('s3', 'cp', str(source), 's3://%s/images/image.bin' % bucket)
    assert bucket in aws('s3', 'ls').stdout
    listing = aws('s3', 'ls', 's3://%s/images/' % bucket).stdout
    assert 'image.bin' in listing and str(len(data)) in listing
    assert 'PRE images/' in aws('s3', 'ls', 's3://%s' % bucket).stdout
    head = json.loads(aws('s3api', 'head-object', '--bucket', bucket,
                          '--key', 'images/image.bin').stdout)
    assert head['ContentLength'] == len(data) and head['ETag'].endswith('-2"')
    target = tmp_path / 'back.bin'
    aws('s3', 'cp', 's3://%s/images/image.bin' % bucket, str(target))
    assert hashlib.md5(target.read_bytes()).digest() == hashlib.md5(data).digest()
    aws('s3', 'rm', 's3://%s/images/image.bin' % bucket)
    assert aws('s3', 'ls', 's3://%s/images/' % bucket, check=False).stdout == ''


def test_sync_both_ways(aws, bucket, tmp_path):
    local = tmp_path / 'local'
    for path, size in (('a.txt', 10), ('sub/b.bin', 70_000), ('sub/deep/c', 0)):
        (local / path).parent.mkdir(parents=True, exist_ok=True)
        (local / path).write_bytes(os.urandom(size))
    aws('s3', 'sync', str(local), 's3://%s/backup' % bucket)
    again = aws('s3', 'sync', str(local), 's3://%s/backup' % bucket)
    assert again.stdout.strip() == ''  # nothing changed, nothing sent
    listed = aws('s3', 'ls', '--recursive', 's3://%s/' % bucket).stdout
    assert {line.split()[-1] for line in listed.splitlines()} == {
        'backup/a.txt', 'backup/sub/b.bin', 'backup/sub/deep/c'}
    restored = tmp_path / 'restored'
    aws('s3', 'sync', 's3://%s/backup' % bucket, str(restored))
    assert tree(restored) == tree(local)


def test_s3api_round_trip(aws, bucket, tmp_path):
    body = tmp_path / 'body.txt'
    body.write_bytes(b'hello from the cli\n')
    put = json.loads(aws('s3api', 'put-object', '--bucket', bucket, '--key', 'docs/hello',
                         '--body', str(body), '--content-type', 'text/plain',
                         '--metadata', 'owner=cli').stdout)
    assert put['ETag'] == '"%s"' % hashlib.md5(body.read_bytes()).hexdigest()
    out = tmp_path / 'out.txt'
    got = json.loads(aws('s3api', 'get-object', '--bucket', bucket, '--key', 'docs/hello',
                         str(out)).stdout)
    assert (got['ContentType'], got['Metadata']) == ('text/plain', {'owner': 'cli'})
    assert out.read_bytes() == body.read_bytes()
    listed = json.loads(aws('s3api', 'list-objects-v2', '--bucket', bucket,
                            '--prefix', 'docs/').stdout)
    assert [o['Key'] for o in listed['Contents']] == ['docs/hello']
    aws('s3api', 'delete-object', '--bucket', bucket, '--key', 'docs/hello')
    missing = aws('s3api', 'head-object', '--bucket', bucket, '--key', 'docs/hello',
                  check=False)
    assert missing.returncode != 0 and '404' in missing.stderr
    nobucket = aws('s3api', 'list-objects-v2', '--bucket', bucket + '-gone', check=False)
    assert nobucket.returncode != 0 and 'NoSuchBucket' in nobucket.stderr


def test_presign_and_move(aws, bucket, tmp_path):
    source = tmp_path / 'note.txt'
    source.write_bytes(b'shared by a presigned URL')
    aws('s3', 'cp', str(source), 's3://%s/note.txt' % bucket)
    aws('s3', 'mv', 's3://%s/note.txt' % bucket, 's3://%s/moved/note.txt' % bucket)
    url = aws('s3', 'presign', 's3://%s/moved/note.txt' % bucket,
              '--expires-in', '300').stdout.strip()
    with urllib.request.urlopen(url) as response:
        assert response.read() == b'shared by a presigned URL'
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url.replace('note.txt', 'other.txt'))
    assert e.value.code == 403
    listed = aws('s3', 'ls', '--recursive', 's3://%s' % bucket).stdout
    assert [line.split()[-1] for line in listed.splitlines()] == ['moved/note.txt']


def test_s3api_versions_conditions_acl_checksums(aws, bucket, tmp_path):
    """#15's areas through the CLI, with S3's error codes: a versioned bucket, a
    CRC64NVME checksum kept and shown by get-object-attributes, a conditional
    write refused (PreconditionFailed), a grant to an unknown canonical id
    refused (InvalidArgument), a version deleted by id."""
    body = tmp_path / 'body.txt'
    body.write_bytes(b'versioned through the cli\n')
    aws('s3api', 'put-bucket-versioning', '--bucket', bucket,
        '--versioning-configuration', 'Status=Enabled')
    put = json.loads(aws('s3api', 'put-object', '--bucket', bucket, '--key', 'v',
                         '--body', str(body), '--checksum-algorithm', 'CRC64NVME').stdout)
    assert put['VersionId'] != 'null' and put['ChecksumCRC64NVME']
    again = aws('s3api', 'put-object', '--bucket', bucket, '--key', 'v', '--body', str(body),
                '--if-none-match', '*', check=False)
    assert again.returncode != 0 and 'PreconditionFailed' in again.stderr
    grant = aws('s3api', 'put-object-acl', '--bucket', bucket, '--key', 'v',
                '--grant-read', 'id=nobody-at-all', check=False)
    assert grant.returncode != 0 and 'InvalidArgument' in grant.stderr
    attributes = json.loads(aws('s3api', 'get-object-attributes', '--bucket', bucket,
                                '--key', 'v', '--object-attributes', 'ETag', 'Checksum',
                                'ObjectSize').stdout)
    assert attributes['ObjectSize'] == len(body.read_bytes())
    assert attributes['Checksum']['ChecksumCRC64NVME'] == put['ChecksumCRC64NVME']
    assert attributes['VersionId'] == put['VersionId']
    aws('s3api', 'delete-object', '--bucket', bucket, '--key', 'v',
        '--version-id', put['VersionId'])  # for good: the bucket is empty again
