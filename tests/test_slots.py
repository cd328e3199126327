"""The endpoint's concurrency cap: slots handed over in arrival order, waits bounded."""

from __future__ import annotations

import asyncio

import pytest

from nato_iraq_kg.serve.slots import Slots


def test_slots_up_to_the_limit_then_none() -> None:
    """acquire() takes free slots and refuses once all are in use; release() frees one."""
    slots = Slots(2)
    assert slots.acquire() and slots.acquire()
    assert not slots.acquire()
    slots.release()
    assert slots.acquire()
    assert slots.in_use == 2


def test_a_waiter_gets_the_freed_slot_at_once_and_in_arrival_order() -> None:
    """Freed slots go to waiters first come, first served, with no polling delay."""

    async def scenario() -> tuple[list[str], float]:
        slots = Slots(1)
        assert await slots.wait(0)
        order: list[str] = []
        loop = asyncio.get_running_loop()

        async def waiter(name: str) -> None:
            assert await slots.wait(5)
            order.append(name)
            await asyncio.sleep(0.01)
            slots.release()

        tasks = []
        for name in ("first", "second", "third"):
            tasks.append(asyncio.create_task(waiter(name)))
            await asyncio.sleep(0.01)  # they arrive in this order
        # A newcomer may not jump the queue, even at the instant a slot is free.
        assert not slots.acquire()
        start = loop.time()
        slots.release()
        await asyncio.gather(*tasks)
        return order, loop.time() - start

    order, elapsed = asyncio.run(scenario())
    assert order == ["first", "second", "third"]
    assert elapsed < 0.5  # three hand-overs of ~10 ms work each, not 20 ms polls


def test_a_wait_past_its_limit_is_refused_and_leaves_the_slots_as_they_were() -> None:
    """A waiter that times out gets False, is forgotten, and takes no slot with it."""

    async def scenario() -> Slots:
        slots = Slots(1)
        assert await slots.wait(0)
        assert not await slots.wait(0.05)
        slots.release()
        return slots

    slots = asyncio.run(scenario())
    assert slots.in_use == 0
    assert slots.acquire()


def test_a_waiter_that_goes_away_passes_its_slot_on() -> None:
    """A cancelled waiter (the client hung up) never keeps a slot it was about to get."""

    async def scenario() -> bool:
        slots = Slots(1)
        assert await slots.wait(0)
        gone = asyncio.create_task(slots.wait(5))
        stays = asyncio.create_task(slots.wait(5))
        await asyncio.sleep(0.01)
        gone.cancel()
        slots.release()
        got = await stays
        with pytest.raises(asyncio.CancelledError):
            await gone
        slots.release()
        return got and slots.in_use == 0

    assert asyncio.run(scenario())


def test_no_slots_is_a_configuration_error() -> None:
    """A cap of zero would refuse every query: said at once."""
    with pytest.raises(ValueError, match="at least one slot"):
        Slots(0)
