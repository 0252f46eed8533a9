"""`tsur local`: the whole system on one machine — moto in server mode, the Chalice app, pollers, a demo agency."""
