"""A trained speaker encoder run with numpy alone: resemblyzer 0.1.4's GE2E voice encoder, without torch.

resemblyzer (Apache-2.0, Resemble.AI) ships its weights, `resemblyzer/pretrained.pt` (17 MB), inside its PyPI wheel,
so nothing is fetched from a model hub. Installed the usual way it pulls torch (a 5.9 GB venv), so it is installed
with `pip install --no-deps resemblyzer==0.1.4` (scripts/venv.sh) and never imported: its `__init__` imports torch.
This module finds the file, reads the legacy torch pickle with an unpickler that accepts only the three globals
such a checkpoint names, and runs the network in numpy:

  16 kHz samples -> 40-band mel power spectrogram (librosa's defaults: 25 ms Hann window, 10 ms hop, Slaney mel)
  -> 3-layer LSTM (256 units) over 160 frames (1.6 s) -> last hidden state -> linear 256 -> ReLU -> L2 norm.

Voices then compare by cosine similarity: the same voice lands close, different voices further apart.
`LOCAL_VOICE_ENCODER` may name the .pt file or a downloaded wheel instead (read with zipfile, not installed).
"""

from __future__ import annotations

import importlib.util
import io
import os
import pickle
import zipfile
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import numpy as np

RATE = 16000
WINDOW, HOP, N_MELS = 400, 160, 40  # 25 ms, 10 ms, 40 bands (resemblyzer/hparams.py)
PARTIAL_FRAMES = 160  # 1.6 s: the length the encoder was trained on
TARGET_DBFS = -30.0  # resemblyzer's volume normalisation (raised only, never lowered)
WEIGHTS = "pretrained.pt"
MISSING = (
    "The offline speaker encoder needs resemblyzer's weights: pip install --no-deps resemblyzer==0.1.4 "
    "(scripts/venv.sh does this; --no-deps keeps torch out)"
)


class WeightsError(RuntimeError):
    """The weights file is missing or is not the checkpoint expected."""


# loading


class _Storage:
    """A torch storage named in the pickle; its bytes follow the pickle in the file (legacy format)."""

    def __init__(self, dtype: type[np.generic], numel: int) -> None:
        self.dtype, self.numel = dtype, numel
        self.data: np.ndarray | None = None


class _Tensor:
    def __init__(self, storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...]) -> None:
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def array(self) -> np.ndarray:
        assert self.storage.data is not None
        item = self.storage.data.itemsize
        view = np.lib.stride_tricks.as_strided(
            self.storage.data[self.offset :], self.size, tuple(s * item for s in self.stride), writeable=False
        )
        return np.array(view, dtype=np.float32)


def _rebuild_tensor(storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_: Any) -> Any:
    return _Tensor(storage, offset, size, stride)


class _FloatStorage:  # stands for torch.FloatStorage; only ever compared with, never called
    pass


# Everything the checkpoint may name; any other global (os.system, builtins.eval, ...) is refused.
_ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch", "FloatStorage"): _FloatStorage,
}


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], storages: dict[str, _Storage]) -> None:
        super().__init__(file)
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise WeightsError(f"the weights file names {module}.{name}, which a voice encoder never needs") from None

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage" and pid[1] is _FloatStorage):
            raise WeightsError("the weights file holds something other than float tensors")
        key, numel = str(pid[2]), int(pid[4])
        return self.storages.setdefault(key, _Storage(np.float32, numel))


def load_checkpoint(raw: bytes) -> dict[str, np.ndarray]:
    """The model's tensors by name, from a legacy (pre-1.6) torch checkpoint, read without torch."""
    f = io.BytesIO(raw)
    storages: dict[str, _Storage] = {}
    header = [_Unpickler(f, storages).load() for _ in range(3)]  # magic number, protocol version, system info
    if header[1] != 1001 or not isinstance(header[2], dict) or not header[2].get("little_endian"):
        raise WeightsError("the weights file is not a little-endian torch checkpoint")
    checkpoint = _Unpickler(f, storages).load()
    keys = _Unpickler(f, storages).load()
    for key in keys:
        storage, size = storages[key], f.read(8)
        count = int.from_bytes(size, "little") if len(size) == 8 else -1
        data = f.read(4 * count) if count == storage.numel else b""
        if count != storage.numel or len(data) != 4 * count:
            raise WeightsError("the weights file is truncated or inconsistent")
        storage.data = np.frombuffer(data, "<f4")
    state = checkpoint.get("model_state") if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        raise WeightsError("the weights file has no model_state")
    return {str(k): v.array() for k, v in state.items() if isinstance(v, _Tensor)}


def _weights_bytes() -> bytes:
    override = os.environ.get("LOCAL_VOICE_ENCODER")
    if override:
        path = Path(override)
        if not path.is_file():
            raise WeightsError(f"LOCAL_VOICE_ENCODER names {path}, which is not there. {MISSING}")
        if zipfile.is_zipfile(path):  # a downloaded wheel, read in place
            with zipfile.ZipFile(path) as wheel:
                return wheel.read(f"resemblyzer/{WEIGHTS}")
        return path.read_bytes()
    spec = importlib.util.find_spec("resemblyzer")  # finds the package without running its torch import
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / WEIGHTS).is_file():
            return (Path(folder) / WEIGHTS).read_bytes()
    raise WeightsError(MISSING)


# the network


def _mel_filters() -> np.ndarray:
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=40): Slaney's mel scale and area normalisation."""

    step = np.log(6.4) / 27  # log spacing above 1 kHz; linear below

    def to_mel(hz: np.ndarray) -> np.ndarray:
        return np.where(hz < 1000.0, hz * 3.0 / 200.0, 15.0 + np.log(np.maximum(hz, 1e-9) / 1000.0) / step)

    def to_hz(mel: np.ndarray) -> np.ndarray:
        return np.where(mel < 15.0, mel * 200.0 / 3.0, 1000.0 * np.exp(step * (mel - 15.0)))

    edges = to_hz(np.linspace(to_mel(np.array(0.0)), to_mel(np.array(RATE / 2)), N_MELS + 2))
    bins = np.fft.rfftfreq(WINDOW, 1.0 / RATE)
    ramps = edges[:, None] - bins[None, :]
    widths = np.diff(edges)
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    return (weights * (2.0 / (edges[2:] - edges[:-2]))[:, None]).astype(np.float32)


def normalise_volume(samples: np.ndarray) -> np.ndarray:
    """Raise the level to -30 dBFS as resemblyzer's preprocessing does (the mel input is not logged: level matters)."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0
    if rms <= 0.0:
        return samples
    change = TARGET_DBFS - 20 * np.log10(rms)
    return samples if change < 0 else (samples * 10 ** (change / 20)).astype(np.float32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # stable for large |x|


class VoiceEncoder:
    """Embeddings of 1.6 s windows of 16 kHz speech: (n, 256) unit vectors, comparable by dot product."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.layers = [
            (weights[f"lstm.weight_ih_l{k}"].T.copy(), weights[f"lstm.weight_hh_l{k}"].T.copy(),
             weights[f"lstm.bias_ih_l{k}"] + weights[f"lstm.bias_hh_l{k}"])
            for k in range(3)
        ]  # fmt: skip
        self.linear_w, self.linear_b = weights["linear.weight"].T.copy(), weights["linear.bias"]
        self.filters = _mel_filters()
        n = np.arange(WINDOW)
        self.window = (0.5 - 0.5 * np.cos(2 * np.pi * n / WINDOW)).astype(np.float32)  # periodic Hann

    def mel(self, samples: np.ndarray) -> np.ndarray:
        """(frames, 40) mel power, one frame per 10 ms, centred frames with zero padding (librosa's default)."""
        padded = np.pad(np.asarray(samples, dtype=np.float32), WINDOW // 2)
        count = 1 + (len(padded) - WINDOW) // HOP
        view = np.lib.stride_tricks.sliding_window_view(padded, WINDOW)[::HOP][:count]
        out = np.empty((count, N_MELS), np.float32)
        for first in range(0, count, 6000):  # a minute at a time: an hour at once would take gigabytes
            power = np.abs(np.fft.rfft(view[first : first + 6000] * self.window, axis=1)) ** 2
            out[first : first + 6000] = power.astype(np.float32) @ self.filters.T
        return out

    def embed_mels(self, mels: np.ndarray) -> np.ndarray:
        """(batch, frames, 40) mel windows -> (batch, 256) L2-normalised embeddings."""
        x = mels.astype(np.float32)
        batch, steps, _ = x.shape
        for w_ih, w_hh, bias in self.layers:
            hidden = w_hh.shape[0]
            h = np.zeros((batch, hidden), np.float32)
            c = np.zeros((batch, hidden), np.float32)
            inputs = x @ w_ih + bias  # every step's input projection at once
            out = np.empty((batch, steps, hidden), np.float32)
            for t in range(steps):
                gates = inputs[:, t] + h @ w_hh
                i, f = _sigmoid(gates[:, :hidden]), _sigmoid(gates[:, hidden : 2 * hidden])
                g, o = np.tanh(gates[:, 2 * hidden : 3 * hidden]), _sigmoid(gates[:, 3 * hidden :])
                c = f * c + i * g
                h = o * np.tanh(c)
                out[:, t] = h
            x = out
        raw = np.maximum(h @ self.linear_w + self.linear_b, 0.0)
        return raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-12)

    def embed_windows(self, samples: np.ndarray, starts: list[int], batch: int = 64) -> np.ndarray:
        """Embeddings of the 1.6 s windows beginning at the given mel frames (10 ms units) of `samples`."""
        mel = self.mel(samples)
        mel = np.pad(mel, ((0, max(0, max(starts, default=0) + PARTIAL_FRAMES - len(mel))), (0, 0)))
        out = [
            self.embed_mels(np.stack([mel[s : s + PARTIAL_FRAMES] for s in starts[first : first + batch]]))
            for first in range(0, len(starts), batch)
        ]
        return np.concatenate(out) if out else np.zeros((0, 256), np.float32)

    def embed_utterance(self, samples: np.ndarray) -> np.ndarray:
        """One embedding for a clip: the normalised mean over 1.6 s windows every 0.8 s."""
        frames = max(1, len(samples) // HOP)
        starts = list(range(0, max(1, frames - PARTIAL_FRAMES + 1), PARTIAL_FRAMES // 2))
        mean = self.embed_windows(normalise_volume(samples), starts).mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)


@lru_cache(maxsize=1)
def encoder() -> VoiceEncoder:
    """The encoder, loaded once per process (0.2 s, about 20 MB of weights)."""
    return VoiceEncoder(load_checkpoint(_weights_bytes()))
