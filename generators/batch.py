"""Batch mode: fill the cache through the Message Batches API (half price), resumable by id.

The interactive path then finds every first attempt in the cache; re-asks after a malformed
answer go through the Messages API as usual.
"""

from __future__ import annotations

import asyncio
import hashlib

from rich.progress import Progress

from core.cache import request_key

BATCH_PRICE = 0.5  # batch requests cost half the interactive price


async def prefill(backend, bodies: list[dict]) -> None:
    """Submit the uncached bodies as one batch (or resume it), poll, and cache the results."""
    fresh: dict[str, dict] = {}
    for body in bodies:
        key = request_key(body)
        if key not in backend.cache and key not in fresh:
            fresh[key] = body
    if not fresh:
        return
    async with backend.client() as client:
        budget = backend.p.max_usd - backend.stats.usd
        tokens = await backend.count_all(client, list(fresh.values()))
        chosen: dict[str, dict] = {}
        for (key, body), n in zip(fresh.items(), tokens, strict=True):  # what the budget pays for
            cost = BATCH_PRICE * backend.estimate_usd(body, n)
            if cost > budget:
                backend.stats.stopped_by_budget = True
                break
            budget -= cost
            chosen[key] = body
        if not chosen:
            return
        # The batch is named by the requests it holds, so a rerun finds and resumes it.
        name = hashlib.sha256("".join(sorted(chosen)).encode()).hexdigest()
        stored = backend.cache.get(name, kind="batches")
        if stored is None:
            batch = await client.messages.batches.create(
                requests=[{"custom_id": key, "params": body} for key, body in chosen.items()]
            )  # counted in stats.requests by the client's Meter
            backend.cache.put(name, {"batch_id": batch.id}, kind="batches")
            batch_id = batch.id
        else:
            batch_id = stored["batch_id"]
        with Progress(transient=True) as bar:
            task = bar.add_task(f"batch {batch_id}", total=len(chosen))
            while True:
                batch = await client.messages.batches.retrieve(batch_id)
                counts = batch.request_counts
                done = counts.succeeded + counts.errored + counts.canceled + counts.expired
                bar.update(task, completed=done)
                if batch.processing_status == "ended":
                    break
                await asyncio.sleep(backend.p.poll_s)
        async for entry in await client.messages.batches.results(batch_id):
            body = chosen.get(entry.custom_id)
            if body is None:
                continue
            if entry.result.type != "succeeded":
                backend.stats.faults[f"batch {entry.result.type}"] += 1
                continue  # a fault, not a failure: the interactive pass asks again
            response = entry.result.message.model_dump(mode="json", exclude_none=True)
            backend.record(response.get("usage", {}), BATCH_PRICE)
            backend.cache.put(entry.custom_id, {"request": body, "response": response})
