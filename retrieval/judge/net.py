"""The judgement network: MiniLM-L6 read as a cross-encoder, with four outputs.

Outputs per (query, passage) pair: three stance logits (supports, contradicts,
does not address) and one logit for "the passage answers the query".  The
lower ``frozen`` transformer layers keep the packaged all-MiniLM-L6-v2 weights;
only the layers above them and the head are trained and shipped, so the model
file holds a few layers, not the whole network.

torch and transformers are imported by the functions that need them, never at
module import, so reading the model's outputs through ONNX needs neither.
"""

from __future__ import annotations

import json
from pathlib import Path

HEAD_OUTPUTS = 4  # supports, contradicts, neutral, answers


def build(base_path: str, frozen: int):
    """A JudgeNet over the base model's weights (the upper layers still untrained)."""
    import torch
    from torch import nn
    from transformers import AutoModel

    class JudgeNet(nn.Module):
        def __init__(self, bert, frozen_layers: int):
            super().__init__()
            self.bert = bert
            self.frozen = frozen_layers
            hidden = bert.config.hidden_size
            self.dropout = nn.Dropout(0.1)
            self.head = nn.Linear(2 * hidden, HEAD_OUTPUTS)

        @staticmethod
        def additive_mask(mask):
            return (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min

        def lower(self, input_ids, attention_mask, token_type_ids):
            h = self.bert.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
            add = self.additive_mask(attention_mask)
            for layer in self.bert.encoder.layer[: self.frozen]:
                h = self.step(layer, h, add)
            return h

        @staticmethod
        def step(layer, h, add):
            out = layer(h, add)
            return out[0] if isinstance(out, tuple) else out  # (older transformers return a tuple)

        def upper(self, h, attention_mask):
            add = self.additive_mask(attention_mask)
            for layer in self.bert.encoder.layer[self.frozen:]:
                h = self.step(layer, h, add)
            m = attention_mask.to(h.dtype).unsqueeze(-1)
            mean = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
            pooled = torch.cat([h[:, 0], mean], dim=-1)
            return self.head(self.dropout(pooled))

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.upper(self.lower(input_ids, attention_mask, token_type_ids), attention_mask)

        def trained_state(self) -> dict:
            """The weights that differ from the base model: upper layers and head."""
            keep = {}
            for name, value in self.state_dict().items():
                if name.startswith("head.") or any(
                    name.startswith(f"bert.encoder.layer.{i}.")
                    for i in range(self.frozen, len(self.bert.encoder.layer))
                ):
                    keep[name] = value
            return keep

    from retrieval.common.quiet import quiet_transformers

    # The base checkpoint carries a pooler the judge does not use: transformers reports its
    # weights as unexpected, a table a user would meet on the first question.  Not a fault.
    with quiet_transformers():
        bert = AutoModel.from_pretrained(base_path, attn_implementation="eager", add_pooling_layer=False)
    return JudgeNet(bert, frozen)


def save(net, folder: Path, meta: dict) -> None:
    """Write the trained layers (fp16 safetensors) and their settings."""
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in net.trained_state().items()}
    save_file(state, str(folder / "judge.safetensors"))
    (folder / "judge.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def load(base_path: str, folder: Path):
    """The judge network in eval mode: the base model with the shipped layers over it."""
    import torch
    from safetensors.torch import load_file

    meta = json.loads((folder / "judge.json").read_text(encoding="utf-8"))
    net = build(base_path, meta["frozen_layers"])
    state = {k: v.to(torch.float32) for k, v in load_file(str(folder / "judge.safetensors")).items()}
    missing = set(net.trained_state()) - set(state)
    if missing:
        raise ValueError(f"judge weights in {folder} lack {sorted(missing)[:3]}")
    net.load_state_dict(state, strict=False)
    net.eval()
    return net, meta
