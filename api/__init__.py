"""The vc-engine HTTP service: verify, issue, status lists, registry administration, a web page.

`create_app(settings)` builds the FastAPI application. It keeps no state of its own beyond the
registry database: any number of processes pointed at one PostgreSQL answer alike.
"""

from api.app import create_app
from api.settings import Settings

__all__ = ["Settings", "create_app"]
