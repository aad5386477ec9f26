"""Why speech could not be made; every one means the browser's own voice speaks instead."""


class SynthesisError(Exception):
    """Speech could not be made for a request."""


class NoVoice(SynthesisError):
    """The machine has no voice for the language; the browser's own speech is the fallback."""


class QueueFull(SynthesisError):
    """Every worker is busy and the queue of waiting requests is full."""


class SynthesisTimeout(SynthesisError):
    """A worker took longer than the timeout; it was killed and replaced."""


class WorkerCrashed(SynthesisError):
    """A worker died while speaking (twice in a row before any sound); it was replaced."""
