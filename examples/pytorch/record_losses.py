"""The smallest complete use of LossRecorder in your own training loop (a first run: seconds).

Task: sparse parity. Inputs are 20 random signs, the label is the product of three of them (the
network is not told which). A small MLP sits at chance for a while and then learns the rule
abruptly: a transition to look at. Probes: 64 training examples (group `train`) and 64 held-out
examples (group `test`). Writes runs/parity-seed0/losses.npy and meta.json (steps, groups, the
test-accuracy curve and the transition: the first recorded step with test accuracy >= 0.75).

    /usr/bin/python3 examples/pytorch/record_losses.py [STEPS, default 1500]
    npx rdm2 analyze runs/parity-seed0/losses.npy --window 20 --top-k 1
"""
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))  # rdm2_recorder.py sits next to this file
from rdm2_recorder import LossRecorder  # noqa: E402

torch.set_num_threads(1)
torch.manual_seed(0)
bits, relevant = 20, [0, 3, 7]
x_train = torch.randint(0, 2, (1024, bits)).float() * 2 - 1
x_test = torch.randint(0, 2, (512, bits)).float() * 2 - 1
label = lambda x: (x[:, relevant].prod(dim=1) > 0).long()  # noqa: E731
y_train, y_test = label(x_train), label(x_test)
model = torch.nn.Sequential(torch.nn.Linear(bits, 128), torch.nn.ReLU(), torch.nn.Linear(128, 2))
opt = torch.optim.Adam(model.parameters(), lr=2e-3)

recorder = LossRecorder(model, torch.cat([x_train[:64], x_test[:64]]), torch.cat([y_train[:64], y_test[:64]]), groups=["train"] * 64 + ["test"] * 64)
accuracy = []
for step in range(int(sys.argv[1]) if len(sys.argv) > 1 else 1500):
    if step % 5 == 0:
        recorder.record(step)  # before this step's update
        with torch.no_grad():
            model.eval()
            accuracy.append((model(x_test).argmax(dim=1) == y_test).float().mean().item())
            model.train()
    i = torch.randint(0, len(x_train), (64,))
    loss = F.cross_entropy(model(x_train[i]), y_train[i])  # training uses the usual mean loss
    opt.zero_grad()
    loss.backward()
    opt.step()

transition = next((s for s, a in zip(recorder.steps, accuracy) if a >= 0.75), None)
recorder.save("runs/parity-seed0", extra_meta={"test_accuracy": accuracy, "transition": transition})
print(f"wrote runs/parity-seed0 (test accuracy {accuracy[-1]:.2f}, transition at step {transition});"
      " next: npx rdm2 analyze runs/parity-seed0/losses.npy --window 20 --top-k 1")
