# The tests import the recorder module from examples/pytorch, as a user's script next to it would.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
