"""The language server: the same parser, index, rules and fixes as ``check`` and ``fix``,
behind the Language Server Protocol (pygls and lsprotocol)."""
