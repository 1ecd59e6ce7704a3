"""supplygraph: a shared database of ICT production sites for public buyers."""

__version__ = "0.1.0"
