"""Annotated archive generator: a Pelican plugin (see README.md).

Importing the package does not import Pelican: the pure pipeline stages
(read, clean, versions, claims, render) can be used on their own.
"""


def register():
    from .glue import register as _register

    _register()
