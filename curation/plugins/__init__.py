"""User plug-ins: per-document stages named in the config (``plugins:``, docs/api.md).

:func:`load_plugins` imports and builds them (one-line :class:`~curation.config.ConfigError`
for a bad class or arguments); :class:`PluginChain` runs them in the per-document pass.
"""

from curation.plugins.chain import PluginChain
from curation.plugins.loader import BUILTIN_PLUGINS, LoadedPlugin, load_plugins

__all__ = ["BUILTIN_PLUGINS", "LoadedPlugin", "PluginChain", "load_plugins"]
