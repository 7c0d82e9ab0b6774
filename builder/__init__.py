"""vLLM recipes builder: YAML recipes in, a static JSON API and a documentation site out.

Data flows one way — load → validate → synthesize → render → write:

* ``builder.load.yamlload`` / ``builder.load.catalog``: read a recipe folder (YAML with js-yaml semantics);
* ``builder.models``: pydantic models, the single description of the recipe schema;
* ``builder.synth``: pure functions that turn a validated recipe into commands;
* ``builder.api``: the JSON documents of the public API;
* ``builder.site``: Markdown pages and the MkDocs adapter;
* ``builder.write.publish``: atomic, deterministic writing of an output tree.
"""

__version__ = "0.1.0"
