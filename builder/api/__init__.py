"""The static JSON API: document for document the public recipes API."""
from builder.api.build import ApiBuild, build_api, build_api_tree, build_documents
from builder.api.write import write_api

__all__ = ["ApiBuild", "build_api", "build_api_tree", "build_documents", "write_api"]
