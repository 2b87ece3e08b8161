"""How madoguchi runs: `madoguchi serve` (web and WebSockets on one port) and `madoguchi worker`."""

# Threads per web process for pages and the API, read by madoguchi/asgi.py in each process.
THREADS_ENV = "MADOGUCHI_WSGI_THREADS"
DEFAULT_THREADS = 4
