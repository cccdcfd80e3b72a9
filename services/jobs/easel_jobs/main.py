"""The jobs service: owns job rows, queues jobs, follows worker events."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from nats.aio.client import Client

from easel_common import callers, db
from easel_common.health import Check
from easel_common.logs import configure_logging
from easel_common.natsio import EndpointServer, consume, durable_consumer, ensure_streams
from easel_common.runner import run, serve, service_checks
from easel_common.storage import open_store
from easel_common.storage_quota import StorageQuota, StorageUsage
from easel_common.tenants import TenantView
from easel_jobs import handlers, queue_positions
from easel_jobs.demand import Demand
from easel_jobs.flows import JobFlows
from easel_jobs.folding import EventFolder
from easel_jobs.handover import Handover
from easel_jobs.pool_controller import make_pool_controller
from easel_jobs.pools.manage import Pools
from easel_jobs.retention import Retention
from easel_jobs.routing import Router, every
from easel_jobs.settings import JobsSettings
from easel_jobs.tenant_data import TenantData
from easel_jobs.trainings import handlers as training_handlers
from easel_jobs.trainings.flows import TrainingFlows
from easel_jobs.trainings.launchers import make_launcher
from easel_jobs.webhooks import metrics as webhook_metrics
from easel_jobs.webhooks.intake import Intake
from easel_jobs.webhooks.manage import Webhooks
from easel_jobs.webhooks.owners import Owners
from easel_jobs.webhooks.sealed import CALLBACKS, ENDPOINTS, Unopened, box_of, reseal, unopenable
from easel_jobs.webhooks.sender import Sender

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


class JobsService:
    """Lifecycle: start() migrates, ensures streams, serves and consumes; stop() drains."""

    def __init__(self, settings: JobsSettings, nc: Client) -> None:
        self.settings, self.nc = settings, nc
        self.engine = db.make_engine(settings.database_url)
        sessions = db.sessions(self.engine)
        self.router = Router(nc, settings.names, settings, sessions)
        self.flows = JobFlows(nc, sessions, settings.names, self.router,
                              register_timeout_s=settings.trainer_register_timeout_s)
        self.handover = Handover(nc, settings, sessions, self.router.board, self.flows)
        self.demand = Demand(sessions, self.router.board, settings.pools)
        # the pool list (rows; EASEL_POOLS seeds it): submit refuses unknown and disabled pools from this view
        self.pools = Pools(nc, sessions, settings, self.router.board, self.flows.fail)
        self.pools.on_change.append(self.demand.follow)
        self.flows.pools = self.pools
        # pools made through /v1/pools get their workers on Kubernetes (EASEL_POOL_CONTROLLER=kubernetes)
        self.pool_controller = make_pool_controller(settings)
        if self.pool_controller is not None:
            controller = self.pool_controller
            self.pools.on_change.append(lambda _names: controller.set_pools(list(self.pools.current.values())))
        self.store = open_store(settings)
        # disabled tenants and tenant-wide quotas, followed from the bucket auth writes
        self.tenants = TenantView(nc, settings.names, on_enabled=self.flows.requeue_tenant)
        self.flows.tenants = self.tenants
        # tenants' stored bytes, for their storage_bytes quota (easel_common.storage_quota)
        self.storage = StorageQuota(self.tenants, StorageUsage(self.store, settings.storage_usage_ttl_s))
        self.flows.storage = self.storage
        self.trainings = TrainingFlows(nc, sessions, settings, make_launcher(settings), self.store, self.flows)
        self.retention = Retention(sessions, self.store, self.tenants)
        self.tenant_data = TenantData(nc, sessions, settings.names, self.store, self.trainings.launcher)
        # signing secrets sealed at rest under the deployment's key; deliveries follow their owners' current rights
        self.webhook_box = box_of(settings)
        self.webhook_owners = Owners(nc, settings.names, timeout=settings.request_timeout_s,
                                     ttl_s=settings.webhook_owners_ttl_s)
        self.webhooks = Webhooks(sessions, settings, self.webhook_box)
        self.webhook_sender = Sender(sessions, settings, self.webhook_owners, self.webhook_box)
        self.webhook_intake = Intake(sessions, settings, self.webhook_sender.wake.set, self.webhook_owners)
        self.server = EndpointServer(nc, settings.names.service("jobs"), "0.1.0", "job records and queueing",
                                     verifier=callers.load_verifier(settings.caller_public_key, settings.data_dir))
        self._stopping = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []
        self._timers: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        names = self.settings.names
        await db.migrate(self.engine, MIGRATIONS, "alembic_version_jobs", webhook_secrets=self.webhook_box)
        # after a key rotation: every secret under the new key; one no configured key opens is left and said, and
        # costs only its own webhook's deliveries (sender.py), not the start
        unopened = Unopened()
        async with self.engine.begin() as conn:
            await conn.run_sync(reseal, self.webhook_box, unopened)
        if unopened:
            log.error("%s", unopened.summary(self.webhook_box))
        self._gauge_unopened(unopened)
        await self.webhook_owners.start()  # before any end is handed to the intake
        await ensure_streams(self.nc, names, ("jobs", "events", "advisories", "trainings"),
                             replicas=self.settings.stream_replicas)
        await self.pools.start()  # every pool's consumer, before any worker runs
        await self.tenants.start()
        await self.router.start()
        self.handover.start()
        events = await durable_consumer(self.nc, names.stream("events")["name"], names.jobs_events_consumer,
                                        handlers.worker_event_subjects(self.flows))
        advisories = await durable_consumer(self.nc, names.stream("advisories")["name"],
                                            names.jobs_advisories_consumer, [names.max_deliveries_advisory])
        self._loops = [
            # job ends go on to the webhook intake once folded (folding.py)
            asyncio.create_task(EventFolder(self.flows, events, self._stopping,
                                            ends=self.webhook_intake.on_job_ends).run()),
            asyncio.create_task(consume(advisories, lambda m: self.flows.on_deliveries_exhausted(m.data),
                                        self._stopping, batch=16)),
        ]
        run_events = await durable_consumer(self.nc, names.stream("trainings")["name"], names.jobs_trainings_consumer,
                                            training_handlers.run_event_subjects(self.trainings))
        self._loops.append(asyncio.create_task(consume(
            run_events, lambda m: self.trainings.apply_run_event(m.subject, m.data, m.headers), self._stopping)))
        training_ends, import_ends = await self.webhook_intake.consumers(self.nc)
        self._loops += [
            # the job ends an earlier version's consumer of its own still holds (intake.py)
            asyncio.create_task(self.webhook_intake.catch_up(self.nc, self._stopping)),
            asyncio.create_task(consume(training_ends, self.webhook_intake.on_training_event, self._stopping,
                                        auto_ack=False)),
            asyncio.create_task(consume(import_ends, self.webhook_intake.on_model_event, self._stopping,
                                        auto_ack=False)),
            asyncio.create_task(self.webhook_sender.run(self._stopping)),
        ]
        await self.trainings.launcher.start(on_change=self.trainings.wake.set)  # a watched run that ends: sweep now
        await self.server.start([*handlers.endpoints(self.flows), *training_handlers.endpoints(self.trainings),
                                 handlers.tenant_endpoint(self.tenant_data), handlers.webhooks_endpoint(self.webhooks),
                                 *handlers.pools_endpoints(self.pools),
                                 queue_positions.endpoint(self.flows.sessions, names)])
        self._loops.append(asyncio.create_task(self.trainings.run_sweeps(self._stopping)))
        if self.pool_controller is not None:
            self.pool_controller.start()
        self._timers.append(asyncio.create_task(self.storage.run()))  # tenants' stored bytes
        self._timers.append(asyncio.create_task(every(self.settings.retention_sweep_s, self.retention.sweep,
                                                      "expiring jobs under their tenants' retention")))
        self._timers.append(asyncio.create_task(every(self.settings.retention_sweep_s, self.count_unopened,
                                                      "counting the webhook secrets no configured key opens")))
        self._timers.append(asyncio.create_task(every(self.settings.demand_sample_s, self.demand.sample,
                                                     "counting the pools' jobs")))
        self._timers.append(asyncio.create_task(every(self.settings.pools_broadcast_s, self.pools.tick,
                                                     "broadcasting the pool list")))

    async def count_unopened(self) -> None:
        """Again now and then: a secret rotated since the start no longer counts."""
        async with self.engine.connect() as conn:
            self._gauge_unopened(await conn.run_sync(unopenable, self.webhook_box))

    @staticmethod
    def _gauge_unopened(unopened: Unopened) -> None:
        for kind, table in (("endpoints", ENDPOINTS), ("callbacks", CALLBACKS)):
            webhook_metrics.UNOPENABLE.labels(kind).set(len(unopened.rows[table]))

    def routes(self) -> dict:
        """`GET /pools` on the metrics port: each pool's demand (queued + running jobs) and workers, for KEDA's
        metrics-api trigger and for people."""
        return {"/pools": lambda: self.demand.snapshot}

    def checks(self) -> list[Check]:
        return service_checks(self.engine, self.server)

    async def stop(self) -> None:
        await self.server.stop()
        await self.pools.stop()
        if self.pool_controller is not None:
            await self.pool_controller.stop()
        await self.handover.stop()
        await self.router.stop()
        await self.tenants.stop()
        self._stopping.set()
        self.trainings.wake.set()  # the sweeps end now, not at their next tick
        for loop in self._timers:  # the samplers wait on nothing but time
            loop.cancel()
        self.webhook_sender.wake.set()
        await asyncio.gather(*self._loops, *self._timers, return_exceptions=True)
        await self.webhook_owners.stop()
        await self.trainings.stop()
        await self.trainings.launcher.close()
        await self.store.close()
        await self.flows.engine.aclose()  # the connections it held between statements (db.Lanes)
        await self.webhook_intake.engine.aclose()
        await self.engine.dispose()


def main() -> None:
    settings = JobsSettings()
    configure_logging(settings.log_level)
    run(serve(settings, "easel-jobs", lambda nc: JobsService(settings, nc), identity="jobs"))
