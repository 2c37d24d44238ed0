"""One module per problem; the module name is the problem's name."""
