"""The static JSON API: document for document the public recipes API."""
from builder.api.build import ApiBuild, build_api, build_api_tree, build_documents
from builder.api.write import ApiReport, write_api, write_api_report

__all__ = ["ApiBuild", "ApiReport", "build_api", "build_api_tree", "build_documents", "write_api", "write_api_report"]
