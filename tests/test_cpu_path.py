"""The embedder's numbers are chosen by what the CPU has: bf16 where it is native, else float32;
int8 in the first layers by name; a name asked for is taken as it is."""

import pytest
import torch

from knowledge.index.cpu_path import cpu_flags, pick, quantize_first_layers

CPUINFO = """processor\t: 0
model name\t: AMD EPYC
flags\t\t: fpu sse sse2 avx avx2 fma avx512f avx512_bf16
"""


def test_flags_are_read_from_cpuinfo() -> None:
    flags = cpu_flags(CPUINFO)
    assert {"avx2", "avx512f", "avx512_bf16"} <= flags and "model" not in flags
    assert cpu_flags("no flags here") == set()


def test_auto_takes_bf16_only_where_it_is_native() -> None:
    assert pick("auto", {"avx2", "avx512_bf16"}) == "bfloat16"
    assert pick("auto", {"avx2", "amx_bf16"}) == "bfloat16"
    assert pick("auto", {"avx2", "fma"}) == "float32"  # int8 only by name, until it agrees (cpu_path.py)
    assert pick("auto", set()) == "float32"
    assert pick("int8", {"avx2"}) == "int8"
    assert pick("float32", {"avx512_bf16"}) == "float32"  # asked for by name
    with pytest.raises(ValueError, match="embed dtype"):
        pick("float16")


def test_only_the_first_layers_linear_layers_become_int8() -> None:
    class Tiny(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = torch.nn.ModuleList(torch.nn.Linear(4, 4) for _ in range(3))
            self.head = torch.nn.Linear(4, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            for layer in self.layers:
                x = layer(x)
            return self.head(x)

    model, x = Tiny().eval(), torch.randn(2, 4)
    before = model(x)
    assert quantize_first_layers(model, layers=2) == 2
    float32 = [type(m) is torch.nn.Linear for m in (*model.layers, model.head)]
    assert float32 == [False, False, True, True]  # the first 2 layers swapped, the rest kept
    assert torch.allclose(model(x), before, atol=0.1)  # close, not equal: int8
    assert quantize_first_layers(torch.nn.Sequential(torch.nn.Linear(2, 2))) == 0  # no numbered layers
