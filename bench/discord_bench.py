"""Discord benchmark: many concurrent ``/ask`` interactions against a slow answer function.

Run from the repository root: ``python bench/discord_bench.py`` (``make bench``);
``--n``, ``--delay`` and ``--rounds`` change the load.  Prints a markdown table.

Offline, like the tests: the real ``NewsBot`` and its cog handle real
``discord.Interaction`` objects built from payload dicts (discord.py's own
test pattern) and dispatched as the gateway does (``CommandTree._call`` in
a task per interaction).  The webhook adapter behind interaction responses
is replaced by one that records when each request is made and answers after
a simulated network round trip (``--rtt``, default 50 ms).  The answer
function is a fake engine (``tests.fakes``) whose ``answer`` blocks its thread for
``--delay`` seconds (default 2 s), as a slow model would.

Figures, per round of ``--n`` (default 50) simultaneous interactions:

* time from dispatch to the defer request, max and p99 (target: all < 100 ms);
* event-loop lag: a probe sleeping 5 ms in a loop, the excess over 5 ms,
  p99 and max over the whole run (target: p99 < 250 ms);
* interactions answered (a follow-up sent) out of all (target: all);
* wall time of the round (n answers of ``delay`` seconds side by side);
* memory: Python heap (tracemalloc) and RSS after each round, after a
  garbage collection; growth from the first round to the last (target: flat,
  under 1 MB of heap).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import discord  # noqa: E402
from discord.webhook.async_ import AsyncWebhookAdapter, async_context  # noqa: E402

from bot.discord_bot import NewsBot  # noqa: E402
from bot.discord_support import DiscordSettings  # noqa: E402
from retrieval.engine.answer import Answer, Citation  # noqa: E402
from tests.fakes import ScriptedEngine  # noqa: E402

_ids = itertools.count(10_000)


class SlowEngine(ScriptedEngine):
    """An engine whose every answer blocks its thread for ``delay`` seconds (and which keeps
    no record of the calls, so that the memory figures measure the bot alone)."""

    def __init__(self, delay: float):
        super().__init__(delay=delay)

    def answer(self, question, history=(), *, k=None, source=None, since=None, on_text=None) -> Answer:
        time.sleep(self.delay)
        cite = Citation(n=1, article_id="a1", title="Kremlin denies Putin and Trump spoke on the phone",
                        source="AFP", published="2024-11-11", url="https://example.org/kremlin",
                        quote="simply false information", start=0, end=24, stance="denies")
        return Answer(question=question, status="answered",
                      answer="Kremlin spokesman Dmitry Peskov called the report “simply false information”. [1]",
                      citations=[cite])


class TimedAdapter(AsyncWebhookAdapter):
    """Records each interaction request and answers after a simulated round trip."""

    def __init__(self, rtt: float):
        super().__init__()
        self.rtt = rtt
        self.defers: dict[str, float] = {}  # interaction id -> time the defer was sent
        self.followups: dict[str, float] = {}  # interaction token -> time the answer was sent

    async def request(self, route, session=None, *, payload=None, **kwargs):
        now = time.perf_counter()
        if route.path.endswith("/callback"):
            self.defers.setdefault(str(route.webhook_id), now)
            await asyncio.sleep(self.rtt)
            return {"interaction": {"id": str(route.webhook_id), "type": 2}}
        self.followups.setdefault(str(route.webhook_token), now)
        await asyncio.sleep(self.rtt)
        return {
            "id": str(next(_ids)), "channel_id": "1", "type": 0, "content": (payload or {}).get("content", ""),
            "author": {"id": "1", "username": "newsbot", "discriminator": "0001", "avatar": None, "bot": True},
            "timestamp": "2024-11-16T00:00:00+00:00", "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
            "pinned": False,
        }


def ask_interaction(bot: NewsBot, user_id: int, question: str) -> tuple[discord.Interaction, str]:
    iid, token = str(next(_ids)), f"token-{next(_ids)}"
    payload = {
        "id": iid, "application_id": "1", "token": token, "version": 1, "type": 2,
        "guild_id": "77", "channel": {"id": "78", "type": 0, "name": "news", "position": 0, "guild_id": "77"},
        "member": {"user": {"id": str(user_id), "username": f"user{user_id}", "discriminator": "0001",
                            "avatar": None},
                   "roles": [], "permissions": "0", "joined_at": "2024-01-01T00:00:00+00:00",
                   "deaf": False, "mute": False, "flags": 0},
        "app_permissions": "0", "attachment_size_limit": 25_000_000, "locale": "en-US",
        "data": {"type": 1, "name": "ask", "id": "1",
                 "options": [{"type": 3, "name": "question", "value": question}]},
    }
    return discord.Interaction(data=payload, state=bot._connection), iid


async def lag_probe(samples: list[float], stop: asyncio.Event, paused: list[bool], period: float = 0.005) -> None:
    """Sleeps ``period`` again and again, recording how late it wakes (not while ``paused[0]``)."""
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(period)
        if not paused[0]:
            samples.append(time.perf_counter() - t - period)


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: peak RSS instead
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run(n: int, delay: float, rounds: int, rtt: float) -> dict:
    bot = NewsBot(engine=SlowEngine(delay), library=None, ingest=lambda specs: None,
                  settings=DiscordSettings(sync_commands=False, cooldown_seconds=0.0, max_concurrent=n),
                  upload_dir=Path("/nonexistent"))
    await bot._async_setup_hook()
    # what logging in would set: the bot's own user
    bot._connection.user = discord.ClientUser(state=bot._connection, data={
        "id": "1", "username": "newsbot", "discriminator": "0001", "avatar": None, "bot": True})
    await bot.setup_hook()
    adapter = TimedAdapter(rtt)
    async_context.set(adapter)
    tracemalloc.start()
    lags: list[float] = []
    stop = asyncio.Event()
    paused = [False]  # the memory measurement between rounds blocks the loop: not counted as lag
    probe = asyncio.create_task(lag_probe(lags, stop, paused))
    out = {"defer_ms": [], "answered": 0, "total": 0, "round_s": [], "heap": [], "rss": []}
    for _ in range(rounds):
        adapter.defers.clear()
        adapter.followups.clear()
        batch = [ask_interaction(bot, 1000 + i, f"Did the call happen? ({i})") for i in range(n)]
        started = time.perf_counter()
        dispatched = {}
        tasks = []
        for interaction, iid in batch:  # what the gateway does for each INTERACTION_CREATE
            dispatched[iid] = time.perf_counter()
            tasks.append(asyncio.create_task(bot.tree._call(interaction)))
        await asyncio.gather(*tasks)
        out["round_s"].append(time.perf_counter() - started)
        out["defer_ms"] += [(adapter.defers[iid] - dispatched[iid]) * 1000 for _, iid in batch if iid in adapter.defers]
        out["answered"] += len(adapter.followups)
        out["total"] += n
        del batch, tasks
        paused[0] = True
        gc.collect()
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, __file__)])
        out["heap"].append(sum(stat.size for stat in snapshot.statistics("filename")))  # the probe's samples excluded
        out["rss"].append(rss_bytes())
        await asyncio.sleep(0.02)  # let the probe wake from the pause before counting again
        paused[0] = False
    stop.set()
    await probe
    cog = bot.get_cog("newsbot")
    out["remembered"] = (len(cog.conversations), cog.conversations.max_keys)
    out["lag_ms"] = [x * 1000 for x in lags]
    tracemalloc.stop()
    await bot.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="simultaneous /ask interactions per round")
    parser.add_argument("--delay", type=float, default=2.0, help="seconds each answer takes")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, for the memory figures")
    parser.add_argument("--rtt", type=float, default=0.05, help="simulated Discord round trip, seconds")
    args = parser.parse_args()
    r = asyncio.run(run(args.n, args.delay, args.rounds, args.rtt))
    defer, lag = r["defer_ms"], r["lag_ms"]
    heap_growth = (r["heap"][-1] - r["heap"][0]) / 1e6
    rss_growth = (r["rss"][-1] - r["rss"][0]) / 1e6
    rows = [
        ("deferred, of all", "all", f"{len(defer)}/{r['total']}", len(defer) == r["total"]),
        ("dispatch → defer, p99 (ms)", "< 100", f"{pct(defer, 0.99):.1f}", pct(defer, 0.99) < 100),
        ("dispatch → defer, max (ms)", "< 100", f"{max(defer):.1f}", max(defer) < 100),
        ("event-loop lag, p99 (ms)", "< 250", f"{pct(lag, 0.99):.1f}", pct(lag, 0.99) < 250),
        ("event-loop lag, max (ms)", "", f"{max(lag):.1f}", None),
        ("answered, of all", "all", f"{r['answered']}/{r['total']}", r["answered"] == r["total"]),
        ("round wall time (s)", f"≈ {args.delay:g} + overhead",
         " / ".join(f"{s:.2f}" for s in r["round_s"]), None),
        ("heap after each round (MB)", "", " / ".join(f"{h / 1e6:.2f}" for h in r["heap"]), None),
        ("heap growth, first → last round (MB)", "< 1", f"{heap_growth:+.2f}", heap_growth < 1),
        ("RSS after each round (MB)", "", " / ".join(f"{m / 1e6:.0f}" for m in r["rss"]), None),
        ("RSS growth, first → last round (MB)", "flat", f"{rss_growth:+.1f}", None),
        ("answers remembered for follow-ups / cap", "bounded", "{} / {}".format(*r["remembered"]), None),
    ]
    print(f"Discord: {args.n} concurrent /ask × {args.rounds} rounds, answer {args.delay:g} s, "
          f"simulated round trip {args.rtt * 1000:.0f} ms, max_concurrent {args.n}, lag samples {len(lag)}\n")
    print("| metric | target | measured | ok |")
    print("|---|---|---|---|")
    for name, target, value, ok in rows:
        print(f"| {name} | {target} | {value} | {'' if ok is None else ('yes' if ok else 'NO')} |")
    p50 = statistics.median(lag)
    print(f"\nevent-loop lag p50 {p50:.2f} ms")
    sys.exit(0 if all(ok is not False for *_, ok in rows) else 1)


if __name__ == "__main__":
    main()
