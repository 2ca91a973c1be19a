"""Which numbers the embedder computes in, chosen by what the CPU has: measured, never assumed.

    bfloat16  a CPU with native bf16 (avx512_bf16, amx_bf16): ~2.8x float32, the same grades
    float32   any other CPU
    int8      asked for by name (COACH_EMBED_DTYPE=int8): float32, with the linear layers of the
              first INT8_LAYERS of the model's layers in dynamic int8 (PyTorch's own); the
              signals the grader reads (the last layer and one three quarters in) come from
              layers left in float32. Twice as fast as float32 without bf16, but not yet the
              default there: held out, it moved agreement by more than 0.01 r (below)

On this 2-core EPYC forced to the AVX2 path (ATEN_CPU_CAPABILITY=avx2, ONEDNN_MAX_CPU_ISA=AVX2),
grading the bundled notes' answers: float32 p50 0.30 s, int8 on every layer 0.15 s but grades up
to 0.4 apart, int8 on the first 12 of 24 layers 0.23 s with grades within 0.2 of float32's; eval
with ASAG and LE each held out: 0.15 -> 0.08 s an answer, interview r -0.014 / +0.008, rubric r
-0.004 / -0.029 (docs/design-notes.md, "Speed on CPUs without bf16").
"""

import re
import warnings
from pathlib import Path

INT8_LAYERS = 12
PATHS = ("auto", "bfloat16", "float32", "int8")
_LAYER = re.compile(r"\blayers\.(\d+)(?:\.|$)")


def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    """The CPU's feature flags (Linux /proc/cpuinfo); empty where they can't be read."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return set()
    line = next((x for x in cpuinfo.splitlines() if x.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def pick(path: str, flags: set[str] | None = None) -> str:
    """The path to compute in: `path` as asked, or for "auto" the CPU's best."""
    if path not in PATHS:
        raise ValueError(f"embed dtype must be one of {', '.join(PATHS)}, not {path!r}")
    if path != "auto":
        return path
    flags = cpu_flags() if flags is None else flags
    return "bfloat16" if flags & {"avx512_bf16", "amx_bf16"} else "float32"


def quantize_first_layers(model: object, layers: int = INT8_LAYERS) -> int:
    """Swap the linear layers of the model's first `layers` layers for dynamic int8 ones, in
    place; how many were swapped (0: a model without numbered layers stays float32)."""
    import torch

    assert isinstance(model, torch.nn.Module)
    names = {
        name
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and (m := _LAYER.search(name)) and int(m.group(1)) < layers
    }
    if names:
        # PyTorch marks torch.ao.quantization deprecated in favour of torchao; the pinned torch
        # (2.13) has it and measured it (module docstring): its warnings say nothing to a user
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            torch.ao.quantization.quantize_dynamic(model, names, dtype=torch.qint8, inplace=True)
    return len(names)
