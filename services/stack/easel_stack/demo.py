"""The demo: as a user with an API key, generate an image through the REST API and save it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from httpx_sse import aconnect_sse
from tqdm import tqdm

DEMO_JOB = {"prompt": "a lighthouse on a cliff at dawn, watercolor", "negative_prompt": "blurry",
            "sampler": "Euler a", "steps": 20, "width": 64, "height": 64, "seed": 42, "batch_size": 2}


async def demo_user_key(http: httpx.AsyncClient, admin_key: str, data_dir: Path) -> str:
    """The demo user's API key: made once by the admin, kept in the data dir, reused afterwards."""
    path = data_dir / "demo.key"
    if path.exists():
        key = path.read_text().strip()
        if (await http.get("/v1/me", headers={"Authorization": f"Bearer {key}"})).status_code == 200:
            return key
    admin = {"Authorization": f"Bearer {admin_key}"}
    name = "demo"
    for attempt in range(100):
        r = await http.post("/v1/users", json={"username": name}, headers=admin)
        if r.status_code != 409:
            break
        name = f"demo-{attempt + 2}"
    r.raise_for_status()
    user = r.json()
    r = await http.post(f"/v1/users/{user['id']}/keys", json={"name": "demo"}, headers=admin)
    r.raise_for_status()
    key = r.json()["secret"]
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


async def follow(http: httpx.AsyncClient, job_id: str, headers: dict[str, str], show: bool = True) -> dict:
    """Print progress from the job's SSE stream; returns the terminal event's payload."""
    bar = None
    async with aconnect_sse(http, "GET", f"/v1/jobs/{job_id}/events", headers=headers, timeout=None) as source:
        async for sse in source.aiter_sse():
            data = json.loads(sse.data) if sse.data else {}
            if sse.event == "progress":
                if bar is None and show:
                    bar = tqdm(total=data["steps"], desc="denoising", unit="step")
                if bar is not None:
                    bar.n = data["step"]
                    bar.refresh()
            elif show and sse.event in ("queued", "starting", "processing"):
                tqdm.write(f"job {job_id}: {sse.event}")
            if sse.event in ("succeeded", "failed", "canceled"):
                if bar is not None:
                    bar.close()
                return {"event": sse.event, **data}
    raise RuntimeError("the event stream ended before the job did")


async def run(base_url: str, admin_key: str, data_dir: Path, out_dir: Path, job: dict | None = None) -> list[Path]:
    """Submit one txt2img job, follow it, write its PNGs to out_dir; returns their paths."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        key = await demo_user_key(http, admin_key, data_dir)
        headers = {"Authorization": f"Bearer {key}"}
        r = await http.post("/v1/jobs", json=job or DEMO_JOB, headers=headers)
        r.raise_for_status()
        job_id = r.json()["id"]
        final = await follow(http, job_id, headers)
        record = (await http.get(f"/v1/jobs/{job_id}", headers=headers)).json()
        if final["event"] != "succeeded":
            raise RuntimeError(f"job {job_id} {final['event']}: {record.get('error')}")
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = []
        for image in record["images"]:
            r = await http.get(image["url"], headers=headers)
            r.raise_for_status()
            path = out_dir / f"{job_id}-{image['index']}.png"
            path.write_bytes(r.content)
            paths.append(path)
        timings = record["timings"]
        print(f"job {job_id} succeeded in {timings['total_s']:.2f}s "
              f"(queue {timings['queue_s']:.3f}s, generation {timings['generation_s']:.2f}s)")
        return paths
