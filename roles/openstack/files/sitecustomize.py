# Loaded (through PYTHONPATH) only by the openstack.cloud modules the deploy runs with the venv's
# Python. openstack.cloud 2.5 (bundled with Ansible 11) reads `openstack.version.__version__`, which
# openstacksdk >= 4.15 no longer imports with the package; openstack.cloud 2.6 does not need this.
import openstack.version  # noqa: F401
