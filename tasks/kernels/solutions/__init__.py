"""Reference `ModelNew` per problem (same module name), labelled by SOLUTION_KIND."""
