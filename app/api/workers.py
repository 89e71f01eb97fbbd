"""Chat turns run in worker threads, a bounded number at once (COUNTY_RAG_ANSWER_CONCURRENCY);
further requests wait their turn. The event loop stays free, and while one turn does its
CPU-bound part (retrieval, the extractive answer) others go on streaming from the LLM, which
waits on the network with the GIL released."""

from collections.abc import AsyncIterator, Callable, Generator
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")
_END = object()


class Workers:
    def __init__(self, limit: int):
        self._slots = anyio.Semaphore(limit)
        self._threads = anyio.CapacityLimiter(limit)  # its own: not the pool other routes share

    async def run(self, work: Callable[[], T]) -> T:
        """`work()` in a worker thread, once a slot is free."""
        async with self._slots:
            return await anyio.to_thread.run_sync(work, limiter=self._threads)

    async def iterate(self, items: Generator[T, None, None]) -> AsyncIterator[T]:
        """The items of a blocking generator, each fetched in a worker thread, holding one slot
        throughout. When the caller stops early (the client went away) the generator is closed,
        which ends its LLM request."""
        async with self._slots:
            try:
                while (item := await anyio.to_thread.run_sync(
                        next, items, _END, limiter=self._threads)) is not _END:
                    yield item
            finally:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(items.close, limiter=self._threads)
