"""易读 Reader: local-government reports as short, accessible, read-aloud pages."""

__version__ = "0.1.0"
