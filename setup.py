"""Packaging for Nova: the daemons are console_scripts (bin/ holds thin wrappers)."""
from setuptools import find_packages, setup

DAEMONS = ['api', 'compute', 'network', 'volume', 'objectstore', 'scheduler',
           'image', 'serialproxy', 'instancemonitor', 'all', 'manage', 'dhcpbridge']

setup(
    name='nova',
    version='0.1.0',
    description='An IaaS control plane: EC2, OpenStack Compute, S3 and Glance APIs',
    python_requires='>=3.11',
    packages=find_packages(exclude=['tests', 'tests.*']),
    include_package_data=True,
    package_data={'nova.db': ['migrations/*.ini', 'migrations/*.py',
                              'migrations/versions/*.py']},
    install_requires=[
        'eventlet>=0.36',
        'kombu>=5.3',
        'sqlalchemy>=2.0',
        'alembic>=1.12',
        'webob>=1.8',
        'routes>=2.5',
        'PasteDeploy>=3.0',
        'Paste>=3.5',
        'oslo.config>=9.0',
        'boto3>=1.28',
        'cryptography>=41',
        'oslo.policy>=4.0',
        'jsonschema>=4',
        'orjson>=3.9',
        'defusedxml>=0.7',  # every XML body from users (S3, bundle manifests)
        'awscrt>=0.20',  # S3's CRC32C and CRC64NVME checksums (what botocore uses)
        # the instance monitor's round-robin archives and graphs (builds against
        # librrd-dev: tools/install_build_deps.sh), and CloudWatch's CBOR protocol
        'rrdtool>=0.1.16',
        'cbor2>=5.4',
    ],
    extras_require={
        'postgres': ['psycopg[binary]>=3.1'],
        'mysql': ['PyMySQL>=1.1'],
        # the libvirt virt driver; builds against libvirt-dev (tools/install_deps.sh)
        'libvirt': ['libvirt-python>=9.0'],
        'xenapi': ['XenAPI>=24'],  # the XenAPI virt driver's client
        'test': ['pytest>=7', 'pytest-timeout>=2.1', 'hypothesis>=6', 'psycopg[binary]>=3.1',
                 'XenAPI>=24',
                 'PyMySQL>=1.1', 'ruff>=0.4', 'keystoneauth1>=5.0',
                 # the unmodified clients the client tests drive
                 'awscli>=1.29', 'python-openstackclient>=6', 'openstacksdk>=1',
                 'python-novaclient>=18', 'python-glanceclient>=4'],
    },
    entry_points={'console_scripts': [
        'nova-%s = nova.cmd.%s:main' % (name, name) for name in DAEMONS]},
)
