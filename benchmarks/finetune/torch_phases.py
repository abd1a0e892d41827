"""Per-phase time of a transformers fine-tuning step (forward, backward, clip, fused AdamW + zero_grad) on CPU, batches
of 8 of the Yelp sentences in file order (mergelab, in benchmarks/finetune/profile.sh, draws its batches from the same
sentences in its seeded order: per-step averages of the same kind of batch).
   torch_phases.py THREADS MODEL_DIR STEPS   (the first 5 steps are warm-up and not counted)"""
import sys
import time

import torch
from transformers import AutoTokenizer, GPT2ForSequenceClassification
torch.set_num_threads(int(sys.argv[1]))
model_dir = sys.argv[2]
tok = AutoTokenizer.from_pretrained(model_dir); tok.pad_token = tok.eos_token
lines = [l.rstrip("\n").rsplit("\t",1) for l in open("data/uci-sentiment/yelp_labelled.txt") if "\t" in l]
model = GPT2ForSequenceClassification.from_pretrained(model_dir, num_labels=2); model.config.pad_token_id = tok.eos_token_id
model.train()
opt = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01, fused=True)
tf=tb=to=tc=0; ntok=0
steps = int(sys.argv[3])
for s in range(steps):
    batch = lines[s*8:(s+1)*8]
    enc = tok([t for t,_ in batch], padding=True, return_tensors="pt")
    labels = torch.tensor([int(l) for _,l in batch])
    ntok += int(enc["attention_mask"].sum())
    t0=time.perf_counter()
    out = model(**enc, labels=labels)
    t1=time.perf_counter()
    out.loss.backward()
    t2=time.perf_counter()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    t3=time.perf_counter()
    opt.step(); opt.zero_grad(set_to_none=True)
    t4=time.perf_counter()
    if s >= 5:
        tf+=t1-t0; tb+=t2-t1; tc+=t3-t2; to+=t4-t3
n=steps-5
print(f"per step ms: forward {tf/n*1e3:.1f} backward {tb/n*1e3:.1f} clip {tc/n*1e3:.1f} adamw+zero {to/n*1e3:.1f}  total {(tf+tb+tc+to)/n*1e3:.1f}")
