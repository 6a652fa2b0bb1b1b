"""How fast the GAN pieces run here: the from-scratch transposed convolution against
PyTorch's, fit_gan's steps per second on the ring and on DCGAN, and DCGAN's
and conditional DCGAN's steps in bf16 autocast against full precision (chapters
18 and 19's choice on a CPU).

Both sides of each comparison run in this one process, one after the other, and
the script prints their ratio; nothing here is a test (timings on a shared
machine are noisy). Run it alone: another torch process on the same cores
slows both many times.

    python scripts/bench_gan.py                 # CPU
    python scripts/bench_gan.py --device cuda   # a GPU, if there is one
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

from cnnguide.gan import fit_gan, ring_of_gaussians
from cnnguide.gan.conditional import ConditionalDCGANGenerator, ProjectionDiscriminator
from cnnguide.gan.nets import (
    DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator, default_init_,
)  # fmt: skip
from cnnguide.ops import conv_transpose2d


def best_of(fn, repeats: int) -> float:
    """The fastest of ``repeats`` calls, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeats):
        tic = time.perf_counter()
        fn()
        times.append(time.perf_counter() - tic)
    return min(times)


def bench_transposed(device, repeats: int) -> None:
    # DCGAN's middle layer at width 64: 128 -> 64 channels, 7x7 -> 14x14, batch 64.
    x = torch.randn(64, 128, 7, 7, device=device)
    k = torch.randn(128, 64, 4, 4, device=device)
    ours = best_of(lambda: conv_transpose2d(x, k, stride=2, padding=1), repeats)
    theirs = best_of(lambda: F.conv_transpose2d(x, k, stride=2, padding=1), repeats)
    print(f"conv_transpose2d 64x128x7x7 -> 64x64x14x14: ours {ours * 1e3:.2f} ms, "
          f"torch {theirs * 1e3:.2f} ms, ours/torch = {ours / theirs:.2f}")


def bench_fit_gan(name, generator, discriminator, data, steps, device, **options) -> float:
    fit_gan(generator, discriminator, data, steps=2, seed=0, device=device, progress=False,
            sample_every=10**9, log_every=1, **options)  # warm-up: allocations, cuDNN's choice
    tic = time.perf_counter()
    fit_gan(generator, discriminator, data, steps=steps, seed=0, device=device, progress=False,
            sample_every=10**9, log_every=steps, **options)
    seconds = time.perf_counter() - tic
    print(f"fit_gan {name}: {steps} steps in {seconds:.1f} s, {steps / seconds:.1f} steps/s")
    return seconds


def bench_bf16(name, make_generator, make_discriminator, data, steps, device) -> None:
    """Width-32 networks, batches of 64: full precision, then bf16 autocast, and their ratio."""
    seconds = {}
    for label, amp in (("", False), (", bf16 autocast", torch.bfloat16)):
        seconds[amp] = bench_fit_gan(f"{name} (width 32, batch 64){label}", make_generator(width=32),
                                     make_discriminator(width=32), data, steps, device, batch_size=64, amp=amp)
    print(f"{name} full precision / bf16 autocast = {seconds[False] / seconds[torch.bfloat16]:.2f}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=200, help="fit_gan steps per network")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    print(f"torch {torch.__version__} on {device}, {torch.get_num_threads()} threads")
    bench_transposed(device, args.repeats)
    ring = ring_of_gaussians(20_000, seed=0)
    bench_fit_gan("ring (MLP 2x128, batch 256)", MLPGenerator(latent_dim=16), MLPDiscriminator(),
                  ring, args.steps, device, batch_size=256, lr=1e-3, init=default_init_)
    images = torch.rand(4_096, 1, 28, 28) * 2 - 1  # the speed does not depend on what they show
    bench_bf16("DCGAN", DCGANGenerator, DCGANDiscriminator, images, args.steps, device)
    labelled = (images, torch.randint(10, (images.shape[0],)))
    bench_bf16("conditional DCGAN", ConditionalDCGANGenerator, ProjectionDiscriminator, labelled, args.steps, device)


if __name__ == "__main__":
    main()
