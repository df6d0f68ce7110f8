"""Plain logic behind the operator commands (seed, summarise, chat, acceptance)."""
