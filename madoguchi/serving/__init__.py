"""How madoguchi runs: `madoguchi serve` (web and WebSockets on one port) and `madoguchi worker`."""
