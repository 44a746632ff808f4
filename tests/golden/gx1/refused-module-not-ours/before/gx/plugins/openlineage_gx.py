"""Our team's own lineage hook."""
print("hello")
