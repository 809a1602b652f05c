"""uWSGI entry of the Neutron API for stackha: neutron's own WSGI application, with every database
model imported and SQLAlchemy's mappers configured before the first request.

Neutron's API code reads relationships that only exist once all models are mapped (for example
`Port.port_forwardings` in GET /v2.0/ports); neutron-server gets there through its start-up, a bare
WSGI worker only after some other query ran. Nova's first call is often that GET /v2.0/ports.
"""

from neutron.db.migration.models import head  # noqa: F401  (imports every model)
from neutron.wsgi.api import application  # noqa: F401
from sqlalchemy import orm

orm.configure_mappers()
