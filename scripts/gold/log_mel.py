"""Reference log-mel spectrogram from PyTorch 1.13: torch.stft(center=True, reflect padding, periodic Hann
window) power spectrum, HTK mel filterbank written as torchaudio's melscale_fbanks(norm=None, mel_scale="htk")
computes it, then log(x + 1e-6). Also a plain FFT of a random complex vector (torch.fft.fft).

Writes test/fixtures/log_mel.json, used by test/data-audio.test.ts. Run: /usr/bin/python3 scripts/gold/log_mel.py
"""
import json
import math
import os

import torch

torch.manual_seed(0)
sr, n_fft, hop, n_mels, f_min, f_max = 8000, 256, 80, 20, 50.0, 3800.0
t = torch.arange(1000, dtype=torch.float64) / sr
x = 0.5 * torch.sin(2 * math.pi * 440 * t) + 0.2 * torch.sin(2 * math.pi * 1700 * t) + 0.05 * torch.randn(1000, dtype=torch.float64)
x = torch.round(x * 1e6) / 1e6


def hz_to_mel(f):
    return 2595.0 * math.log10(1.0 + f / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


n_freqs = n_fft // 2 + 1
all_freqs = torch.linspace(0, sr // 2, n_freqs, dtype=torch.float64)
m_pts = torch.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2, dtype=torch.float64)
f_pts = torch.tensor([mel_to_hz(float(m)) for m in m_pts], dtype=torch.float64)
f_diff = f_pts[1:] - f_pts[:-1]
slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)
down = (-1.0 * slopes[:, :-2]) / f_diff[:-1]
up = slopes[:, 2:] / f_diff[1:]
fb = torch.clamp(torch.min(down, up), min=0.0)  # (n_freqs, n_mels)

spec = torch.stft(x, n_fft=n_fft, hop_length=hop, win_length=n_fft,
                  window=torch.hann_window(n_fft, periodic=True, dtype=torch.float64),
                  center=True, pad_mode="reflect", normalized=False, onesided=True, return_complex=True)
power = spec.abs() ** 2  # (n_freqs, frames)
mel = fb.T @ power  # (n_mels, frames)
log_mel = torch.log(mel + 1e-6)

z = torch.randn(16, dtype=torch.complex128)
fz = torch.fft.fft(z)

out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "log_mel.json")
with open(out, "w") as f:
    json.dump({
        "torch": torch.__version__,
        "sampleRate": sr, "nFft": n_fft, "hop": hop, "mels": n_mels, "fMin": f_min, "fMax": f_max,
        "signal": x.tolist(), "frames": log_mel.shape[1],
        "logMel": [round(v, 7) for v in log_mel.flatten().tolist()],
        "fft": {"re": z.real.tolist(), "im": z.imag.tolist(), "outRe": fz.real.tolist(), "outIm": fz.imag.tolist()},
    }, f)
print("wrote", out, log_mel.shape)
