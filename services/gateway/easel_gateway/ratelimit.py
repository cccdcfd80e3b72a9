"""Per-user request rate limits shared by every gateway replica (token buckets in NATS KV).

Being written: until then check() lets every request through.
"""

from __future__ import annotations

from nats.aio.client import Client

from easel_proto import Names
from easel_proto.v1.common import Principal, Quotas


class RateLimiter:
    def __init__(self, nc: Client, names: Names) -> None:
        self.nc, self.names = nc, names

    async def start(self) -> None:
        pass

    async def check(self, principal: Principal, quotas: Quotas) -> None:
        pass
