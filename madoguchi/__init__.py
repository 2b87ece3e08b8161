"""madoguchi: a self-hosted support platform for cryptocurrency exchanges."""
