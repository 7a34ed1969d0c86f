"""Short sentences about values and errors, for the messages of ``neuroclust.persistence``."""


def _a(name):
    """``name`` with its indefinite article: "a KMeans", "an Autoencoder"."""
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _shorten(text, limit=80):
    text = str(text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _reason(error, keep_stop=False):
    """An exception's message on one line, shortened; without its final full stop unless
    ``keep_stop`` (so it reads inside parentheses)."""
    text = getattr(error, "strerror", None) if isinstance(error, OSError) else None
    text = " ".join(str(text or error or type(error).__name__).split())
    text = _shorten(text, 300)
    if keep_stop:
        return text if text.endswith((".", "?", "!")) else text + "."
    return text.rstrip(".")
