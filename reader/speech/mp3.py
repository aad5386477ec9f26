"""MP3 for speech: encoding 16-bit PCM with LAME, and reading MP3 frames back.

Plain code with no state: the audio cache (reader.speech.audio) encodes and checks its
files with it, and `reader speak --out` writes one.
"""

from __future__ import annotations

import io
import wave

import lameenc

BIT_RATE = 48  # kbit/s: plenty for one voice at espeak's 22050 Hz, mono
ENCODER_QUALITY = 7  # lame: 0 best and slowest … 9 worst; 7 encodes speech about 3x faster than 2


def encode_mp3(wav_bytes: bytes) -> bytes:
    """MP3 of WAV bytes (16-bit PCM), at the speech bit rate, in as many channels as given."""
    return encode_pcm(*_read_wav(wav_bytes))


def encode_pcm(pcm: bytes, sample_rate: int, channels: int) -> bytes:
    mp3 = encoder(sample_rate, channels)
    return bytes(mp3.encode(pcm) + mp3.flush())


def encoder(sample_rate: int, channels: int) -> lameenc.Encoder:
    """An MP3 encoder for 16-bit PCM; fed in pieces it gives the same bytes as in one go."""
    lame = lameenc.Encoder()
    lame.set_bit_rate(BIT_RATE)
    lame.set_in_sample_rate(sample_rate)
    lame.set_channels(channels)
    lame.set_quality(ENCODER_QUALITY)
    return lame


def _read_wav(wav_bytes: bytes) -> tuple[bytes, int, int]:
    with wave.open(io.BytesIO(wav_bytes), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"expected 16-bit audio, got {8 * wav.getsampwidth()}-bit")
        return wav.readframes(wav.getnframes()), wav.getframerate(), wav.getnchannels()


# MPEG audio frame header tables (layer III only)
_BITRATES = {  # kbit/s by bitrate index, for MPEG-1 and for MPEG-2/2.5
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def mp3_frames(data: bytes):
    """(offset, length, samples, sample_rate) of each MPEG layer III frame, in order.

    Skips an ID3v2 tag at the start; stops at the first byte that is not a frame.
    """
    offset = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9]
        offset = 10 + size
    while offset + 4 <= len(data):
        b1, b2 = data[offset + 1], data[offset + 2]
        version = (b1 >> 3) & 3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
        if data[offset] != 0xFF or b1 & 0xE0 != 0xE0 or version == 1 or (b1 >> 1) & 3 != 1:
            return
        bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 3
        if bitrate_index in (0, 15) or rate_index == 3:
            return
        table = 1 if version == 3 else 2
        bitrate = _BITRATES[table][bitrate_index] * 1000
        sample_rate = _SAMPLE_RATES[version][rate_index]
        samples = 1152 if version == 3 else 576
        length = samples // 8 * bitrate // sample_rate + ((b2 >> 1) & 1)
        yield offset, length, samples, sample_rate
        offset += length


def mp3_duration(data: bytes) -> float:
    """Seconds of audio in MP3 bytes, counted frame by frame."""
    return sum(samples / rate for _, _, samples, rate in mp3_frames(data))


def mp3_format(data: bytes) -> tuple[int, int] | None:
    """(sample rate, channels) of the first frame, None if `data` has no frame.

    MP3 files of one format can be put end to end and play as one (a whole report is
    made that way), so this is what must agree before they are.
    """
    for offset, _length, _samples, sample_rate in mp3_frames(data):
        channel_mode = data[offset + 3] >> 6  # 3: mono; stereo, joint or dual otherwise
        return sample_rate, 1 if channel_mode == 3 else 2
    return None
