"""Linked incidents: callers of a master, related incidents, similar hints, propagation of
resolve/close to callers, and service dependencies with the impact they imply."""
