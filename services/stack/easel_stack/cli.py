"""`easel up` runs the embedded stack until Ctrl-C; `easel demo` generates one job and exits; `easel nats-config`
writes the NATS identities and permissions of a deployment (EASEL_POOLS, EASEL_NAMESPACE) for its nats-server;
`easel configs import PATH` puts sd15/sd21/sdxl configs (a folder or .tar/.zip) into the object store for offline
installs, where the registry cannot fetch them from the Hugging Face Hub."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from easel_common import nats_access
from easel_common.logs import configure_logging
from easel_common.runner import freeze_startup_heap, run_until_signalled
from easel_common.settings import CommonSettings
from easel_stack import demo, k8s
from easel_stack.stack import EmbeddedStack, StackOptions


def options(args: argparse.Namespace, port: int) -> StackOptions:
    data_dir = Path(os.environ.get("EASEL_DATA_DIR", ".easel"))
    return StackOptions(
        data_dir=data_dir, port=port, host=os.environ.get("EASEL_HOST", "127.0.0.1"),
        namespace=os.environ.get("EASEL_NAMESPACE", "easel"),
        nats_url=os.environ.get("EASEL_NATS_URL"), database_url=os.environ.get("EASEL_DATABASE_URL"),
        workers=args.workers, worker_log=data_dir / "worker.log" if args.command == "demo" else None,
    )


async def up(args: argparse.Namespace) -> int:
    stack = EmbeddedStack(options(args, int(os.environ.get("EASEL_PORT", "7860"))))
    try:
        await stack.start()
        freeze_startup_heap()
        print(f"Easel is up: {stack.gateway_url} (API docs at {stack.gateway_url}/docs); Ctrl-C stops it.",
              flush=True)
        await run_until_signalled()
    finally:
        await stack.stop()
    return 0


async def run_demo(args: argparse.Namespace) -> int:
    stack = EmbeddedStack(options(args, int(os.environ.get("EASEL_PORT", "0"))))
    try:
        print("starting the embedded stack (nats-server, services, one worker)...", flush=True)
        await stack.start()
        print(f"gateway at {stack.gateway_url}", flush=True)
        paths = await demo.run(stack.gateway_url, stack.admin_key or "", stack.data_dir, Path(args.out))
    finally:
        await stack.stop()
    for path in paths:
        print(f"wrote {path}")
    return 0


def nats_config(args: argparse.Namespace) -> int:
    """Seeds for every identity of a deployment and the nats-server `authorization` block that admits them; for
    Kubernetes also Helm values for charts/easel (the same block) and a Secret manifest holding the seeds."""
    settings = CommonSettings()
    out = Path(args.out)
    credentials = nats_access.Credentials(out / "credentials")
    nats_access.write_private(out / "authorization.conf",
                              nats_access.authorization_include(settings.names, credentials, settings.pools))
    header = f"# written by `easel nats-config` for EASEL_NAMESPACE={settings.names.ns}, EASEL_POOLS={settings.pools}\n"
    values = k8s.helm_values(settings.names, credentials, settings.pools, args.secret_name)
    nats_access.write_private(out / "nats-values.yaml", header + json.dumps(values, indent=2) + "\n")
    secret = k8s.seeds_secret(credentials, settings.pools, args.secret_name)
    nats_access.write_private(out / "nats-identities.secret.yaml", header + json.dumps(secret, indent=2) + "\n")
    print(f"wrote {out / 'authorization.conf'} (include it in the nats-server configuration) and one seed per "
          f"identity in {credentials.folder}: {', '.join(nats_access.identities(settings.pools))}")
    print(f"for Kubernetes: kubectl apply -n <namespace> -f {out / 'nats-identities.secret.yaml'} (the seeds), "
          f"then helm install ... -f {out / 'nats-values.yaml'} (public keys and permissions)")
    return 0


def configs(args: argparse.Namespace) -> int:
    """`easel configs import PATH`: every base folder PATH holds (`<base>/model_index.json`, or PATH itself with
    --base) into the object store the settings name (EASEL_STORE, EASEL_DATA_DIR or EASEL_S3_*)."""
    from easel_common.storage import open_store
    from easel_proto.errors import EaselError
    from easel_registry import base_configs

    if len(args.args) != 2 or args.args[0] != "import":
        print("usage: easel configs import PATH [--base sd15|sd21|sdxl]", file=sys.stderr)
        return 2
    store = open_store(CommonSettings())

    async def run() -> dict[str, list[str]]:
        try:
            return await base_configs.import_path(store, Path(args.args[1]), args.base)
        finally:
            await store.close()

    try:
        stored = asyncio.run(run())
    except EaselError as exc:
        print(f"easel configs: {exc.message}", file=sys.stderr)
        return 2
    for base, files in stored.items():
        print(f"stored {len(files)} {base} config files under {base_configs.key(base, '')}")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="easel", description=__doc__)
    parser.add_argument("command", choices=["up", "demo", "nats-config", "configs"])
    parser.add_argument("args", nargs="*", help="configs: import PATH")
    parser.add_argument("--base", choices=["sd15", "sd21", "sdxl"], help="configs import: PATH is this base's folder")
    parser.add_argument("--workers", type=int, default=1,
                        help="fixed workers of the configured pools (pools made through /v1/pools scale by queue)")
    parser.add_argument("--out", default="out", help="where demo writes its images, nats-config its files")
    parser.add_argument("--secret-name", default=k8s.SECRET_NAME,
                        help="nats-config: the Kubernetes Secret that holds the seeds")
    args = parser.parse_args()
    if args.command == "nats-config":  # for EASEL_POOLS and EASEL_NAMESPACE as set
        sys.exit(nats_config(args))
    if args.command == "configs":
        sys.exit(configs(args))
    configure_logging(os.environ.get("EASEL_LOG_LEVEL", "WARNING" if args.command == "demo" else "INFO"))
    try:
        sys.exit(asyncio.run(up(args) if args.command == "up" else run_demo(args)))
    except KeyboardInterrupt:
        sys.exit(130)
