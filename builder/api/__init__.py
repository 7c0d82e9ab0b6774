"""The static JSON API: document for document the public recipes API."""
from builder.api.build import build_api, build_documents
from builder.api.write import write_api

__all__ = ["build_api", "build_documents", "write_api"]
