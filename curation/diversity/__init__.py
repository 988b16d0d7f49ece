"""Diversity early warning: figures of the kept text per source, and their change run over
run (:mod:`.sample`, :mod:`.figures`, :mod:`.compare`)."""
