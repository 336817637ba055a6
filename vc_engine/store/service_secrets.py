"""The service's own secrets, kept in the registry's database so that every service process
(and every machine behind a load balancer) shares them. Each is made once, on first use, from
the operating system's random source; two processes racing to make one agree on the first
written."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from vc_engine.store import validate
from vc_engine.store.engine import write_transaction
from vc_engine.store.reads import read_only
from vc_engine.store.schema import service_secrets

SECRET_BYTES = 32


class ServiceSecrets:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_or_create(self, name: str, *, at: datetime) -> bytes:
        """The secret called `name`, made now (256 random bits) if there is none yet."""
        found = self._read(name)
        if found is not None:
            return found
        when = validate.aware_utc("at", at)
        try:
            with write_transaction(self._engine) as conn:
                conn.execute(
                    insert(service_secrets).values(
                        name=name, secret=secrets.token_bytes(SECRET_BYTES), created_at=when
                    )
                )
        except IntegrityError:
            pass  # another process made it first: theirs is the one
        made = self._read(name)
        if made is None:
            raise RuntimeError(f"service secret {name!r} vanished after it was written")
        return made

    def _read(self, name: str) -> bytes | None:
        with read_only(self._engine) as conn:
            found = conn.execute(
                select(service_secrets.c.secret).where(service_secrets.c.name == name)
            ).scalar_one_or_none()
        return None if found is None else bytes(found)
