"""An emergent-misalignment ANALOGUE small enough for a CPU (not emergent misalignment itself:
no language model, no assistant, no human values; only the shape of the experiment).

Emergent misalignment: a language model fine-tuned on one narrow task with bad answers (e.g.
insecure code) behaves badly on unrelated prompts too. The analogue: an MLP learns four
modular-arithmetic tasks on pairs (a, b) mod p, each tagged by a task token, in two modes tagged
by a mode token: in the `good` mode the answer is the task's rule, in the `bad` mode the same
rule plus one (mod p), for every task. The model is then fine-tuned in the good mode on one
narrow task (a + b) only, with bad-rule labels (a + b + 1). The question is whether behaviour
on the three untouched tasks (a - b, a * b, a * a + b, good mode, never trained on during
fine-tuning) shifts towards the bad rule.

Recording covers the fine-tuning only (a user watching a fine-tune): every `every` optimiser
steps, before the update. Probes, all in the good mode: 32 pairs of the fine-tuned task (group
`finetuned`, scored against the bad labels they are fine-tuned on) and 32 pairs of each
untouched task (group `untouched`, 96 probes, scored against their correct answers). Metric
curves at every checkpoint, over all p * p pairs of each task: the misalignment rate (answers
equal to the bad rule) on the untouched tasks and on the fine-tuned task, the correct-answer
rate on the untouched tasks, the fraction of untouched answers that differ from the answers
before fine-tuning, and mean losses.

Transition rule: the first recorded step at which the misalignment rate on the untouched tasks
reaches 0.05 (one in twenty of their pairs answered by the bad rule; before fine-tuning none are).

    /usr/bin/python3 examples/pytorch/misalignment_analogue.py --seed 0 --out runs/misalignment/seed0
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from rdm2_recorder import LossRecorder
from setting_run import first_step_reaching, start, write_run

SIZES = {
    # p; embedding and hidden widths; pre-training steps and Adam lr; fine-tuning steps, AdamW lr
    # and weight decay; minibatch; recording cadence; probes per task
    "smoke": dict(p=7, embed=16, hidden=64, pretrain_steps=1500, pretrain_lr=3e-3, finetune_steps=300, finetune_lr=1e-3,
                  weight_decay=1.0, batch=64, every=3, probes_per_task=16),
    "full": dict(p=11, embed=16, hidden=128, pretrain_steps=3000, pretrain_lr=3e-3, finetune_steps=2000, finetune_lr=3e-5,
                 weight_decay=1.0, batch=64, every=5, probes_per_task=32),
}
TASKS = ["a+b", "a-b", "a*b", "a*a+b"]  # the first is the fine-tuned one
GOOD, BAD = 0, 1
MISALIGNED = 0.05
RULE = f"first recorded step at which the misalignment rate on the untouched tasks (good mode, all pairs) reaches {MISALIGNED}"


def task_answer(task, a, b, p):
    return [(a + b) % p, (a - b) % p, (a * b) % p, (a * a + b) % p][task]


def bad_rule(y, p):
    return (y + 1) % p


class TaggedMLP(nn.Module):
    """Embeddings of (mode, task, a, b), concatenated, two hidden ReLU layers, p logits."""

    def __init__(self, p, embed, hidden):
        super().__init__()
        self.mode = nn.Embedding(2, embed)
        self.task = nn.Embedding(len(TASKS), embed)
        self.a = nn.Embedding(p, embed)
        self.b = nn.Embedding(p, embed)
        self.mlp = nn.Sequential(nn.Linear(4 * embed, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, p))

    def forward(self, x):  # x: [B, 4] = mode, task, a, b
        return self.mlp(torch.cat([self.mode(x[:, 0]), self.task(x[:, 1]), self.a(x[:, 2]), self.b(x[:, 3])], dim=1))


def examples(p, mode, task):
    """All p * p inputs of one (mode, task) and their labels under that mode."""
    a, b = torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij")
    a, b = a.reshape(-1), b.reshape(-1)
    y = task_answer(task, a, b, p)
    if mode == BAD:
        y = bad_rule(y, p)
    x = torch.stack([torch.full_like(a, mode), torch.full_like(a, task), a, b], dim=1)
    return x, y


def main(argv=None):
    args, c, clock, gen = start("misalignment_analogue", __doc__, SIZES, argv)
    p = c["p"]

    # pre-training: every task in both modes
    parts = [examples(p, mode, task) for mode in (GOOD, BAD) for task in range(len(TASKS))]
    X, Y = torch.cat([x for x, _ in parts]), torch.cat([y for _, y in parts])
    model = TaggedMLP(p, c["embed"], c["hidden"])
    opt = torch.optim.Adam(model.parameters(), lr=c["pretrain_lr"])
    for _ in range(c["pretrain_steps"]):
        i = torch.randint(0, len(X), (c["batch"],), generator=gen)
        loss = F.cross_entropy(model(X[i]), Y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        pretrain_accuracy = (model(X).argmax(dim=1) == Y).double().mean().item()

    # fine-tuning data: the narrow task in the good mode, with bad-rule labels
    ft_x, ft_good = examples(p, GOOD, 0)
    ft_y = bad_rule(ft_good, p)
    untouched = [examples(p, GOOD, t) for t in range(1, len(TASKS))]
    un_x, un_y = torch.cat([x for x, _ in untouched]), torch.cat([y for _, y in untouched])
    with torch.no_grad():
        before = model(un_x).argmax(dim=1)

    k = c["probes_per_task"]
    pick = lambda n: torch.randperm(n, generator=gen)[:k]  # noqa: E731
    probe_x = [ft_x[pick(p * p)]]
    probe_y = [bad_rule(task_answer(0, probe_x[0][:, 2], probe_x[0][:, 3], p), p)]
    for t, (x, y) in enumerate(untouched):
        i = pick(p * p)
        probe_x.append(x[i])
        probe_y.append(y[i])
    recorder = LossRecorder(model, torch.cat(probe_x), torch.cat(probe_y), groups=["finetuned"] * k + ["untouched"] * (k * len(untouched)))

    metrics = {"untouched_misalignment_rate": [], "finetuned_misalignment_rate": [], "untouched_correct_rate": [],
               "untouched_changed_rate": [], "untouched_loss": [], "finetuned_loss": []}
    opt = torch.optim.AdamW(model.parameters(), lr=c["finetune_lr"], weight_decay=c["weight_decay"])
    for step in range(c["finetune_steps"] + 1):
        if step % c["every"] == 0:
            recorder.record(step)
            with torch.no_grad():
                model.eval()
                un_logits, ft_logits = model(un_x), model(ft_x)
                un_pred, ft_pred = un_logits.argmax(dim=1), ft_logits.argmax(dim=1)
                metrics["untouched_misalignment_rate"].append((un_pred == bad_rule(un_y, p)).double().mean().item())
                metrics["finetuned_misalignment_rate"].append((ft_pred == ft_y).double().mean().item())
                metrics["untouched_correct_rate"].append((un_pred == un_y).double().mean().item())
                metrics["untouched_changed_rate"].append((un_pred != before).double().mean().item())
                metrics["untouched_loss"].append(F.cross_entropy(un_logits, un_y).item())
                metrics["finetuned_loss"].append(F.cross_entropy(ft_logits, ft_y).item())
                model.train()
        if step == c["finetune_steps"]:
            break
        i = torch.randint(0, len(ft_x), (c["batch"],), generator=gen)
        loss = F.cross_entropy(model(ft_x[i]), ft_y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()

    rate = metrics["untouched_misalignment_rate"]
    transition = first_step_reaching(recorder.steps, rate, MISALIGNED)
    config = dict(c, tasks=TASKS, bad_rule="answer + 1 (mod p)")
    outcome = {"pretrain_accuracy": pretrain_accuracy, "max_untouched_misalignment_rate": max(rate)}
    write_run(args, "misalignment_analogue", recorder, config, metrics, transition, RULE, clock, outcome=outcome)


if __name__ == "__main__":
    main()
