"""A small GLPI dashboard helper package: the example project `copiloto demo` completes in."""
