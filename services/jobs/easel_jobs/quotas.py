"""Job quotas enforced at submission: concurrent jobs, images per day, GPU-seconds per month.

Being written: until then check() admits every job.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from easel_proto.v1 import jobs


async def check(session: AsyncSession, req: jobs.CreateJobRequest) -> None:
    pass
